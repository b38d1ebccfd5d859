import { mapConfigItem } from './cmdb-config-item.mapper';

const ctx = { table: 'cmdb_ci_appl', nameField: 'name' };
const row = (fields: Record<string, unknown>) => ({ sys_id: 'a1', name: 'payments-api', ...fields });

describe('mapConfigItem', () => {
  it('maps install_status 1 to installed, 7 to retired, anything else (or nothing) to other', () => {
    const status = (value: unknown) =>
      mapConfigItem(row({ install_status: value }), ctx).record?.data.installStatus;
    expect(status('1')).toBe('installed');
    expect(status('7')).toBe('retired');
    expect(['2', '3', '6', '100', '', undefined].map(status)).toEqual(Array(6).fill('other'));
  });

  it('reads the out-of-box criticality choices, and the bare digit', () => {
    const criticality = (value: string) =>
      mapConfigItem(row({ business_criticality: value }), ctx).record?.data.criticality;
    expect(
      ['1 - most critical', '2 - somewhat critical', '3 - less critical', '4 - not critical', '2'].map(
        criticality,
      ),
    ).toEqual([1, 2, 3, 4, 2]);
  });

  it('keeps the CI but reports a criticality outside the choices (it may be high-impact)', () => {
    const mapped = mapConfigItem(row({ business_criticality: '5 - unknown' }), ctx);
    expect(mapped.record?.data.criticality).toBeUndefined();
    expect(mapped.problems).toEqual([
      {
        where: 'cmdb_ci_appl a1 (payments-api)',
        error: 'business_criticality "5 - unknown" is not one of "1 - most critical" … "4 - not critical"',
        kinds: ['config-item'],
      },
    ]);
  });

  it('uses the table as the class when sys_class_name is empty, and reads the name from nameField', () => {
    const mapped = mapConfigItem(
      { sys_id: 'b2', u_key: ' orders ', sys_class_name: '' },
      { ...ctx, nameField: 'u_key' },
    );
    expect(mapped.record?.data).toEqual({ name: 'orders', class: 'cmdb_ci_appl', installStatus: 'other' });
  });

  it('skips a nameless CI without a problem', () => {
    expect(mapConfigItem(row({ name: '  ' }), ctx)).toEqual({ problems: [] });
  });
});
