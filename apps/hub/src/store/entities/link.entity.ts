import { Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { CONNECTOR_LENGTH, EXTERNAL_ID_LENGTH, VarcharColumn } from './columns';

/** Where a change number was found for a deployment (controls.md "linked change"). */
export type LinkSource = 'variable' | 'commit' | 'merge_request';

/**
 * Deployment → change number, extracted in TypeScript with `linking.changePattern` at ingest
 * (records.md "links"), so controls join instead of matching regexes in SQL.
 */
@Entity({ name: 'link' })
@Unique('UQ_link', ['deploymentConnector', 'deploymentId', 'changeNumber', 'foundIn'])
@Index('IDX_link_change', ['changeNumber'])
export class LinkEntity {
  @PrimaryGeneratedColumn('increment', { name: 'id', type: 'integer' })
  id!: number;

  @VarcharColumn('deployment_connector', CONNECTOR_LENGTH)
  deploymentConnector!: string;

  /** The deployment's external id. */
  @VarcharColumn('deployment_id', EXTERNAL_ID_LENGTH)
  deploymentId!: string;

  @VarcharColumn('change_number', 64)
  changeNumber!: string;

  @VarcharColumn('found_in', 20)
  foundIn!: LinkSource;

  /** What the number was found in: the variable name, commit sha or MR external id. */
  @VarcharColumn('source_ref', 512, { nullable: true })
  sourceRef!: string | null;
}
