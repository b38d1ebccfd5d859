import { secretFields } from '@audit-hub/plugin-sdk';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { JenkinsAuth, JenkinsOptions, resolveOptions } from './jenkins.config';

function problems<T extends object>(cls: new () => T, value: object): string[] {
  return validateSync(plainToInstance(cls, value)).map((error) => error.property);
}

describe('jenkins config', () => {
  it('marks the API token as the only secret and requires both user and token', () => {
    expect(secretFields(JenkinsAuth)).toEqual(['token']);
    expect(problems(JenkinsAuth, {})).toEqual(['username', 'token']);
    expect(problems(JenkinsAuth, { username: 'audit-bot', token: '11abc' })).toEqual([]);
  });

  it('accepts no options at all, and applies the defaults', () => {
    expect(problems(JenkinsOptions, {})).toEqual([]);
    expect(resolveOptions(undefined)).toEqual({
      deployJobs: ['*deploy*'],
      buildJobs: null,
      environmentParameter: 'ENVIRONMENT',
      versionParameter: 'VERSION',
      folders: [],
      maxDepth: 5,
      pageSize: 50,
    });
  });

  it('refuses folder paths with empty segments, out-of-range numbers and lists that are not lists of names', () => {
    expect(problems(JenkinsOptions, { folders: ['team//app'] })).toEqual(['folders']);
    expect(problems(JenkinsOptions, { folders: ['/team'] })).toEqual(['folders']);
    expect(problems(JenkinsOptions, { pageSize: 0 })).toEqual(['pageSize']);
    expect(problems(JenkinsOptions, { maxDepth: -1 })).toEqual(['maxDepth']);
    expect(problems(JenkinsOptions, { deployJobs: '*deploy*' })).toEqual(['deployJobs']);
    expect(problems(JenkinsOptions, { buildJobs: [''] })).toEqual(['buildJobs']);
    expect(
      problems(JenkinsOptions, {
        folders: ['team/app'],
        deployJobs: ['*-deploy'],
        maxDepth: 0,
        pageSize: 100,
      }),
    ).toEqual([]);
  });
});
