import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { IsOptional, IsString } from 'class-validator';
import { ConfigError } from './config.error';
import { loadConfig, parseConfig, validateSection, type LoadedConfig } from './config.loader';

const EXAMPLE = resolve(__dirname, '../../../../config/audit-hub.example.yaml');

const EXAMPLE_ENV = {
  GITLAB_TOKEN: 'glpat-fake-gitlab-token',
  JENKINS_TOKEN: 'fake-jenkins-token',
  SN_PASSWORD: 'fake-sn-password',
  VAULT_TOKEN: 'hvs.fake-vault-token',
  CYBERARK_PASSWORD: 'fake-cyberark-password',
  SONAR_TOKEN: 'squ_fake-sonar-token',
  JIRA_TOKEN: 'fake-jira-token',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-hub-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** The ConfigError a load throws (fails the test when it does not throw one). */
function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

function parse(text: string, env: NodeJS.ProcessEnv = {}): LoadedConfig {
  return parseConfig(text, { env, baseDir: dir });
}

const GITLAB = `connectors:
  - id: gitlab
    plugin: gitlab
    baseUrl: https://gitlab.example.com
    auth: { token: "\${env:GITLAB_TOKEN}" }
`;

describe('the example config', () => {
  it('loads without problems given the variables and the key file it references', () => {
    const file = join(dir, 'audit-hub.yaml');
    copyFileSync(EXAMPLE, file);
    write('keys/ledger-ed25519.pem', '-----BEGIN PRIVATE KEY-----\nfake\n-----END PRIVATE KEY-----\n');

    const loaded = loadConfig({ path: file, env: EXAMPLE_ENV, cwd: '/' });

    expect(loaded.path).toBe(file);
    const { config } = loaded;
    expect(config.connectors.map((c) => c.id)).toEqual([
      'gitlab',
      'jenkins',
      'servicenow',
      'cmdb',
      'vault',
      'cyberark',
      'sonarqube',
      'jira',
    ]);
    expect(config.connectors[0].auth).toEqual({ token: 'glpat-fake-gitlab-token' });
    expect(config.connectors[0].http).toEqual({
      timeoutMs: 30000,
      concurrency: 4,
      retries: 4,
      maxRetryAfterMs: 120000,
    });
    expect(config.connectors[1].options).toEqual({
      deployJobs: ['*deploy*'],
      environmentParameter: 'ENVIRONMENT',
      versionParameter: 'VERSION',
    });
    expect(config.linking.changePattern).toBe('\\bCHG\\d{7}\\b');
    expect(config.identities.aliases).toEqual({ 'jane.doe@acme.com': ['jdoe', 'jane'] });
    expect(config.roles['break-glass']).toEqual({ groups: [], users: ['oncall-sre'] });
    expect(config.controls['RM-EMG-001']).toEqual({ params: { reviewHours: 48 } });
    expect(config.controls['RM-SOD-003']).toEqual({ enabled: true, params: {} });
    expect(config.evidence.signingKey).toBe('-----BEGIN PRIVATE KEY-----\nfake\n-----END PRIVATE KEY-----');
    expect(config.remediation).toEqual({
      tracker: 'jira',
      minSeverity: 'high',
      grouping: 'per-finding',
      reminderDays: 7,
      sla: { critical: '7d', high: '30d', medium: '90d', low: '180d' },
    });
    expect(config.exceptions[0].expires).toBe('2027-03-31');
    expect(loaded.secrets).toEqual(
      expect.arrayContaining([...Object.values(EXAMPLE_ENV), config.evidence.signingKey]),
    );
    expect(loaded.lineOf(['connectors', 1, 'baseUrl'])).toBeGreaterThan(loaded.lineOf(['connectors', 0])!);
  });
});

describe('finding the file', () => {
  it('applies the built-in defaults when no file is named and ./config/audit-hub.yaml does not exist', () => {
    const loaded = loadConfig({ env: {}, cwd: dir });

    expect(loaded.path).toBeNull();
    expect(loaded.secrets).toEqual([]);
    expect(loaded.lineOf(['storage'])).toBeUndefined();
    expect(loaded.config).toEqual({
      storage: { database: 'sqlite:./data/audit-hub.sqlite' },
      schedule: { timezone: 'UTC' },
      collect: { since: '90d', sinceMs: 90 * 24 * 3600 * 1000 },
      environments: { production: ['prod*', 'production*', 'live'] },
      linking: { changePattern: '\\bCHG\\d{7}\\b' },
      connectors: [],
      services: [],
      identities: { sources: [], aliases: {}, serviceAccountPattern: '^svc[-_]' },
      roles: {},
      production: { vaultPolicies: [], cyberarkSafes: [] },
      controls: {},
      exceptions: [],
      evidence: { retentionDays: 2557 },
      remediation: { minSeverity: 'high', grouping: 'per-finding', reminderDays: 7 },
      api: {},
      network: { allowPrivate: true, allow: [] },
    });
  });

  it('reads ./config/audit-hub.yaml from the working directory', () => {
    const file = write('config/audit-hub.yaml', 'collect: { since: 2w }\n');
    const loaded = loadConfig({ env: {}, cwd: dir });
    expect(loaded.path).toBe(file);
    expect(loaded.config.collect).toEqual({ since: '2w', sinceMs: 14 * 24 * 3600 * 1000 });
  });

  it('prefers $AUDIT_HUB_CONFIG over ./config/audit-hub.yaml, and the path argument over both', () => {
    write('config/audit-hub.yaml', 'collect: { since: 1d }\n');
    write('from-env.yaml', 'collect: { since: 2d }\n');
    write('from-arg.yaml', 'collect: { since: 3d }\n');
    const env = { AUDIT_HUB_CONFIG: 'from-env.yaml' };
    expect(loadConfig({ env, cwd: dir }).config.collect.since).toBe('2d');
    expect(loadConfig({ env, cwd: dir, path: 'from-arg.yaml' }).config.collect.since).toBe('3d');
  });

  it('refuses a named file that is missing, with exit code 2', () => {
    write('config/audit-hub.yaml', '{}\n');
    const byArg = configError(() => loadConfig({ path: 'nope.yaml', env: {}, cwd: dir }));
    expect(byArg.code).toBe('config_missing');
    expect(byArg.exitCode).toBe(2);
    expect(byArg.message).toContain(join(dir, 'nope.yaml'));

    const byEnv = configError(() =>
      loadConfig({ env: { AUDIT_HUB_CONFIG: '/no/such/file.yaml' }, cwd: dir }),
    );
    expect(byEnv.code).toBe('config_missing');
    expect(byEnv.message).toContain('/no/such/file.yaml');
    expect(byEnv.message).toContain('$AUDIT_HUB_CONFIG');
  });

  it('treats an empty file as all defaults', () => {
    expect(parse('# nothing yet\n').config.storage.database).toBe('sqlite:./data/audit-hub.sqlite');
  });
});

describe('validation errors', () => {
  it('names the 0-based path and the line of a bad connector URL', () => {
    const text = `${GITLAB}  - id: jenkins
    plugin: jenkins
    baseUrl: jenkins.example.com
`;
    const err = configError(() => parse(text, { GITLAB_TOKEN: 'glpat-0123456789' }));
    expect(err.code).toBe('config_invalid');
    expect(err.exitCode).toBe(2);
    expect(err.problems).toEqual(['connectors[1].baseUrl (line 8): must be an http(s) URL']);
    expect(err.message).toContain('connectors[1].baseUrl (line 8): must be an http(s) URL');
  });

  it('refuses unknown keys outside options, and accepts any key inside options and auth', () => {
    const ok = parse(`connectors:
  - id: gitlab
    plugin: gitlab
    baseUrl: https://gitlab.example.com
    auth: { token: t, anything: 1 }
    options: { groups: [acme], nested: { whatever: true } }
`);
    expect(ok.config.connectors[0].options).toEqual({ groups: ['acme'], nested: { whatever: true } });

    const err = configError(() =>
      parse(`connectors:
  - id: gitlab
    plugin: gitlab
    baseUrl: https://gitlab.example.com
    bogus: 1
    http: { timeoutMs: 1000, timeout: 5 }
roles:
  developer: { groups: [], user: [x] }
storag: {}
`),
    );
    expect(err.problems).toEqual([
      'connectors[0].bogus (line 5): unknown key',
      'connectors[0].http.timeout (line 6): unknown key',
      'roles.developer.user (line 8): unknown key',
      'storag (line 9): unknown key',
    ]);
  });

  it('names a missing required key at the line of its parent', () => {
    const err = configError(() =>
      parse('connectors:\n  - id: gitlab\n    baseUrl: https://gitlab.example.com\n'),
    );
    expect(err.problems).toEqual(['connectors[0].plugin (line 2): is required']);
  });

  it('reports every problem together, in file order', () => {
    const err = configError(() =>
      parse(`schedule:
  reconcile: "0 2 * *"
  timezone: Mars/Olympus
collect: { since: 90 days }
linking:
  changePattern: "CHG(\\\\d+"
connectors:
  - id: GitLab
    plugin: gitlab
    baseUrl: ftp://gitlab.example.com
    http: { concurrency: 0 }
  - id: jira
    plugin: jira
    baseUrl: https://acme.atlassian.net
  - id: jira
    plugin: jira
    baseUrl: https://other.atlassian.net
services:
  - { name: api, criticality: urgent }
  - { name: api }
identities: { sources: [snow], aliases: { "a@b.c": "ab" } }
roles:
  developer: { groups: ["snow:Developers"] }
controls:
  RM-CHG-1: { enabled: yes }
exceptions:
  - control: RM-ACC-003
    subject: "cyberark:svc-*"
    reason: rotated
    requestedBy: Ops@acme.com
    approvedBy: ops@acme.com
    expires: 2027-02-30
remediation: { tracker: jiira, grouping: per-team }
`),
    );
    expect(err.problems).toEqual([
      'schedule.reconcile (line 2): must be a cron expression of 5 or 6 fields: has 4 fields, expected 5 or 6',
      'schedule.timezone (line 3): must be an IANA time zone such as UTC or Europe/Paris',
      'collect.since (line 4): must be a duration such as 90d, 12h or 2w',
      expect.stringMatching(
        /^linking\.changePattern \(line 6\): must be a valid ECMAScript regular expression \(.+\)$/,
      ),
      'connectors[0].id (line 8): must be a kebab-case id (a-z, 0-9 and -, starting with a letter)',
      'connectors[0].baseUrl (line 10): must be an http(s) URL',
      'connectors[0].http.concurrency (line 11): must be an integer of at least 1',
      'connectors[2].id (line 15): duplicate connector id "jira" (also connectors[1])',
      'services[0].criticality (line 19): must be one of high, medium, low',
      'services[1].name (line 20): duplicate service "api" (also services[0])',
      'identities.aliases (line 21): must map e-mail addresses to lists of user names: "a@b.c" is not a list of strings',
      'identities.sources[0] (line 21): no connector "snow" is configured (connectors: GitLab, jira)',
      'roles.developer.groups[0] (line 23): no connector "snow" is configured (connectors: GitLab, jira)',
      'controls.RM-CHG-1 (line 25): is not a control id (RM-<AREA>-<NNN>, such as RM-CHG-001); did you mean "RM-CHG-001"?',
      'controls.RM-CHG-1.enabled (line 25): must be true or false',
      'exceptions[0].approvedBy (line 31): must differ from requestedBy: an exception is approved by someone other than its requester',
      'exceptions[0].expires (line 32): must be a date written YYYY-MM-DD',
      'remediation.grouping (line 33): must be one of per-finding, per-control-service',
      'remediation.tracker (line 33): no connector "jiira" is configured; did you mean "jira"? (connectors: GitLab, jira)',
    ]);
    expect(err.message.split('\n')).toHaveLength(err.problems.length + 1);
  });

  it('reports an entry that is not a mapping once, without the noise below it', () => {
    const err = configError(() =>
      parse(`connectors:
  - [gitlab]
  -
roles:
  developer: [{ groups: [] }]
controls: { RM-CHG-001: [1] }
`),
    );
    expect(err.problems).toEqual([
      'connectors[0] (line 2): must be a mapping',
      'connectors[1] (line 3): must be a mapping',
      'roles.developer (line 5): must be a mapping',
      'controls.RM-CHG-001 (line 6): must be a mapping',
    ]);
  });

  it('accepts 6-field cron expressions with names, ranges and steps', () => {
    const loaded = parse('schedule: { reconcile: "0 30 2 * jan-jun mon-fri/2", timezone: Europe/Paris }\n');
    expect(loaded.config.schedule).toEqual({
      reconcile: '0 30 2 * jan-jun mon-fri/2',
      timezone: 'Europe/Paris',
    });
  });

  it('reports YAML syntax errors with their line', () => {
    const err = configError(() => parse('storage:\n  database: sqlite:x\n  database: sqlite:y\n'));
    expect(err.code).toBe('config_invalid');
    expect(err.problems).toEqual([
      expect.stringMatching(/^syntax error \(line 3, column 3\): Map keys must be unique/),
    ]);

    const unclosed = configError(() => parse('environments:\n  production: [prod\n'));
    expect(unclosed.problems[0]).toMatch(/^syntax error \(line \d+, column \d+\): /);
  });

  it('refuses a file that is not a mapping', () => {
    expect(configError(() => parse('- a\n- b\n')).problems).toEqual(['(root) (line 1): must be a mapping']);
  });
});

describe('dates', () => {
  it('keep exception expiry dates as the strings written, even under a YAML 1.1 directive or a timestamp tag', () => {
    const exception = (expires: string) => `exceptions:
  - control: RM-ACC-003
    subject: "cyberark:svc-*"
    reason: rotated
    requestedBy: ops@acme.com
    approvedBy: ciso@acme.com
    expires: ${expires}
`;
    expect(parse(exception('2027-03-31')).config.exceptions[0].expires).toBe('2027-03-31');
    expect(parse(`%YAML 1.1\n---\n${exception('2027-03-31')}`).config.exceptions[0].expires).toBe(
      '2027-03-31',
    );
    const tagged = configError(() => parse(exception('!!timestamp 2027-03-31')));
    expect(tagged.problems[0]).toMatch(/^YAML warning \(line 7, column 14\): .*timestamp/);
  });
});

describe('${env:} and ${file:}', () => {
  it('names the key and the variable when a variable is not set', () => {
    const err = configError(() => parse(GITLAB, {}));
    expect(err.problems).toEqual([
      'connectors[0].auth.token (line 5): environment variable GITLAB_TOKEN is not set',
    ]);
  });

  it('substitutes inside a longer string and collects only the substituted value as a secret', () => {
    const loaded = parse('storage:\n  database: "postgres://audit:${env:PG_PASSWORD}@db:5432/audit"\n', {
      PG_PASSWORD: 's3cret-pw',
    });
    expect(loaded.config.storage.database).toBe('postgres://audit:s3cret-pw@db:5432/audit');
    expect(loaded.secrets).toEqual(['s3cret-pw']);
  });

  it('reads ${file:} relative to the config file, trimming the trailing newline', () => {
    write('conf/secrets/jira-token', 'token-from-file\n');
    const file = write(
      'conf/audit-hub.yaml',
      `connectors:
  - id: jira
    plugin: jira
    baseUrl: https://acme.atlassian.net
    auth: { email: a@acme.com, token: "\${file:secrets/jira-token}" }
`,
    );
    const loaded = loadConfig({ path: file, env: {}, cwd: '/' });
    expect(loaded.config.connectors[0].auth.token).toBe('token-from-file');
    expect(loaded.secrets).toEqual(['token-from-file']);
  });

  it('names the key and the file when a file cannot be read', () => {
    const err = configError(() => parse('evidence: { signingKey: "${file:keys/missing.pem}" }\n'));
    expect(err.problems).toEqual([
      `evidence.signingKey (line 1): file keys/missing.pem (${join(dir, 'keys/missing.pem')}) does not exist`,
    ]);
  });

  it('never puts a resolved secret in an error, even when the failing value contains it', () => {
    const secret = 'hunter2-very-secret';
    const err = configError(() =>
      parse(
        `schedule: { reconcile: "\${env:CRON}" }
linking: { changePattern: "(\${env:SECRET}" }
connectors:
  - id: "\${env:SECRET}"
    plugin: gitlab
    baseUrl: "not a url \${env:SECRET}"
  - id: "\${env:SECRET}"
    plugin: gitlab
    baseUrl: https://gitlab.example.com
remediation: { tracker: "\${env:SECRET}x" }
`,
        { SECRET: secret, CRON: `${secret} * * * *` },
      ),
    );
    expect(err.problems.length).toBeGreaterThanOrEqual(4);
    expect(err.message).not.toContain(secret);
    expect(err.problems.join('\n')).not.toContain(secret);
    expect(err.message).toContain('[REDACTED]');
  });
});

describe('secrets too short to redact', () => {
  it('refuses a substituted value shorter than 8 characters, naming the key, line and reference, never the value', () => {
    const err = configError(() => parse(GITLAB, { GITLAB_TOKEN: 'Qz7-abc' }));
    expect(err.problems).toEqual([
      'connectors[0].auth.token (line 5): ${env:GITLAB_TOKEN} resolves to 7 characters: a substituted value is ' +
        'redacted from every log, error and output, so it must be at least 8 characters (write a value that is ' +
        'not secret literally)',
    ]);
    expect(err.message).not.toContain('Qz7-abc');
  });

  it('reports a 1-character secret without letting it mangle the message', () => {
    const err = configError(() => parse(GITLAB, { GITLAB_TOKEN: '5' }));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(
      /^connectors\[0\]\.auth\.token \(line 5\): \$\{env:GITLAB_TOKEN\} resolves to 1 character:/,
    );
    expect(err.message).not.toContain('[REDACTED]');
  });

  it('refuses a short ${file:} value too, and reports it before the problems it would hide', () => {
    write('keys/short.pem', 'abc\n');
    const err = configError(() =>
      parse('evidence: { signingKey: "${file:keys/short.pem}" }\nschedule: { reconcile: "not cron abc" }\n'),
    );
    expect(err.problems).toEqual([
      expect.stringMatching(
        /^evidence\.signingKey \(line 1\): \$\{file:keys\/short\.pem\} resolves to 3 characters:/,
      ),
    ]);
  });

  it('accepts a substituted value of exactly 8 characters, and an empty one (never redacted)', () => {
    expect(parse(GITLAB, { GITLAB_TOKEN: '12345678' }).secrets).toEqual(['12345678']);
    expect(parse('storage:\n  redis: "redis://127.0.0.1:6379${env:EMPTY}"\n', { EMPTY: '' }).secrets).toEqual(
      [],
    );
  });
});

describe('validateSection', () => {
  class PluginAuth {
    @IsString()
    token!: string;
  }
  class PluginOptions {
    @IsOptional()
    @IsString({ each: true })
    groups?: string[];
  }
  const lines = parse(`connectors:
  - id: gitlab
    plugin: gitlab
    baseUrl: https://gitlab.example.com
    auth:
      token: 42
      extra: x
    options: { groups: [1], free: yes }
`);

  it('validates a plugin class with the same path and line format', () => {
    const auth = validateSection(
      PluginAuth,
      lines.config.connectors[0].auth,
      ['connectors', 0, 'auth'],
      lines.lineOf,
      true,
    );
    expect(auth.problems).toEqual([
      'connectors[0].auth.token (line 6): must be a string',
      'connectors[0].auth.extra (line 7): unknown key',
    ]);
    expect(auth.value).toBeInstanceOf(PluginAuth);
  });

  it('allows unknown keys when told to (options)', () => {
    const options = validateSection(
      PluginOptions,
      lines.config.connectors[0].options,
      ['connectors', 0, 'options'],
      lines.lineOf,
      false,
    );
    expect(options.problems).toEqual(['connectors[0].options.groups (line 8): each value must be a string']);
    expect(options.value.groups).toEqual([1]);
  });

  it('reports a missing required key and a non-mapping section at the nearest line', () => {
    const bare = parse('connectors:\n  - id: x\n    plugin: gitlab\n    baseUrl: https://x.example.com\n');
    expect(validateSection(PluginAuth, undefined, ['connectors', 0, 'auth'], bare.lineOf).problems).toEqual([
      'connectors[0].auth.token (line 2): is required',
    ]);
    expect(validateSection(PluginAuth, 'token', ['connectors', 0, 'auth'], bare.lineOf).problems).toEqual([
      'connectors[0].auth (line 2): must be a mapping',
    ]);
  });

  it('treats a plugin without a class as declaring no keys', () => {
    expect(
      validateSection(undefined, { a: 1 }, ['connectors', 0, 'auth'], lines.lineOf, true).problems,
    ).toEqual(['connectors[0].auth.a (line 5): unknown key']);
    expect(
      validateSection(undefined, { a: 1 }, ['connectors', 0, 'options'], lines.lineOf, false).problems,
    ).toEqual([]);
  });
});
