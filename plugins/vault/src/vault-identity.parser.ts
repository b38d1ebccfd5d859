/**
 * Checks an entity or group read (`data` of `GET /v1/identity/{entity,group}/id/:id`) and gives it
 * a fixed shape. Vault writes empty lists as `null` as often as `[]` (`member_group_ids`,
 * `merged_entity_ids`) and older servers omit newer fields, so missing and `null` lists are empty;
 * a field of the wrong type, or no name, makes the body malformed (the item becomes a problem).
 */
import type { VaultEntity, VaultGroup } from './vault.types';

export interface EntityAlias {
  name: string;
  mountType?: string;
  mountAccessor?: string;
}

export interface ParsedEntity {
  id: string;
  name: string;
  /** The namespace it was read in, relative to the base (`''`: the base). */
  namespace: string;
  disabled: boolean;
  policies: string[];
  aliases: EntityAlias[];
  /** The `data` object as Vault sent it (kept as the records' raw). */
  raw: VaultEntity;
}

export interface ParsedGroup {
  id: string;
  name: string;
  /** The namespace it was read in, relative to the base (`''`: the base). */
  namespace: string;
  /** `internal` or `external` (as Vault says; `internal` when absent). */
  type: string;
  policies: string[];
  memberEntityIds: string[];
  memberGroupIds: string[];
  parentGroupIds: string[];
  raw: VaultGroup;
}

export class MalformedItemError extends Error {
  override name = 'MalformedItemError';
}

export function parseEntity(data: Record<string, unknown>, listedId: string, namespace = ''): ParsedEntity {
  const entity = data as VaultEntity;
  const aliases = list(data, 'aliases', (alias, i) => {
    if (!isObject(alias)) throw new MalformedItemError(`aliases[${i}] is not an object`);
    const name = alias.name;
    if (typeof name !== 'string' || name.trim() === '')
      throw new MalformedItemError(`aliases[${i}].name is not a non-empty string`);
    return {
      name,
      ...optionalString(alias, 'mount_type', 'mountType', `aliases[${i}]`),
      ...optionalString(alias, 'mount_accessor', 'mountAccessor', `aliases[${i}]`),
    } as EntityAlias;
  });
  if (data.disabled !== undefined && data.disabled !== null && typeof data.disabled !== 'boolean')
    throw new MalformedItemError('disabled is not a boolean');
  return {
    id: idOf(data, listedId),
    name: nameOf(data),
    namespace,
    disabled: data.disabled === true,
    policies: strings(data, 'policies'),
    aliases,
    raw: entity,
  };
}

export function parseGroup(data: Record<string, unknown>, listedId: string, namespace = ''): ParsedGroup {
  if (data.type !== undefined && data.type !== null && typeof data.type !== 'string')
    throw new MalformedItemError('type is not a string');
  return {
    id: idOf(data, listedId),
    name: nameOf(data),
    namespace,
    type: typeof data.type === 'string' && data.type !== '' ? data.type : 'internal',
    policies: strings(data, 'policies'),
    memberEntityIds: strings(data, 'member_entity_ids'),
    memberGroupIds: strings(data, 'member_group_ids'),
    parentGroupIds: strings(data, 'parent_group_ids'),
    raw: data as VaultGroup,
  };
}

function nameOf(data: Record<string, unknown>): string {
  if (typeof data.name !== 'string' || data.name.trim() === '')
    throw new MalformedItemError('name is not a non-empty string');
  return data.name;
}

/**
 * The body's own id when it has one (the canonical id: member lists refer to it), else the listed
 * one. The docs samples' read bodies carry ids that are not in the list samples.
 */
function idOf(data: Record<string, unknown>, listedId: string): string {
  if (data.id === undefined || data.id === null || data.id === '') return listedId;
  if (typeof data.id !== 'string') throw new MalformedItemError('id is not a string');
  return data.id;
}

/** A list of strings, each once; missing or `null` is empty. */
function strings(data: Record<string, unknown>, field: string): string[] {
  const values = list(data, field, (value, i) => {
    if (typeof value !== 'string') throw new MalformedItemError(`${field}[${i}] is not a string`);
    return value;
  });
  return [...new Set(values.filter((value) => value !== ''))];
}

function list<T>(data: Record<string, unknown>, field: string, item: (value: unknown, i: number) => T): T[] {
  const value = data[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new MalformedItemError(`${field} is not a list`);
  return value.map(item);
}

function optionalString(
  source: Record<string, unknown>,
  field: string,
  as: string,
  where: string,
): Record<string, string> {
  const value = source[field];
  if (value === undefined || value === null || value === '') return {};
  if (typeof value !== 'string') throw new MalformedItemError(`${where}.${field} is not a string`);
  return { [as]: value };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
