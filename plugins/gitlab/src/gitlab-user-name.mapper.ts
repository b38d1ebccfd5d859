/**
 * The user name a record carries for a GitLab user (MR author, merger, approver).
 *
 * GitLab gives the contributions of a deleted user to one shared account, the ghost user
 * (lib/users/internal.rb `Users::Internal.ghost`: username `ghost`, or `ghost1`, `ghost2`… when a
 * namespace `ghost` already existed — Gitlab::Utils::Uniquify —, name `Ghost User`; user_type
 * `ghost`, app/models/concerns/has_user_type.rb). Imports that ran out of placeholder users give
 * theirs to one "Import User" per top-level group (lib/gitlab/import/import_user_creator.rb:
 * username `import_user_<group path>_<random>`, name `Import User`). Such an account stands for many
 * people: two of its actions are never "the same person" (controls.md "identity"). The REST API
 * does not expose `user_type` (lib/api/entities/user_basic.rb: id, username, name, state,
 * avatar_url, web_url), so they are told by their generated username and fixed name together.
 *
 * A shared account's name is written with a leading `~` (`~ghost`), which no GitLab username can
 * hold (usernames start with a letter, digit or `_`): the core can tell it from a person without
 * knowing GitLab's naming, and it never matches an identity source's user of the same name.
 */
import { SHARED_ACCOUNT_PREFIX } from '@audit-hub/domain';
import type { GitLabUser } from './gitlab.types';

export { SHARED_ACCOUNT_PREFIX };

export type SharedAccountKind = 'ghost' | 'import-user';

/** A user as GitLab embeds it (UserBasic), of which only the name fields are read here. */
export type GitLabUserLike = Pick<GitLabUser, 'username' | 'name'> | null | undefined;

/** The kind of shared placeholder account the user is, or null for an account of its own. */
export function sharedAccountKind(user: GitLabUserLike): SharedAccountKind | null {
  const username = user?.username;
  const name = user?.name?.trim();
  if (typeof username !== 'string') return null;
  if (/^ghost\d*$/.test(username) && name === 'Ghost User') return 'ghost';
  if (/^import_user_/.test(username) && name === 'Import User') return 'import-user';
  return null;
}

/**
 * A placeholder user of an import (user_type `placeholder`, lib/gitlab/import/placeholder_user_creator.rb:
 * username `<source username>_placeholder_…`, name `Placeholder <source name>`): it stands for one
 * person of the source instance until a group owner reassigns its contributions, cannot sign in and
 * holds no rights in GitLab. Not shared: its actions are one person's, under its own name.
 */
export function isImportPlaceholder(user: GitLabUserLike): boolean {
  const username = user?.username;
  const name = user?.name?.trim() ?? '';
  return typeof username === 'string' && /_placeholder_/.test(username) && name.startsWith('Placeholder ');
}

/**
 * The name a record carries for the user: its username, `~<username>` for a shared placeholder
 * account; undefined when GitLab named no user.
 */
export function recordUserName(user: GitLabUserLike): string | undefined {
  const username = user?.username;
  if (typeof username !== 'string' || username === '') return undefined;
  return sharedAccountKind(user) ? `${SHARED_ACCOUNT_PREFIX}${username}` : username;
}
