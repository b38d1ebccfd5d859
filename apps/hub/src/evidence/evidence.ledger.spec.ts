import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { DB_KINDS, DbKind, dropTestDataSource, testDataSource } from '../../../../test/support/database';
import type { Clock } from '../common/clock';
import { runInTransaction } from '../store/transaction';
import { EvidenceLedger1700000000002 } from '../store/migrations/1700000000002-evidence-ledger';
import { EvidenceCheckpointEntity } from '../store/entities/evidence-checkpoint.entity';
import { EvidenceEntryEntity } from '../store/entities/evidence-entry.entity';
import { CheckpointSigner } from './checkpoint.signer';
import { EvidenceLedger } from './evidence.ledger';
import { verifyEvidence } from './evidence.verifier';
import { exportLedger, readExport } from './ledger-export';
import { checkpointStatement, entryHash } from './ledger-hash';
import { appendLeaf, EMPTY_FRONTIER, entryLeaf, frontierRoot } from './merkle';
import type { EvidenceEntryInput } from './ledger.types';
import { verifyLedger } from './ledger.verifier';

const ed25519Pem = () =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SIGNING_KEY = ed25519Pem();
const OTHER_KEY = ed25519Pem();

class TestClock {
  constructor(public at: Date) {}
  now(): Date {
    return new Date(this.at);
  }
}

function ledgerOn(
  ds: DataSource,
  clock: TestClock,
  signingKey: string | null = SIGNING_KEY,
  retentionDays = 30,
) {
  return new EvidenceLedger(
    ds,
    { evidence: { signingKey: signingKey ?? undefined, retentionDays } },
    clock as unknown as Clock,
  );
}

const entry = (i: number, runId: string): EvidenceEntryInput => ({
  type: i % 3 === 0 ? 'record' : i % 3 === 1 ? 'page' : 'finding_transition',
  subject: `gitlab/deployments#${i}`,
  runId,
  payload: {
    i,
    sha256: String(i).padStart(64, '0'),
    nested: { list: [i, `v${i}`, null], flag: i % 2 === 0 },
  },
});

/** `runs` runs of `perRun` entries, each followed by a checkpoint (as after each run). */
async function populate(ledger: EvidenceLedger, runs = 3, perRun = 5): Promise<void> {
  let i = 0;
  for (let r = 1; r <= runs; r++) {
    const runId = `run-${r}`;
    await ledger.append(
      undefined,
      Array.from({ length: perRun }, () => entry(++i, runId)),
    );
    await ledger.checkpoint(runId);
  }
}

const verifyDb = (ds: DataSource, trustedKey: string | null = SIGNING_KEY, againstPath?: string) =>
  verifyEvidence(
    { source: 'db' },
    { dataSource: ds, trustedKeys: trustedKey ? [{ pem: trustedKey, from: 'test' }] : [], againstPath },
  );

async function rows(ds: DataSource): Promise<EvidenceEntryEntity[]> {
  return ds.getRepository(EvidenceEntryEntity).find({ order: { seq: 'ASC' } });
}

async function checkpoints(ds: DataSource): Promise<EvidenceCheckpointEntity[]> {
  return ds.getRepository(EvidenceCheckpointEntity).find({ order: { id: 'ASC' } });
}

/**
 * What an attacker with write access to the database does: goes around the append-only triggers
 * (PostgreSQL: session_replication_role, which needs a superuser; SQLite: drops them) and writes.
 */
async function asAttacker(kind: DbKind, ds: DataSource, statements: [string, unknown[]?][]): Promise<void> {
  if (kind === 'postgres') {
    await ds.transaction(async (m) => {
      await m.query('SET LOCAL session_replication_role = replica');
      for (const [sql, params] of statements) await m.query(sql, params);
    });
    return;
  }
  const triggers: { name: string; sql: string }[] = await ds.query(
    `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'evidence_%'`,
  );
  for (const t of triggers) await ds.query(`DROP TRIGGER "${t.name}"`);
  for (const [sql, params] of statements) await ds.query(sql.replace(/\$\d+/g, '?'), params);
  for (const t of triggers) await ds.query(t.sql);
}

