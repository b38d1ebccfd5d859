import {
  deploymentVersion,
  EnvironmentTiers,
  mapDeployment,
  mapDeploymentApprovals,
  mapDeploymentStatus,
  mapEnvironmentProtection,
  mapTestReportSummary,
  mapTier,
  mapVariables,
} from './gitlab-deployment.mapper';
import type { GitLabDeployment } from './gitlab.types';

/** The shape of deployments-get.json, with a job user who is not the deployer. */
function deployment(over: Partial<GitLabDeployment> = {}): GitLabDeployment {
  return {
    id: 42,
    iid: 2,
    ref: 'main',
    sha: 'a91957a858320c0e17f3a0eca7cfacbff50ea29a',
    created_at: '2016-08-11T11:32:35.444Z',
    updated_at: '2016-08-11T11:34:01.123Z',
    status: 'success',
    user: { id: 1, username: 'root' },
    environment: { id: 9, name: 'production' },
    deployable: {
      id: 664,
      status: 'success',
      name: 'deploy',
      ref: 'main',
      tag: false,
      started_at: '2016-08-11T11:30:00.000+02:00',
      finished_at: '2016-08-11T11:32:35.145Z',
      user: { id: 7, username: 'job-runner' },
      commit: {
        id: 'a91957a858320c0e17f3a0eca7cfacbff50ea29a',
        short_id: 'a91957a8',
        message: 'Deploy CHG0030042',
      },
      pipeline: { id: 42, source: 'web' },
    },
    ...over,
  };
}

const context = {
  projectPath: 'acme/payments-api',
  tiers: new EnvironmentTiers([{ id: 9, name: 'production', tier: 'production' }]),
  versionVariable: 'VERSION',
};

describe('mapDeployment', () => {
  it('records variables it was refused as null (unknown), never {}, and then no version', () => {
    const { data } = mapDeployment(deployment(), context, { variables: null });
    expect(data.variables).toBeNull();
    expect(data).not.toHaveProperty('version');
    expect(mapDeployment(deployment(), context, { variables: {} }).data.version).toBe('a91957a8');
  });

  it('takes who deployed from the deployment, not from the job', () => {
    expect(mapDeployment(deployment(), context).data.triggeredBy).toBe('root');
  });

  it('takes the job times, converted to UTC, and keeps the pipeline source and job', () => {
    const { data } = mapDeployment(deployment(), context);
    expect(data.startedAt).toBe('2016-08-11T09:30:00.000Z');
    expect(data.finishedAt).toBe('2016-08-11T11:32:35.145Z');
    expect(data.pipelineSource).toBe('web');
    expect(data.pipelineId).toBe('42');
    expect(data.jobName).toBe('deploy');
    expect(data.commitMessage).toBe('Deploy CHG0030042');
  });

  it('falls back to created_at and updated_at when the job has no times', () => {
    const d = deployment();
    d.deployable = { ...d.deployable!, started_at: null, finished_at: null };
    const { data } = mapDeployment(d, context);
    expect(data.startedAt).toBe('2016-08-11T11:32:35.444Z');
    expect(data.finishedAt).toBe('2016-08-11T11:34:01.123Z');
  });

  it('gives a running deployment no finish time', () => {
    const d = deployment({ status: 'running' });
    d.deployable = { ...d.deployable!, finished_at: null };
    expect(mapDeployment(d, context).data).not.toHaveProperty('finishedAt');
  });

  it('marks a deployment without a job as not produced by a pipeline', () => {
    const { data } = mapDeployment(deployment({ deployable: null }), context);
    expect(data.viaPipeline).toBe(false);
    expect(data).not.toHaveProperty('pipelineId');
    expect(data).not.toHaveProperty('jobName');
  });

  it('uses the tag as the version of a tag deployment, leading v included', () => {
    const d = deployment({ ref: 'v1.4.0' });
    d.deployable = { ...d.deployable!, tag: true };
    const { data } = mapDeployment(d, context, { variables: { VERSION: '9.9.9' } });
    expect(data.isTag).toBe(true);
    expect(data.version).toBe('v1.4.0');
  });

  it('keeps approvals unknown (null) unless the fan-out read them', () => {
    expect(mapDeployment(deployment(), context).data.approvals).toBeNull();
    expect(mapDeployment(deployment(), context, { approvals: [] }).data.approvals).toEqual([]);
  });

  it('maps the tier by environment id, then by name, and null when unknown', () => {
    const tiers = new EnvironmentTiers([
      { id: 1, name: 'review/fix-foo', tier: 'development' },
      { id: 2, name: 'live', tier: null },
    ]);
    expect(tiers.tierOf({ id: 1, name: 'renamed' })).toBe('development');
    expect(tiers.tierOf({ name: 'review/fix-foo' })).toBe('development');
    expect(tiers.tierOf({ id: 2, name: 'live' })).toBeNull();
    expect(tiers.tierOf({ id: 99, name: 'production' })).toBeNull();
  });
});

