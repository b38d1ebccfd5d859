import { AUDIT_ACCOUNT, DEPLOY_BOT, RELEASE_BOT } from './estate.cast';
import {
  ARCHIVED_SERVICE,
  BASE_SERVICES,
  BASE_TEAMS,
  EXTRA_SERVICE_DOMAINS,
  EXTRA_SERVICE_KINDS,
  EXTRA_TEAM_NAMES,
  FIRST_NAMES,
  LAST_NAMES,
  ORGANIZATION,
  SERVICES_PER_SCALE,
  type ServiceBlueprint,
} from './estate.catalog';
import { buildAccess } from './access.builder';
import { CAB_GROUP, CHANGE_MANAGEMENT_GROUP, ECAB_GROUP } from './change.builder';
import { DAY, iso } from './estate.clock';
import type {
  CiJob,
  ConfigItem,
  Criticality,
  Environment,
  Estate,
  PeopleGroup,
  Person,
  PersonRole,
  Service,
  ServiceCursor,
} from './estate.model';
import { Rng } from './prng.util';

/**
 * The estate before any history: people, groups, services with their environments and CMDB items,
 * and the generator cursor. Scale multiplies services (6 per unit) and the teams that own them.
 */

export const STAGING = 'staging';

export function serviceCount(scale: number): number {
  return Math.max(BASE_SERVICES.length, Math.round(SERVICES_PER_SCALE * scale));
}

/** The Jenkins jobs of a service deployed by Jenkins: in its team's folder. */
export function jenkinsJobsOf(team: string, service: string): { deployJob: string; buildJob: string } {
  return { deployJob: `${team}/${service}-deploy`, buildJob: `${team}/${service}-build` };
}

function extraBlueprints(count: number, rng: Rng): ServiceBlueprint[] {
  const out: ServiceBlueprint[] = [];
  const perKind = EXTRA_SERVICE_DOMAINS.length;
  const perRound = perKind * EXTRA_SERVICE_KINDS.length;
  for (let k = 0; k < count; k++) {
    const domain = EXTRA_SERVICE_DOMAINS[k % perKind];
    const kind = EXTRA_SERVICE_KINDS[Math.floor(k / perKind) % EXTRA_SERVICE_KINDS.length];
    const round = Math.floor(k / perRound);
    const name = round === 0 ? `${domain}-${kind}` : `${domain}-${kind}-${round + 1}`;
    const teamIndex = Math.floor(k / 3);
    const teamBase = EXTRA_TEAM_NAMES[teamIndex % EXTRA_TEAM_NAMES.length];
    const teamRound = Math.floor(teamIndex / EXTRA_TEAM_NAMES.length);
    const roll = rng.float();
    const criticality: Criticality = roll < 0.25 ? 'high' : roll < 0.7 ? 'medium' : 'low';
    out.push({
      name,
      team: teamRound === 0 ? teamBase : `${teamBase}-${teamRound + 1}`,
      criticality,
      personalData: rng.chance(0.3),
      description: `${domain[0].toUpperCase()}${domain.slice(1)} ${kind}`,
      environments: [{ name: 'production', tier: 'production' }],
      // One service in five is built and deployed by Jenkins, as settlement-engine at the base scale.
      deployVia: k % 5 === 4 ? 'jenkins' : 'gitlab',
    });
  }
  return out;
}

function slugOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

interface PersonSeed {
  roles: PersonRole[];
  title: string;
  team?: string;
  leftDaysAgo?: number;
}

