import { DataSource } from 'typeorm';
import { dropTestDataSource, testDataSource } from '../../../../test/support/database';
import type { Clock } from '../common/clock';
import type { Principal } from '../auth/principal';
import { ExceptionMatcher } from '../findings/exception.matcher';
import { ExceptionError, ExceptionStore } from './exception.store';

const who = (name: string, extra: Partial<Principal> = {}): Principal => ({
  id: `token:${name}`,
  name,
  role: 'operator',
  team: null,
  kind: 'token',
  ...extra,
});
const alice = who('alice');
const bob = who('bob');
const carol = who('carol', { team: 'payments' });

describe('ExceptionStore', () => {
  let ds: DataSource;
  let now = new Date('2026-11-02T10:00:00Z');
  let store: ExceptionStore;
  const request = {
    control: 'RM-CHG-001',
    subject: 'gitlab:acme/legacy-*',
    reason: 'migration',
    expires: '2026-11-30',
  };
  const refusal = async (p: Promise<unknown>): Promise<ExceptionError> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExceptionError);
    return err as ExceptionError;
  };

  beforeAll(async () => {
    ds = await testDataSource('sqlite');
    store = new ExceptionStore(ds, { now: () => now } as Clock);
  });
  afterAll(() => dropTestDataSource(ds));

  it('is requested, then approved by someone else, and only then covers', async () => {
    const e = await store.request(request, alice);
    expect(e).toMatchObject({
      status: 'requested',
      requestedBy: 'token:alice',
      approvedBy: null,
      team: null,
    });
    await expect(store.active(now)).resolves.toEqual([]);

    const self = await refusal(store.approve(e.id, alice));
    expect(self.code).toBe('forbidden');
    expect(self.message).toBe(
      `exception ${e.id} was requested by token:alice: it must be approved by someone else`,
    );

    const approved = await store.approve(e.id, bob);
    expect(approved).toMatchObject({
      status: 'approved',
      approvedBy: 'token:bob',
      approvedAt: now.toISOString(),
    });
    const active = await store.active(now);
    expect(active).toEqual([{ ...request, requestedBy: 'token:alice', approvedBy: 'token:bob' }]);
    // The shape config exceptions have: the finding lifecycle's matcher takes it as is.
    expect(
      new ExceptionMatcher(active).covering('RM-CHG-001', 'gitlab:acme/legacy-app#7', now),
    ).toMatchObject({
      approvedBy: 'token:bob',
    });
    expect((await refusal(store.approve(e.id, bob))).code).toBe('conflict');
  });

  it('stops covering after its expiry day, and reads expired', async () => {
    const [e] = await store.list({ status: ['approved'] });
    expect(await store.active(new Date('2026-11-30T23:59:59Z'))).toHaveLength(1);
    expect(await store.active(new Date('2026-12-01T00:00:00Z'))).toHaveLength(0);
    now = new Date('2026-12-01T08:00:00Z');
    await expect(store.get(e.id, null)).resolves.toMatchObject({ status: 'expired' });
    expect((await store.list({ status: ['expired'] })).map((x) => x.id)).toContain(e.id);
    now = new Date('2026-11-02T10:00:00Z');
  });

  it('can be expired early or rejected, each once', async () => {
    const a = await store.request(request, alice);
    await store.approve(a.id, bob);
    await expect(store.expire(a.id, alice)).resolves.toMatchObject({
      status: 'expired',
      closedBy: 'token:alice',
    });
    expect((await store.active(now)).length).toBe(1);
    expect((await refusal(store.expire(a.id, alice))).message).toBe(`exception ${a.id} is already expired`);
    const b = await store.request(request, alice);
    await expect(store.reject(b.id, bob)).resolves.toMatchObject({
      status: 'rejected',
      closedBy: 'token:bob',
    });
    expect((await refusal(store.approve(b.id, bob))).message).toBe(
      `exception ${b.id} is rejected, not requested`,
    );
  });

  it('keeps team-scoped requests to their team, and team-scoped principals cannot approve', async () => {
    const e = await store.request(request, carol);
    expect(e.team).toBe('payments');
    expect((await store.list({ team: 'payments' })).map((x) => x.id)).toEqual([e.id]);
    expect((await refusal(store.get(e.id, 'finance'))).code).toBe('not_found');
    const dave = who('dave', { team: 'payments' });
    const scoped = await refusal(store.approve(e.id, dave));
    expect(scoped.code).toBe('forbidden');
    expect(scoped.message).toMatch(/scoped to team payments cannot approve exceptions/);
    expect((await refusal(store.approve((await store.request(request, alice)).id, dave))).code).toBe(
      'not_found',
    );
    await expect(store.approve(e.id, bob)).resolves.toMatchObject({ status: 'approved' });
  });

  it('refuses unknown controls, empty text and past expiry dates, naming each', async () => {
    const err = await refusal(
      store.request({ control: 'RM-XXX-001', subject: ' ', reason: '', expires: '2026-11-01' }, alice),
    );
    expect(err.code).toBe('invalid');
    expect(err.message).toBe(
      'control: "RM-XXX-001" is not a control of the catalog; subject: must not be empty; reason: must not be empty; expires: 2026-11-01 is already past',
    );
    expect((await refusal(store.request({ ...request, expires: '2026-02-30' }, alice))).message).toBe(
      'expires: "2026-02-30" is not a date YYYY-MM-DD',
    );
  });
});
