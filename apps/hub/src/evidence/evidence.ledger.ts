/**
 * The append-only evidence ledger (design.md "What a run guarantees"): entries hash-chained over
 * their RFC 8785 canonical JSON, appended in the caller's transaction (so an entry exists exactly
 * when what it records was committed), an RFC 6962 Merkle tree maintained incrementally in the
 * head row, signed checkpoints, and retention pruning that stays verifiable.
 *
 * Appenders serialize on the head row: `SELECT … FOR UPDATE` on PostgreSQL (held until the
 * caller's transaction commits), the per-DataSource transaction queue plus SQLite's own write lock
 * on SQLite. That keeps seq gap-free and the chain linear whatever workers race.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Clock } from '../common/clock';
import { Redactor } from '../config/redactor';
import { chunk } from '../common/sql';
import { EvidenceCheckpointEntity } from '../store/entities/evidence-checkpoint.entity';
import { EvidenceEntryEntity } from '../store/entities/evidence-entry.entity';
import { EvidenceHeadEntity } from '../store/entities/evidence-head.entity';
import { isSqlite, withTransaction } from '../store/transaction';
import { CheckpointSigner } from './checkpoint.signer';
import { readEntries, toLedgerCheckpoint, toLedgerEntry } from './database-ledger.source';
import { EvidenceError } from './evidence.error';
import { checkpointStatement, entryHash, GENESIS_HASH, toJsonValue } from './ledger-hash';
import type {
  CheckpointAnchorPayload,
  EvidenceEntryInput,
  EvidenceEntryType,
  LedgerCheckpoint,
  LedgerEntry,
  PrunePayload,
} from './ledger.types';
import { appendLeaf, EMPTY_FRONTIER, entryLeaf, frontierRoot, MerkleFrontier } from './merkle';

const HEAD_ID = 1;
const DAY_MS = 86_400_000;
/** Rows per INSERT: 8 parameters each, well under both databases' bind-parameter limits. */
const INSERT_CHUNK = 500;

export interface AppendedEntry {
  seq: number;
  hash: string;
}

export interface PruneResult {
  /** The entries removed: fromSeq..toSeq. */
  fromSeq: number;
  toSeq: number;
  checkpointsDeleted: number;
  /** The prune entry's seq. */
  pruneSeq: number;
  /** The checkpoint that anchors it. */
  checkpoint: LedgerCheckpoint;
}

interface Head {
  size: number;
  lastHash: string;
  frontier: string[];
}

