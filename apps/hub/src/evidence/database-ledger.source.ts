/**
 * Reads the ledger from the database: one consistent snapshot (REPEATABLE READ on PostgreSQL, a
 * read transaction on SQLite), entries streamed in seq order in chunks, so memory stays flat
 * whatever the ledger's length.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { EvidenceCheckpointEntity } from '../store/entities/evidence-checkpoint.entity';
import { EvidenceEntryEntity } from '../store/entities/evidence-entry.entity';
import { isSqlite, runInTransaction } from '../store/transaction';
import { EvidenceError } from './evidence.error';
import type { LedgerCheckpoint, LedgerEntry, LedgerSnapshot } from './ledger.types';

const CHUNK = 1000;

/** Runs `work` on one snapshot of the database. */
export function withLedgerSnapshot<T>(
  ds: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return isSqlite(ds) ? runInTransaction(ds, work) : ds.transaction('REPEATABLE READ', work);
}

/** An EvidenceError naming the fix when the database was never migrated to the ledger's schema. */
export async function assertLedgerTables(ds: DataSource): Promise<void> {
  const runner = ds.createQueryRunner();
  try {
    if (!(await runner.hasTable('evidence_entry')) || !(await runner.hasTable('evidence_checkpoint'))) {
      throw new EvidenceError(
        'ledger_missing',
        'the database has no evidence ledger: apply the migrations first (audit-hub migrate)',
      );
    }
  } finally {
    await runner.release();
  }
}

export function toLedgerEntry(e: EvidenceEntryEntity): LedgerEntry {
  return {
    seq: e.seq,
    at: e.at,
    runId: e.runId,
    type: e.type,
    subject: e.subject,
    payload: e.payload,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

export function toLedgerCheckpoint(c: EvidenceCheckpointEntity): LedgerCheckpoint {
  return {
    id: c.id,
    runId: c.runId,
    treeSize: c.treeSize,
    rootHash: c.rootHash,
    at: c.createdAt,
    signature: c.signature,
    keyId: c.keyId,
    publicKey: c.publicKey,
    prevCheckpointId: c.prevCheckpointId,
  };
}

/** Entries with seq in [from, to] (to open-ended when omitted), in seq order. */
export async function* readEntries(
  manager: EntityManager,
  from: number,
  to: number = Number.MAX_SAFE_INTEGER,
): AsyncGenerator<LedgerEntry> {
  let after = from - 1;
  for (;;) {
    const rows = await manager
      .getRepository(EvidenceEntryEntity)
      .createQueryBuilder('e')
      .where('e.seq > :after AND e.seq <= :to', { after, to: Math.min(to, 2 ** 31 - 1) })
      .orderBy('e.seq', 'ASC')
      .limit(CHUNK)
      .getMany();
    for (const row of rows) yield toLedgerEntry(row);
    if (rows.length < CHUNK) return;
    after = rows[rows.length - 1].seq;
  }
}

export async function readCheckpoints(manager: EntityManager): Promise<LedgerCheckpoint[]> {
  const rows = await manager.getRepository(EvidenceCheckpointEntity).find({ order: { id: 'ASC' } });
  return rows.map(toLedgerCheckpoint);
}

/** The ledger as `manager` sees it (call inside withLedgerSnapshot for a consistent view). */
export async function databaseSnapshot(manager: EntityManager): Promise<LedgerSnapshot> {
  const bounds = await manager
    .getRepository(EvidenceEntryEntity)
    .createQueryBuilder('e')
    .select('MIN(e.seq)', 'first')
    .addSelect('MAX(e.seq)', 'last')
    .getRawOne<{ first: number | string | null; last: number | string | null }>();
  const pruneEntries = (
    await manager.getRepository(EvidenceEntryEntity).find({ where: { type: 'prune' }, order: { seq: 'ASC' } })
  ).map(toLedgerEntry);
  const firstSeq = bounds?.first == null ? null : Number(bounds.first);
  return {
    label: 'database',
    firstSeq,
    lastSeq: bounds?.last == null ? null : Number(bounds.last),
    checkpoints: await readCheckpoints(manager),
    pruneEntries,
    entries: () => (firstSeq === null ? empty() : readEntries(manager, firstSeq)),
  };
}

async function* empty(): AsyncGenerator<LedgerEntry> {}
