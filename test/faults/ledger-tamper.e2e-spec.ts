/**
 * Fault suite: the evidence ledger tampered with, on both storages. Read it as a table.
 *
 * An export (`evidence verify --export F`) is verified offline as an auditor would
 * (`--from-export F --public-key K`, no database), after an intruder who holds neither the signing
 * key nor the trusted public key edited the file:
 *
 * | scenario                                                        | what must hold                                        |
 * | --------------------------------------------------------------- | ----------------------------------------------------- |
 * | the export as written                                           | exit 0                                                |
 * | an entry edited                                                 | exit 1 at that entry                                  |
 * | a checkpoint re-signed with another key                         | exit 1 at that checkpoint, not a trusted key          |
 * | tail cut: last entries, the last checkpoint and the seal        | exit 1, "export declares entries up to seq N, …"      |
 * | tail cut, header edited to match                                | exit 1, the export ends without its seal              |
 * | tail cut, header and seal edited to match                       | exit 1, the seal's signature does not verify          |
 * | tail cut, resealed and signed with another key                  | exit 1, the seal is signed by an untrusted key        |
 * | tail cut, resealed without a signature                          | exit 1, the seal is unsigned                          |
 * | tail cut, rewritten as format 1 (which had no seal)             | exit 1, format 1 carries no seal                      |
 * | middle cut (entries), header and seal untouched                 | exit 1 at the first missing seq                       |
 * | the last checkpoint dropped, everything else untouched          | exit 1, that checkpoint is missing                    |
 * | the last checkpoint dropped, header edited to match             | exit 1, the seal records it                           |
 * | an entry appended after the seal                                | exit 1                                                |
 * | without a trusted key: the seal's signature stripped            | exit 1, unsigned although the checkpoints are signed  |
 * | a cut resealed with the trusted key (what the key holder can do) | exit 0: keep the key out of the intruder's reach     |
 * | `--against` a cut export                                        | exit 2, the reference does not verify itself          |
 * | `--against` an export, the database's tail truncated since      | exit 1, rolled back                                   |
 *
 * The PostgreSQL DELETE guard, with a role that is not the ledger's owner (as docs/evidence.md
 * recommends running the hub):
 *
 * | scenario                                                        | what must hold                                        |
 * | --------------------------------------------------------------- | ----------------------------------------------------- |
 * | `SET LOCAL audit_hub.pruning = 'on'` then DELETE                | refused, nothing deleted                              |
 * | writing the prune grant itself                                  | refused (no privilege)                                |
 * | evidence_prune() without a recorded, due, checkpointed prune    | refused                                               |
 * | the hub's retention pruning, as that role                       | prunes what is due, the ledger still verifies         |
 */
import { createHash, createPublicKey, generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EvidenceVerifyCommand } from '../../apps/cli/src/commands/evidence.command';
import type { Clock } from '../../apps/hub/src/common/clock';
import { EvidenceLedger } from '../../apps/hub/src/evidence/evidence.ledger';
import { verifyEvidence } from '../../apps/hub/src/evidence/evidence.verifier';
import { dataSourceOptions, runMigrations } from '../../apps/hub/src/store/data-source.factory';
import { createTestDatabase, DB_KINDS, type DbKind } from '../support/database';

jest.setTimeout(5 * 60_000);

const pem = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ type, format: 'pem' }).toString();

class FixedClock {
  constructor(public at: Date) {}
  now(): Date {
    return new Date(this.at);
  }
}

/** Four runs of 12 entries, each ending with a checkpoint (as after each run). */
async function populate(ledger: EvidenceLedger, runs = 4, perRun = 12, from = 0): Promise<void> {
  let i = from;
  for (let r = 1; r <= runs; r++) {
    const runId = `run-${from}-${r}`;
    await ledger.append(
      undefined,
      Array.from({ length: perRun }, () => {
        i++;
        return {
          type: 'page' as const,
          subject: 'gitlab/deployments',
          runId,
          payload: { i, sha256: String(i).padStart(64, '0') },
        };
      }),
    );
    await ledger.checkpoint(runId);
  }
}

type Line = Record<string, any>;

