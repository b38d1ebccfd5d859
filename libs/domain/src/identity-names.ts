/**
 * User names as records carry them (records.md): a shared placeholder account that stands for many
 * people — GitLab's ghost user, which takes over the contributions of deleted users, or an import's
 * "Import User" — is written with a leading `~` (`~ghost`), which no upstream user name holds. Such
 * a name is no identity (controls.md "identity"): two of its actions are never the same person, and
 * it makes nobody known.
 */
export const SHARED_ACCOUNT_PREFIX = '~';

/** Whether a record's user name is a shared placeholder account (nobody in particular). */
export function isSharedAccountName(name: string | null | undefined): boolean {
  return typeof name === 'string' && name.startsWith(SHARED_ACCOUNT_PREFIX);
}