/** Back to a fresh ledger between tests (one database per file: creating one per test is slow). */
async function emptyLedger(kind: DbKind, ds: DataSource): Promise<void> {
  await asAttacker(kind, ds, [
    [`DELETE FROM evidence_entry`],
    [`DELETE FROM evidence_checkpoint`],
    [`UPDATE evidence_head SET size = 0, last_hash = $1, frontier = '[]'`, ['0'.repeat(64)]],
    kind === 'postgres'
      ? [`SELECT setval(pg_get_serial_sequence('evidence_checkpoint', 'id'), 1, false)`]
      : [`DELETE FROM sqlite_sequence WHERE name = 'evidence_checkpoint'`],
  ]);
}

describe.each(DB_KINDS)('evidence ledger on %s', (kind) => {
  let ds: DataSource;
  let clock: TestClock;
  let ledger: EvidenceLedger;
  let dir: string;

  beforeAll(async () => {
    ds = await testDataSource(kind);
  });

  afterAll(async () => {
    await dropTestDataSource(ds);
  });

  beforeEach(async () => {
    await emptyLedger(kind, ds);
    clock = new TestClock(new Date('2024-05-01T00:00:00.000Z'));
    ledger = ledgerOn(ds, clock);
    dir = mkdtempSync(join(tmpdir(), 'audit-hub-evidence-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('an untouched ledger verifies: gap-free seq, chained hashes, signed checkpoints over every entry', async () => {
    await populate(ledger);
    const stored = await rows(ds);
    // 15 entries plus one checkpoint_anchor before each checkpoint after the first.
    expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(stored.filter((r) => r.type === 'checkpoint_anchor').map((r) => r.payload)).toMatchObject([
      { checkpoint: 1, treeSize: 5 },
      { checkpoint: 2, treeSize: 11 },
    ]);
    for (const [i, r] of stored.entries()) {
      expect(r.hash).toBe(entryHash(r));
      expect(r.prevHash).toBe(i === 0 ? '0'.repeat(64) : stored[i - 1].hash);
    }
    const cps = await checkpoints(ds);
    expect(cps.map((c) => [c.treeSize, c.prevCheckpointId])).toEqual([
      [5, null],
      [11, 1],
      [17, 2],
    ]);
    expect(cps.every((c) => c.keyId === CheckpointSigner.fromPem(SIGNING_KEY).keyId)).toBe(true);

    const result = await verifyDb(ds);
    expect(result).toMatchObject({
      ok: true,
      entries: 17,
      firstSeq: 1,
      lastSeq: 17,
      checkpoints: 3,
      signed: true,
      treeSize: 17,
      rootHash: cps[2].rootHash,
      unanchored: 0,
    });
    expect(result.firstBad).toBeUndefined();
  });

  it('nothing new since the last checkpoint: no second checkpoint', async () => {
    await populate(ledger, 1);
    expect(await ledger.checkpoint('run-again')).toBeNull();
    expect(await checkpoints(ds)).toHaveLength(1);
  });

  it('an edited entry is the first bad entry', async () => {
    await populate(ledger);
    await asAttacker(kind, ds, [[`UPDATE evidence_entry SET payload = $1 WHERE seq = 5`, ['{"i":999}']]]);
    const result = await verifyDb(ds);
    expect(result.ok).toBe(false);
    expect(result.firstBad).toMatchObject({
      seq: 5,
      type: 'finding_transition',
      reason: expect.stringMatching(/edited/),
    });
  });

  it('an edited entry whose hash was recomputed is still caught at that entry', async () => {
    await populate(ledger);
    const target = (await rows(ds))[3];
    const forged = { ...target, payload: { i: 4, forged: true } };
    await asAttacker(kind, ds, [
      [
        `UPDATE evidence_entry SET payload = $1, hash = $2 WHERE seq = 4`,
        [JSON.stringify(forged.payload), entryHash(forged)],
      ],
    ]);
    const result = await verifyDb(ds);
    expect(result.firstBad).toMatchObject({ seq: 4, reason: expect.stringMatching(/re-hashed/) });
  });

  it('a deleted entry is reported at its seq (in the middle and at the start)', async () => {
    await populate(ledger);
    await asAttacker(kind, ds, [[`DELETE FROM evidence_entry WHERE seq = 7`]]);
    expect((await verifyDb(ds)).firstBad).toMatchObject({ seq: 7, reason: 'entry 7 is missing (deleted)' });

    await asAttacker(kind, ds, [[`DELETE FROM evidence_entry WHERE seq IN (1, 2)`]]);
    expect((await verifyDb(ds)).firstBad).toMatchObject({
      seq: 1,
      reason: expect.stringMatching(/entries 1–2 are missing and no prune entry/),
    });
  });

  it('a truncated tail is caught by the checkpoint that covers it', async () => {
    await populate(ledger);
    await asAttacker(kind, ds, [[`DELETE FROM evidence_entry WHERE seq > 12`]]);
    const result = await verifyDb(ds);
    expect(result.firstBad).toMatchObject({
      seq: 13,
      checkpoint: 3,
      reason: expect.stringMatching(/entries 13–17 are missing.*truncated/),
    });
  });

  it('a checkpoint with an altered root is forged', async () => {
    await populate(ledger);
    await asAttacker(kind, ds, [
      [`UPDATE evidence_checkpoint SET root_hash = $1 WHERE id = 2`, ['ab'.repeat(32)]],
    ]);
    const result = await verifyDb(ds);
    expect(result.firstBad).toMatchObject({ seq: 11, checkpoint: 2 });
    expect(result.firstBad!.reason).toMatch(/checkpoint 2: its signature does not verify/);
  });

  it('a checkpoint re-signed with another key is forged when the signing key is configured', async () => {
    await populate(ledger);
    const cp = (await checkpoints(ds))[1];
    const intruder = CheckpointSigner.fromPem(OTHER_KEY);
    const statement = checkpointStatement({
      treeSize: cp.treeSize,
      rootHash: cp.rootHash,
      at: cp.createdAt,
      runId: cp.runId,
      previousCheckpoint: cp.prevCheckpointId,
    });
    const resigned = intruder.sign(statement);
    await asAttacker(kind, ds, [
      [
        `UPDATE evidence_checkpoint SET signature = $1, key_id = $2, public_key = $3 WHERE id = 2`,
        [resigned.signature, resigned.keyId, resigned.publicKey],
      ],
    ]);
    const result = await verifyDb(ds);
    expect(result.firstBad).toMatchObject({
      seq: 11,
      checkpoint: 2,
      reason: expect.stringMatching(/which is not a trusted key.*forged/),
    });
    // Without a trusted key the signature itself is valid: both keys are listed for a human to judge.
    const unpinned = await verifyDb(ds, null);
    expect(unpinned.firstBad).toBeUndefined();
    expect(unpinned.ok).toBe(true);
    expect(unpinned.keyIds.sort()).toEqual(
      [CheckpointSigner.fromPem(SIGNING_KEY).keyId, intruder.keyId].sort(),
    );
  });

  it('after a key rotation, the earlier checkpoints verify when the earlier public key is trusted too', async () => {
    await populate(ledgerOn(ds, clock, OTHER_KEY), 1);
    await populate(ledger, 1);
    expect((await verifyDb(ds)).firstBad).toMatchObject({
      checkpoint: 1,
      reason: expect.stringMatching(/not a trusted key/),
    });
    const both = await verifyEvidence(
      { source: 'db' },
      {
        dataSource: ds,
        trustedKeys: [
          { pem: SIGNING_KEY, from: 'evidence.signingKey' },
          {
            pem: createPublicKey(OTHER_KEY).export({ type: 'spki', format: 'pem' }).toString(),
            from: 'old.pub.pem',
          },
        ],
      },
    );
    expect(both).toMatchObject({ ok: true, signed: true, checkpoints: 2 });
    expect(both.keyIds).toHaveLength(2);
  });

  it('a history rewritten and re-signed by an intruder fails at the first checkpoint with the wrong key', async () => {
    await populate(ledger);
    // The intruder edits entry 3, re-hashes every entry after it, recomputes the Merkle roots, fixes
    // the checkpoint_anchor entries and re-signs every checkpoint with a key of their own.
    const intruder = CheckpointSigner.fromPem(OTHER_KEY);
    const cps = await checkpoints(ds);
    const roots = new Map<number, string>();
    const statements: [string, unknown[]][] = [];
    let tree = EMPTY_FRONTIER;
    let prevHash = '0'.repeat(64);
    for (const r of await rows(ds)) {
      let payload = r.payload as Record<string, unknown>;
      if (r.seq === 3) payload = { ...payload, i: 333 };
      if (r.type === 'checkpoint_anchor')
        payload = { ...payload, rootHash: roots.get(payload.checkpoint as number) };
      const hash = entryHash({ ...r, payload, prevHash });
      statements.push([
        `UPDATE evidence_entry SET payload = $1, prev_hash = $2, hash = $3 WHERE seq = $4`,
        [JSON.stringify(payload), prevHash, hash, r.seq],
      ]);
      prevHash = hash;
      tree = appendLeaf(tree, entryLeaf(hash));
      const cp = cps.find((c) => c.treeSize === tree.size);
      if (cp) {
        const rootHash = frontierRoot(tree).toString('hex');
        roots.set(cp.id, rootHash);
        const statement = {
          treeSize: cp.treeSize,
          rootHash,
          at: cp.createdAt,
          runId: cp.runId,
          previousCheckpoint: cp.prevCheckpointId,
        };
        const signed = intruder.sign(checkpointStatement(statement));
        statements.push([
          `UPDATE evidence_checkpoint SET root_hash = $1, signature = $2, key_id = $3, public_key = $4 WHERE id = $5`,
          [rootHash, signed.signature, signed.keyId, signed.publicKey, cp.id],
        ]);
      }
    }
    await asAttacker(kind, ds, statements);
    const result = await verifyDb(ds);
    expect(result.firstBad).toMatchObject({
      seq: 5,
      checkpoint: 1,
      reason: expect.stringMatching(/which is not a trusted key.*forged/),
    });
    // Without the key pinned, a consistent rewrite cannot be told from the original: hence
    // evidence.signingKey (or --public-key) and exported copies kept elsewhere (docs/evidence.md).
    expect(await verifyDb(ds, null)).toMatchObject({ ok: true, keyIds: [intruder.keyId] });
  });

  it('a rollback (last checkpoint and the entries after the previous one deleted) is caught against a saved export', async () => {
    await populate(ledger);
    const saved = join(dir, 'before.jsonl');
    await exportLedger(ds, saved, { signer: CheckpointSigner.fromPem(SIGNING_KEY) });
    const [, second] = await checkpoints(ds);
    await asAttacker(kind, ds, [
      [`DELETE FROM evidence_checkpoint WHERE id = 3`],
      [`DELETE FROM evidence_entry WHERE seq > $1`, [second.treeSize]],
    ]);
    // The database alone is a consistent, shorter ledger: only an earlier copy can tell.
    expect((await verifyDb(ds)).ok).toBe(true);
    const result = await verifyDb(ds, SIGNING_KEY, saved);
    expect(result.ok).toBe(false);
    expect(result.firstBad).toMatchObject({
      seq: 12,
      reason: expect.stringMatching(/before\.jsonl.*rolled back/),
    });

    // Rolled back and then written on (the head reset to match, as a careful intruder would): the
    // first entry that differs from the saved export.
    let tree = EMPTY_FRONTIER;
    let lastHash = '';
    for (const r of await rows(ds)) {
      tree = appendLeaf(tree, entryLeaf(r.hash));
      lastHash = r.hash;
    }
    await asAttacker(kind, ds, [
      [
        `UPDATE evidence_head SET size = $1, last_hash = $2, frontier = $3`,
        [tree.size, lastHash, JSON.stringify(tree.frontier)],
      ],
    ]);
    await ledger.append(undefined, [entry(100, 'run-x')]);
    await ledger.checkpoint('run-x');
    expect((await verifyDb(ds)).ok).toBe(true);
    expect((await verifyDb(ds, SIGNING_KEY, saved)).firstBad).toMatchObject({
      seq: 12,
      reason: expect.stringMatching(/differs from the same entry in before\.jsonl/),
    });
  });

  it('a replayed or deleted checkpoint row is caught by the chain of checkpoints', async () => {
    await populate(ledger);
    const first = (await checkpoints(ds))[0];
    await asAttacker(kind, ds, [
      [
        `INSERT INTO evidence_checkpoint (id, run_id, tree_size, root_hash, signature, key_id, public_key, prev_checkpoint_id, created_at) VALUES (4, $1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          first.runId,
          first.treeSize,
          first.rootHash,
          first.signature,
          first.keyId,
          first.publicKey,
          first.prevCheckpointId,
          first.createdAt,
        ],
      ],
    ]);
    expect((await verifyDb(ds)).firstBad).toMatchObject({
      checkpoint: 4,
      reason: expect.stringMatching(/points back to checkpoint null, not 3/),
    });

    await asAttacker(kind, ds, [[`DELETE FROM evidence_checkpoint WHERE id IN (2, 4)`]]);
    // The checkpoint_anchor entry written before checkpoint 3 (entry 17) names checkpoint 2.
    expect((await verifyDb(ds)).firstBad).toMatchObject({
      seq: 17,
      type: 'checkpoint_anchor',
      reason: expect.stringMatching(/checkpoint 2.*missing/),
    });
  });

  it('the database refuses UPDATE, DELETE (and TRUNCATE) of entries and checkpoints', async () => {
    await populate(ledger, 1);
    await expect(ds.query(`UPDATE evidence_entry SET subject = 'x' WHERE seq = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(ds.query(`DELETE FROM evidence_entry WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`UPDATE evidence_checkpoint SET tree_size = 1`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM evidence_checkpoint`)).rejects.toThrow(/append-only/);
    if (kind === 'postgres') {
      await expect(ds.query(`TRUNCATE evidence_entry`)).rejects.toThrow(/append-only/);
      await expect(ds.query(`TRUNCATE evidence_checkpoint`)).rejects.toThrow(/append-only/);
      // The session setting that once let DELETE through opens nothing (only evidence_prune() does).
      for (const sql of [
        `UPDATE evidence_entry SET subject = 'x' WHERE seq = 1`,
        `DELETE FROM evidence_entry`,
      ])
        await expect(
          ds.transaction(async (m) => {
            await m.query(`SELECT set_config('audit_hub.pruning', 'on', true)`);
            await m.query(sql);
          }),
        ).rejects.toThrow(/append-only/);
    }
    expect((await verifyDb(ds)).ok).toBe(true);
  });

  it('appends commit and roll back with the transaction of what they record', async () => {
    await expect(
      runInTransaction(ds, async (tx) => {
        await ledger.append(tx, [entry(1, 'run-1')]);
        throw new Error('the finding transition failed');
      }),
    ).rejects.toThrow('the finding transition failed');
    expect(await rows(ds)).toHaveLength(0);
    await ledger.append(undefined, [entry(2, 'run-1')]);
    expect((await rows(ds)).map((r) => r.seq)).toEqual([1]);
  });

  it('concurrent appenders get a gap-free, linear chain', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, w) =>
        runInTransaction(ds, (tx) =>
          ledger.append(
            tx,
            Array.from({ length: 5 }, (_, i) => entry(w * 10 + i, `run-${w}`)),
          ),
        ),
      ),
    );
    await ledger.checkpoint('run-all');
    expect((await rows(ds)).map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect((await verifyDb(ds)).ok).toBe(true);
  });

  it('retention pruning is recorded and anchored, and what remains still verifies, prune after prune', async () => {
    await populate(ledger, 2); // entries 1–11 on 2024-05-01
    clock.at = new Date('2024-07-01T00:00:00.000Z');
    await populate(ledger, 1, 4); // 12 (anchor), 13–16, on 2024-07-01
    const pruned = await ledger.prune(new Date('2024-06-01T00:00:00.000Z'));
    expect(pruned).toMatchObject({ fromSeq: 1, toSeq: 11, checkpointsDeleted: 1, pruneSeq: 17 });
    const stored = await rows(ds);
    expect(stored[0].seq).toBe(12);
    expect(stored.find((r) => r.type === 'prune')!.payload).toMatchObject({
      fromSeq: 1,
      toSeq: 11,
      lastPrunedHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      firstKeptCheckpoint: { id: 2, prev: 1 },
    });
    const result = await verifyDb(ds);
    expect(result).toMatchObject({ ok: true, firstSeq: 12, prunedThrough: 11, unanchored: 0 });

    // Deleting what remains after the anchor is still caught.
    clock.at = new Date('2024-09-01T00:00:00.000Z');
    await populate(ledger, 1, 3);
    const second = await ledger.prune(new Date('2024-08-01T00:00:00.000Z'));
    expect(second).toMatchObject({ fromSeq: 12, toSeq: 18 });
    expect(await verifyDb(ds)).toMatchObject({ ok: true, prunedThrough: 18 });
    expect(await ledger.prune(new Date('2024-08-01T00:00:00.000Z'))).toBeNull();

    const firstRemaining = (await rows(ds))[0].seq;
    await asAttacker(kind, ds, [[`DELETE FROM evidence_entry WHERE seq = $1`, [firstRemaining]]]);
    const tampered = await verifyDb(ds);
    expect(tampered.ok).toBe(false);
    expect(tampered.firstBad!.seq).toBe(1);
  });

  it('pruneExpired keeps evidence.retentionDays and never prunes past the last checkpoint', async () => {
    await ledger.append(undefined, [entry(1, 'run-1')]);
    clock.at = new Date('2025-01-01T00:00:00.000Z');
    expect(await ledger.pruneExpired()).toBeNull(); // nothing is anchored yet
    await ledger.checkpoint('run-1');
    await ledger.append(undefined, [entry(2, 'run-2')]);
    const pruned = await ledger.pruneExpired();
    expect(pruned).toMatchObject({ fromSeq: 1, toSeq: 1 });
    expect((await verifyDb(ds)).ok).toBe(true);
  });

  it('an export verifies offline exactly as the database does, and a tampered export fails at the entry', async () => {
    await populate(ledger);
    const file = join(dir, 'ledger.jsonl');
    // The ledger's checkpoints are signed: an export without the key to seal it is refused.
    await expect(exportLedger(ds, file)).rejects.toMatchObject({ code: 'signing_key_invalid' });
    const signer = CheckpointSigner.fromPem(SIGNING_KEY);
    const summary = await exportLedger(ds, file, { signer });
    expect(summary).toMatchObject({
      entries: 17,
      checkpoints: 3,
      firstSeq: 1,
      lastSeq: 17,
      sealKeyId: signer.keyId,
    });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({
      kind: 'header',
      format: 'audit-hub-evidence-ledger',
      version: 2,
      firstSeq: 1,
      lastSeq: 17,
      entries: 17,
      checkpoints: 3,
    });
    expect(lines).toHaveLength(1 + 17 + 3 + 1);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ kind: 'trailer', keyId: signer.keyId });

    const offline = await verifyEvidence(
      { source: 'export', path: file },
      { trustedKeys: [{ pem: SIGNING_KEY, from: 'test' }] },
    );
    const online = await verifyDb(ds);
    expect({ ...offline, source: 'x', exportSeal: null }).toEqual({ ...online, source: 'x' });
    expect(offline.exportSeal).toMatchObject({ version: 2, signed: true, keyId: signer.keyId });
    expect(offline.ok).toBe(true);

    const edited = lines.map((l) => {
      const item = JSON.parse(l);
      if (item.seq === 9 && item.kind === 'entry') item.payload.i = 90;
      return JSON.stringify(item);
    });
    writeFileSync(file, edited.join('\n') + '\n');
    expect((await verifyEvidence({ source: 'export', path: file })).firstBad).toMatchObject({ seq: 9 });

    writeFileSync(file, [lines[0], ...lines.slice(1, 6), '{not json', ...lines.slice(7)].join('\n'));
    expect((await verifyEvidence({ source: 'export', path: file })).firstBad).toMatchObject({
      seq: 6,
      reason: 'line 7 of the export is not a JSON object',
    });

    writeFileSync(file, 'hello\n');
    await expect(verifyEvidence({ source: 'export', path: file })).rejects.toMatchObject({
      code: 'export_invalid',
      exitCode: 2,
    });
  });

  it('without a signing key, checkpoints are unsigned and say so; a stripped signature after signed ones is caught', async () => {
    const unsigned = ledgerOn(ds, clock, null);
    await populate(unsigned, 2);
    expect(await verifyDb(ds, null)).toMatchObject({ ok: true, signed: false, unsignedCheckpoints: 2 });
    await populate(ledger, 1);
    expect(await verifyDb(ds)).toMatchObject({ ok: true, signed: false, unsignedCheckpoints: 2 });
    await populate(ledger, 1);
    await asAttacker(kind, ds, [
      [`UPDATE evidence_checkpoint SET signature = NULL, key_id = NULL, public_key = NULL WHERE id = 4`],
    ]);
    expect((await verifyDb(ds)).firstBad).toMatchObject({
      checkpoint: 4,
      reason: expect.stringMatching(/stripped/),
    });
  });
});

