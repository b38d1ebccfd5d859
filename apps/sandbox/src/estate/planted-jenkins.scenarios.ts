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
  type PlantContext,
  type PlantedSlot,
} from './planted.support';

/**
 * Planted cases of the Jenkins-deployed `settlement-engine`: RM-PIPE-001 (a replayed deploy build),
 * RM-ART-001 (a jar the deploy build fingerprinted first, and one Jenkins cannot trace whose name
 * its upstream build archived with another digest) and RM-EVD-001 (a deploy build without JUnit
 * results). Each deploy build is otherwise routine: a `CHANGE_ID` parameter naming an approved
 * change, an input step approved by an SRE, the jar of its build job, smoke tests.
 */

const SERVICE = 'settlement-engine';

function jenkinsRelease(
  ctx: PlantContext,
  production: Partial<JenkinsProductionSpec>,
): { release: JenkinsRelease; deploy: CiBuild; number: string } {
  const number = allocateChangeNumber(ctx.estate);
  const release = buildJenkinsRelease(ctx.estate, {
    service: SERVICE,
    buildAt: ctx.deployAt - 40 * MINUTE,
    mrs: plainMrs(ctx, SERVICE, 1),
    production: {
      at: ctx.deployAt,
      deployer: ctx.cast.releaseManagers[0].userName,
      variables: [{ name: 'CHANGE_ID', value: number }],
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
