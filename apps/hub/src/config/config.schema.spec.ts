import { ConfigError } from './config.error';
import {
  cronError,
  defaultConfig,
  isCalendarDate,
  isDatabaseUrl,
  isHttpUrl,
  parseDuration,
} from './config.schema';

describe('config value checks', () => {
  it.each([
    '0 2 * * *',
    '*/15 * * * *',
    '0 0 2 * * *',
    '0 9-17/2 * * mon-fri',
    '0 0 1,15 jan,jul *',
    '0 0 * * 7',
  ])('accepts the cron expression %s', (expression) => expect(cronError(expression)).toBeUndefined());

  it.each([
    ['0 2 * *', 'has 4 fields, expected 5 or 6'],
    ['0 0 0 2 * * *', 'has 7 fields, expected 5 or 6'],
    ['60 * * * *', 'minute field "60" is not valid (0-59)'],
    ['0 0 24 * * *', 'hour field "24" is not valid (0-23)'],
    ['0 0 0 0 * *', 'day of month field "0" is not valid (1-31)'],
    ['*/0 * * * *', 'minute field "*/0" is not valid (0-59)'],
    ['0 5-1 * * *', 'hour field "5-1" is not valid (0-23)'],
    ['0 0 * foo *', 'month field "foo" is not valid (1-12)'],
  ])('refuses the cron expression %s', (expression, why) => expect(cronError(expression)).toBe(why));

  it('reads durations in hours, days and weeks', () => {
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('90d')).toBe(90 * 86_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    for (const bad of ['0d', '90', 'd', '1.5d', '3m', '90 d']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('accepts only real calendar dates written YYYY-MM-DD', () => {
    expect(isCalendarDate('2027-03-31')).toBe(true);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    for (const bad of ['2027-02-30', '2027-3-31', '31/03/2027', '2027-03-31T00:00:00Z', 20270331]) {
      expect(isCalendarDate(bad)).toBe(false);
    }
  });

  it('accepts http(s) URLs with a host, and postgres or sqlite databases', () => {
    expect(isHttpUrl('http://127.0.0.1:4010')).toBe(true);
    expect(isHttpUrl('https://jenkins.example.com/jenkins/')).toBe(true);
    for (const bad of ['jenkins.example.com', 'ftp://x.example.com', 'https://', 42])
      expect(isHttpUrl(bad)).toBe(false);
    expect(isDatabaseUrl('sqlite:./data/audit-hub.sqlite')).toBe(true);
    expect(isDatabaseUrl('postgresql://u:p@db/audit')).toBe(true);
    expect(isDatabaseUrl('mysql://u:p@db/audit')).toBe(false);
    expect(isDatabaseUrl('sqlite:')).toBe(false);
  });

  it('gives independent default objects', () => {
    const a = defaultConfig();
    a.environments.production.push('staging');
    expect(defaultConfig().environments.production).toEqual(['prod*', 'production*', 'live']);
  });
});

describe('ConfigError', () => {
  it('lists one problem per line and exits 2', () => {
    const err = new ConfigError('config_invalid', ['a (line 1): x', 'b (line 2): y'], '/etc/audit-hub.yaml');
    expect(err).toBeInstanceOf(Error);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      'invalid configuration in /etc/audit-hub.yaml (2 problems):\n  a (line 1): x\n  b (line 2): y',
    );
  });
});
