import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The PostgreSQL ledger DELETE guard no longer trusts a session setting: any role could say
 * `SET LOCAL audit_hub.pruning = 'on'` and delete. DELETE now passes only while a row for the
 * current transaction is in `evidence_prune_grant`, a table no role but the ledger's owner can
 * write; the one way for another role to get such a row is `evidence_prune(seq)`, a SECURITY
 * DEFINER function that deletes only what a recorded prune entry allows — the ledger's oldest
 * entries, all recorded before its cutoff and covered by a checkpoint — and drops the grant before
 * it returns. Run the hub as a role that does not own the ledger (docs/evidence.md): the owner can
 * always drop a trigger, so against the owner only `evidence verify` and a kept export protect.
 *
 * SQLite keeps its guard (the `evidence_pruning` row): whoever can write the file can rewrite it,
 * so there verify is the protection.
 */
const GUARD_FUNCTION = `CREATE OR REPLACE FUNCTION evidence_append_only() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM evidence_prune_grant WHERE txid = txid_current()) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'evidence ledger: % on % refused: the ledger is append-only (only retention pruning deletes, through evidence_prune())',
    TG_OP, TG_TABLE_NAME;
END
$$`;

const PRUNE_FUNCTION = `CREATE OR REPLACE FUNCTION evidence_prune(prune_seq integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  entry record;
  p jsonb;
  from_seq integer;
  to_seq integer;
  cutoff text;
  first_seq integer;
  covered integer;
  not_due integer;
  last_hash text;
  deleted integer;
BEGIN
  SELECT seq, type, payload INTO entry FROM evidence_entry WHERE seq = prune_seq;
  IF NOT FOUND OR entry.type <> 'prune' THEN
    RAISE EXCEPTION 'evidence_prune: entry % is not a prune entry', prune_seq;
  END IF;
  IF prune_seq <> (SELECT max(seq) FROM evidence_entry) THEN
    RAISE EXCEPTION 'evidence_prune: prune entry % is not the last entry of the ledger', prune_seq;
  END IF;
  p := entry.payload::jsonb;
  from_seq := (p->>'fromSeq')::integer;
  to_seq := (p->>'toSeq')::integer;
  cutoff := p->>'before';
  IF from_seq IS NULL OR to_seq IS NULL OR cutoff IS NULL OR to_seq < from_seq THEN
    RAISE EXCEPTION 'evidence_prune: prune entry % records no range (fromSeq, toSeq, before)', prune_seq;
  END IF;
  SELECT min(seq) INTO first_seq FROM evidence_entry;
  IF from_seq <> first_seq THEN
    RAISE EXCEPTION 'evidence_prune: prune entry % starts at entry %, the ledger at %: only the oldest entries are pruned',
      prune_seq, from_seq, first_seq;
  END IF;
  SELECT coalesce(max(tree_size), 0) INTO covered FROM evidence_checkpoint;
  IF to_seq > covered THEN
    RAISE EXCEPTION 'evidence_prune: entries up to % are not all covered by a checkpoint (the last covers %)',
      to_seq, covered;
  END IF;
  IF to_seq >= prune_seq THEN
    RAISE EXCEPTION 'evidence_prune: prune entry % would remove itself (toSeq %)', prune_seq, to_seq;
  END IF;
  SELECT count(*) INTO not_due FROM evidence_entry
    WHERE seq BETWEEN from_seq AND to_seq AND at >= cutoff;
  IF not_due > 0 THEN
    RAISE EXCEPTION 'evidence_prune: % of entries %-% were recorded at or after the cutoff %: not due',
      not_due, from_seq, to_seq, cutoff;
  END IF;
  SELECT hash INTO last_hash FROM evidence_entry WHERE seq = to_seq;
  IF last_hash IS DISTINCT FROM p->>'lastPrunedHash' THEN
    RAISE EXCEPTION 'evidence_prune: prune entry % records lastPrunedHash %, entry % has %',
      prune_seq, p->>'lastPrunedHash', to_seq, last_hash;
  END IF;
  INSERT INTO evidence_prune_grant (txid) VALUES (txid_current());
  DELETE FROM evidence_entry WHERE seq BETWEEN from_seq AND to_seq;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  DELETE FROM evidence_checkpoint WHERE tree_size < to_seq;
  DELETE FROM evidence_prune_grant WHERE txid = txid_current();
  RETURN deleted;
END
$$`;

/** The function of 1700000000002, restored by down(). */
const SETTING_GUARD_FUNCTION = `CREATE OR REPLACE FUNCTION evidence_append_only() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('audit_hub.pruning', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'evidence ledger: % on % refused: the ledger is append-only (only retention pruning deletes)',
    TG_OP, TG_TABLE_NAME;
END
$$`;

export class EvidencePruneGuard1700000000011 implements MigrationInterface {
  name = 'EvidencePruneGuard1700000000011';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'postgres') return;
    await q.query(`CREATE TABLE "evidence_prune_grant" ("txid" bigint PRIMARY KEY NOT NULL)`);
    await q.query(`REVOKE ALL ON "evidence_prune_grant" FROM PUBLIC`);
    await q.query(GUARD_FUNCTION);
    await q.query(PRUNE_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'postgres') return;
    await q.query(`DROP FUNCTION IF EXISTS evidence_prune(integer)`);
    await q.query(SETTING_GUARD_FUNCTION);
    await q.query(`DROP TABLE IF EXISTS "evidence_prune_grant"`);
  }
}
