import { secretFields } from '@audit-hub/plugin-sdk';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { resolveOptions, SonarQubeAuth, SonarQubeOptions } from './sonarqube.config';

function problems<T extends object>(cls: new () => T, value: object): string[] {
  return validateSync(plainToInstance(cls, value)).map((error) => error.property);
}

describe('sonarqube config', () => {
  it('marks the token as a secret and requires it', () => {
    expect(secretFields(SonarQubeAuth)).toEqual(['token']);
    expect(problems(SonarQubeAuth, {})).toEqual(['token']);
    expect(problems(SonarQubeAuth, { token: 'squ_x' })).toEqual([]);
  });

  it('accepts no options, and applies the defaults (auto scheme, ps 100, discover projects)', () => {
    expect(problems(SonarQubeOptions, {})).toEqual([]);
    expect(resolveOptions(undefined)).toEqual({ projects: [], pageSize: 100, authScheme: 'auto' });
  });

  it('refuses a page size above SonarQube’s 500, an unknown auth scheme and empty project keys', () => {
    expect(problems(SonarQubeOptions, { pageSize: 501 })).toEqual(['pageSize']);
    expect(problems(SonarQubeOptions, { authScheme: 'token' })).toEqual(['authScheme']);
    expect(problems(SonarQubeOptions, { projects: [''] })).toEqual(['projects']);
    expect(problems(SonarQubeOptions, { projects: ['a'], pageSize: 500, authScheme: 'basic' })).toEqual([]);
  });

  it('lists each configured project once', () => {
    expect(resolveOptions({ projects: ['a', ' a', 'b'] }).projects).toEqual(['a', 'b']);
  });
});
