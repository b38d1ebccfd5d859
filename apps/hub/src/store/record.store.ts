import { createHash } from 'node:crypto';
import { isRecordKind, type NormalizedRecord, type RecordKind, type RecordKinds } from '@audit-hub/domain';
import canonicalize from 'canonicalize';
import type { DataSource, EntityManager, ObjectLiteral, QueryDeepPartialEntity } from 'typeorm';
import { RecordEntity } from './entities/record.entity';
import { EXTERNAL_ID_LENGTH } from './entities/columns';
import { toInstant, type Instant } from './instant';
import { PROJECTIONS, RecordFields, type Projection, type ProjectionRow } from './record-projection.mapper';
import { isStoreError, StoreError } from './store.error';
import { withTransaction } from './transaction';

/** What the core knows when it stores a batch a connector's stream yielded. */
export interface IngestContext {
  connector: string;
  runId: string;
  /** The run's clock (`AUDIT_HUB_NOW` when set). */
  now: Date;
  /** The upstream's tier wins; name patterns decide where there is none (interfaces.md). */
  isProduction(environment: string, tier: string | null): boolean;
  /** The service a record belongs to (service catalog, else naming defaults). */
  serviceOf(kind: RecordKind, data: unknown): string | undefined;
  /**
   * Whether an entitlement's resource is production: set for Vault and CyberArk connectors from
   * `production.vaultPolicies` / `production.cyberarkSafes`; absent, no resource is production.
   */
  isProductionResource?(resource: string): boolean;
  /** The caller's transaction, so records commit together with the stream's cursor. */
  manager?: EntityManager;
}

export interface IngestResult {
  /** Records never stored before. */
  inserted: number;
  /** Records whose content changed, or that came back after being seen deleted: a new version. */
  updated: number;
  /** Records stored with the same content: only `last_seen_at` moved. */
  unchanged: number;
}

/** A stored version of a record. */
export interface StoredRecord<K extends RecordKind = RecordKind> {
  recordId: number;
  connector: string;
  kind: K;
  externalId: string;
  data: RecordKinds[K];
  contentHash: string;
  firstSeenAt: Instant;
  lastSeenAt: Instant;
  validFrom: Instant;
  validTo: Instant | null;
  deletedAt: Instant | null;
  runId: string;
}

export interface RecordQueryOptions {
  /** Also return versions that mark a record seen deleted by a complete snapshot. */
  includeDeleted?: boolean;
  manager?: EntityManager;
}

/** Keys per IN-list and rows per chunk: well under PostgreSQL's and SQLite's bind-parameter limits. */
const CHUNK = 500;
/** SQLite's default SQLITE_MAX_VARIABLE_NUMBER is 32766; PostgreSQL allows 65535. */
const MAX_BIND_PARAMETERS = 30_000;
/** Attempts of an ingest that lost a race for a record's current version to another writer. */
const MAX_ATTEMPTS = 3;

/** SHA-256 (hex) of the RFC 8785 canonical JSON of a record's data. */
export function contentHash(data: unknown): string {
  const canonical = canonicalize(data);
  if (canonical === undefined) throw new TypeError('contentHash: data is not JSON');
  return createHash('sha256').update(canonical).digest('hex');
}

interface PreparedRecord {
  kind: RecordKind;
  externalId: string;
  data: object;
  raw: unknown;
  hash: string;
  /** The projection row without its keys and record id, when the kind has a projection. */
  projection?: ProjectionRow;
}

/**
 * Records checked and prepared by `partition` (hashed, projected), handed to `ingest` so that it
 * does not prepare them a second time. Only this store makes one.
 */
export class PreparedBatch {
  /** @internal */
  constructor(readonly records: readonly PreparedRecord[]) {}
}

/** The columns ingest reads of a current version. */
type CurrentVersion = Pick<RecordEntity, 'id' | 'externalId' | 'contentHash' | 'firstSeenAt' | 'deletedAt'>;

/**
 * The store of normalized records: every version with first/last seen and validity, and, in the
 * same transaction, the projection tables controls join (record-projection.mapper.ts). Plugins
 * emit data; this decides what changed (style.md 3).
 */
