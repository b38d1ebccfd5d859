import { allocateChangeNumber } from './change.builder';
import { MINUTE } from './estate.clock';
import type { CiBuild } from './estate.model';
import {
  buildJenkinsRedeploy,
  buildJenkinsRelease,
  type JenkinsProductionSpec,
  type JenkinsRelease,
} from './jenkins.builder';
import {
  approvedChange,
  factsOf,
  finishOf,
  jenkinsSubject,
  plainMrs,
  plantCase,
  serviceOf,
  type PlantContext,
  type PlantedSlot,
} from './planted.support';
import type { MrSpec } from './release.builder';

/**
 * Planted cases of the Jenkins-deployed `settlement-engine`: RM-PIPE-001 (a replayed deploy build),
 * RM-ART-001 (a jar the deploy build fingerprinted first, and one Jenkins cannot trace whose name
 * its upstream build archived with another digest), RM-EVD-001 (a deploy build without JUnit
 * results), and what shipped with a deploy build as read from the service's GitLab repository:
 * RM-PIPE-002 (an unsigned commit of a shipped MR) and RM-CHG-001 (a change named only in the
 * shipped MR's title, which links it). Each deploy build is otherwise routine: a `CHANGE_ID` parameter naming an approved
 * change, an input step approved by an SRE, the jar of its build job, smoke tests.
 */

const SERVICE = 'settlement-engine';

/**
 * A routine release of the service with the case's overrides. The change number goes into the
 * deploy build's `CHANGE_ID` parameter, or (`changeIn: 'mr-title'`) only into the title of the MR
 * the release ships, which the audit reads from the service's GitLab repository.
 */
function jenkinsRelease(
  ctx: PlantContext,
  production: Partial<JenkinsProductionSpec>,
  options: { mrs?: MrSpec[]; changeIn?: 'parameter' | 'mr-title' } = {},
): { release: JenkinsRelease; deploy: CiBuild; number: string } {
  const number = allocateChangeNumber(ctx.estate);
  const mrs = options.mrs ?? plainMrs(ctx, SERVICE, 1);
  const inTitle = options.changeIn === 'mr-title';
  if (inTitle) mrs[0] = { ...mrs[0], title: `${number}: ${mrs[0].title}` };
  const release = buildJenkinsRelease(ctx.estate, {
    service: SERVICE,
    buildAt: ctx.deployAt - 40 * MINUTE,
    mrs,
    production: {
      at: ctx.deployAt,
      deployer: ctx.cast.releaseManagers[0].userName,
      variables: inTitle ? [] : [{ name: 'CHANGE_ID', value: number }],
      approver: ctx.cast.sres[0].userName,
      ...production,
    },
    rng: ctx.rng,
  });
  const deploy = release.production!;
  approvedChange(ctx, number, SERVICE, {
    firstStart: release.firstStart,
    lastFinish: release.lastFinish,
    version: release.version,
  });
  return { release, deploy, number };
}

function plantDeploy(
  ctx: PlantContext,
  id: string,
  controlId: string,
  kind: 'violation' | 'near-miss',
  deploy: CiBuild,
  note: string,
): void {
  plantCase(ctx.estate, {
    id,
    controlId,
    kind,
    subject: jenkinsSubject(deploy),
    from: finishOf(deploy),
    note,
  });
}

