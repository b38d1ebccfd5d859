import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ServiceNowOptions, resolveOptions } from './servicenow.config';

function problems<T extends object>(cls: new () => T, value: object): string[] {
  return validateSync(plainToInstance(cls, value)).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`),
  );
}

describe('servicenow options', () => {
  it('merges stateMap over the out-of-box codes', () => {
    const resolved = resolveOptions({ stateMap: { '0': 'implement', '7.0': 'review' } });
    expect(resolved.stateMap).toMatchObject({ '-5': 'new', '0': 'implement', '3': 'closed', '7': 'review' });
    expect(resolved.pageSize).toBe(1000);
    expect(resolveOptions(undefined).stateMap['4']).toBe('canceled');
  });

  it('names a stateMap entry that is not a state', () => {
    expect(problems(ServiceNowOptions, { stateMap: { '5': 'done' } })).toEqual([
      'stateMap: code "5": "done" is not one of new, assess, authorize, scheduled, implement, review, closed, canceled',
    ]);
  });

  it('refuses a changeQuery that would break the connector own conditions, and out-of-range page sizes', () => {
    expect(problems(ServiceNowOptions, { changeQuery: 'active=true^ORtype=emergency' })).toEqual([]);
    expect(problems(ServiceNowOptions, { changeQuery: 'active=true^ORDERBYnumber' })).toEqual([
      'changeQuery: must not contain ^NQ, ^EQ or ORDERBY: the connector appends its own conditions and ordering',
    ]);
    expect(problems(ServiceNowOptions, { pageSize: 0 })).toHaveLength(1);
    expect(problems(ServiceNowOptions, { pageSize: 10001 })).toHaveLength(1);
  });
});
