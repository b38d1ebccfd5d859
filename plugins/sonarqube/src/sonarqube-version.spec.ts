import { parseSonarVersion, schemeFor } from './sonarqube-version';

describe('sonarqube version', () => {
  it('reads the plain-text version of api/server/version, with or without a build number', () => {
    expect(parseSonarVersion('9.9.4.87374\n')).toEqual({ text: '9.9.4.87374', major: 9, minor: 9 });
    expect(parseSonarVersion('10.4')).toEqual({ text: '10.4', major: 10, minor: 4 });
    expect(parseSonarVersion('2025.1.0.102418')).toMatchObject({ major: 2025, minor: 1 });
    expect(parseSonarVersion('<html>')).toBeUndefined();
    expect(parseSonarVersion(undefined)).toBeUndefined();
  });

  it('sends a bearer token from 10.0 only, and the basic form before it or when the version is unknown', () => {
    expect(schemeFor(parseSonarVersion('9.9.4.87374'))).toBe('basic');
    expect(schemeFor(parseSonarVersion('10.0.0.68432'))).toBe('bearer');
    expect(schemeFor(parseSonarVersion('2025.1.0.102418'))).toBe('bearer');
    expect(schemeFor(undefined)).toBe('basic');
  });
});
