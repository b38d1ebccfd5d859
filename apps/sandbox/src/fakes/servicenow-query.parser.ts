/**
 * ServiceNow encoded queries (`sysparm_query`): `field<op>value` terms joined by `^` (AND), `^OR`
 * (OR with the previous term) and `^NQ` (a new query OR-ed with the others), plus `ORDERBY<field>`
 * and `ORDERBYDESC<field>`. A literal `^` in a value is written `^^`.
 */

export type Operator =
  | '='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | 'IN'
  | 'NOT IN'
  | 'LIKE'
  | 'NOT LIKE'
  | 'STARTSWITH'
  | 'ENDSWITH'
  | 'ISEMPTY'
  | 'ISNOTEMPTY';

export interface Condition {
  field: string;
  op: Operator;
  value: string;
}

/** OR of AND of OR: each query (`^NQ`) is a list of clauses, each clause a list of alternatives. */
export interface EncodedQuery {
  queries: Condition[][][];
  orderBy: { field: string; desc: boolean }[];
}

const OPERATORS: [string, Operator][] = [
  ['ISNOTEMPTY', 'ISNOTEMPTY'],
  ['ISEMPTY', 'ISEMPTY'],
  ['NOT IN', 'NOT IN'],
  ['NOTIN', 'NOT IN'],
  ['NOT LIKE', 'NOT LIKE'],
  ['NOTLIKE', 'NOT LIKE'],
  ['STARTSWITH', 'STARTSWITH'],
  ['ENDSWITH', 'ENDSWITH'],
  ['LIKE', 'LIKE'],
  ['IN', 'IN'],
  ['!=', '!='],
  ['>=', '>='],
  ['<=', '<='],
  ['=', '='],
  ['>', '>'],
  ['<', '<'],
];

/** Splits on single `^`, turning `^^` back into a literal caret. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '^' && text[i + 1] === '^') {
      current += '^';
      i++;
    } else if (ch === '^') {
      terms.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms.filter((t) => t !== '');
}

/** `javascript:gs.dateGenerate('2024-05-01','10:00:00')` → `2024-05-01 10:00:00`; other values unchanged. */
function literal(value: string): string {
  const generated =
    /^javascript:gs\.dateGenerate\(\s*'(\d{4}-\d{2}-\d{2})'\s*,\s*'(\d{2}:\d{2}:\d{2})'\s*\)$/.exec(value);
  return generated ? `${generated[1]} ${generated[2]}` : value;
}

export function parseCondition(term: string): Condition | null {
  const field = /^[a-z0-9_.]+/.exec(term)?.[0];
  if (!field) return null;
  const rest = term.slice(field.length);
  for (const [token, op] of OPERATORS) {
    if (rest.startsWith(token)) return { field, op, value: literal(rest.slice(token.length)) };
  }
  return null;
}

/** Parses a `sysparm_query`; terms it cannot read are dropped, as ServiceNow drops invalid conditions. */
export function parseEncodedQuery(text: string | null | undefined): EncodedQuery {
  const result: EncodedQuery = { queries: [], orderBy: [] };
  let clauses: Condition[][] = [];
  for (let term of splitTerms(text ?? '')) {
    // `a=1^NQb=2`: NQ opens a new query and prefixes its first term.
    if (term.startsWith('NQ')) {
      result.queries.push(clauses);
      clauses = [];
      term = term.slice(2);
      if (term === '') continue;
    }
    if (term === 'EQ') {
      continue;
    } else if (term.startsWith('ORDERBYDESC')) {
      result.orderBy.push({ field: term.slice('ORDERBYDESC'.length), desc: true });
    } else if (term.startsWith('ORDERBY')) {
      result.orderBy.push({ field: term.slice('ORDERBY'.length), desc: false });
    } else if (term.startsWith('OR') && clauses.length > 0) {
      const condition = parseCondition(term.slice(2));
      if (condition) clauses[clauses.length - 1].push(condition);
    } else {
      const condition = parseCondition(term);
      if (condition) clauses.push([condition]);
    }
  }
  result.queries.push(clauses);
  return result;
}

/**
 * How the evaluator reads a row: the field's value as text (a reference gives the referenced
 * sys_id), or undefined when the table has no such field (ServiceNow then ignores the condition,
 * and returns every row: a misspelt field filters nothing), and whether it compares as a number.
 */
export interface FieldReader {
  value(field: string): string | undefined;
  numeric(field: string): boolean;
}

function compare(a: string, b: string, numeric: boolean): number {
  if (numeric) {
    const x = Number(a);
    const y = Number(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  }
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function matchesCondition(row: FieldReader, c: Condition): boolean {
  const actual = row.value(c.field);
  if (actual === undefined) return true;
  const numeric = row.numeric(c.field);
  const lower = actual.toLowerCase();
  const wanted = c.value.toLowerCase();
  switch (c.op) {
    case '=':
      return compare(actual, c.value, numeric) === 0;
    case '!=':
      return compare(actual, c.value, numeric) !== 0;
    case '>':
      return actual !== '' && compare(actual, c.value, numeric) > 0;
    case '>=':
      return actual !== '' && compare(actual, c.value, numeric) >= 0;
    case '<':
      return actual !== '' && compare(actual, c.value, numeric) < 0;
    case '<=':
      return actual !== '' && compare(actual, c.value, numeric) <= 0;
    case 'IN':
      return c.value.split(',').some((v) => compare(actual, v.trim(), numeric) === 0);
    case 'NOT IN':
      return !c.value.split(',').some((v) => compare(actual, v.trim(), numeric) === 0);
    case 'LIKE':
      return lower.includes(wanted);
    case 'NOT LIKE':
      return !lower.includes(wanted);
    case 'STARTSWITH':
      return lower.startsWith(wanted);
    case 'ENDSWITH':
      return lower.endsWith(wanted);
    case 'ISEMPTY':
      return actual === '';
    case 'ISNOTEMPTY':
      return actual !== '';
  }
}

export function matchesQuery(row: FieldReader, query: EncodedQuery): boolean {
  return query.queries.some((clauses) =>
    clauses.every((alternatives) => alternatives.some((c) => matchesCondition(row, c))),
  );
}

/** A comparator for `ORDERBY` terms; fields the table lacks are ignored, then sys_id breaks ties. */
export function orderComparator(query: EncodedQuery): (a: FieldReader, b: FieldReader) => number {
  return (a, b) => {
    for (const { field, desc } of query.orderBy) {
      const x = a.value(field);
      const y = b.value(field);
      if (x === undefined || y === undefined) continue;
      const c = compare(x, y, a.numeric(field));
      if (c !== 0) return desc ? -c : c;
    }
    return compare(a.value('sys_id') ?? '', b.value('sys_id') ?? '', false);
  };
}
