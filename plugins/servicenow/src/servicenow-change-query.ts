/**
 * `options.changeQuery` checked against the instance. ServiceNow does not refuse a query term on a
 * field the table lacks (a misspelt name, a field of another table): it drops the term and matches
 * every row, or — with `glide.invalid_query.returns_no_rows=true` — matches nothing (Table API
 * reference, `sysparm_query`). Either way the stream would read the wrong changes without a word,
 * so the fields the query names are asked for on one row: a field that does not come back is not a
 * field of `change_request` (or a field ACL hides it, and a query on it is not reliable either).
 */
import type { StreamProblem } from '@audit-hub/plugin-sdk';
import type { ServiceNowTableClient } from '@audit-hub/servicenow-table';
import { PROBLEM } from './servicenow.problems';
import { TABLES } from './servicenow.types';

/** The fields an encoded query names, ORDERBY aside (`active=true^ORassignment_group.name=CAB` → active, assignment_group.name). */
export function queryFields(query: string): string[] {
  const fields = new Set<string>();
  for (const raw of query.split(/\^(?!\^)/)) {
    const term = raw.replace(/^(OR|NQ)/, '');
    if (term === '' || term === 'EQ' || term.startsWith('ORDERBY')) continue;
    // Column names are lower case; every operator starts with a symbol or a capital (=, >=, LIKE, IN…).
    const field = /^[a-z0-9_.]+/.exec(term)?.[0];
    if (field) fields.add(field);
  }
  return [...fields];
}

/**
 * The fields of `query` that `change_request` does not return on its first readable row; empty
 * when they all come back, or when no row can be read to tell (nothing to compare with).
 */
export async function unknownQueryFields(client: ServiceNowTableClient, query: string): Promise<string[]> {
  const fields = queryFields(query);
  if (fields.length === 0) return [];
  const page = await client.probe(TABLES.change, fields);
  const [row] = page.rows;
  return row ? fields.filter((field) => !(field in row)) : [];
}

/** The problem an invalid changeQuery is: not lasting, so that once it is fixed the changes are read again. */
export function invalidChangeQuery(query: string, unknown: string[]): StreamProblem {
  return {
    where: 'options.changeQuery',
    error: `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a field' : 'are not fields'} of change_request the integration user can read: ServiceNow ignores such a condition (every change matches) or, with glide.invalid_query.returns_no_rows=true, matches nothing (changeQuery: ${query})`,
    kinds: ['change'],
    code: PROBLEM.changeQueryInvalid,
    fix: 'correct the field names in options.changeQuery (they are case-sensitive), or grant read on them',
  };
}