export const JENKINS_SLOTS: PlantedSlot[] = [
  {
    service: SERVICE,
    dayOffset: -16,
    minuteOfDay: 10 * 60 + 10,
    build(ctx) {
      const mrs = plainMrs(ctx, SERVICE, 1);
      mrs[0] = { ...mrs[0], firstCommitSignature: 'unsigned' };
      const { release, deploy } = jenkinsRelease(ctx, {}, { mrs });
      const mr = release.work.mergeRequests[0];
      const unsigned = ctx.estate.commits.find((c) => c.sha === mr.commitShas[0])!;
      plantCase(ctx.estate, {
        id: 'RM-PIPE-002/jenkins-unsigned-mr-commit',
        controlId: 'RM-PIPE-002',
        kind: 'violation',
        subject: {
          type: 'commit',
          service: SERVICE,
          project: serviceOf(ctx, SERVICE).gitlabPath,
          sha: unsigned.sha,
        },
        from: finishOf(deploy),
        note: `Production deploy build #${deploy.number} shipped MR !${mr.iid} of the service's GitLab repository, whose first commit ("${unsigned.title}") is not signed.`,
      });
    },
  },
  {
    service: SERVICE,
    dayOffset: -3,
    minuteOfDay: 11 * 60 + 30,
    build(ctx) {
      const { release, deploy, number } = jenkinsRelease(ctx, {}, { changeIn: 'mr-title' });
      plantDeploy(
        ctx,
        'RM-CHG-001/jenkins-change-in-shipped-mr',
        'RM-CHG-001',
        'near-miss',
        deploy,
        `Production deploy build #${deploy.number} has no CHANGE_ID parameter, but MR !${release.work.mergeRequests[0].iid}, which it shipped (the range since the previous deploy build, in GitLab), names ${number} in its title.`,
      );
    },
  },
  {
    service: SERVICE,
    dayOffset: -18,
    minuteOfDay: 15 * 60 + 20,
    build(ctx) {
      const { deploy } = jenkinsRelease(ctx, { start: 'replay' });
      plantDeploy(
        ctx,
        'RM-PIPE-001/jenkins-replay',
        'RM-PIPE-001',
        'violation',
        deploy,
        `Production deploy build #${deploy.number} is a replay (ReplayCause) of #${deploy.number - 1} by ${ctx.cast.releaseManagers[0].userName}: it ran a script edited in the UI, not the job's reviewed Jenkinsfile.`,
      );
    },
  },
  {
    service: SERVICE,
    dayOffset: -14,
    minuteOfDay: 11 * 60 + 15,
    build(ctx) {
      const { release, deploy } = jenkinsRelease(ctx, { start: 'upstream' });
      factsOf(ctx.estate).jenkinsReleases.set('upstream-start', release);
      plantDeploy(
        ctx,
        'RM-PIPE-001/started-by-upstream',
        'RM-PIPE-001',
        'near-miss',
        deploy,
        `Production deploy build #${deploy.number} was started by its build job (UpstreamCause ${release.build.job}#${release.build.number}), not by a person: still the deploy job as configured.`,
      );
    },
  },
  {
    service: SERVICE,
    dayOffset: -12,
    minuteOfDay: 14 * 60 + 45,
    build(ctx) {
      const { deploy } = jenkinsRelease(ctx, { artifact: { kind: 'never-built' } });
      plantDeploy(
        ctx,
        'RM-ART-001/never-built-by-ci',
        'RM-ART-001',
        'violation',
        deploy,
        `Production deploy build #${deploy.number} fingerprinted ${deploy.fingerprints[0].fileName} first: the jar was rebuilt on the deploy agent, no CI build produced it.`,
      );
    },
  },
  {
    service: SERVICE,
    dayOffset: -9,
    minuteOfDay: 10 * 60 + 40,
    build(ctx) {
      const { release, deploy } = jenkinsRelease(ctx, { artifact: { kind: 'replaced' } });
      plantDeploy(
        ctx,
        'RM-ART-001/artifact-replaced',
        'RM-ART-001',
        'violation',
        deploy,
        `Production deploy build #${deploy.number} deployed ${deploy.fingerprints[0].fileName} with digest ${deploy.fingerprints[0].md5}; its upstream build ${release.build.job}#${release.build.number} archived that file with digest ${release.build.fingerprints[0].md5}.`,
      );
    },
  },
  {
    service: SERVICE,
    dayOffset: -7,
    minuteOfDay: 13 * 60 + 35,
    build(ctx) {
      const { deploy } = jenkinsRelease(ctx, { junit: false });
      plantDeploy(
        ctx,
        'RM-EVD-001/jenkins-no-junit',
        'RM-EVD-001',
        'violation',
        deploy,
        `Production deploy build #${deploy.number} archived no JUnit result (its smoke-test stage was skipped).`,
      );
    },
  },
  {
    service: SERVICE,
    dayOffset: -5,
    minuteOfDay: 16 * 60 + 5,
    build(ctx) {
      const earlier = factsOf(ctx.estate).jenkinsReleases.get('upstream-start');
      if (!earlier) throw new Error('planted case RM-ART-001/redeploy-of-earlier-build: no earlier release');
      const number = allocateChangeNumber(ctx.estate);
      const redeploy = buildJenkinsRedeploy(ctx.estate, {
        release: earlier,
        at: ctx.deployAt,
        deployer: ctx.cast.releaseManagers[1].userName,
        variables: [{ name: 'CHANGE_ID', value: number }],
        approver: ctx.cast.sres[1].userName,
        rng: ctx.rng,
      });
      approvedChange(ctx, number, SERVICE, {
        firstStart: ctx.deployAt,
        lastFinish: finishOf(redeploy),
        version: earlier.version,
      });
      plantDeploy(
        ctx,
        'RM-ART-001/redeploy-of-earlier-build',
        'RM-ART-001',
        'near-miss',
        redeploy,
        `Production deploy build #${redeploy.number} redeployed release ${earlier.version}: its jar's fingerprint names ${earlier.build.job}#${earlier.build.number}, which archived the same digest nine days earlier.`,
      );
    },
  },
];
