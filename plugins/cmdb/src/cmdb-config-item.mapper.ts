/** A CI row of the Table API → `config-item` record (shared/spec/records.md; controls.md RM-INV-*, "high-impact"). */
import type { ConfigItemRecord, NormalizedRecord } from '@audit-hub/domain';
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import { type TableRow, optional, text } from '@audit-hub/servicenow-table';

/** The fields every request asks for (`sysparm_fields`), the name field added when it is another one. */
export const CONFIG_ITEM_FIELDS = [
  'sys_id',
  'name',
  'sys_class_name',
  'version',
  'used_for',
  'install_status',
  'operational_status',
  'business_criticality',
  'support_group',
  'support_group.name',
  'sys_updated_on',
] as const;

export function configItemFields(nameField: string): string[] {
  const fields: string[] = [...CONFIG_ITEM_FIELDS];
  return fields.includes(nameField) ? fields : [...fields, nameField];
}

/** `install_status` choice values of the out-of-box `cmdb_ci` dictionary: 1 Installed, 7 Retired. */
export const INSTALL_STATUS: Readonly<Record<string, ConfigItemRecord['installStatus']>> = {
  '1': 'installed',
  '7': 'retired',
};

/**
 * `operational_status` 6 is Retired in the base system's choice list (CMDB CI Lifecycle
 * Management: "operational states … such as 'Retired'"). Application services and CIs maintained
 * by Service Mapping or CSDM processes are often retired there while `install_status` stays
 * Installed: such a CI is decommissioned all the same.
 */
export const OPERATIONAL_STATUS_RETIRED = '6';

/** The record field each asked-for field fills (for `connectors check` to name what a hidden field costs). */
export const RECORD_FIELD: Readonly<Record<string, string>> = {
  name: 'name',
  sys_class_name: 'class',
  version: 'version',
  used_for: 'environment',
  install_status: 'installStatus',
  operational_status: 'installStatus',
  business_criticality: 'criticality',
  support_group: 'ownerGroup',
  'support_group.name': 'ownerGroup',
};

/** `1 - most critical`, `2 - somewhat critical`, `3 - less critical`, `4 - not critical` (or the bare digit). */
const CRITICALITY = /^\s*([1-4])(\s*-.*)?$/;

export interface MapContext {
  table: string;
  nameField: string;
}

/** What the mapper made of one row: the record (absent when the row cannot be one) and what went wrong. */
export interface MappedItem {
  record?: NormalizedRecord<'config-item'>;
  problems: StreamProblem[];
}

/**
 * Maps one row. A CI whose name field is empty is skipped without a problem: nothing can match it to
 * a service, and a CI renamed to nothing is, for every control, a CI that is gone. A name field
 * missing from the row (an unknown field, or hidden by a field ACL) is a problem: otherwise every
 * CI would silently vanish from the snapshot.
 */
export function mapConfigItem(row: TableRow, ctx: MapContext): MappedItem {
  const sysId = text(row, 'sys_id').trim();
  const where = `${ctx.table} ${sysId || '(no sys_id)'}`;
  if (!(ctx.nameField in row)) {
    return {
      problems: [
        {
          where,
          error: `the row has no ${ctx.nameField} field (not a field of ${ctx.table}, or hidden by a field ACL)`,
          kinds: ['config-item'],
        },
      ],
    };
  }
  const name = optional(text(row, ctx.nameField));
  if (!name) return { problems: [] };

  const problems: StreamProblem[] = [];
  const rawCriticality = text(row, 'business_criticality').trim();
  let criticality: number | undefined;
  if (rawCriticality !== '') {
    const match = CRITICALITY.exec(rawCriticality);
    if (match) {
      criticality = Number(match[1]);
    } else {
      // Left out, but said: a CI of unknown criticality may be high-impact (controls.md), so the
      // controls that depend on it must not run as if it were not.
      problems.push({
        where: `${where} (${name})`,
        error: `business_criticality ${JSON.stringify(rawCriticality)} is not one of "1 - most critical" … "4 - not critical"`,
        kinds: ['config-item'],
      });
    }
  }

  const data: ConfigItemRecord = {
    name,
    class: optional(text(row, 'sys_class_name')) ?? ctx.table,
    installStatus:
      text(row, 'operational_status').trim() === OPERATIONAL_STATUS_RETIRED
        ? 'retired'
        : (INSTALL_STATUS[text(row, 'install_status').trim()] ?? 'other'),
  };
  const version = optional(text(row, 'version'));
  if (version) data.version = version;
  const environment = optional(text(row, 'used_for'));
  if (environment) data.environment = environment;
  if (criticality !== undefined) data.criticality = criticality;
  const ownerGroup = optional(text(row, 'support_group.name'));
  if (ownerGroup) data.ownerGroup = ownerGroup;

  return { record: { kind: 'config-item', externalId: sysId, data, raw: row }, problems };
}
