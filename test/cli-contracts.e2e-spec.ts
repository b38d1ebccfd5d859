/**
 * The command line's contracts (shared/spec/interfaces.md "Commands"), on the built CLI:
 * - usage errors — an unknown option or command, an option without its value or with a value it does
 *   not take, an extra argument — are exit 2 with a message naming what is wrong, never 1 (which
 *   means findings at or above --fail-on); --help and --version are exit 0;
 * - config references are checked at load by every command that reads the config: exit 2 naming
 *   the file, the key path, the line and the bad value, before anything connects;
 * - the documented invocations (`npx audit-hub`, `npm run --silent audit-hub --`) put only the
 *   command's output on stdout, so JSON can be redirected to a file.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCli } from './support/cli-process';
import { scratchDir } from './support/hub';

const ROOT = join(__dirname, '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('CLI contracts', () => {
  const scratch = scratchDir();
  // No ./config/audit-hub.yaml and no $AUDIT_HUB_CONFIG: the built-in defaults, unless --config.
  const env = { AUDIT_HUB_CONFIG: '', AUDIT_HUB_LOG_LEVEL: 'warn' };

  afterAll(() => scratch.remove());

  async function cli(...args: string[]): Promise<Outcome> {
    const p = spawnCli(args, env, scratch.dir);
    const { code } = await p.exited;
    return { code, stdout: p.stdout.join(''), stderr: p.stderr.join('') };
  }

  function config(name: string, text: string): string {
    const file = join(scratch.dir, name);
    writeFileSync(file, `storage:\n  database: "sqlite:${join(scratch.dir, `${name}.sqlite`)}"\n${text}`);
    return file;
  }

  describe('usage errors are exit 2, naming what is wrong', () => {
    it.each([
      [
        ['reconcile', '--bogus'],
        [`unknown option '--bogus'`, '(audit-hub reconcile --help lists its usage)'],
      ],
      [
        ['connectors', 'check', '--confg', 'x.yaml'],
        [`unknown option '--confg'`, 'Did you mean --config?'],
      ],
      [['findings', '--control'], [`option '--control <id>' argument missing`]],
      [
        ['controls', 'extra', 'extra'],
        [`too many arguments for 'controls'. Expected 0 arguments but got 2.`],
      ],
      [
        ['tokens', 'revoke', 'a', 'b'],
        [`too many arguments for 'revoke'`, 'audit-hub tokens revoke --help'],
      ],
      [['nosuch'], [`unknown command 'nosuch'`]],
      [['findings', '--control', 'RM-XXX-999'], ['--control: unknown control "RM-XXX-999"']],
      [
        ['findings', '--control', 'RM-CHG-01'],
        ['--control: unknown control "RM-CHG-01"; did you mean "RM-CHG-001"?'],
      ],
      [
        ['findings', '--format', 'jsn'],
        ['--format: must be table, json or csv, not "jsn"; did you mean "json"?'],
      ],
      [['findings', '--status', 'closed'], ['--status: unknown status closed']],
      [['controls', '--format', 'yaml'], ['--format: must be table or json, not "yaml"']],
      [['demo', '--scale', '0'], ['--scale: must be a whole number of at least 1, not "0"']],
      [['demo', '--seed', 'x'], ['--seed: must be a whole number of at least 0, not "x"']],
      [['sandbox', '--port', '70000'], ['--port: must be a whole number from 0 to 65535, not "70000"']],
      [
        ['reconcile', '--fail-on', 'urgent'],
        ['--fail-on: must be one of critical, high, medium, low, not "urgent"'],
      ],
      [
        ['reconcile', '--config', 'missing.yaml'],
        ['missing.yaml', 'does not exist'],
      ],
    ])('%j', async (args, messages) => {
      const { code, stdout, stderr } = await cli(...args);
      expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
      expect(stderr).toMatch(/^audit-hub: /);
      for (const message of messages) expect(stderr).toContain(message);
    });

    it('no command at all: exit 2 with the usage on stderr', async () => {
      const { code, stdout, stderr } = await cli();
      expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
      expect(stderr).toContain('Usage: audit-hub [options] [command]');
    });
  });

  describe('help and version are exit 0 on stdout', () => {
    it.each([['--version'], ['-V']])('%s prints the version of package.json', async (flag) => {
      expect(await cli(flag)).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    });

    it('--help of a command', async () => {
      const { code, stdout, stderr } = await cli('findings', '--help');
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toContain('Usage: audit-hub findings [options]');
      expect(stdout).toContain('--control <id>');
    });
  });

  describe('config references are checked at load, by every command that reads the config', () => {
    it.each([['controls'], ['findings'], ['connectors', 'check'], ['reconcile']])(
      'an unknown plugin fails %s',
      async (...command) => {
        const file = config(
          'plugin.yaml',
          `connectors:
  - id: sonar
    plugin: sonarqub
    baseUrl: https://sonar.example.com
`,
        );
        const { code, stdout, stderr } = await cli(...command, '--config', file);
        expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
        expect(stderr).toContain(`invalid configuration in ${file} (1 problem):`);
        expect(stderr).toMatch(
          /connectors\[0\]\.plugin \(line 5\): plugin "sonarqub" not found: .*; did you mean "sonarqube"\?/,
        );
      },
    );

    it.each([
      [
        'an exception naming an unknown control',
        `exceptions:
  - control: RM-ACC-009
    subject: "cyberark:svc-*"
    reason: rotated
    requestedBy: ops@acme.com
    approvedBy: ciso@acme.com
    expires: 2027-03-31
`,
        'exceptions[0].control (line 4): unknown control "RM-ACC-009"; did you mean',
      ],
      [
        'a tracker that is not a tracker',
        `connectors:
  - { id: gitlab, plugin: gitlab, baseUrl: "https://gitlab.example.com", auth: { token: glpat-0123456789 } }
remediation: { tracker: gitlab }
`,
        'remediation.tracker (line 5): connector "gitlab" (plugin gitlab) is not a tracker (it cannot file tickets)',
      ],
      [
        'an identity source that does not exist',
        `connectors:
  - { id: snow, plugin: servicenow, baseUrl: "https://acme.service-now.com" }
identities: { sources: [servicenow] }
`,
        'identities.sources[0] (line 5): no connector "servicenow" is configured (connectors: snow)',
      ],
      [
        'a role group of an unknown connector',
        `roles:
  developer: { groups: ["servicenow:Developers"] }
`,
        'roles.developer.groups[0] (line 4): no connector "servicenow" is configured (there are no connectors)',
      ],
      [
        'an unknown control parameter',
        `controls:
  RM-EMG-001: { params: { reviewHour: 48 } }
`,
        'controls.RM-EMG-001.params.reviewHour (line 4): unknown parameter of RM-EMG-001; did you mean "reviewHours"?',
      ],
    ])('%s: exit 2 for `controls`, naming the file, the path and the line', async (_what, text, message) => {
      const file = config('refs.yaml', text);
      const { code, stdout, stderr } = await cli('controls', '--config', file);
      expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
      expect(stderr).toContain(`invalid configuration in ${file}`);
      expect(stderr).toContain(message);
    });

    it('a bad plugin option found when connecting also names the file', async () => {
      const file = config(
        'auth.yaml',
        `connectors:
  - id: gitlab
    plugin: gitlab
    baseUrl: https://gitlab.example.com
    auth: { tokn: glpat-0123456789 }
`,
      );
      const { code, stdout, stderr } = await cli('connectors', 'check', '--config', file);
      expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
      expect(stderr).toContain(`invalid configuration in ${file}`);
      expect(stderr).toContain('connectors[0].auth.tokn (line 7): unknown key');
    });
  });

  describe('stdout is only the output for the documented invocations', () => {
    /** Runs a command in the repository, as a user does after `npm ci`. */
    function inRepo(command: string, args: string[]): Promise<Outcome> {
      return new Promise((resolve, reject) => {
        const child = spawn(command, args, {
          cwd: ROOT,
          env: { ...process.env, ...env, npm_config_update_notifier: 'false' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += String(d)));
        child.stderr.on('data', (d) => (stderr += String(d)));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    }

    it.each([
      ['npx', ['audit-hub']],
      ['npm', ['run', '--silent', 'audit-hub', '--']],
    ])('%s %j: the JSON alone, and the version alone', async (command, prefix) => {
      const version = await inRepo(command, [...prefix, '--version']);
      expect({ code: version.code, stdout: version.stdout }).toEqual({ code: 0, stdout: `${VERSION}\n` });

      const controls = await inRepo(command, [...prefix, 'controls', '--format', 'json']);
      expect(controls.code).toBe(0);
      const parsed = JSON.parse(controls.stdout) as { id: string }[];
      expect(parsed.map((c) => c.id)).toContain('RM-CHG-001');
    });

    it('npx audit-hub passes a usage error through as exit 2', async () => {
      const { code, stdout, stderr } = await inRepo('npx', ['audit-hub', 'reconcile', '--bogus']);
      expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
      expect(stderr).toContain(`unknown option '--bogus'`);
    });
  });
});
