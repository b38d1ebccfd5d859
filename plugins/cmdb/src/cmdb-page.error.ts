/**
 * A Table API answer that is not a page: not JSON, no `result` list, a row that is not an object or
 * has no sys_id, or a `{"error": …, "status": "failure"}` envelope on a 2xx. The inventory stream
 * records it as a problem (the snapshot is incomplete, so nothing is marked deleted) and stops.
 * The texts are redacted before construction. (Duplicates plugins/servicenow's `MalformedPageError`:
 * plugins never import each other.)
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