@Injectable()
export class EvidenceLedger {
  private readonly signer: CheckpointSigner | null;
  private readonly retentionDays: number;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'evidence'>,
    private readonly clock: Clock,
    private readonly redactor: Redactor = new Redactor(),
  ) {
    this.signer = config.evidence.signingKey ? CheckpointSigner.fromPem(config.evidence.signingKey) : null;
    this.retentionDays = config.evidence.retentionDays;
  }

  /** The key id checkpoints are signed with; null when unsigned. */
  get keyId(): string | null {
    return this.signer?.keyId ?? null;
  }

  /**
   * Appends entries in `manager`'s transaction when it is in one (so they commit or roll back with
   * what they record), else in a transaction of their own.
   */
  append(manager: EntityManager | undefined, entries: EvidenceEntryInput[]): Promise<AppendedEntry[]> {
    if (!entries.length) return Promise.resolve([]);
    return withTransaction(this.dataSource, manager, async (tx) => {
      const head = await this.lockHead(tx);
      const { appended } = await this.appendLocked(tx, head, entries);
      return appended;
    });
  }

  /**
   * Like append, but `build` decides what to append while the head is locked (e.g. "only when the
   * config changed since the last config entry"), so concurrent callers never both append.
   */
  appendWith(
    manager: EntityManager | undefined,
    build: (tx: EntityManager) => Promise<EvidenceEntryInput[]>,
  ): Promise<AppendedEntry[]> {
    return withTransaction(this.dataSource, manager, async (tx) => {
      const head = await this.lockHead(tx);
      const entries = await build(tx);
      if (!entries.length) return [];
      return (await this.appendLocked(tx, head, entries)).appended;
    });
  }

  /**
   * A checkpoint over every entry so far (after each run): the Merkle root, signed when a key is
   * configured. Before it, a `checkpoint_anchor` entry records the previous checkpoint, binding the
   * checkpoints into the chain they sign. Null when nothing was appended since the last one.
   */
  checkpoint(runId: string | null, manager?: EntityManager): Promise<LedgerCheckpoint | null> {
    return withTransaction(this.dataSource, manager, async (tx) => {
      const head = await this.lockHead(tx);
      const last = await this.lastCheckpoint(tx);
      if (head.size === 0 || (last && last.treeSize >= head.size)) return null;
      return this.checkpointLocked(tx, head, last, runId);
    });
  }

  /** Prunes what `evidence.retentionDays` no longer keeps (see prune). */
  pruneExpired(runId: string | null = null): Promise<PruneResult | null> {
    return this.prune(new Date(this.clock.now().getTime() - this.retentionDays * DAY_MS), runId);
  }

  /**
   * Removes the oldest entries, those `at` before `before` (a prefix: the chain stays contiguous),
   * but never past the last checkpoint. First a `prune` entry records the range, the last pruned
   * hash and the Merkle frontier at that size; then the entries and the checkpoints over fewer
   * entries are deleted in the one path the database triggers let through; then a new checkpoint
   * anchors it. What remains verifies from the prune entry on. Null when nothing is due.
   */
  prune(before: Date, runId: string | null = null): Promise<PruneResult | null> {
    return withTransaction(this.dataSource, undefined, async (tx) => {
      let head = await this.lockHead(tx);
      const last = await this.lastCheckpoint(tx);
      if (!last) return null;
      const entries = tx.getRepository(EvidenceEntryEntity);
      const first = await entries.createQueryBuilder('e').select('MIN(e.seq)', 'seq').getRawOne();
      const firstSeq = first?.seq == null ? null : Number(first.seq);
      if (firstSeq === null) return null;
      const due = await entries
        .createQueryBuilder('e')
        .select('MIN(e.seq)', 'seq')
        .where('e.at >= :before', { before: before.toISOString() })
        .getRawOne();
      const firstKept = due?.seq == null ? head.size + 1 : Number(due.seq);
      const toSeq = Math.min(firstKept - 1, last.treeSize);
      if (toSeq < firstSeq) return null;

      let tree: MerkleFrontier = firstSeq === 1 ? EMPTY_FRONTIER : await this.startingTree(tx, firstSeq);
      let lastPrunedHash = GENESIS_HASH;
      for await (const entry of readEntries(tx, firstSeq, toSeq)) {
        if (entry.seq !== tree.size + 1)
          throw new Error(
            `evidence ledger: entry ${tree.size + 1} is missing; run "audit-hub evidence verify"`,
          );
        tree = appendLeaf(tree, entryLeaf(entry.hash));
        lastPrunedHash = entry.hash;
      }
      const checkpoints = tx.getRepository(EvidenceCheckpointEntity);
      const keptCheckpoint = await checkpoints
        .createQueryBuilder('c')
        .where('c.tree_size >= :size', { size: toSeq })
        .orderBy('c.id', 'ASC')
        .limit(1)
        .getOneOrFail();
      const checkpointsDeleted = await checkpoints
        .createQueryBuilder('c')
        .where('c.tree_size < :size', { size: toSeq })
        .getCount();
      const payload: PrunePayload = {
        before: before.toISOString(),
        fromSeq: firstSeq,
        toSeq,
        lastPrunedHash,
        treeSize: toSeq,
        rootHash: frontierRoot(tree).toString('hex'),
        frontier: tree.frontier,
        checkpointsDeleted,
        firstKeptCheckpoint: { id: keptCheckpoint.id, prev: keptCheckpoint.prevCheckpointId },
      };
      const appended = await this.appendLocked(tx, head, [
        { type: 'prune', subject: `entries ${firstSeq}-${toSeq}`, runId, payload },
      ]);
      head = appended.head;

      await this.deletePruned(tx, appended.appended[0].seq, firstSeq, toSeq);

      const checkpoint = await this.checkpointLocked(tx, head, last, runId);
      return {
        fromSeq: firstSeq,
        toSeq,
        checkpointsDeleted,
        pruneSeq: appended.appended[0].seq,
        checkpoint,
      };
    });
  }

  /** The last entry of a type (e.g. the last `config` entry, to record only changes). */
  async lastEntry(
    type: EvidenceEntryType,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<LedgerEntry | null> {
    const row = await manager
      .getRepository(EvidenceEntryEntity)
      .findOne({ where: { type }, order: { seq: 'DESC' } });
    return row ? toLedgerEntry(row) : null;
  }

  /** The head row, locked until `tx` ends. */
  private async lockHead(tx: EntityManager): Promise<Head> {
    const repo = tx.getRepository(EvidenceHeadEntity);
    let row: EvidenceHeadEntity | null;
    if (isSqlite(tx.connection)) {
      // A write first: SQLite then holds its write lock for the rest of the transaction, so another
      // process cannot append between this read and our insert.
      await repo
        .createQueryBuilder()
        .update()
        .set({ size: () => 'size' })
        .where('id = :id', { id: HEAD_ID })
        .execute();
      row = await repo.findOneBy({ id: HEAD_ID });
    } else {
      row = await repo
        .createQueryBuilder('h')
        .setLock('pessimistic_write')
        .where('h.id = :id', { id: HEAD_ID })
        .getOne();
    }
    if (!row)
      throw new EvidenceError(
        'ledger_missing',
        'the evidence ledger has no head row: apply the migrations first (audit-hub migrate)',
      );
    return { size: row.size, lastHash: row.lastHash, frontier: row.frontier };
  }

  private async appendLocked(
    tx: EntityManager,
    head: Head,
    inputs: EvidenceEntryInput[],
  ): Promise<{ head: Head; appended: AppendedEntry[] }> {
    const now = this.clock.now().toISOString();
    let tree: MerkleFrontier = { size: head.size, frontier: head.frontier };
    let prevHash = head.lastHash;
    const rows: EvidenceEntryEntity[] = [];
    for (const input of inputs) {
      const entry = {
        seq: tree.size + 1,
        at: input.at ?? now,
        runId: input.runId ?? null,
        type: input.type,
        // A safety net: callers redact what they derive from upstream data; this catches the rest.
        subject: input.subject == null ? null : this.redactor.redact(input.subject),
        payload: this.redactor.redactDeep(toJsonValue(input.payload)),
        prevHash,
      };
      const hash = entryHash(entry);
      rows.push(Object.assign(new EvidenceEntryEntity(), entry, { hash }));
      tree = appendLeaf(tree, entryLeaf(hash));
      prevHash = hash;
    }
    for (const part of chunk(rows, INSERT_CHUNK))
      await tx
        .getRepository(EvidenceEntryEntity)
        .insert(part as QueryDeepPartialEntity<EvidenceEntryEntity>[]);
    const next: Head = { size: tree.size, lastHash: prevHash, frontier: tree.frontier };
    await tx.getRepository(EvidenceHeadEntity).update({ id: HEAD_ID }, next);
    return { head: next, appended: rows.map((r) => ({ seq: r.seq, hash: r.hash })) };
  }

  private async checkpointLocked(
    tx: EntityManager,
    head: Head,
    previous: LedgerCheckpoint | null,
    runId: string | null,
  ): Promise<LedgerCheckpoint> {
    if (previous) {
      const anchor: CheckpointAnchorPayload = {
        checkpoint: previous.id,
        treeSize: previous.treeSize,
        rootHash: previous.rootHash,
        keyId: previous.keyId,
      };
      head = (
        await this.appendLocked(tx, head, [
          { type: 'checkpoint_anchor', subject: `checkpoint ${previous.id}`, runId, payload: anchor },
        ])
      ).head;
    }
    const statement = {
      treeSize: head.size,
      rootHash: frontierRoot({ size: head.size, frontier: head.frontier }).toString('hex'),
      at: this.clock.now().toISOString(),
      runId,
      previousCheckpoint: previous?.id ?? null,
    };
    const signed = this.signer?.sign(checkpointStatement(statement));
    const row = await tx.getRepository(EvidenceCheckpointEntity).save(
      Object.assign(new EvidenceCheckpointEntity(), {
        runId,
        treeSize: statement.treeSize,
        rootHash: statement.rootHash,
        signature: signed?.signature ?? null,
        keyId: signed?.keyId ?? null,
        publicKey: signed?.publicKey ?? null,
        prevCheckpointId: statement.previousCheckpoint,
        createdAt: statement.at,
      }),
    );
    return toLedgerCheckpoint(row);
  }

  private async lastCheckpoint(tx: EntityManager): Promise<LedgerCheckpoint | null> {
    const row = await tx
      .getRepository(EvidenceCheckpointEntity)
      .createQueryBuilder('c')
      .orderBy('c.id', 'DESC')
      .limit(1)
      .getOne();
    return row ? toLedgerCheckpoint(row) : null;
  }

  /** The Merkle tree over the entries an earlier prune removed, from its prune entry. */
  private async startingTree(tx: EntityManager, firstSeq: number): Promise<MerkleFrontier> {
    const prunes = await tx
      .getRepository(EvidenceEntryEntity)
      .find({ where: { type: 'prune' }, order: { seq: 'DESC' } });
    const anchor = prunes.map((p) => p.payload as PrunePayload).find((p) => p?.toSeq === firstSeq - 1);
    if (!anchor)
      throw new Error(
        `evidence ledger: it starts at entry ${firstSeq} but no prune entry records the removal of the entries before; run "audit-hub evidence verify"`,
      );
    return { size: anchor.treeSize, frontier: anchor.frontier };
  }

  /**
   * Deletes what the prune entry at `pruneSeq` records, through the one path the append-only
   * triggers let DELETE through. PostgreSQL: evidence_prune(), which checks the prune entry itself
   * (migration 1700000000011). SQLite: the `evidence_pruning` row, held for this transaction only.
   */
  private async deletePruned(
    tx: EntityManager,
    pruneSeq: number,
    fromSeq: number,
    toSeq: number,
  ): Promise<void> {
    if (!isSqlite(tx.connection)) {
      await tx.query(`SELECT evidence_prune($1)`, [pruneSeq]);
      return;
    }
    await tx.query(`INSERT INTO "evidence_pruning" ("id", "started_at") VALUES (1, ?)`, [
      this.clock.now().toISOString(),
    ]);
    await tx
      .getRepository(EvidenceEntryEntity)
      .createQueryBuilder()
      .delete()
      .where('seq >= :from AND seq <= :to', { from: fromSeq, to: toSeq })
      .execute();
    await tx
      .getRepository(EvidenceCheckpointEntity)
      .createQueryBuilder()
      .delete()
      .where('tree_size < :size', { size: toSeq })
      .execute();
    await tx.query(`DELETE FROM "evidence_pruning"`);
  }
}