export class RecordStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores one batch in one transaction (the caller's when `ctx.manager` is in one): records never
   * seen are inserted; unchanged ones only get `last_seen_at` bumped; changed ones, and ones seen
   * again after being marked deleted, get their current version closed and a new one that keeps
   * `first_seen_at`. Every record's projection row is refreshed, so config decisions
   * (production, service) follow the config at its latest ingest. A record repeated in the batch
   * counts once, as its last occurrence.
   */
  async ingest(
    batch: readonly NormalizedRecord[] | PreparedBatch,
    ctx: IngestContext,
  ): Promise<IngestResult> {
    const records = batch instanceof PreparedBatch ? [...batch.records] : prepare(batch, ctx);
    if (records.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
    const now = toInstant(ctx.now);
    const ownTransaction = !ctx.manager?.queryRunner?.isTransactionActive;
    for (let attempt = 1; ; attempt++) {
      try {
        return await withTransaction(this.dataSource, ctx.manager, (m) =>
          this.write(m, ctx.connector, ctx.runId, now, records),
        );
      } catch (err) {
        if (!isCurrentVersionConflict(err)) throw err;
        // Another writer stored a current version of one of these records after we looked; our
        // transaction rolled back, so a new attempt sees that version.
        if (ownTransaction && attempt < MAX_ATTEMPTS) continue;
        throw new StoreError(
          'concurrent_write',
          `${ctx.connector}: another writer stored records of this batch at the same time; retry the batch`,
          { retryable: true, cause: err },
        );
      }
    }
  }

  /**
   * Splits a batch into the records the store can hold and those it would refuse (with the
   * reason), so a collector can keep the good ones and report the bad ones instead of losing both.
   */
  partition(
    batch: readonly NormalizedRecord[],
    ctx: IngestContext,
  ): {
    valid: NormalizedRecord[];
    invalid: { record: NormalizedRecord; error: string }[];
    /** The valid ones prepared for `ingest` (checked, hashed and projected once). */
    prepared: PreparedBatch;
  } {
    const valid: NormalizedRecord[] = [];
    const invalid: { record: NormalizedRecord; error: string }[] = [];
    const latest = new Map<string, PreparedRecord>();
    for (const record of batch) {
      try {
        const prepared = prepareOne(record, ctx);
        valid.push(record);
        // The last version of a record in the batch wins (as `prepare` keeps it).
        const key = `${prepared.kind}\u0000${prepared.externalId}`;
        latest.delete(key);
        latest.set(key, prepared);
      } catch (err) {
        if (!isStoreError(err) || err.code !== 'invalid_record') throw err;
        invalid.push({ record, error: err.message });
      }
    }
    return { valid, invalid, prepared: new PreparedBatch([...latest.values()]) };
  }

  /**
   * After a COMPLETE snapshot of `kinds`: every current record of the connector not seen since
   * `seenSince` gets a new version with `deleted_at` set (and its projection row `deleted`).
   * Returns how many were marked. Never call it after a partial or failed snapshot.
   */
  async markMissingDeleted(
    connector: string,
    kinds: readonly RecordKind[],
    seenSince: Date,
    runId: string,
    now: Date,
    manager?: EntityManager,
  ): Promise<number> {
    const since = toInstant(seenSince);
    const at = toInstant(now);
    return withTransaction(this.dataSource, manager, async (m) => {
      let marked = 0;
      for (const kind of new Set(kinds)) {
        for (;;) {
          const gone = await m
            .createQueryBuilder(RecordEntity, 'r')
            .where('r.connector = :connector AND r.kind = :kind', { connector, kind })
            .andWhere('r.valid_to IS NULL AND r.deleted_at IS NULL AND r.last_seen_at < :since', { since })
            .orderBy('r.id')
            .limit(CHUNK)
            .getMany();
          if (gone.length === 0) break;
          await markVersionsDeleted(m, kind, connector, gone, at, runId);
          marked += gone.length;
          if (gone.length < CHUNK) break;
        }
      }
      return marked;
    });
  }

  /**
   * Marks the named current records of a connector deleted (a new version with `deleted_at` set,
   * and their projection rows `deleted`): what an incremental source learned is gone, such as an
   * MR no longer shipped with a deployment once its range was read again. Returns how many.
   */
  async markDeleted(
    connector: string,
    kind: RecordKind,
    externalIds: readonly string[],
    runId: string,
    now: Date,
    manager?: EntityManager,
  ): Promise<number> {
    if (externalIds.length === 0) return 0;
    const at = toInstant(now);
    return withTransaction(this.dataSource, manager, async (m) => {
      let marked = 0;
      for (let i = 0; i < externalIds.length; i += CHUNK) {
        const gone = await m
          .createQueryBuilder(RecordEntity, 'r')
          .where('r.connector = :connector AND r.kind = :kind', { connector, kind })
          .andWhere('r.external_id IN (:...ids)', { ids: externalIds.slice(i, i + CHUNK) })
          .andWhere('r.valid_to IS NULL AND r.deleted_at IS NULL')
          .getMany();
        if (gone.length) await markVersionsDeleted(m, kind, connector, gone, at, runId);
        marked += gone.length;
      }
      return marked;
    });
  }

  /**
   * The current version of a kind's records (of one connector, or of all when `connector` is
   * undefined; of the given external ids only, when given), ordered by connector and external id.
   * Records seen deleted are left out unless `includeDeleted`.
   */
  async current<K extends RecordKind>(
    connector: string | undefined,
    kind: K,
    externalIds?: readonly string[],
    opts: RecordQueryOptions = {},
  ): Promise<StoredRecord<K>[]> {
    return this.select<K>(opts, externalIds, (qb) => {
      qb.where('r.kind = :kind AND r.valid_to IS NULL', { kind });
      if (connector !== undefined) qb.andWhere('r.connector = :connector', { connector });
    });
  }

  /** The versions of a kind's records valid at an instant: `valid_from <= at < valid_to`. */
  async asOf<K extends RecordKind>(
    kind: K,
    at: Date,
    opts: RecordQueryOptions & { connector?: string; externalIds?: readonly string[] } = {},
  ): Promise<StoredRecord<K>[]> {
    const instant = toInstant(at);
    return this.select<K>(opts, opts.externalIds, (qb) => {
      qb.where('r.kind = :kind AND r.valid_from <= :at AND (r.valid_to IS NULL OR r.valid_to > :at)', {
        kind,
        at: instant,
      });
      if (opts.connector !== undefined)
        qb.andWhere('r.connector = :connector', { connector: opts.connector });
    });
  }

  /** Every version of one record, oldest first. */
  async history<K extends RecordKind>(
    connector: string,
    kind: K,
    externalId: string,
    manager?: EntityManager,
  ): Promise<StoredRecord<K>[]> {
    const rows = await (manager ?? this.dataSource.manager)
      .createQueryBuilder(RecordEntity, 'r')
      .select(STORED_COLUMNS)
      .where('r.connector = :connector AND r.kind = :kind AND r.external_id = :externalId', {
        connector,
        kind,
        externalId,
      })
      .orderBy('r.id')
      .getMany();
    return rows.map((row) => toStored<K>(row));
  }

  private async select<K extends RecordKind>(
    opts: RecordQueryOptions,
    externalIds: readonly string[] | undefined,
    filter: (qb: ReturnType<EntityManager['createQueryBuilder']>) => void,
  ): Promise<StoredRecord<K>[]> {
    if (externalIds && externalIds.length === 0) return [];
    const manager = opts.manager ?? this.dataSource.manager;
    const idChunks = externalIds ? chunks([...new Set(externalIds)], CHUNK) : [undefined];
    const rows: RecordEntity[] = [];
    for (const ids of idChunks) {
      const qb = manager.createQueryBuilder(RecordEntity, 'r').select(STORED_COLUMNS);
      filter(qb);
      if (!opts.includeDeleted) qb.andWhere('r.deleted_at IS NULL');
      if (ids) qb.andWhere('r.external_id IN (:...ids)', { ids });
      rows.push(...(await qb.getMany()));
    }
    // Sorted here, not in SQL: PostgreSQL's collation and SQLite's binary order differ.
    rows.sort(
      (a, b) => compare(a.connector, b.connector) || compare(a.externalId, b.externalId) || a.id - b.id,
    );
    return rows.map((row) => toStored<K>(row));
  }

  private async write(
    m: EntityManager,
    connector: string,
    runId: string,
    now: Instant,
    records: PreparedRecord[],
  ): Promise<IngestResult> {
    const result: IngestResult = { inserted: 0, updated: 0, unchanged: 0 };
    for (const [kind, ofKind] of groupByKind(records)) {
      for (const chunk of chunks(ofKind, CHUNK)) {
        const counts = await this.writeChunk(m, connector, kind, runId, now, chunk);
        result.inserted += counts.inserted;
        result.updated += counts.updated;
        result.unchanged += counts.unchanged;
      }
    }
    return result;
  }

  /** One kind, at most CHUNK records: one SELECT, at most two UPDATEs, one INSERT, one upsert. */
  private async writeChunk(
    m: EntityManager,
    connector: string,
    kind: RecordKind,
    runId: string,
    now: Instant,
    records: PreparedRecord[],
  ): Promise<IngestResult> {
    const current: CurrentVersion[] = await m
      .createQueryBuilder(RecordEntity, 'r')
      .select(['r.id', 'r.externalId', 'r.contentHash', 'r.firstSeenAt', 'r.deletedAt'])
      .where('r.connector = :connector AND r.kind = :kind AND r.valid_to IS NULL', { connector, kind })
      .andWhere('r.external_id IN (:...ids)', { ids: records.map((r) => r.externalId) })
      .getMany();
    const currentById = new Map(current.map((version) => [version.externalId, version]));

    const counts: IngestResult = { inserted: 0, updated: 0, unchanged: 0 };
    const recordIds: number[] = new Array(records.length);
    const seen: number[] = [];
    const superseded: number[] = [];
    const versions: Partial<RecordEntity>[] = [];
    const versionIndexes: number[] = [];
    records.forEach((record, index) => {
      const version = currentById.get(record.externalId);
      if (version && version.contentHash === record.hash && version.deletedAt === null) {
        seen.push(version.id);
        recordIds[index] = version.id;
        counts.unchanged++;
        return;
      }
      if (version) {
        superseded.push(version.id);
        counts.updated++;
      } else {
        counts.inserted++;
      }
      versionIndexes.push(index);
      versions.push({
        connector,
        kind,
        externalId: record.externalId,
        contentHash: record.hash,
        data: record.data,
        raw: record.raw,
        firstSeenAt: version?.firstSeenAt ?? now,
        lastSeenAt: now,
        validFrom: now,
        validTo: null,
        deletedAt: null,
        runId,
      });
    });

    for (const ids of chunks(seen, CHUNK)) {
      await m
        .createQueryBuilder()
        .update(RecordEntity)
        .set({ lastSeenAt: now })
        .where('id IN (:...ids)', { ids })
        .execute();
    }
    // The old version is closed before the new one is inserted: UQ_record_current allows one.
    await closeVersions(m, superseded, now);
    const inserted = await insertVersions(m, versions);
    inserted.forEach((id, i) => (recordIds[versionIndexes[i]] = id));

    const projection = PROJECTIONS[kind];
    if (projection) {
      const rows = records.map((record, index) => ({
        ...record.projection,
        connector,
        [projection.keyProperty]: record.externalId,
        recordId: recordIds[index],
        deleted: false,
      }));
      await upsertProjection(m, projection, rows);
    }
    return counts;
  }
}

/** Validates, hashes and projects a batch before anything is written; the last occurrence of a key wins. */
function prepare(batch: readonly NormalizedRecord[], ctx: IngestContext): PreparedRecord[] {
  const latest = new Map<string, PreparedRecord>();
  for (const record of batch) {
    const prepared = prepareOne(record, ctx);
    const key = `${prepared.kind}\u0000${prepared.externalId}`;
    latest.delete(key);
    latest.set(key, prepared);
  }
  return [...latest.values()];
}

/** Checks one record and computes its content hash and projection row. */
function prepareOne(record: NormalizedRecord, ctx: IngestContext): PreparedRecord {
  const { kind, externalId, data } = record as { kind: unknown; externalId: unknown; data: unknown };
  const where = `${ctx.connector}: ${String(kind)} "${String(externalId)}"`;
  if (typeof kind !== 'string' || !isRecordKind(kind)) {
    throw new StoreError('invalid_record', `${where}: unknown record kind`);
  }
  if (typeof externalId !== 'string' || externalId.length === 0 || externalId.length > EXTERNAL_ID_LENGTH) {
    throw new StoreError(
      'invalid_record',
      `${where}: externalId must be a non-empty string of at most ${EXTERNAL_ID_LENGTH} characters`,
    );
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new StoreError('invalid_record', `${where}: data must be an object`);
  }
  let hash: string;
  try {
    hash = contentHash(data);
  } catch (err) {
    throw new StoreError('invalid_record', `${where}: data is not JSON (${(err as Error).message})`, {
      cause: err,
    });
  }
  const projection = PROJECTIONS[kind];
  return {
    kind,
    externalId,
    data,
    raw: record.raw ?? null,
    hash,
    projection: projection?.toRow(
      new RecordFields(ctx.connector, kind, externalId, data as Record<string, unknown>),
      ctx,
    ),
  };
}

/** Closes the current versions and adds deleted ones in their place; the projection rows follow. */
async function markVersionsDeleted(
  m: EntityManager,
  kind: RecordKind,
  connector: string,
  gone: RecordEntity[],
  at: Instant,
  runId: string,
): Promise<void> {
  await closeVersions(m, idsOf(gone), at);
  await insertVersions(
    m,
    gone.map(({ id: _id, ...version }) => ({
      ...version,
      validFrom: at,
      validTo: null,
      deletedAt: at,
      runId,
    })),
  );
  const projection = PROJECTIONS[kind];
  if (projection) await markProjectionDeleted(m, projection, connector, gone.map(externalIdOf));
}

async function closeVersions(m: EntityManager, ids: number[], at: Instant): Promise<void> {
  for (const chunk of chunks(ids, CHUNK)) {
    await m
      .createQueryBuilder()
      .update(RecordEntity)
      .set({ validTo: at })
      .where('id IN (:...ids) AND valid_to IS NULL', { ids: chunk })
      .execute();
  }
}

/** Inserts record versions in bulk; returns their ids in input order. */
async function insertVersions(m: EntityManager, versions: Partial<RecordEntity>[]): Promise<number[]> {
  const ids: number[] = [];
  for (const chunk of chunks(versions, rowsPerStatement(m, RecordEntity))) {
    // PostgreSQL returns the ids with RETURNING; on SQLite, TypeORM derives them from the last
    // rowid, which AUTOINCREMENT makes consecutive within one INSERT.
    const result = await m
      .createQueryBuilder()
      .insert()
      .into(RecordEntity)
      .values(chunk as QueryDeepPartialEntity<RecordEntity>[])
      .execute();
    ids.push(...result.identifiers.map((identifier) => Number(identifier.id)));
  }
  return ids;
}

async function upsertProjection(
  m: EntityManager,
  projection: Projection,
  rows: ObjectLiteral[],
): Promise<void> {
  const keys = ['connector', projection.keyColumn];
  const overwrite = m.dataSource
    .getMetadata(projection.entity)
    .columns.map((column) => column.databaseName)
    .filter((name) => !keys.includes(name));
  for (const chunk of chunks(rows, rowsPerStatement(m, projection.entity))) {
    await m
      .createQueryBuilder()
      .insert()
      .into(projection.entity)
      .values(chunk)
      .orUpdate(overwrite, keys)
      .updateEntity(false)
      .callListeners(false)
      .execute();
  }
}

/** Points projection rows at the new (deleted) current version of their record. */
async function markProjectionDeleted(
  m: EntityManager,
  projection: Projection,
  connector: string,
  externalIds: string[],
): Promise<void> {
  const { table, keyColumn, kind } = projection;
  await m
    .createQueryBuilder()
    .update(projection.entity)
    .set({
      deleted: true,
      recordId: () =>
        `(SELECT r.id FROM record r WHERE r.connector = ${table}.connector AND r.kind = :kind` +
        ` AND r.external_id = ${table}.${keyColumn} AND r.valid_to IS NULL)`,
    })
    .where(`connector = :connector AND ${keyColumn} IN (:...ids)`, { connector, kind, ids: externalIds })
    .execute();
}

/** PostgreSQL 23505 / SQLite SQLITE_CONSTRAINT_UNIQUE on UQ_record_current. */
function isCurrentVersionConflict(err: unknown): boolean {
  const driverError = (err as { driverError?: { code?: string; constraint?: string; message?: string } })
    ?.driverError;
  if (!driverError) return false;
  if (driverError.code === '23505') return driverError.constraint === 'UQ_record_current';
  return (
    driverError.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    (driverError.message ?? '').includes('record.connector, record.kind, record.external_id')
  );
}

const STORED_COLUMNS = [
  'r.id',
  'r.connector',
  'r.kind',
  'r.externalId',
  'r.contentHash',
  'r.data',
  'r.firstSeenAt',
  'r.lastSeenAt',
  'r.validFrom',
  'r.validTo',
  'r.deletedAt',
  'r.runId',
];

function toStored<K extends RecordKind>(row: RecordEntity): StoredRecord<K> {
  return {
    recordId: row.id,
    connector: row.connector,
    kind: row.kind as K,
    externalId: row.externalId,
    data: row.data as RecordKinds[K],
    contentHash: row.contentHash,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
    validFrom: row.validFrom,
    validTo: row.validTo,
    deletedAt: row.deletedAt,
    runId: row.runId,
  };
}

function rowsPerStatement(m: EntityManager, entity: Projection['entity']): number {
  const columns = m.dataSource.getMetadata(entity).columns.length;
  return Math.max(1, Math.min(CHUNK, Math.floor(MAX_BIND_PARAMETERS / columns)));
}

function groupByKind(records: PreparedRecord[]): Map<RecordKind, PreparedRecord[]> {
  const groups = new Map<RecordKind, PreparedRecord[]>();
  for (const record of records) {
    const group = groups.get(record.kind);
    if (group) group.push(record);
    else groups.set(record.kind, [record]);
  }
  return groups;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

const idsOf = (versions: RecordEntity[]) => versions.map((version) => version.id);
const externalIdOf = (version: RecordEntity) => version.externalId;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
