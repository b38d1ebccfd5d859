import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../../../../test/support/hub';
import { TokensCreateCommand, TokensListCommand, TokensRevokeCommand } from './tokens.command';

describe('tokens command', () => {
  const scratch = scratchDir();
  const config = join(scratch.dir, 'audit-hub.yaml');
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  let exitCode: typeof process.exitCode;
  const out = () => stdout.mock.calls.map((c) => String(c[0])).join('');
  const err = () => stderr.mock.calls.map((c) => String(c[0])).join('');

  beforeAll(() =>
    writeFileSync(config, `storage:\n  database: "sqlite:${join(scratch.dir, 'hub.sqlite')}"\n`),
  );
  afterAll(() => scratch.remove());
  beforeEach(() => {
    exitCode = process.exitCode;
    process.exitCode = undefined;
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    process.exitCode = exitCode;
    stdout.mockRestore();
    stderr.mockRestore();
  });

  it('prints a new token once on stdout, and what it grants on stderr', async () => {
    await new TokensCreateCommand().run([], { config, role: 'auditor', team: 'payments', name: 'jane' });
    expect(process.exitCode ?? 0).toBe(0);
    expect(out()).toMatch(/^ahk_[A-Za-z0-9_-]{43}\n$/);
    expect(err()).toContain('API token "jane" created: role auditor, scoped to team payments');
  });

  it('lists tokens without the tokens themselves, and revokes by name', async () => {
    await new TokensCreateCommand().run([], { config, role: 'operator', name: 'ops' });
    const token = out().trim();
    stdout.mockClear();
    await new TokensRevokeCommand().run(['ops'], { config });
    expect(out()).toMatch(/^API token "ops" revoked at /);
    stdout.mockClear();
    await new TokensListCommand().run([], { config });
    expect(out()).toMatch(/^NAME\s+ROLE\s+TEAM/);
    expect(out()).toMatch(/jane\s+auditor\s+payments/);
    expect(out()).not.toContain(token);
  });

  it('exits 2 on a missing or unknown role', async () => {
    await new TokensCreateCommand().run([], { config });
    expect(process.exitCode).toBe(2);
    expect(err()).toContain('--role: required, one of admin, operator, auditor');
    await new TokensCreateCommand().run([], { config, role: 'root' });
    expect(err()).toContain('--role: must be one of admin, operator, auditor, not "root"');
  });
});
