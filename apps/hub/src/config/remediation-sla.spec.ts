/** `remediation.sla`: a duration per severity, validated with path and line, resolved as written. */
import { ConfigError } from './config.error';
import { parseConfig } from './config.loader';

const parse = (text: string) => parseConfig(text, { env: {}, baseDir: process.cwd() });

function problems(text: string): string[] {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('remediation.sla', () => {
  it('resolves the severities it names, and is absent when the file sets none', () => {
    const loaded = parse('remediation:\n  sla:\n    critical: 7d\n    high: 720h\n    medium: 2w\n');
    expect(loaded.config.remediation.sla).toEqual({ critical: '7d', high: '720h', medium: '2w' });
    expect(parse('remediation:\n  minSeverity: high\n').config.remediation.sla).toBeUndefined();
  });

  it('refuses a value that is not a duration, and an unknown severity, naming the path and line', () => {
    expect(problems('remediation:\n  sla:\n    critical: 7 days\n    urgent: 1d\n')).toEqual([
      'remediation.sla.critical (line 3): must be a duration such as 7d, 72h or 2w',
      'remediation.sla.urgent (line 4): unknown key',
    ]);
  });
});
