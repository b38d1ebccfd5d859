/**
 * The row shape every Table API read returns, shared by the client, the value parsers and the
 * plugins' mappers.
 */

/**
 * One row of a Table API `result` list: field name → value. Values are strings, or `{link, value}`
 * objects for references when the instance ignores `sysparm_exclude_reference_link`. Dot-walked
 * fields asked for in `sysparm_fields` come back under their dotted name (`"cmdb_ci.name"`,
 * `"support_group.name"`). A field the table lacks, or that a field-level ACL hides, is absent from
 * the row.
 */
export type TableRow = Record<string, unknown>;
