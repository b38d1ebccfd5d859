import { secretFields } from '@audit-hub/plugin-sdk';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CyberArkAuth, CyberArkOptions, resolveOptions } from './cyberark.config';

function problems<T extends object>(cls: new () => T, value: object): string[] {
  return validateSync(plainToInstance(cls, value)).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`),
  );
}

describe('cyberark auth', () => {
  it('needs a username and a password, and marks the password secret', () => {
    expect(problems(CyberArkAuth, { username: 'audit', password: 'pw' })).toEqual([]);
    expect(problems(CyberArkAuth, { username: 'audit' }).every((p) => p.startsWith('password: '))).toBe(true);
    expect(problems(CyberArkAuth, { password: 'pw' }).every((p) => p.startsWith('username: '))).toBe(true);
    expect(secretFields(CyberArkAuth)).toEqual(['password']);
  });
});

describe('cyberark options', () => {
  it('applies the defaults', () => {
    expect(resolveOptions(undefined)).toEqual({
      authMethod: 'Cyberark',
      safes: [],
      includePredefinedUsers: true,
      pageSize: 100,
      userStatus: true,
    });
  });

  it('takes the log-on method in any case and writes it as the URL segment', () => {
    expect(problems(CyberArkOptions, { authMethod: 'ldap' })).toEqual([]);
    expect(resolveOptions({ authMethod: 'ldap' }).authMethod).toBe('LDAP');
    expect(resolveOptions({ authMethod: 'CyberArk' }).authMethod).toBe('Cyberark');
    expect(resolveOptions({ authMethod: 'radius' }).authMethod).toBe('RADIUS');
    expect(problems(CyberArkOptions, { authMethod: 'Windows' })).toEqual([
      'authMethod: authMethod must be one of Cyberark, LDAP, RADIUS',
    ]);
    expect(() => resolveOptions({ authMethod: 'SAML' })).toThrow(
      'cyberark: options.authMethod "SAML" is not one of Cyberark, LDAP, RADIUS',
    );
  });

  it('refuses page sizes outside 1–1000, empty safe globs and non-boolean switches', () => {
    expect(
      problems(CyberArkOptions, { pageSize: 1000, safes: ['PROD-*'], includePredefinedUsers: false }),
    ).toEqual([]);
    expect(problems(CyberArkOptions, { pageSize: 0 })).toHaveLength(1);
    expect(problems(CyberArkOptions, { pageSize: 1001 })).toHaveLength(1);
    expect(problems(CyberArkOptions, { safes: [] })).toHaveLength(1);
    expect(problems(CyberArkOptions, { safes: [''] })).toHaveLength(1);
    expect(problems(CyberArkOptions, { userStatus: 'yes' })).toHaveLength(1);
  });
});
