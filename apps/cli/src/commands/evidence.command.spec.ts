import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Clock } from '../../../hub/src/common/clock';
import { loadConfig } from '../../../hub/src/config/config.loader';
import { EvidenceLedger } from '../../../hub/src/evidence/evidence.ledger';
import { dataSourceOptions, runMigrations } from '../../../hub/src/store/data-source.factory';
import { EvidenceVerifyCommand } from './evidence.command';

const keyPair = () => generateKeyPairSync('ed25519');

describe('evidence verify (command)', () => {
  let dir: string;
  let configPath: string;
  let dbPath: string;
  let stdout: string[];
  let stderr: string[];
  const signing = keyPair();

  /** Runs the command as the CLI would, returning its exit code and output. */
  async function verify(
    opts: Parameters<EvidenceVerifyCommand['run']>[1] = {},
  ): Promise<{ code: number; out: string; err: string }> {
    stdout = [];
    stderr = [];
    process.exitCode = undefined;
    await new EvidenceVerifyCommand().run([], { config: configPath, ...opts });
    const code = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return { code, out: stdout.join(''), err: stderr.join('') };
  }

  async function withDb(work: (ds: DataSource) => Promise<void>): Promise<void> {
    const ds = new DataSource(dataSourceOptions(`sqlite:${dbPath}`));
    await ds.initialize();
    try {
      await work(ds);
    } finally {
      await ds.destroy();
    }
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-hub-evidence-cli-'));
    dbPath = join(dir, 'hub.sqlite');
    writeFileSync(join(dir, 'ledger.pem'), signing.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    configPath = join(dir, 'audit-hub.yaml');
    writeFileSync(
      configPath,
      [
        `storage:`,
        `  database: sqlite:${dbPath}`,
        `evidence:`,
        `  signingKey: "\${file:./ledger.pem}"`,
        '',
      ].join('\n'),
    );
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
    const loaded = loadConfig({ path: configPath });
    await withDb(async (ds) => {
      await runMigrations(ds);
      const ledger = new EvidenceLedger(ds, loaded.config, {
        now: () => new Date('2024-05-01T00:00:00Z'),
      } as Clock);
      for (let run = 1; run <= 2; run++) {
        await ledger.append(
          undefined,
          [1, 2, 3].map((i) => ({
            type: 'page' as const,
            subject: 'gitlab/deployments',
            runId: `run-${run}`,
            payload: { i, run },
          })),
        );
        await ledger.checkpoint(`run-${run}`);
      }
    });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an untouched ledger: exit 0 and a one-line verdict naming the configured key', async () => {
    const { code, out } = await verify();
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toMatch(
      /^OK: the evidence ledger in database verifies: 7 entries \(seq 1–7\), 2 checkpoints signed by key [0-9a-f]{16} \(trusted: evidence\.signingKey\); root [0-9a-f]{16} at size 7/,
    );
    expect(out).not.toContain('PRIVATE KEY');
  });

  it('an edited entry: exit 1 and the first bad entry with its seq, type and reason', async () => {
    await withDb(async (ds) => {
      for (const t of ['evidence_entry_no_update', 'evidence_entry_no_delete'])
        await ds.query(`DROP TRIGGER ${t}`);
      await ds.query(`UPDATE evidence_entry SET payload = '{"i":2,"run":9}' WHERE seq = 2`);
    });
    const { code, out } = await verify();
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toEqual([
      'TAMPERED: the evidence ledger in database does not verify; first bad entry: seq 2',
      'seq 2 (page): its content does not match its hash: edited after it was written',
    ]);
    const json = await verify({ format: 'json' });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, firstBad: { seq: 2, type: 'page' } });
  });

  it('--export writes a file that verifies offline; --against catches a later rollback', async () => {
    const file = join(dir, 'ledger.jsonl');
    const exported = await verify({ export: file });
    expect(exported.code).toBe(0);
    expect(exported.err).toContain(`Wrote ${file}: 7 entries, 2 checkpoints, sealed by key`);

    // Rolled back since: the last checkpoint and the entries after the first one deleted. The
    // shorter ledger is consistent on its own, and its export is sealed by the key holder.
    await withDb(async (ds) => {
      for (const t of [
        'evidence_entry_no_update',
        'evidence_entry_no_delete',
        'evidence_checkpoint_no_delete',
      ])
        await ds.query(`DROP TRIGGER ${t}`);
      await ds.query(`DELETE FROM evidence_checkpoint WHERE id = 2`);
      await ds.query(`DELETE FROM evidence_entry WHERE seq > 3`);
    });
    const rolledBack = join(dir, 'rolled-back.jsonl');
    expect((await verify({ export: rolledBack })).code).toBe(0);
    rmSync(dbPath);

    // Offline: no database at all, only the export (and the public key an auditor was given).
    const publicKey = join(dir, 'ledger.pub.pem');
    writeFileSync(publicKey, signing.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(configPath, '{}\n');
    const offline = await verify({ fromExport: file, publicKey: [publicKey] });
    expect(offline.code).toBe(0);
    expect(offline.out).toMatch(/^OK: the evidence ledger in ledger\.jsonl verifies: 7 entries/);
    expect(offline.out).toContain(`(trusted: --public-key ${publicKey})`);

    const stranger = join(dir, 'stranger.pem');
    writeFileSync(stranger, keyPair().publicKey.export({ type: 'spki', format: 'pem' }));
    const forged = await verify({ fromExport: file, publicKey: [stranger] });
    expect(forged.code).toBe(1);
    expect(forged.out).toMatch(
      /seq 3 \(checkpoint 1\): checkpoint 1: it is signed by key [0-9a-f]+, which is not a trusted key/,
    );

    // The rolled-back export verifies on its own; compared with the export kept elsewhere, it does not.
    expect((await verify({ fromExport: rolledBack, publicKey: [publicKey] })).code).toBe(0);
    const caught = await verify({ fromExport: rolledBack, publicKey: [publicKey], against: file });
    expect(caught.code).toBe(1);
    expect(caught.out).toContain('seq 4 (');
    expect(caught.out).toMatch(/ledger\.jsonl.*rolled back/);
  });

  it('usage errors are exit 2', async () => {
    expect((await verify({ format: 'xml' })).code).toBe(2);
    const both = await verify({ fromExport: 'a.jsonl', export: 'b.jsonl' });
    expect(both.code).toBe(2);
    expect(both.err).toContain('--export');
    const missing = await verify({ fromExport: join(dir, 'nope.jsonl') });
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.jsonl: cannot be read \(ENOENT\)/);
    expect((await verify({ publicKey: [join(dir, 'nope.pem')] })).code).toBe(2);
    expect(existsSync(join(dir, 'b.jsonl'))).toBe(false);
  });
});
