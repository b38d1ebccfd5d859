import {
  matchesQuery,
  orderComparator,
  parseEncodedQuery,
  type FieldReader,
} from './servicenow-query.parser';

function row(fields: Record<string, string>, numeric: string[] = []): FieldReader {
  return { value: (f) => fields[f], numeric: (f) => numeric.includes(f) };
}

describe('parseEncodedQuery', () => {
  it('reads operators, AND, OR, new queries and orderings', () => {
    const q = parseEncodedQuery(
      'sys_updated_on>=2025-03-01 00:00:00^state=3^ORstate=4^numberINCHG1,CHG2^NQactive=false^ORDERBYsys_updated_on^ORDERBYDESCnumber',
    );
    expect(q.queries).toEqual([
      [
        [{ field: 'sys_updated_on', op: '>=', value: '2025-03-01 00:00:00' }],
        [
          { field: 'state', op: '=', value: '3' },
          { field: 'state', op: '=', value: '4' },
        ],
        [{ field: 'number', op: 'IN', value: 'CHG1,CHG2' }],
      ],
      [[{ field: 'active', op: '=', value: 'false' }]],
    ]);
    expect(q.orderBy).toEqual([
      { field: 'sys_updated_on', desc: false },
      { field: 'number', desc: true },
    ]);
  });

  it('keeps dot-walked fields, ^^ as a literal caret and gs.dateGenerate values', () => {
    const q = parseEncodedQuery(
      "sysapproval.number=CHG0030001^short_descriptionLIKEa^^b^sys_created_on>javascript:gs.dateGenerate('2025-01-02','03:04:05')",
    );
    expect(q.queries[0]).toEqual([
      [{ field: 'sysapproval.number', op: '=', value: 'CHG0030001' }],
      [{ field: 'short_description', op: 'LIKE', value: 'a^b' }],
      [{ field: 'sys_created_on', op: '>', value: '2025-01-02 03:04:05' }],
    ]);
  });

  it('treats an empty query as matching everything', () => {
    expect(matchesQuery(row({ a: '1' }), parseEncodedQuery(''))).toBe(true);
    expect(matchesQuery(row({ a: '1' }), parseEncodedQuery(null))).toBe(true);
  });
});

describe('matchesQuery', () => {
  const change = row(
    { number: 'CHG0030042', state: '-4', approval_set: '', sys_updated_on: '2025-03-10 09:00:00' },
    ['state'],
  );

  it('compares numbers numerically and times as text', () => {
    expect(matchesQuery(change, parseEncodedQuery('state<0'))).toBe(true);
    expect(matchesQuery(change, parseEncodedQuery('state>=-3'))).toBe(false);
    expect(matchesQuery(change, parseEncodedQuery('sys_updated_on>2025-03-10 08:59:59'))).toBe(true);
    expect(matchesQuery(change, parseEncodedQuery('sys_updated_on>2025-03-10 09:00:00'))).toBe(false);
    expect(matchesQuery(change, parseEncodedQuery('sys_updated_on>=2025-03-10 09:00:00'))).toBe(true);
  });

  it('never matches an empty value with a comparison, and knows ISEMPTY', () => {
    expect(matchesQuery(change, parseEncodedQuery('approval_set<2030-01-01 00:00:00'))).toBe(false);
    expect(matchesQuery(change, parseEncodedQuery('approval_setISEMPTY'))).toBe(true);
    expect(matchesQuery(change, parseEncodedQuery('approval_setISNOTEMPTY'))).toBe(false);
  });

  it('ORs ^OR terms with the previous one and ^NQ queries with each other', () => {
    expect(matchesQuery(change, parseEncodedQuery('state=3^ORstate=-4'))).toBe(true);
    expect(matchesQuery(change, parseEncodedQuery('state=3^NQnumber=CHG0030042'))).toBe(true);
    expect(matchesQuery(change, parseEncodedQuery('state=3^number=CHG0030042'))).toBe(false);
    expect(matchesQuery(change, parseEncodedQuery('numberNOT INCHG0030042,CHG1'))).toBe(false);
  });

  it('ignores a condition on a field the table does not have, as ServiceNow does', () => {
    expect(matchesQuery(change, parseEncodedQuery('no_such_field=1^number=CHG0030042'))).toBe(true);
  });
});

describe('orderComparator', () => {
  it('orders by each ORDERBY in turn and breaks ties by sys_id', () => {
    const rows = [
      row({ sys_id: 'c', state: '3', n: 'x' }, ['state']),
      row({ sys_id: 'a', state: '-5', n: 'x' }, ['state']),
      row({ sys_id: 'b', state: '3', n: 'y' }, ['state']),
    ];
    const sorted = [...rows].sort(orderComparator(parseEncodedQuery('ORDERBYstate^ORDERBYDESCn')));
    expect(sorted.map((r) => r.value('sys_id'))).toEqual(['a', 'b', 'c']);
    const bySysId = [...rows].sort(orderComparator(parseEncodedQuery('ORDERBYunknown')));
    expect(bySysId.map((r) => r.value('sys_id'))).toEqual(['a', 'b', 'c']);
  });
});
