/**
 * An identity store built on the real samples: the entity and group id lists are the samples as
 * Vault wrote them, entity ids[0] and group ids[2] are answered with the real read samples, and the
 * other items are the read samples with their fields changed (each change said below), since the
 * docs show one entity and one group only.
 */
import type nock from 'nock';
import { JSON_HEADERS } from './context';
import { fixture, parsed, sample } from './samples';

export const ENTITY_IDS: string[] = parsed(sample('identity-entity-id-list.json')).data.keys;
export const GROUP_IDS: string[] = parsed(sample('identity-group-id-list.json')).data.keys;

/** The real entity read sample carries this id (not in the list sample): groups refer to it by it. */
export const SAMPLE_ENTITY_ID = '8d6a45e5-572f-8f13-d226-cd0d1ec57297';
export const SAMPLE_ENTITY_NAME = 'entity-c323de27-2ad2-5ded-dbf3-0c7ef98bc613';

export const E = {
  sample: ENTITY_IDS[0],
  jane: ENTITY_IDS[1],
  ciRunner: ENTITY_IDS[2],
  bob: ENTITY_IDS[3],
  carol: ENTITY_IDS[4],
  dave: ENTITY_IDS[5],
  svcReporting: ENTITY_IDS[6],
};

export const G = {
  sre: GROUP_IDS[0],
  deployers: GROUP_IDS[1],
  /** The real group read sample's own id: it is answered with that sample as is. */
  sample: GROUP_IDS[2],
  teamPayments: GROUP_IDS[3],
  engineering: GROUP_IDS[4],
  allStaff: GROUP_IDS[5],
};

/** The entity read sample's alias shape, from the docs' entity-alias read (a userpass alias). */
function alias(name: string, mountType: string, mountAccessor: string) {
  const { id, canonical_id, creation_time, last_update_time, metadata, local } = parsed(
    fixture('identity-entity-alias-read.json'),
  ).data;
  return {
    canonical_id,
    creation_time,
    id,
    last_update_time,
    local,
    metadata,
    mount_accessor: mountAccessor,
    mount_path: `${mountType}/`,
    mount_type: mountType,
    name,
  };
}

/** The entity read sample with another id, name, aliases, policies and state. */
export function entity(id: string, name: string, over: Record<string, unknown> = {}): string {
  const body = parsed(sample('identity-entity-id-read.json'));
  body.data = { ...body.data, id, name, aliases: [], policies: null, ...over };
  return JSON.stringify(body);
}

/** The group read sample with another id, name, policies and members. */
export function group(id: string, name: string, over: Record<string, unknown> = {}): string {
  const body = parsed(sample('identity-group-id-read.json'));
  body.data = { ...body.data, id, name, policies: [], member_entity_ids: [], ...over };
  return JSON.stringify(body);
}

export const ENTITY_BODIES: Record<string, string> = {
  // As Vault's docs show it: policies eng-dev and infra-dev, no alias, in no group.
  [E.sample]: sample('identity-entity-id-read.json'),
  // Holds prod-db-admin directly and through sre, prod-deploy only through sre.
  [E.jane]: entity(E.jane, 'jane', {
    aliases: [
      alias('jane.doe@acme.com', 'oidc', 'auth_oidc_4b42d1a4'),
      alias('jdoe', 'ldap', 'auth_ldap_bd90f507'),
    ],
    policies: ['prod-db-admin'],
  }),
  // Logs in through AppRole only: a service holder.
  [E.ciRunner]: entity(E.ciRunner, 'ci-runner', {
    aliases: [alias('34c71e5f-49d9-a042-70bc-66e823a8789b', 'approle', 'auth_approle_bcb80bad')],
  }),
  // Disabled, and in team-payments, whose parents pass on their policies.
  [E.bob]: entity(E.bob, 'bob', {
    disabled: true,
    aliases: [alias('bob', 'userpass', 'auth_userpass_e50b1a44')],
  }),
  // In no group, no policy: holds nothing.
  [E.carol]: entity(E.carol, 'carol', { aliases: [alias('carol', 'userpass', 'auth_userpass_e50b1a44')] }),
  // In all-staff, whose parent list loops back through team-payments.
  [E.dave]: entity(E.dave, 'dave', { aliases: [alias('dave', 'ldap', 'auth_ldap_bd90f507')] }),
  // AppRole and LDAP aliases (one named like the entity): a user holder; holds the built-in default.
  [E.svcReporting]: entity(E.svcReporting, 'svc-reporting', {
    aliases: [
      alias('5f0e8a1c-6d2b-4b43-9a5e-0c2f4f6e2b11', 'approle', 'auth_approle_bcb80bad'),
      alias('svc-reporting', 'ldap', 'auth_ldap_bd90f507'),
    ],
    policies: ['default', 'prod-read', 'default'],
  }),
};

export const GROUP_BODIES: Record<string, string> = {
  [G.sre]: group(G.sre, 'sre', { policies: ['prod-db-admin', 'prod-deploy'], member_entity_ids: [E.jane] }),
  [G.deployers]: group(G.deployers, 'deployers', {
    type: 'external',
    policies: ['prod-deploy'],
    member_entity_ids: [E.ciRunner],
  }),
  // As Vault's docs show it: grouppolicy1 and grouppolicy2, no member.
  [G.sample]: sample('identity-group-id-read.json'),
  // Parent named by the child's parent_group_ids (Vault 0.10.2+).
  [G.teamPayments]: group(G.teamPayments, 'team-payments', {
    policies: ['payments-kv'],
    member_entity_ids: [E.bob],
    parent_group_ids: [G.engineering],
  }),
  // Parent known only from the parent's member_group_ids (older servers send no parent_group_ids).
  [G.engineering]: group(G.engineering, 'engineering', { policies: ['prod-read'], member_group_ids: null }),
  // A cycle: all-staff's parent is team-payments, which is below it.
  [G.allStaff]: group(G.allStaff, 'all-staff', {
    policies: ['default-kv', 'prod-read'],
    member_entity_ids: [E.dave],
    member_group_ids: [G.engineering],
    parent_group_ids: [G.teamPayments],
  }),
};

/** A list request as the nock tests send it: `GET /v1/<path>?list=true` (nock cannot see `LIST`, see context.ts). */
export function list(scope: nock.Scope, path: string): nock.Interceptor {
  return scope.get(`/v1/${path}`).query({ list: 'true' });
}

/**
 * The token's own lookup answered as for a valid token (the docs' lookup-self): the stream asks it
 * on the first refused list, to tell a missing capability from a refused token.
 */
export function tokenAccepted(scope: nock.Scope): nock.Scope {
  return scope
    .get('/v1/auth/token/lookup-self')
    .reply(200, fixture('auth-token-lookup-self.json'), JSON_HEADERS);
}

/** The entity and group lists as the samples show them, and every read. */
export function wholeStore(scope: nock.Scope): nock.Scope {
  list(scope, 'identity/entity/id').reply(200, sample('identity-entity-id-list.json'), JSON_HEADERS);
  list(scope, 'identity/group/id').reply(200, sample('identity-group-id-list.json'), JSON_HEADERS);
  for (const [id, body] of Object.entries(ENTITY_BODIES))
    scope.get(`/v1/identity/entity/id/${id}`).reply(200, body, JSON_HEADERS);
  for (const [id, body] of Object.entries(GROUP_BODIES))
    scope.get(`/v1/identity/group/id/${id}`).reply(200, body, JSON_HEADERS);
  return scope;
}
