/**
 * A Table API answer that is not a page: not JSON, no `result` list, a row that is not an object or
 * has no sys_id, or a `{"error": …, "status": "failure"}` envelope on a 2xx. The stream that meets
 * one records it as a problem and stops, rather than reading on from a position it cannot trust: an
 * incremental stream ends `partial` (its cursor stays at the last good page), a snapshot ends
 * incomplete (so nothing is marked deleted). The texts are redacted before construction.
 */
export class MalformedPageError extends Error {
  constructor(
    /** The request, e.g. `GET /api/now/table/cmdb_ci_appl (sysparm_query=ORDERBYsys_id, sysparm_offset=0)`. */
    readonly where: string,
    /** What is wrong with the answer. */
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
    this.name = 'MalformedPageError';
  }
}
