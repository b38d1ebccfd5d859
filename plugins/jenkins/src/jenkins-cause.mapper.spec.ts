import { causesOf, causeType, mapCause, triggeredBy, viaPipeline } from './jenkins-cause.mapper';

describe('jenkins causes', () => {
  it('types causes by class, and by their fields when Jenkins sends no _class', () => {
    expect(causeType({ _class: 'hudson.triggers.TimerTrigger$TimerTriggerCause' })).toBe('timer');
    expect(causeType({ _class: 'jenkins.branch.BranchEventCause' })).toBe('scm');
    expect(causeType({ _class: 'org.jenkinsci.plugins.workflow.cps.replay.ReplayCause' })).toBe('replay');
    expect(
      causeType({ _class: 'com.sonyericsson.rebuild.RebuildCause', upstreamProject: 'a', upstreamBuild: 3 }),
    ).toBe('upstream');
    expect(causeType({ userId: null, userName: 'anonymous' })).toBe('user');
    expect(
      causeType({
        _class: 'hudson.model.Cause$RemoteCause',
        shortDescription: 'Started by remote host 10.0.0.1',
      }),
    ).toBe('other');
  });

  it('ignores the causes of an interruption (a rejected input) when listing why a build ran', () => {
    const actions = [
      {
        _class: 'hudson.model.CauseAction',
        causes: [{ _class: 'hudson.triggers.SCMTrigger$SCMTriggerCause' }],
      },
      {
        _class: 'jenkins.model.InterruptedBuildAction',
        causes: [
          { _class: 'org.jenkinsci.plugins.workflow.support.steps.input.Rejection', user: { id: 'mlee' } },
        ],
      },
    ];
    expect(causesOf(actions).map((cause) => mapCause(cause))).toEqual([{ type: 'scm' }]);
  });

  it('takes the first identified user as the trigger, and only a replay leaves the pipeline', () => {
    const causes = [
      { type: 'replay' as const, description: 'Replayed #9' },
      { type: 'user' as const },
      { type: 'user' as const, user: 'jdoe' },
    ];
    expect(triggeredBy(causes)).toBe('jdoe');
    expect(viaPipeline(causes)).toBe(false);
    expect(viaPipeline([{ type: 'upstream', upstream: 'a#1' }, { type: 'timer' }])).toBe(true);
  });
});
