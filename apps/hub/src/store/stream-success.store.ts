/**
 * When each (connector, stream) last ended `complete`, kept on its `stream_cursor` row. A stream
 * that keeps no cursor (a snapshot: Vault entitlements, CMDB inventory, group members) has no row
 * until this creates one with a null cursor — otherwise its success would go unrecorded, the
 * dashboard would read "ok — last success —" and the last-success gauge would omit it.
 */
import type { EntityManager } from 'typeorm';
import { StreamCursorEntity } from './entities/stream-cursor.entity';

export async function recordStreamSuccess(
  manager: EntityManager,
  connector: string,
  stream: string,
  at: string,
): Promise<void> {
  const repo = manager.getRepository(StreamCursorEntity);
  // Insert-if-absent, then set: a cursor committed meanwhile by the stream's own batch keeps its value.
  await repo
    .createQueryBuilder()
    .insert()
    .values({ connector, stream, updatedAt: at, lastSuccessAt: at, lastRunId: null }) // cursor: NULL
    .orIgnore()
    .execute();
  await repo.update({ connector, stream }, { lastSuccessAt: at });
}