/**
 * What a forger who read docs/evidence.md does after cutting lines: recompute the header and the
 * seal from what remains and sign the seal (RFC 8785 canonical JSON of the seal without `kind`,
 * `signature`, `keyId` and `publicKey`, Ed25519) — written from the documented format, not from
 * the hub's code.
 */
function reseal(lines: Line[], key: KeyObject | null): Line[] {
  const body = lines.filter((l) => l.kind === 'entry' || l.kind === 'checkpoint');
  const entries = body.filter((l) => l.kind === 'entry');
  const checkpoints = body.filter((l) => l.kind === 'checkpoint');
  const last = checkpoints.reduce<Line | null>((a, c) => (a && a.id > c.id ? a : c), null);
  const extent = {
    format: 'audit-hub-evidence-ledger',
    version: 2,
    exportedAt: lines[0].exportedAt,
    firstSeq: entries[0]?.seq ?? null,
    lastSeq: entries.at(-1)?.seq ?? null,
    entries: entries.length,
    checkpoints: checkpoints.length,
    lastCheckpoint: last ? { id: last.id, treeSize: last.treeSize, rootHash: last.rootHash } : null,
  };
  const sealed = { ...extent, headHash: entries.at(-1)?.hash ?? null };
  let signature: Record<string, string | null> = { signature: null, keyId: null, publicKey: null };
  if (key) {
    const publicKey = createPublicKey(key);
    signature = {
      signature: sign(null, Buffer.from(canonicalize(sealed)!), key).toString('base64'),
      keyId: createHash('sha256')
        .update(publicKey.export({ type: 'spki', format: 'der' }))
        .digest('hex'),
      publicKey: pem(publicKey, 'spki'),
    };
  }
  return [{ kind: 'header', ...extent }, ...body, { kind: 'trailer', ...sealed, ...signature }];
}