export function buildSkeleton(seed: number, scale: number, t0: number, historyDays: number): Estate {
  const rng = Rng.for(seed, 'skeleton');
  const blueprints = [...BASE_SERVICES, ...extraBlueprints(serviceCount(scale) - BASE_SERVICES.length, rng)];
  const teams = [...new Set([...BASE_TEAMS, ...blueprints.map((b) => b.team)])];

  const seeds: PersonSeed[] = [];
  for (const team of teams) {
    for (let i = 0; i < 3; i++) seeds.push({ roles: ['developer'], title: 'Software Engineer', team });
  }
  for (let i = 0; i < 4; i++) {
    seeds.push({
      roles: i < 2 ? ['approver', 'emergency-approver'] : ['approver'],
      title: 'IT Service Manager',
    });
  }
  for (let i = 0; i < 2; i++) seeds.push({ roles: ['release-manager'], title: 'Release Manager' });
  for (let i = 0; i < 2; i++) seeds.push({ roles: ['sre'], title: 'Site Reliability Engineer' });
  seeds.push({ roles: ['developer'], title: 'Software Engineer', team: 'payments', leftDaysAgo: 45 });
  seeds.push({ roles: ['developer'], title: 'Software Engineer', team: 'platform', leftDaysAgo: 38 });

  const firstNames = rng.sample(FIRST_NAMES, FIRST_NAMES.length);
  const lastNames = rng.sample(LAST_NAMES, LAST_NAMES.length);
  const taken = new Set<string>();
  const people: Person[] = [];
  let nextPersonId = 11;
  seeds.forEach((s, i) => {
    const firstName = firstNames[i % firstNames.length];
    let lastName = lastNames[(i * 7 + Math.floor(i / firstNames.length)) % lastNames.length];
    let userName = `${firstName}.${lastName}`.toLowerCase();
    for (let n = 2; taken.has(userName); n++) {
      lastName = `${lastNames[(i * 7 + Math.floor(i / firstNames.length)) % lastNames.length]}${n}`;
      userName = `${firstName}.${lastName}`.toLowerCase();
    }
    taken.add(userName);
    const leftAt = s.leftDaysAgo === undefined ? undefined : iso(t0 - s.leftDaysAgo * DAY);
    people.push({
      id: nextPersonId++,
      userName,
      email: `${userName}@${ORGANIZATION.domain}`,
      name: `${firstName} ${lastName}`,
      firstName,
      lastName,
      title: s.title,
      active: leftAt === undefined,
      roles: s.roles,
      ...(s.team ? { team: s.team } : {}),
      // One hire a day from 700 days before t0; a cast larger than 600 is hired faster, so that
      // everyone is hired 100 days before t0 at the latest — before any history they act in (at
      // scale ≥ 120 the last hires came after the estate's clock, and every approval named a
      // user the fake did not serve yet).
      createdAt: iso(t0 - (700 - (i * 600) / Math.max(seeds.length, 600)) * DAY),
      ...(leftAt ? { leftAt } : {}),
    });
  });
  const bots: [string, string, string][] = [
    [DEPLOY_BOT, 'Deploy Bot', 'Plays manual production jobs'],
    [RELEASE_BOT, 'Release Bot', 'Tags releases'],
    [AUDIT_ACCOUNT, 'Audit Hub', 'Read-only audit integration account'],
  ];
  for (const [userName, name, title] of bots) {
    people.push({
      id: nextPersonId++,
      userName,
      email: `${userName}@${ORGANIZATION.domain}`,
      name,
      firstName: name.split(' ')[0],
      lastName: name.split(' ')[1],
      title,
      active: true,
      roles: ['service-account'],
      createdAt: iso(t0 - 900 * DAY),
    });
  }

  const active = people.filter((p) => p.active);
  const membersWith = (role: PersonRole) =>
    active.filter((p) => p.roles.includes(role)).map((p) => p.userName);
  const groupCreated = iso(t0 - 800 * DAY);
  const groups: PeopleGroup[] = [
    {
      name: 'Developers',
      description: 'All software engineers',
      members: membersWith('developer'),
      createdAt: groupCreated,
    },
    {
      name: CAB_GROUP,
      description: 'Change Advisory Board',
      members: membersWith('approver'),
      createdAt: groupCreated,
    },
    {
      name: ECAB_GROUP,
      description: 'Emergency Change Advisory Board',
      members: membersWith('emergency-approver'),
      createdAt: groupCreated,
    },
    {
      name: 'Release Managers',
      description: 'Release management',
      members: membersWith('release-manager'),
      createdAt: groupCreated,
    },
    {
      name: CHANGE_MANAGEMENT_GROUP,
      description: 'Change management process owners',
      members: membersWith('release-manager'),
      createdAt: groupCreated,
    },
    {
      name: 'SRE',
      description: 'Site reliability engineering',
      members: membersWith('sre'),
      createdAt: groupCreated,
    },
    ...teams.map((team) => ({
      name: `${team}-team`,
      description: `The ${team} team`,
      members: active.filter((p) => p.team === team).map((p) => p.userName),
      createdAt: groupCreated,
    })),
  ];

  const services: Service[] = [];
  const environments: Environment[] = [];
  const configItems: ConfigItem[] = [];
  const cursors: Record<string, ServiceCursor> = {};
  let nextEnvId = 1;
  const ciJobs: CiJob[] = [];
  blueprints.forEach((b, i) => {
    const createdAt = iso(t0 - (b.launchedDaysAgo ?? 600 - i) * DAY);
    const deployVia = b.deployVia ?? 'gitlab';
    const jobs = deployVia === 'jenkins' ? jenkinsJobsOf(b.team, b.name) : undefined;
    services.push({
      id: 101 + i,
      name: b.name,
      gitlabPath: `${ORGANIZATION.path}/${b.name}`,
      team: b.team,
      criticality: b.criticality,
      personalData: b.personalData,
      description: b.description,
      createdAt,
      archived: false,
      deployVia,
      ...(jobs ? { jenkins: jobs } : {}),
    });
    if (jobs) {
      ciJobs.push(
        {
          fullName: jobs.buildJob,
          kind: 'build',
          pipeline: true,
          service: b.name,
          description: `Builds, tests and archives ${b.name}`,
          createdAt,
        },
        {
          fullName: jobs.deployJob,
          kind: 'deploy',
          pipeline: true,
          service: b.name,
          description: `Deploys ${b.name} to the environment given as ENVIRONMENT`,
          createdAt,
        },
      );
    }
    const envs = [
      ...b.environments.filter((e) => e.tier === 'production'),
      { name: STAGING, tier: 'staging' as const },
      ...b.environments.filter((e) => e.tier !== 'production'),
    ];
    // A Jenkins-deployed service has no GitLab environments: Jenkins names them in a parameter.
    for (const e of deployVia === 'jenkins' ? [] : envs) {
      const host = e.name === 'production' || e.name === 'live' ? b.name : `${b.name}.${slugOf(e.name)}`;
      environments.push({
        id: nextEnvId++,
        service: b.name,
        name: e.name,
        slug: slugOf(e.name),
        tier: e.tier,
        externalUrl: `https://${host}.${ORGANIZATION.domain}`,
        createdAt,
      });
    }
    const version: [number, number, number] = [rng.int(1, 3), rng.int(0, 12), 0];
    configItems.push({
      key: `ci/${b.name}`,
      service: b.name,
      name: b.name,
      criticality: b.cmdbCriticality ?? (b.criticality === 'high' ? 1 : b.criticality === 'medium' ? 3 : 4),
      environment: 'Production',
      installStatus: 'installed',
      supportGroup: `${b.team}-team`,
      createdAt,
      versions: [{ at: createdAt, version: version.join('.') }],
    });
    cursors[b.name] = {
      nextPipelineIid: rng.int(40, 400),
      nextDeploymentIid: rng.int(20, 200),
      nextMrIid: rng.int(30, 600),
      headSha: rng.hex(40),
      version,
      branchSeq: 1,
      pendingMrs: {},
      lastEmergencyAt: null,
    };
  });
  services.push({
    id: 101 + blueprints.length,
    name: ARCHIVED_SERVICE.name,
    gitlabPath: `${ORGANIZATION.path}/${ARCHIVED_SERVICE.name}`,
    team: ARCHIVED_SERVICE.team,
    criticality: 'low',
    personalData: false,
    description: ARCHIVED_SERVICE.description,
    createdAt: iso(t0 - 1500 * DAY),
    archived: true,
    deployVia: 'gitlab',
  });
  // The retired monolith's CMDB item is kept, retired: it is deployed nowhere any more.
  configItems.push({
    key: `ci/${ARCHIVED_SERVICE.name}`,
    service: ARCHIVED_SERVICE.name,
    name: ARCHIVED_SERVICE.name,
    criticality: 3,
    environment: 'Production',
    installStatus: 'retired',
    supportGroup: `${ARCHIVED_SERVICE.team}-team`,
    createdAt: iso(t0 - 1500 * DAY),
    versions: [{ at: iso(t0 - 1500 * DAY), version: '4.17.2' }],
  });
  // Jobs of no service: a maintenance job in a nested folder, and a seed job that never ran.
  ciJobs.push(
    {
      fullName: 'platform/tools/workspace-cleanup',
      kind: 'other',
      pipeline: false,
      service: null,
      description: 'Nightly clean-up of agent workspaces',
      createdAt: iso(t0 - 900 * DAY),
    },
    {
      fullName: 'seed-job',
      kind: 'other',
      pipeline: false,
      service: null,
      description: 'Job DSL seed (run by hand when jobs change)',
      createdAt: iso(t0 - 900 * DAY),
    },
  );
  const jenkinsNumbers: Record<string, number> = {};
  for (const job of ciJobs)
    jenkinsNumbers[job.fullName] = job.fullName === 'seed-job' ? 1 : rng.int(100, 400);

  const generatedAt = iso(t0);
  return {
    seed,
    scale,
    generatedAt,
    now: generatedAt,
    horizon: generatedAt,
    historyDays,
    version: 0,
    organization: { ...ORGANIZATION },
    people,
    groups,
    services,
    environments,
    commits: [],
    mergeRequests: [],
    pipelines: [],
    deployments: [],
    changes: [],
    changeApprovals: [],
    configItems,
    ciJobs,
    ciBuilds: [],
    analyses: [],
    access: buildAccess(seed, people, teams, t0),
    breakGlassUsers: [],
    planted: [],
    exceptions: [],
    cursor: {
      nextDeploymentId: 1001,
      nextJobId: 50001,
      nextPipelineId: 20001,
      nextMrId: 3001,
      nextChangeNumber: 30001,
      services: cursors,
      jenkinsNumbers,
    },
  };
}
