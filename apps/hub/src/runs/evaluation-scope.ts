/**
 * Partial-run scoping (controls.md "Partial runs"): a control is not evaluated for the subjects a
 * failed or partial stream covers, and only for those. Which subjects a stream of connector X
 * covers depends on what the control reads from the kinds it writes (of those the control needs):
 *
 * - the subject kind itself (and whatever else that stream writes with it) → X's subjects;
 * - `identity`, X an identity source (`identities.sources`) → all: every name resolves through it;
 *   X not an identity source → none: its users never make anyone known or active;
 * - `group-membership` of a group that a role of the control names (`roles: … "X:<group>"`) → all:
 *   any holder may be a member; other groups (Vault groups behind Vault's own grants) → X's;
 * - `build` (the builds behind X's own deploy builds) → X's deployments;
 * - `change-approval` (the approvals of X's own changes) → X's changes;
 * - MRs and commits, for MR or commit subjects → X's; for deployments, when read for deployments
 *   collected elsewhere (shipped ranges) → the deployments of connectors that collect no MRs;
 * - anything else (the change source, the CMDB, SonarQube; deployments for subjects that are not
 *   deployments) → all: any subject may link to it.
 *
 * Service subjects aggregate every connector, so whatever leaves some subjects out leaves them all
 * out; and when every connector providing the subjects is left out, no subject is left to evaluate.
 */
import type { ControlDefinition, RecordKind, SubjectType } from '@audit-hub/domain';
import type { EvaluationScope } from '../findings/finding.service';
import { pushTo } from '../common/group-by';
import type { SourceProblem } from '../store/entities/source-status.entity';
import { incompleteKinds } from './problem-groups';

export interface SourceHealth {
  connector: string;
  stream: string;
  status: string;
  kinds: RecordKind[];
  error: string | null;
  /** A partial stream's problems: the kinds they name are the ones it left incomplete. */
  problems?: SourceProblem[];
}

/**
 * The kinds a stream left incomplete: every kind it writes when it failed or did not finish; when
 * partial, those its problems name (`kinds: []`: none, the records say themselves what they lack),
 * or every kind when some problem names none.
 */
export function incompleteKindsOf(s: SourceHealth): RecordKind[] {
  if (s.status !== 'partial' || !s.problems?.length) return s.kinds;
  return incompleteKinds(s.problems) ?? s.kinds;
}

const SUBJECT_KINDS: Record<SubjectType, RecordKind | undefined> = {
  deployment: 'deployment',
  change: 'change',
  merge_request: 'merge-request',
  commit: 'commit',
  entitlement: 'entitlement',
  service: undefined,
};

/** What shipped with a deployment: one repository connector's records. */
const SHIPPED_KINDS: readonly RecordKind[] = ['merge-request', 'deployment-mr', 'commit'];

/**
 * Supporting kinds whose rows belong to the subjects of the connector that wrote them: the subject
 * kinds they support there.
 */
const OWN_SUPPORT: Partial<Record<RecordKind, readonly RecordKind[]>> = {
  // Jenkins: an artifact's producing build is a build of the deploy build's own instance.
  build: ['deployment'],
  // ServiceNow approval records name a change of the same instance.
  'change-approval': ['change'],
  // Vault identity groups behind its own entitlements (`via`); role groups are handled apart.
  'group-membership': ['entitlement'],
  'merge-request': ['merge-request', 'commit'],
  'deployment-mr': ['merge-request', 'commit'],
  commit: ['merge-request', 'commit'],
};

/** The config the rules read. Left out, each is taken at its most cautious. */
export interface ScopeContext {
  /** Per record kind, the connectors configured to collect it. Unknown: none are known. */
  providers?: (kind: RecordKind) => string[];
  /** The identity sources (`identities.sources`, defaults applied). Unknown: every connector is one. */
  identitySources?: readonly string[];
  /** Config `roles`: each role's `<connector>:<group>` groups. Unknown: every group may be a role's. */
  roles?: Readonly<Record<string, { readonly groups: readonly string[] }>>;
}

export interface ScopeDecision {
  scope: EvaluationScope;
  /** Per connector whose subjects were left out, why (one entry per failed stream that did it). */
  blocked: Map<string, string[]>;
  /** Why every subject was left out, when a failed stream did that. */
  blockedAll: string[];
  /** The control's reason for what was left out (`not evaluated: …`, or per connector); null: nothing was. */
  reason: string | null;
}

/** What one failed stream means for the subjects of one control. */
type Effect = { kind: 'all'; why: string } | { kind: 'connectors'; connectors: string[]; why: string };

