import { secretFields } from '@audit-hub/plugin-sdk';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ServiceNowAuth } from './servicenow-auth.config';

function problems(value: object): string[] {
  return validateSync(plainToInstance(ServiceNowAuth, value)).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`),
  );
}

describe('ServiceNow auth block', () => {
  it('takes username and password, or a token, and marks both secrets', () => {
    expect(problems({ username: 'audit', password: 'pw' })).toEqual([]);
    expect(problems({ token: 'oauth' })).toEqual([]);
    expect(secretFields(ServiceNowAuth).sort()).toEqual(['password', 'token']);
  });

  it('refuses neither or both, naming the fields', () => {
    const neither = problems({});
    expect(neither).toEqual(
      expect.arrayContaining([expect.stringMatching(/^username: /), expect.stringMatching(/^password: /)]),
    );
    expect([...new Set(neither.map((p) => p.split(':')[0]))].sort()).toEqual(['password', 'username']);
    expect(problems({ username: 'audit', password: 'pw', token: 'oauth' })).toEqual([
      'token: give either username and password (basic auth) or token (OAuth), not both',
    ]);
    const missingPassword = problems({ username: 'audit' });
    expect(missingPassword.length).toBeGreaterThan(0);
    expect(missingPassword.every((p) => p.startsWith('password: '))).toBe(true);
  });
});
