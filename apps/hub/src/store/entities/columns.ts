/**
 * Column shapes shared by the entities, so that every instant and JSON value is stored the same
 * way on PostgreSQL and SQLite (see ../instant.ts). Names are always given: columns are
 * snake_case, properties camelCase.
 */
import { Column, PrimaryColumn } from 'typeorm';

/** An ISO-8601 UTC instant, `YYYY-MM-DDTHH:MM:SS.sssZ`. */
export function InstantColumn(name: string, options: { nullable?: boolean } = {}): PropertyDecorator {
  return Column({ name, type: 'varchar', length: 30, nullable: options.nullable ?? false });
}

/** JSON kept as text (`simple-json`): portable, and never queried inside by SQL. */
export function JsonColumn(name: string, options: { nullable?: boolean } = {}): PropertyDecorator {
  return Column({ name, type: 'simple-json', nullable: options.nullable ?? false });
}

export function VarcharColumn(
  name: string,
  length: number,
  options: { nullable?: boolean } = {},
): PropertyDecorator {
  return Column({ name, type: 'varchar', length, nullable: options.nullable ?? false });
}

export function TextColumn(name: string, options: { nullable?: boolean } = {}): PropertyDecorator {
  return Column({ name, type: 'text', nullable: options.nullable ?? false });
}

export function BooleanColumn(name: string): PropertyDecorator {
  return Column({ name, type: 'boolean', nullable: false });
}

export function IntegerColumn(name: string, options: { nullable?: boolean } = {}): PropertyDecorator {
  return Column({ name, type: 'integer', nullable: options.nullable ?? false });
}

export function VarcharPrimaryColumn(name: string, length: number): PropertyDecorator {
  return PrimaryColumn({ name, type: 'varchar', length });
}

/** Connector instance ids (config `connectors[].id`): kebab-case, short. */
export const CONNECTOR_LENGTH = 100;
/** Natural keys of records (records.md): paths, `job#number`, `project!iid`, `a→b`. */
export const EXTERNAL_ID_LENGTH = 512;
/** Run ids are UUIDs. */
export const RUN_ID_LENGTH = 36;