export function evaluationScope(
  def: ControlDefinition,
  sources: SourceHealth[],
  context: ScopeContext = {},
): ScopeDecision {
  const subjectKinds = subjectKindsOf(def);
  const blocked = new Map<string, string[]>();
  const blockedAll: string[] = [];
  for (const s of sources) {
    if (s.status === 'complete') continue;
    const effects = effectsOf(def, subjectKinds, s, context);
    if (!effects.length) continue;
    const failed = `${s.connector}/${s.stream} ${s.status === 'running' ? 'did not finish' : s.status}${s.error ? `: ${s.error}` : ''}`;
    const all = effects.filter((e) => e.kind === 'all');
    // Service subjects belong to no connector: leaving some connector's out leaves them all out.
    if (all.length || subjectKinds.size === 0) {
      blockedAll.push(`${failed} (${unique((all.length ? all : effects).map((e) => e.why)).join('; ')})`);
      continue;
    }
    const byConnector = new Map<string, string[]>();
    for (const e of effects) {
      if (e.kind === 'connectors') for (const c of e.connectors) pushTo(byConnector, c, e.why);
    }
    for (const [c, whys] of byConnector) pushTo(blocked, c, `${failed} (${unique(whys).join('; ')})`);
  }
  const providers = context.providers ?? (() => []);
  const subjectProviders = [...new Set([...subjectKinds].flatMap((k) => providers(k)))];
  const everyProviderBlocked = subjectProviders.length > 0 && subjectProviders.every((c) => blocked.has(c));
  if (everyProviderBlocked && !blockedAll.length) blockedAll.push(...unique([...blocked.values()].flat()));
  const none = blockedAll.length > 0;
  const scope: EvaluationScope = { none, blockedConnectors: new Set(blocked.keys()) };
  const reason = none
    ? `not evaluated: ${blockedAll.join('; ')}`
    : blocked.size
      ? [...blocked]
          .map(([c, whys]) => `not evaluated for the subjects of ${c}: ${whys.join('; ')}`)
          .join('; ')
      : null;
  return { scope, blocked, blockedAll, reason };
}

function subjectKindsOf(def: ControlDefinition): Set<RecordKind> {
  return new Set(
    String(def.subjectType)
      .split(' or ')
      .map((t) => SUBJECT_KINDS[t as SubjectType])
      .filter((k): k is RecordKind => !!k),
  );
}

/** The subjects one failed stream leaves out of one control: one effect per rule that applies. */
function effectsOf(
  def: ControlDefinition,
  subjectKinds: ReadonlySet<RecordKind>,
  s: SourceHealth,
  context: ScopeContext,
): Effect[] {
  const needed = [...new Set(incompleteKindsOf(s).filter((k) => def.needs.includes(k)))];
  if (!needed.length) return [];
  const own = (why: string): Effect => ({ kind: 'connectors', connectors: [s.connector], why });
  const all = (why: string): Effect => ({ kind: 'all', why });
  // The stream writes the subjects themselves: whatever else it writes is theirs.
  if (needed.some((k) => subjectKinds.has(k))) return [own(`it collects ${s.connector}'s subjects`)];
  const providers = context.providers;
  const provides = (kind: RecordKind) => !providers || providers(kind).includes(s.connector);
  const effects: Effect[] = [];
  for (const k of needed) {
    if (k === 'identity') {
      const isSource = !context.identitySources || context.identitySources.includes(s.connector);
      // Users of a connector that is not an identity source never make anyone known or active.
      if (isSource)
        effects.push(all(`${s.connector} is an identity source: every name is resolved through it`));
      continue;
    }
    if (k === 'group-membership') {
      const groups = roleGroupsOf(def, s.connector, context);
      if (groups.length) {
        effects.push(all(`roles read its groups (${groups.join(', ')}), and any holder may be a member`));
        continue;
      }
    }
    const supported = (OWN_SUPPORT[k] ?? []).filter((sk) => subjectKinds.has(sk));
    if (supported.length) {
      if (supported.some(provides)) effects.push(own(`its ${k} records belong to ${s.connector}'s subjects`));
      continue;
    }
    if (SHIPPED_KINDS.includes(k) && subjectKinds.has('deployment')) {
      // What shipped with deployments collected elsewhere (Jenkins) is read from the repository
      // connector (shipped-range.source.ts); deployments of connectors with MRs of their own are not.
      const without = providers
        ? providers('deployment').filter((c) => !providers('merge-request').includes(c))
        : [];
      if (without.length)
        effects.push({
          kind: 'connectors',
          connectors: without,
          why: `what shipped with ${without.join(', ')} deployments is read from ${s.connector}`,
        });
      else if (!providers) effects.push(all(`any deployment may have shipped its ${k} records`));
      continue;
    }
    if (k === 'group-membership') continue;
    effects.push(all(`any subject may depend on its ${k} records`));
  }
  return effects;
}

/** The groups of `connector` that the roles the control decides with name. */
function roleGroupsOf(def: ControlDefinition, connector: string, context: ScopeContext): string[] {
  const roles = def.roles ?? [];
  if (!roles.length) return [];
  if (!context.roles) return [`${connector}:*`];
  return unique(
    roles
      .flatMap((r) => context.roles?.[r]?.groups ?? [])
      .filter((ref) => ref.indexOf(':') > 0 && ref.slice(0, ref.indexOf(':')) === connector),
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
