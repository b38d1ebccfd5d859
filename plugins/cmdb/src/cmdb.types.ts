/** Shapes shared by the CMDB table client, mapper and stream. */

/**
 * One row of a Table API `result` list: field name → value. Values are strings, or `{link, value}`
 * objects for references when the instance ignores `sysparm_exclude_reference_link`. A field the
 * table lacks, or that a field-level ACL hides, is absent from the row.
 */
export type TableRow = Record<string, unknown>;