describe.each(DB_KINDS)('evidence ledger migration on %s', (kind) => {
  it('down() removes the tables and their guards, up() brings back an empty, working ledger', async () => {
    const ds = await testDataSource(kind);
    try {
      const migration = new EvidenceLedger1700000000002();
      const runner = ds.createQueryRunner();
      try {
        await migration.down(runner);
        for (const table of ['evidence_entry', 'evidence_checkpoint', 'evidence_head'])
          expect(await runner.hasTable(table)).toBe(false);
        await migration.up(runner);
      } finally {
        await runner.release();
      }
      const ledger = ledgerOn(ds, new TestClock(new Date('2024-05-01T00:00:00.000Z')));
      await populate(ledger, 1);
      await expect(ds.query(`DELETE FROM evidence_entry`)).rejects.toThrow(/append-only/);
      expect(await verifyDb(ds)).toMatchObject({ ok: true, entries: 5 });
    } finally {
      await dropTestDataSource(ds);
    }
  });
});

describe('verifyLedger', () => {
  it('an empty ledger verifies; checkpoints without entries do not', async () => {
    const empty = {
      label: 'x',
      firstSeq: null,
      lastSeq: null,
      checkpoints: [],
      pruneEntries: [],
      entries: async function* () {},
    };
    expect(await verifyLedger(empty)).toMatchObject({ ok: true, entries: 0, treeSize: 0, rootHash: null });
    const signer = CheckpointSigner.fromPem(SIGNING_KEY);
    const statement = {
      treeSize: 3,
      rootHash: 'ab'.repeat(32),
      at: '2024-05-01T00:00:00.000Z',
      runId: null,
      previousCheckpoint: null,
    };
    const s = signer.sign(checkpointStatement(statement));
    const result = await verifyLedger({
      ...empty,
      checkpoints: [
        {
          id: 1,
          runId: null,
          treeSize: 3,
          rootHash: statement.rootHash,
          at: statement.at,
          signature: s.signature,
          keyId: s.keyId,
          publicKey: s.publicKey,
          prevCheckpointId: null,
        },
      ],
    });
    expect(result.firstBad).toMatchObject({
      seq: 1,
      reason: expect.stringMatching(/entries 1–3 are missing/),
    });
  });

  it('refuses a signing key that is not Ed25519, naming the config key and not the key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => CheckpointSigner.fromPem(rsa)).toThrow(
      /evidence.signingKey: must be an Ed25519 private key, not rsa/,
    );
    expect(() => CheckpointSigner.fromPem('not a key')).toThrow('evidence.signingKey: not a PEM private key');
    // The signature scheme is plain Ed25519 over the canonical statement: any tool can check it.
    const signer = CheckpointSigner.fromPem(SIGNING_KEY);
    const statement = checkpointStatement({
      treeSize: 1,
      rootHash: 'cd'.repeat(32),
      at: 'now',
      runId: 'r',
      previousCheckpoint: null,
    });
    expect(signer.sign(statement).signature).toBe(sign(null, statement, SIGNING_KEY).toString('base64'));
  });

  it('refuses an export of a format version it does not know', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-hub-evidence-'));
    try {
      const file = join(dir, 'x.jsonl');
      writeFileSync(
        file,
        JSON.stringify({ kind: 'header', format: 'audit-hub-evidence-ledger', version: 3 }) + '\n',
      );
      await expect(readExport(file)).rejects.toThrow(/version 3 is not supported/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
