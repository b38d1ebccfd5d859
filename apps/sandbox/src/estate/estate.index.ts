import type {
  Change,
  ChangeApproval,
  Commit,
  ConfigItem,
  Deployment,
  Environment,
  Estate,
  MergeRequest,
  Person,
  Pipeline,
  Service,
} from './estate.model';

/**
 * Lookups over an estate for the fakes, rebuilt whenever the estate grows (advanceEstate bumps
 * `version`; a test that pushes records directly changes the array sizes).
 */
export class EstateIndex {
  readonly servicesById = new Map<number, Service>();
  readonly servicesByName = new Map<string, Service>();
  /** Lower-cased `acme/payments-api`: GitLab paths match case-insensitively. */
  readonly servicesByPath = new Map<string, Service>();
  readonly environmentsByService = new Map<string, Environment[]>();
  readonly environmentsById = new Map<number, Environment>();
  /** Per service, ordered by id. */
  readonly deploymentsByService = new Map<string, Deployment[]>();
  readonly deploymentsById = new Map<number, Deployment>();
  readonly pipelinesById = new Map<number, Pipeline>();
  readonly pipelinesBySha = new Map<string, Pipeline[]>();
  readonly mergeRequests = new Map<string, MergeRequest>();
  readonly commitsBySha = new Map<string, Commit>();
  readonly peopleByUserName = new Map<string, Person>();
  readonly changesByNumber = new Map<string, Change>();
  readonly approvalsByChange = new Map<string, ChangeApproval[]>();
  readonly configItemsByService = new Map<string, ConfigItem>();

  private static readonly cache = new WeakMap<Estate, { key: string; index: EstateIndex }>();

  /** Changes whenever the estate grows; caches keyed on it stay valid until then. */
  static keyOf(estate: Estate): string {
    return [
      estate.version,
      estate.services.length,
      estate.deployments.length,
      estate.pipelines.length,
      estate.mergeRequests.length,
      estate.commits.length,
      estate.changes.length,
      estate.changeApprovals.length,
      estate.people.length,
    ].join('/');
  }

  static of(estate: Estate): EstateIndex {
    const key = EstateIndex.keyOf(estate);
    const cached = EstateIndex.cache.get(estate);
    if (cached && cached.key === key) return cached.index;
    const index = new EstateIndex(estate);
    EstateIndex.cache.set(estate, { key, index });
    return index;
  }

  private constructor(estate: Estate) {
    for (const s of estate.services) {
      this.servicesById.set(s.id, s);
      this.servicesByName.set(s.name, s);
      this.servicesByPath.set(s.gitlabPath.toLowerCase(), s);
    }
    for (const e of estate.environments) {
      this.environmentsById.set(e.id, e);
      push(this.environmentsByService, e.service, e);
    }
    for (const d of estate.deployments) {
      this.deploymentsById.set(d.id, d);
      push(this.deploymentsByService, d.service, d);
    }
    for (const list of this.deploymentsByService.values()) list.sort((a, b) => a.id - b.id);
    for (const p of estate.pipelines) {
      this.pipelinesById.set(p.id, p);
      push(this.pipelinesBySha, p.sha, p);
    }
    for (const mr of estate.mergeRequests) this.mergeRequests.set(mergeRequestKey(mr.service, mr.iid), mr);
    for (const c of estate.commits) this.commitsBySha.set(c.sha, c);
    for (const p of estate.people) this.peopleByUserName.set(p.userName, p);
    for (const c of estate.changes) this.changesByNumber.set(c.number, c);
    for (const a of estate.changeApprovals) push(this.approvalsByChange, a.change, a);
    for (const ci of estate.configItems) this.configItemsByService.set(ci.service, ci);
  }

  mergeRequest(service: string, iid: number): MergeRequest | undefined {
    return this.mergeRequests.get(mergeRequestKey(service, iid));
  }

  person(userName: string): Person {
    const found = this.peopleByUserName.get(userName);
    if (!found) throw new Error(`estate index: no person named "${userName}"`);
    return found;
  }
}

function mergeRequestKey(service: string, iid: number): string {
  return `${service}!${iid}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
