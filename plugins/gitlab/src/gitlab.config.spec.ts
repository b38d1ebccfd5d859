import { secretFields } from '@audit-hub/plugin-sdk';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { GitLabAuth, GitLabOptions, resolveOptions } from './gitlab.config';

function problems<T extends object>(cls: new () => T, value: object): string[] {
  return validateSync(plainToInstance(cls, value)).map((error) => error.property);
}

describe('gitlab config', () => {
  it('marks the token as a secret and requires it', () => {
    expect(secretFields(GitLabAuth)).toEqual(['token']);
    expect(problems(GitLabAuth, {})).toEqual(['token']);
    expect(problems(GitLabAuth, { token: 'glpat-x' })).toEqual([]);
  });

  it('accepts no options at all, and applies the defaults', () => {
    expect(problems(GitLabOptions, {})).toEqual([]);
    expect(resolveOptions(undefined)).toEqual({
      projects: [],
      groups: [],
      environments: [],
      perPage: 100,
      versionVariable: 'VERSION',
    });
  });

  it('refuses a page size above GitLab’s 100, and lists that are not lists of names', () => {
    expect(problems(GitLabOptions, { perPage: 101 })).toEqual(['perPage']);
    expect(problems(GitLabOptions, { projects: 'acme/app' })).toEqual(['projects']);
    expect(problems(GitLabOptions, { groups: [''] })).toEqual(['groups']);
    expect(problems(GitLabOptions, { projects: ['acme/app', '42'], groups: ['acme'], perPage: 50 })).toEqual(
      [],
    );
  });
});
