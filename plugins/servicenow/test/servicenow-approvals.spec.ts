import nock from 'nock';
import { APPROVAL_FIELDS } from '../src/servicenow-approval.mapper';
import { BASE_URL, connect, counted, drain, firstRun, stream, tablePath, tableQuery } from './harness';
import { fixture } from './samples';

const ORDER = 'ORDERBYsys_updated_on^ORDERBYsys_id';
const BOB = '5137153cc611227c000bbd1bd8cd2005';
const JDOE = 'a8f98bb0eb32010045e1a5115206fe3a';
const CHG4 = '1766f1de47410200e90d87e8dee49004';

function approvalsPage(from: string) {
  return tableQuery({
    query: `source_table=change_request^sys_updated_on>=${from}^${ORDER}`,
    fields: APPROVAL_FIELDS,
    limit: 3,
  });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('approvals stream (sysapproval_approver)', () => {
  it('maps approvals of change requests, resolving approvers and changes named only by document_id', async () => {
    const scope = nock(BASE_URL)
      .get(tablePath('sysapproval_approver'))
      .query(approvalsPage('2024-04-01 00:00:00'))
      .reply(200, fixture('sysapproval-approver-page-1.json'), counted(4))
      .get(tablePath('sys_user'))
      .query(tableQuery({ query: `sys_idIN${BOB},${JDOE}`, fields: ['sys_id', 'user_name'], limit: 2 }))
      .reply(200, fixture('sys-user-lookup-approvers.json'), counted(2))
      .get(tablePath('change_request'))
      .query(tableQuery({ query: `sys_idIN${CHG4}`, fields: ['sys_id', 'number'], limit: 1 }))
      .reply(200, fixture('change-request-lookup.json'), counted(1))
      .get(tablePath('sysapproval_approver'))
      .query(approvalsPage('2024-05-03 09:10:00'))
      .reply(200, fixture('sysapproval-approver-page-2.json'), counted(1));

    const { connection } = await connect({ pageSize: 3 });
    const def = stream(connection, 'approvals');
    expect(def).toMatchObject({ kinds: ['change-approval'], mode: 'incremental' });
    const batches = await drain(def, firstRun());
    scope.done();

    expect(batches).toHaveLength(1);
    expect(batches[0].cursor).toEqual({ updatedOn: '2024-05-03 09:10:00' });
    expect(batches[0].problems).toBeUndefined();
    expect(batches[0].records.map(({ kind, externalId, data }) => ({ kind, externalId, data }))).toEqual([
      {
        kind: 'change-approval',
        externalId: 'b1a0fd8c1b7230104ebcfee8bc4bcb01',
        data: {
          change: 'CHG0030001',
          approver: 'bob.approver',
          state: 'approved',
          decidedAt: '2024-04-30T16:00:00.000Z',
        },
      },
      {
        kind: 'change-approval',
        externalId: 'b1a0fd8c1b7230104ebcfee8bc4bcb02',
        data: {
          change: 'CHG0030001',
          approver: 'jdoe',
          state: 'rejected',
          decidedAt: '2024-04-30T16:05:00.000Z',
        },
      },
      {
        kind: 'change-approval',
        externalId: 'b1a0fd8c1b7230104ebcfee8bc4bcb03',
        data: { change: 'CHG0030004', approver: 'bob.approver', state: 'requested' },
      },
    ]);
  });

  it('moves on past an approval whose approver was deleted (the reference is cleared), saying so once', async () => {
    // Configure cascade delete rules (platform docs): by default, deleting a record clears the
    // references to it, so the approval keeps an empty approver. Re-reading it cannot help: the
    // problem is lasting, so the cursor is not held back by it run after run.
    const scope = nock(BASE_URL)
      .get(tablePath('sysapproval_approver'))
      .query(approvalsPage('2024-04-01 00:00:00'))
      .reply(200, fixture('sysapproval-approver-approver-cleared.json'), counted(1));
    const { connection } = await connect({ pageSize: 3 });
    const batches = await drain(stream(connection, 'approvals'), firstRun());
    scope.done();
    expect(batches).toEqual([
      {
        records: [],
        cursor: { updatedOn: '2024-04-30 17:00:00' },
        problems: [
          {
            where: 'sysapproval_approver b1a0fd8c1b7230104ebcfee8bc4bcb09',
            error: expect.stringContaining('has no approver (the approving user was deleted'),
            kinds: ['change-approval'],
            code: 'servicenow-reference-deleted',
            lasting: true,
          },
        ],
      },
    ]);
  });
});
