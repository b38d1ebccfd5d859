import {
  formatSonarTime,
  GateValueError,
  mapQualityGate,
  sonarTimeToIso,
} from './sonarqube-quality-gate.mapper';

describe('sonarqube date-times', () => {
  it('reads SonarQube’s offset without a colon, with a colon, and Z, as UTC instants', () => {
    expect(sonarTimeToIso('2016-12-12T17:12:45+0100')).toBe('2016-12-12T16:12:45.000Z');
    expect(sonarTimeToIso('2016-12-12T17:12:45-05:30')).toBe('2016-12-12T22:42:45.000Z');
    expect(sonarTimeToIso('2016-12-12T17:12:45.250Z')).toBe('2016-12-12T17:12:45.250Z');
  });

  it('refuses texts that are not date-times, and dates that do not exist', () => {
    expect(sonarTimeToIso('2016-12-12')).toBeUndefined();
    expect(sonarTimeToIso('2016-02-30T10:00:00+0000')).toBeUndefined();
    expect(sonarTimeToIso('2016-12-12T17:12:45')).toBeUndefined();
    expect(sonarTimeToIso(1481559165000)).toBeUndefined();
  });

  it('writes `from` with a +0000 offset, which SonarQube parses (it does not read a literal Z)', () => {
    expect(formatSonarTime(new Date('2016-12-12T16:12:45.999Z'))).toBe('2016-12-12T16:12:45+0000');
  });
});

describe('mapQualityGate', () => {
  const analysis = { key: 'AX1', date: '2024-05-01T10:00:00+0200', revision: ' abc123 ' };

  it('keeps WARN (SonarQube before 7.6) and drops an empty revision', () => {
    expect(mapQualityGate('p', analysis, { status: 'WARN' }).data).toEqual({
      projectKey: 'p',
      revision: 'abc123',
      analysedAt: '2024-05-01T08:00:00.000Z',
      status: 'WARN',
    });
    expect(
      mapQualityGate('p', { ...analysis, revision: '' }, { status: 'OK' }).data.revision,
    ).toBeUndefined();
  });

  it('names the field that cannot be read', () => {
    expect(() => mapQualityGate('p', { ...analysis, date: 'yesterday' }, { status: 'OK' })).toThrow(
      new GateValueError('date', '"yesterday" is not a date-time'),
    );
    expect(() => mapQualityGate('p', analysis, { status: 'OK', conditions: [{ status: 'OK' }] })).toThrow(
      'projectStatus.conditions[0]: has no metricKey or no status',
    );
  });
});
