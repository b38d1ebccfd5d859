/**
 * Resolves reference sys_ids to a field of the referenced row (a user's `user_name`, a change's
 * `number`) with `sys_idIN…` lookups for a whole page at once, cached for the run: the Table API
 * returns references as sys_ids, while records name users and changes the way people do.
 */
import { type ServiceNowTableClient, optional, text } from '@audit-hub/servicenow-table';

export class ReferenceResolver {
  /** sys_id → value; null when looked up and not found (deleted, or hidden by an ACL). */
  private readonly known = new Map<string, string | null>();

  constructor(
    private readonly client: ServiceNowTableClient,
    readonly table: string,
    readonly field: string,
  ) {}

  /** Looks up the sys_ids not resolved yet in this run. */
  async load(sysIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(sysIds)].filter((id) => id && !this.known.has(id));
    if (missing.length === 0) return;
    const rows = await this.client.lookup(this.table, missing, ['sys_id', this.field]);
    for (const row of rows) this.known.set(text(row, 'sys_id'), optional(text(row, this.field)) ?? null);
    for (const id of missing) if (!this.known.has(id)) this.known.set(id, null);
  }

  /** The value for a sys_id loaded before; undefined when there is none. */
  get(sysId: string): string | undefined {
    return this.known.get(sysId) ?? undefined;
  }
}
