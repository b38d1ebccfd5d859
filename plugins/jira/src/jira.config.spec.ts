import { validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { detectFlavor, JiraOptions, resolveOptions } from './jira.config';

function problems(value: object): string[] {
  return validateSync(plainToInstance(JiraOptions, value)).flatMap((e) => Object.values(e.constraints ?? {}));
}

describe('jira options', () => {
  it('takes Cloud for *.atlassian.net and Data Center for anything else', () => {
    expect(detectFlavor('https://acme.atlassian.net')).toBe('cloud');
    expect(detectFlavor('https://jira.acme.example/jira')).toBe('datacenter');
    expect(detectFlavor('https://atlassian.net.evil.example')).toBe('datacenter');
  });

  it('applies the defaults, with a search lag only on Cloud', () => {
    expect(resolveOptions({ project: 'SEC' }, 'https://acme.atlassian.net')).toEqual({
      project: 'SEC',
      issueType: 'Task',
      flavor: 'cloud',
      closeTransitions: ['Done'],
      reopenTransitions: ['Reopen', 'To Do'],
      closeResolution: 'Done',
      labels: [],
      // Atlassian: a write shows in search "from a few seconds to minutes" later.
      searchConsistencyMs: 60_000,
    });
    expect(
      resolveOptions({ project: 'SEC', flavor: 'datacenter' }, 'https://acme.atlassian.net'),
    ).toMatchObject({
      flavor: 'datacenter',
      searchConsistencyMs: 0,
    });
    expect(
      resolveOptions({ project: 'SEC', closeTransition: 'Resolve' }, 'https://j.example').closeTransitions,
    ).toEqual(['Resolve']);
  });

  it('refuses a label with a space and a project that is not a key', () => {
    expect(problems({ project: 'SEC', labels: ['audit hub'] })).toEqual([
      'each label must be one word (Jira labels cannot hold spaces)',
    ]);
    expect(problems({ project: 'sec ops' })).toEqual(['must be a Jira project key such as SEC']);
    expect(problems({ project: 'SEC', flavor: 'server' })).toEqual(['must be one of cloud, datacenter']);
  });
});
