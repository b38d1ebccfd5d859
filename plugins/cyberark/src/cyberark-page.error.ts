/**
 * A PVWA answer that is not a page: not a JSON object, no `value` list, a `nextLink` that is not a
 * string, or an item that is not an object. The stream records it as a problem naming the request
 * (the stream is `partial`) instead of taking what it could read for the whole population. The texts
 * are redacted before construction.
 */
export class MalformedPageError extends Error {
  constructor(
    /** The request, e.g. `GET /PasswordVault/API/Safes page 2`. */
    readonly where: string,
    /** What is wrong with the answer. */
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
    this.name = 'MalformedPageError';
  }
}
