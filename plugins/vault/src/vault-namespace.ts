/**
 * Vault Enterprise namespaces, as this connector names them. A namespace is written as its path
 * relative to the configured base namespace (`options.namespace`): `''` is the base itself,
 * `team-a/ci` a grandchild. Requests carry the absolute path in `X-Vault-Namespace`
 * (api-docs/index.mdx "Namespaces": the request path is relative to that header). Identity and
 * ACL policies are per namespace (an entity's reads, `handleEntityReadCommon`, answer nothing
 * from another namespace), so names read outside the base are written with their namespace in
 * front (`team-a/jane`, `team-a/prod-db`), the way Vault itself addresses a namespaced path: two
 * namespaces' `jane` never collide in a subject ref.
 */

/** Without surrounding spaces or slashes; `''` for the base (or root) namespace. */
export function cleanNamespace(path: string | undefined | null): string {
  return (path ?? '').trim().replace(/^\/+|\/+$/g, '');
}

/** The absolute path of a namespace given relative to `base`. */
export function joinNamespace(base: string, relative: string): string {
  return [cleanNamespace(base), cleanNamespace(relative)].filter(Boolean).join('/');
}

/** A name as records carry it: plain in the base namespace, `<namespace>/<name>` elsewhere. */
export function qualify(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** `options.namespaces` entries with `*` are globs over the namespaces found under the base. */
export function isNamespaceGlob(pattern: string): boolean {
  return pattern.includes('*');
}

/** `*` matches any characters, `/` included (`team-*`, `*`); the match is exact otherwise. */
export function namespaceGlob(pattern: string): RegExp {
  const source = cleanNamespace(pattern)
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

/**
 * How group policies reach members in other namespaces (sys/config/group-policy-application,
 * Vault Enterprise 1.13.8+): `within_namespace_hierarchy` (the default) applies a group's policies
 * to members of the group's namespace and of its descendants only; `any` to every member.
 */
export const GROUP_POLICY_APPLICATION_MODES = ['within_namespace_hierarchy', 'any'] as const;
export type GroupPolicyApplicationMode = (typeof GROUP_POLICY_APPLICATION_MODES)[number];

/** Whether the policies of a group in `groupNamespace` apply to a member entity of `entityNamespace`. */
export function groupPoliciesApply(
  groupNamespace: string,
  entityNamespace: string,
  mode: GroupPolicyApplicationMode,
): boolean {
  if (mode === 'any' || groupNamespace === entityNamespace || groupNamespace === '') return true;
  return entityNamespace.startsWith(`${groupNamespace}/`);
}
