/**
 * Resolves reference sys_ids to a field of the referenced row (a user's `user_name`, a change's
 * `number`) with `sys_idIN…` lookups for a whole page at once, cached for the run: the Table API
 * returns references as sys_ids, while records name users and changes the way people do. A sys_id
 * that does not resolve keeps why (hidden by an ACL, or deleted), for the problem that names it.
 */
import type { MissingReason, ServiceNowTableClient } from '@audit-hub/servicenow-table';
import { optional, text } from '@audit-hub/servicenow-table';

export class ReferenceResolver {
  /** sys_id → value; null when looked up and not found, or found with the field empty. */
  private readonly known = new Map<string, string | null>();
  private readonly missing = new Map<string, MissingReason>();

  constructor(
    private readonly client: ServiceNowTableClient,
    readonly table: string,
    readonly field: string,
  ) {}

  /** Looks up the sys_ids not resolved yet in this run. */
  async load(sysIds: Iterable<string>): Promise<void> {
    const unknown = [...new Set(sysIds)].filter((id) => id && !this.known.has(id));
    if (unknown.length === 0) return;
    const { rows, missing } = await this.client.lookup(this.table, unknown, ['sys_id', this.field]);
    for (const row of rows) this.known.set(text(row, 'sys_id'), optional(text(row, this.field)) ?? null);
    for (const [id, reason] of missing) this.missing.set(id, reason);
    for (const id of unknown) if (!this.known.has(id)) this.known.set(id, null);
  }

  /** The value for a sys_id loaded before; undefined when there is none. */
  get(sysId: string): string | undefined {
    return this.known.get(sysId) ?? undefined;
  }

  /** Why a loaded sys_id did not resolve; undefined when its row was read (its field may be empty). */
  why(sysId: string): MissingReason | undefined {
    return this.missing.get(sysId);
  }
}
