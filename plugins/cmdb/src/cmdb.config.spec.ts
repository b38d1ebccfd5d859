import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CmdbOptions, resolveOptions } from './cmdb.config';

function problems<T extends object>(cls: new () => T, value: object): string[] {
  return validateSync(plainToInstance(cls, value)).map((error) => error.property);
}

describe('cmdb config', () => {
  it('applies the defaults: cmdb_ci_appl, name, 1000 rows a page', () => {
    expect(problems(CmdbOptions, {})).toEqual([]);
    expect(resolveOptions(undefined)).toEqual({ table: 'cmdb_ci_appl', nameField: 'name', pageSize: 1000 });
  });

  it('refuses table and field names that are not ServiceNow names (they go into the path and the query)', () => {
    expect(problems(CmdbOptions, { table: 'cmdb_ci_appl/../sys_user' })).toEqual(['table']);
    expect(problems(CmdbOptions, { nameField: 'name^ORDERBYsys_id' })).toEqual(['nameField']);
    expect(problems(CmdbOptions, { pageSize: 10_001 })).toEqual(['pageSize']);
    expect(
      problems(CmdbOptions, { table: 'u_cmdb_ci_app', nameField: 'u_service.name', pageSize: 50 }),
    ).toEqual([]);
  });
});