describe.each(DB_KINDS)('a tampered evidence export, verified offline (%s)', (kind: DbKind) => {
  const signing = generateKeyPairSync('ed25519');
  const stranger = generateKeyPairSync('ed25519');
  let dir: string;
  let configPath: string;
  let offlineConfig: string;
  let publicKeyFile: string;
  let databaseUrl: string;
  let dropDatabase: () => Promise<void> = async () => undefined;
  let exportFile: string;
  let lines: Line[];
  let stdout: string[];
  let stderr: string[];

  /** `audit-hub evidence verify …` as the CLI runs it: exit code and output. */
  async function verify(opts: Parameters<EvidenceVerifyCommand['run']>[1]) {
    stdout = [];
    stderr = [];
    process.exitCode = undefined;
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((c) => (stdout.push(String(c)), true));
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((c) => (stderr.push(String(c)), true));
    try {
      await new EvidenceVerifyCommand().run([], opts);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return { code, out: stdout.join(''), err: stderr.join('') };
  }

  /** The auditor's check of a file: no database, the public key they were given. */
  function verifyFile(file: Line[] | string, extra: Parameters<EvidenceVerifyCommand['run']>[1] = {}) {
    const path = typeof file === 'string' ? file : write(file);
    return verify({ config: offlineConfig, fromExport: path, publicKey: [publicKeyFile], ...extra });
  }

  let written = 0;
  function write(content: Line[]): string {
    const path = join(dir, `tampered-${++written}.jsonl`);
    writeFileSync(path, content.map((l) => JSON.stringify(l)).join('\n') + '\n');
    return path;
  }

  const entryLines = () => lines.filter((l) => l.kind === 'entry');
  const checkpointLines = () => lines.filter((l) => l.kind === 'checkpoint');
  const lastSeq = () => entryLines().at(-1)!.seq as number;
  /** The last checkpoint and every entry after the one before it are gone; so is the seal. */
  const tailCut = (): Line[] => {
    const keep = checkpointLines().at(-2)!.treeSize as number;
    return lines.filter(
      (l) =>
        l.kind === 'header' ||
        (l.kind === 'entry' && l.seq <= keep) ||
        (l.kind === 'checkpoint' && l.treeSize <= keep),
    );
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-hub-ledger-tamper-'));
    if (kind === 'postgres') {
      const db = await createTestDatabase();
      databaseUrl = db.url;
      dropDatabase = db.drop;
    } else {
      databaseUrl = `sqlite:${join(dir, 'hub.sqlite')}`;
    }
    writeFileSync(join(dir, 'ledger.pem'), pem(signing.privateKey, 'pkcs8'));
    publicKeyFile = join(dir, 'ledger.pub.pem');
    writeFileSync(publicKeyFile, pem(signing.publicKey, 'spki'));
    configPath = join(dir, 'audit-hub.yaml');
    writeFileSync(
      configPath,
      `storage:\n  database: ${databaseUrl}\nevidence:\n  signingKey: "\${file:./ledger.pem}"\n`,
    );
    offlineConfig = join(dir, 'offline.yaml');
    writeFileSync(offlineConfig, '{}\n');

    const ds = new DataSource(dataSourceOptions(databaseUrl));
    await ds.initialize();
    try {
      await runMigrations(ds);
      const ledger = new EvidenceLedger(
        ds,
        { evidence: { signingKey: pem(signing.privateKey, 'pkcs8'), retentionDays: 2557 } },
        new FixedClock(new Date('2026-11-02T00:00:00.000Z')) as unknown as Clock,
      );
      await populate(ledger);
    } finally {
      await ds.destroy();
    }
    exportFile = join(dir, 'ledger.jsonl');
    const exported = await verify({ config: configPath, export: exportFile });
    expect(exported).toMatchObject({ code: 0 });
    lines = readFileSync(exportFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  });

  afterAll(async () => {
    await dropDatabase();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the export as written verifies (exit 0), sealed with the signing key', async () => {
    expect(lines[0]).toMatchObject({ kind: 'header', version: 2, lastSeq: 51, entries: 51, checkpoints: 4 });
    expect(lines.at(-1)).toMatchObject({ kind: 'trailer', lastSeq: 51, headHash: entryLines().at(-1)!.hash });
    const { code, out } = await verifyFile(exportFile);
    expect(out).toMatch(/^OK: .* 51 entries \(seq 1–51\), 4 checkpoints signed by key/);
    expect(code).toBe(0);
  });

  it('an entry edited (header and seal untouched): exit 1 at that entry', async () => {
    const edited = lines.map((l) =>
      l.kind === 'entry' && l.seq === 30 ? { ...l, payload: { ...l.payload, i: 3000 } } : l,
    );
    const { code, out } = await verifyFile(edited);
    expect(out).toContain('first bad entry: seq 30');
    expect(out).toContain('edited after it was written');
    expect(code).toBe(1);
  });

  it('a checkpoint re-signed with another key: exit 1 at that checkpoint, not a trusted key', async () => {
    const target = checkpointLines()[1];
    const statement = Buffer.from(
      canonicalize({
        treeSize: target.treeSize,
        rootHash: target.rootHash,
        at: target.at,
        runId: target.runId,
        previousCheckpoint: target.prevCheckpointId,
      })!,
    );
    const publicKey = createPublicKey(stranger.privateKey);
    const resigned = lines.map((l) =>
      l === target
        ? {
            ...l,
            signature: sign(null, statement, stranger.privateKey).toString('base64'),
            keyId: createHash('sha256')
              .update(publicKey.export({ type: 'spki', format: 'der' }))
              .digest('hex'),
            publicKey: pem(publicKey, 'spki'),
          }
        : l,
    );
    const { code, out } = await verifyFile(resigned);
    expect(out).toContain(`first bad entry: seq ${target.treeSize}`);
    expect(out).toMatch(
      new RegExp(`checkpoint ${target.id}: it is signed by key [0-9a-f]+, which is not a trusted key`),
    );
    expect(code).toBe(1);
  });

  it('tail cut (last entries, the last checkpoint and the seal): exit 1, naming what is missing', async () => {
    const cut = tailCut();
    const end = cut.filter((l) => l.kind === 'entry').at(-1)!.seq;
    const { code, out } = await verifyFile(cut);
    expect(out).toContain(`export declares entries up to seq ${lastSeq()}, content ends at ${end}`);
    expect(out).toContain(`first bad entry: seq ${end + 1}`);
    expect(code).toBe(1);
  });

  it('tail cut, header edited to match: exit 1, the export ends without its seal', async () => {
    const cut = reseal(tailCut(), null).slice(0, -1); // the header rewritten, no seal line
    expect(cut[0].lastSeq).toBeLessThan(lastSeq());
    const { code, out } = await verifyFile(cut);
    expect(out).toMatch(/ends without its seal/);
    expect(code).toBe(1);
  });

  it('tail cut, header and seal edited to match (the old signature kept): exit 1, forged', async () => {
    const forged = reseal(tailCut(), null);
    const original = lines.at(-1)!;
    Object.assign(forged.at(-1)!, {
      signature: original.signature,
      keyId: original.keyId,
      publicKey: original.publicKey,
    });
    const { code, out } = await verifyFile(forged);
    expect(out).toMatch(/seal.*signature does not verify/);
    expect(code).toBe(1);
  });

  it('tail cut, resealed and signed with another key: exit 1, not a trusted key', async () => {
    const { code, out } = await verifyFile(reseal(tailCut(), stranger.privateKey));
    expect(out).toMatch(/seal is signed by key [0-9a-f]+, which is not a trusted key/);
    expect(code).toBe(1);
  });

  it('tail cut, resealed without a signature: exit 1, the seal is unsigned', async () => {
    const { code, out } = await verifyFile(reseal(tailCut(), null));
    expect(out).toMatch(/seal is unsigned/);
    expect(code).toBe(1);
  });

  it('tail cut, rewritten as format 1 (no seal): exit 1', async () => {
    const downgraded = reseal(tailCut(), null).slice(0, -1);
    downgraded[0] = { ...downgraded[0], version: 1 };
    const { code, out } = await verifyFile(downgraded);
    expect(out).toMatch(/format 1 carries no seal/);
    expect(code).toBe(1);
  });

  it('a cut resealed with the trusted key verifies: only the key holder can, so keep the key apart', async () => {
    const { code } = await verifyFile(reseal(tailCut(), signing.privateKey));
    expect(code).toBe(0);
  });

  it('middle cut (entries 20–24), header and seal untouched: exit 1 at seq 20', async () => {
    const cut = lines.filter((l) => !(l.kind === 'entry' && l.seq >= 20 && l.seq <= 24));
    const { code, out } = await verifyFile(cut);
    expect(out).toContain('first bad entry: seq 20');
    expect(out).toContain('entries 20–24 are missing');
    expect(code).toBe(1);
  });

  it('the last checkpoint dropped, everything else untouched: exit 1, it is missing', async () => {
    const last = checkpointLines().at(-1)!;
    const { code, out } = await verifyFile(lines.filter((l) => l !== last));
    expect(out).toMatch(new RegExp(`checkpoint ${last.id}\\b.*tree size ${last.treeSize}.*missing`));
    expect(code).toBe(1);
  });

  it('the last checkpoint dropped, header edited to match: exit 1, the seal records it', async () => {
    const last = checkpointLines().at(-1)!;
    const dropped = lines.filter((l) => l !== last);
    const rewritten = reseal(dropped, null);
    dropped[0] = rewritten[0];
    const { code, out } = await verifyFile(dropped);
    expect(out).toMatch(new RegExp(`seal records checkpoint ${last.id} \\(tree size ${last.treeSize}\\)`));
    expect(code).toBe(1);
  });

  it('an entry appended after the seal: exit 1', async () => {
    const extra = { ...entryLines().at(-1)!, seq: lastSeq() + 1 };
    const { code } = await verifyFile([...lines, extra]);
    expect(code).toBe(1);
  });

  it('without a trusted key, a seal whose signature was stripped still fails: the checkpoints are signed', async () => {
    const stripped = [
      ...lines.slice(0, -1),
      { ...lines.at(-1)!, signature: null, keyId: null, publicKey: null },
    ];
    const { code, out } = await verify({ config: offlineConfig, fromExport: write(stripped) });
    expect(out).toMatch(/seal is unsigned although .*checkpoints are signed/);
    expect(code).toBe(1);
  });

  it('--against a cut export: exit 2, the reference does not verify itself, naming the cut', async () => {
    const { code, err } = await verify({ config: configPath, against: write(tailCut()) });
    expect(err).toMatch(/does not verify itself.*export declares entries up to seq 51/);
    expect(code).toBe(2);
  });

  it('--against the export, the database tail truncated since: exit 1, rolled back', async () => {
    const keep = checkpointLines().at(-2)!;
    const ds = new DataSource(dataSourceOptions(databaseUrl));
    await ds.initialize();
    try {
      await asIntruder(kind, ds, [
        `DELETE FROM evidence_entry WHERE seq > ${keep.treeSize}`,
        `DELETE FROM evidence_checkpoint WHERE id > ${keep.id}`,
        `UPDATE evidence_head SET size = ${keep.treeSize}`,
      ]);
    } finally {
      await ds.destroy();
    }
    const { code, out } = await verify({ config: configPath, against: exportFile });
    expect(out).toContain(`first bad entry: seq ${keep.treeSize + 1}`);
    expect(out).toMatch(/rolled back/);
    expect(code).toBe(1);
  });
});

/**
 * An intruder with write access and the means to go around the triggers (PostgreSQL: a superuser's
 * session_replication_role; SQLite: dropping them).
 */
async function asIntruder(kind: DbKind, ds: DataSource, statements: string[]): Promise<void> {
  if (kind === 'postgres') {
    await ds.transaction(async (m) => {
      await m.query('SET LOCAL session_replication_role = replica');
      for (const sql of statements) await m.query(sql);
    });
    return;
  }
  const triggers: { name: string; sql: string }[] = await ds.query(
    `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'evidence_%'`,
  );
  for (const t of triggers) await ds.query(`DROP TRIGGER "${t.name}"`);
  for (const sql of statements) await ds.query(sql);
  for (const t of triggers) await ds.query(t.sql);
}

describe('the PostgreSQL ledger DELETE guard, for a role that does not own the ledger', () => {
  const role = `audit_hub_test_app_${process.env.JEST_WORKER_ID ?? '0'}_${Date.now().toString(36)}`;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let owner: DataSource;
  let app: DataSource;
  let clock: FixedClock;
  let ledger: EvidenceLedger;

  const admin = async (sql: string) => {
    const client = new Client({ connectionString: db.adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = new DataSource(dataSourceOptions(db.url));
    await owner.initialize();
    await runMigrations(owner);
    await admin(`CREATE ROLE "${role}" LOGIN`);
    // What the hub needs to run, and DELETE too: the privilege is not what must stop it.
    for (const sql of [
      `GRANT USAGE ON SCHEMA public TO "${role}"`,
      `GRANT SELECT, INSERT, DELETE ON evidence_entry, evidence_checkpoint TO "${role}"`,
      `GRANT SELECT, UPDATE ON evidence_head TO "${role}"`,
      `GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "${role}"`,
      `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO "${role}"`,
    ])
      await owner.query(sql);
    const url = new URL(db.url);
    url.username = role;
    url.password = '';
    app = new DataSource(dataSourceOptions(url.toString()));
    await app.initialize();
    expect(await app.query(`SELECT current_user AS who`)).toEqual([{ who: role }]);
  });

  afterAll(async () => {
    if (app?.isInitialized) await app.destroy();
    if (owner?.isInitialized) await owner.destroy();
    await db?.drop();
    await admin(`DROP ROLE IF EXISTS "${role}"`);
  });

  beforeEach(async () => {
    clock = new FixedClock(new Date('2024-05-01T00:00:00.000Z'));
    ledger = new EvidenceLedger(
      app,
      {
        evidence: { signingKey: pem(generateKeyPairSync('ed25519').privateKey, 'pkcs8'), retentionDays: 30 },
      },
      clock as unknown as Clock,
    );
  });

  const count = async (table: string) =>
    Number((await owner.query(`SELECT count(*) AS n FROM ${table}`))[0].n);
  const verifies = async () => (await verifyEvidence({ source: 'db' }, { dataSource: owner })).ok;

  it("SET LOCAL audit_hub.pruning = 'on' no longer opens DELETE; the grant cannot be forged; evidence_prune() needs a due prune", async () => {
    await populate(ledger, 2, 5);
    const entries = await count('evidence_entry');
    const checkpoints = await count('evidence_checkpoint');

    for (const sql of [`DELETE FROM evidence_entry WHERE seq <= 3`, `DELETE FROM evidence_checkpoint`])
      await expect(
        app.transaction(async (m) => {
          await m.query(`SET LOCAL audit_hub.pruning = 'on'`);
          await m.query(sql);
        }),
      ).rejects.toThrow(/append-only/);
    await expect(
      app.transaction(async (m) => {
        await m.query(`INSERT INTO evidence_prune_grant (txid) VALUES (txid_current())`);
        await m.query(`DELETE FROM evidence_entry WHERE seq <= 3`);
      }),
    ).rejects.toThrow(/permission denied/);
    // The last entry is not a prune entry: the prune function has nothing to act on.
    const head = Number((await owner.query(`SELECT max(seq) AS s FROM evidence_entry`))[0].s);
    await expect(app.query(`SELECT evidence_prune($1)`, [head])).rejects.toThrow(/not a prune entry/);

    expect(await count('evidence_entry')).toBe(entries);
    expect(await count('evidence_checkpoint')).toBe(checkpoints);
    expect(await verifies()).toBe(true);
  });

  it('evidence_prune() refuses a recorded prune of entries that are not due or not covered by a checkpoint', async () => {
    const before = await count('evidence_entry');
    // A prune entry that claims entries recorded after its cutoff.
    const [prune] = await ledger.append(undefined, [
      {
        type: 'prune',
        subject: 'entries 1-3',
        payload: { before: '2000-01-01T00:00:00.000Z', fromSeq: 1, toSeq: 3, lastPrunedHash: 'x' },
      },
    ]);
    await expect(app.query(`SELECT evidence_prune($1)`, [prune.seq])).rejects.toThrow(/not due|cutoff/);
    const [uncovered] = await ledger.append(undefined, [
      {
        type: 'prune',
        subject: 'entries 1-999',
        payload: {
          before: '2999-01-01T00:00:00.000Z',
          fromSeq: 1,
          toSeq: prune.seq + 1,
          lastPrunedHash: 'x',
        },
      },
    ]);
    await expect(app.query(`SELECT evidence_prune($1)`, [uncovered.seq])).rejects.toThrow(/checkpoint/);
    expect(await count('evidence_entry')).toBe(before + 2);
    await ledger.checkpoint('after-forged-prunes');
  });

  it("the hub's retention pruning, run as that role, prunes what is due and the ledger still verifies", async () => {
    await populate(ledger, 2, 5, 200); // recorded 2024-05-01: due under a 30-day retention on 2024-07-01
    const bounds = (await owner.query(`SELECT min(seq) AS first, max(seq) AS last FROM evidence_entry`))[0];
    const [first, last] = [Number(bounds.first), Number(bounds.last)];
    clock.at = new Date('2024-07-01T00:00:00.000Z');
    await populate(ledger, 1, 4, 100); // recorded 2024-07-01: kept by a 30-day retention
    const pruned = await ledger.pruneExpired('run-prune');
    expect(pruned).toMatchObject({ fromSeq: first, toSeq: last });
    const remaining = await owner.query(`SELECT min(at) AS at FROM evidence_entry`);
    expect(remaining[0].at >= '2024-07-01').toBe(true);
    expect(await count('evidence_prune_grant')).toBe(0);
    const result = await verifyEvidence({ source: 'db' }, { dataSource: owner });
    expect(result).toMatchObject({ ok: true, prunedThrough: last, unanchored: 0 });
    // The grant lasted only for the function: the same transaction cannot delete after it.
    await expect(
      app.transaction(async (m) => {
        await m.query(`SET LOCAL audit_hub.pruning = 'on'`);
        await m.query(`DELETE FROM evidence_entry`);
      }),
    ).rejects.toThrow(/append-only/);
  });
});
