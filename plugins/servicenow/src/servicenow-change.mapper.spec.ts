import { resolveOptions } from './servicenow.config';
import { mapChange } from './servicenow-change.mapper';

const row = {
  sys_id: 'c0ffee00000000000000000000000001',
  number: 'CHG0040001',
  type: 'normal',
  state: '-2',
  approval: 'requested',
  requested_by: '',
  assigned_to: '',
  cmdb_ci: { link: 'https://x.service-now.com/api/now/table/cmdb_ci/ci1', value: 'ci1' },
  short_description: 'Upgrade',
  description: '',
  sys_updated_on: '2024-05-01 10:00:00',
};
const noUsers = { userName: () => undefined, userMissing: () => undefined };

describe('mapChange', () => {
  it('maps state codes through the out-of-box map, or the configured override', () => {
    expect(mapChange(row, { ...noUsers, stateMap: resolveOptions({}).stateMap }).record?.data).toMatchObject({
      state: 'scheduled',
      ci: { sysId: 'ci1' },
    });
    const overridden = resolveOptions({ stateMap: { '-2': 'authorize' } }).stateMap;
    expect(mapChange(row, { ...noUsers, stateMap: overridden }).record?.data).toMatchObject({
      state: 'authorize',
    });
  });

  it.each([
    [{ type: 'expedited' }, 'unknown change type "expedited" (expected normal, standard, emergency)'],
    [
      { approval: 'cancelled' },
      'unknown approval "cancelled" (expected not requested, requested, approved or rejected)',
    ],
    [{ start_date: '01/05/2024 10:00' }, 'start_date: "01/05/2024 10:00" is not a YYYY-MM-DD HH:MM:SS time'],
  ])('leaves out a change it cannot represent (%j), with a problem naming it', (change, error) => {
    const mapped = mapChange({ ...row, ...change }, { ...noUsers, stateMap: resolveOptions({}).stateMap });
    expect(mapped.record).toBeUndefined();
    expect(mapped.problems).toEqual([
      {
        where: 'change_request CHG0040001 (sys_id c0ffee00000000000000000000000001)',
        error,
        kinds: ['change'],
      },
    ]);
  });

  it('does not read a field a field ACL left out of the row as empty', () => {
    const { requested_by: _hidden, ...withoutRequester } = row;
    const mapped = mapChange(withoutRequester, { ...noUsers, stateMap: resolveOptions({}).stateMap });
    expect(mapped.record).toBeUndefined();
    expect(mapped.problems).toEqual([
      expect.objectContaining({
        error: 'requested_by is not returned: a field-level read ACL hides it from the integration user',
        code: 'servicenow-field-hidden',
        fix: 'read ACLs on change_request.requested_by for the integration user',
        kinds: ['change'],
      }),
    ]);
  });
});