describe('deploymentVersion', () => {
  const base = {
    isTag: false,
    ref: 'main',
    variables: {},
    versionVariable: 'VERSION',
    sha: 'a91957a858320c0e17f3a0',
  };
  it('prefers the tag, then the variable, then the short sha', () => {
    expect(deploymentVersion({ ...base, isTag: true, ref: 'v2.0.1', variables: { VERSION: '3' } })).toBe(
      'v2.0.1',
    );
    expect(deploymentVersion({ ...base, variables: { VERSION: ' 2.0.1 ' } })).toBe('2.0.1');
    expect(deploymentVersion({ ...base, variables: { VERSION: '' } })).toBe('a91957a8');
    expect(deploymentVersion({ ...base, shortSha: 'a91957a85' })).toBe('a91957a85');
  });
  it('reads the configured variable name', () => {
    expect(
      deploymentVersion({ ...base, versionVariable: 'APP_VERSION', variables: { APP_VERSION: '7.1' } }),
    ).toBe('7.1');
  });
  it('is unknown, not the short sha, when the variables could not be read and the ref is no tag', () => {
    expect(deploymentVersion({ ...base, variables: null })).toBeUndefined();
    expect(deploymentVersion({ ...base, variables: null, isTag: true, ref: 'v2.0.1' })).toBe('v2.0.1');
  });
});

describe('small mappers', () => {
  it('maps GitLab tiers and statuses', () => {
    expect(mapTier('production')).toBe('production');
    expect(mapTier('Staging')).toBe('staging');
    expect(mapTier('qa')).toBe('other');
    expect(mapTier(undefined)).toBeNull();
    expect(mapDeploymentStatus('blocked')).toBe('created');
    expect(mapDeploymentStatus('skipped')).toBe('canceled');
    expect(mapDeploymentStatus('failed')).toBe('failed');
  });

  it('maps pipeline variables to name → value', () => {
    expect(
      mapVariables([
        { key: 'VERSION', value: '1.2.3', variable_type: 'env_var' },
        { key: 'EMPTY', value: null },
      ]),
    ).toEqual({
      VERSION: '1.2.3',
      EMPTY: '',
    });
  });

  it('summarises a test report, counting errors as failures, and null when none was archived', () => {
    expect(mapTestReportSummary({ total: { count: 10, failed: 1, error: 2 } })).toEqual({
      total: 10,
      failed: 3,
    });
    expect(mapTestReportSummary({ total: { count: 0, failed: 0, error: 0 } })).toBeNull();
    expect(mapTestReportSummary(null)).toBeNull();
  });

  it('reads deployment approvals from `approvals` and from approval_summary rules, once per user and status', () => {
    const at = '2022-04-11T03:37:03.058Z';
    expect(
      mapDeploymentApprovals({
        approvals: [{ user: { username: 'sec-1' }, status: 'approved', created_at: at, comment: null }],
        approval_summary: {
          rules: [
            { deployment_approvals: [] },
            {
              deployment_approvals: [
                { user: { username: 'sec-1' }, status: 'approved', created_at: at },
                { user: { username: 'qa-2' }, status: 'rejected', created_at: at, comment: 'no' },
              ],
            },
          ],
        },
      }),
    ).toEqual([
      { user: 'sec-1', status: 'approved', at },
      { user: 'qa-2', status: 'rejected', at, comment: 'no' },
    ]);
    expect(mapDeploymentApprovals({ approvals: [] })).toEqual([]);
    expect(mapDeploymentApprovals({ status: 'success' } as Partial<GitLabDeployment>)).toBeNull();
  });

  it('writes the ghost user (deleted approvers) as ~ghost, and keeps each of its approvals', () => {
    const ghost = { username: 'ghost', name: 'Ghost User' };
    expect(
      mapDeploymentApprovals({
        approvals: [
          { user: ghost, status: 'approved', created_at: '2022-04-11T03:37:03.058Z' },
          { user: ghost, status: 'approved', created_at: '2022-04-11T04:00:00.000Z' },
          {
            user: { username: 'ghost', name: 'Casper' },
            status: 'approved',
            created_at: '2022-04-11T05:00:00.000Z',
          },
        ],
      }),
    ).toEqual([
      { user: '~ghost', status: 'approved', at: '2022-04-11T03:37:03.058Z' },
      { user: '~ghost', status: 'approved', at: '2022-04-11T04:00:00.000Z' },
      // A person whose username is `ghost` but who is not GitLab's ghost user is themselves.
      { user: 'ghost', status: 'approved', at: '2022-04-11T05:00:00.000Z' },
    ]);
  });
});

describe('mapEnvironmentProtection', () => {
  it('reads who may deploy (role, user or group) and the required approvals of newer GitLab', () => {
    const list = [
      { name: 'staging', deploy_access_levels: [{ access_level: 30, user_id: null, group_id: null }] },
      {
        name: 'production',
        deploy_access_levels: [
          { access_level: 40, access_level_description: 'Maintainers', user_id: null, group_id: null },
          { access_level: 40, access_level_description: 'Jane Doe', user_id: 7, group_id: null },
          { access_level: 40, access_level_description: 'release-managers', user_id: null, group_id: 12 },
        ],
        required_approval_count: 2,
      },
    ];
    expect(mapEnvironmentProtection(list, 'production')).toEqual({
      protected: true,
      deployAccess: [
        { role: 'maintainer', description: 'Maintainers' },
        { userId: 7, description: 'Jane Doe' },
        { groupId: 12, description: 'release-managers' },
      ],
      requiredApprovals: 2,
    });
    expect(mapEnvironmentProtection(list, 'review/x')).toEqual({ protected: false, deployAccess: [] });
    // null: GitLab would not tell (Free, or a token that may not read them).
    expect(mapEnvironmentProtection(null, 'production')).toBeNull();
  });
});
