import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { DataSource } from 'typeorm';
import { ApiTokenService } from '../../../hub/src/auth/api-token.service';
import { API_ROLES } from '../../../hub/src/auth/principal';
import { Clock } from '../../../hub/src/common/clock';
import { withHub } from '../hub-context';
import { renderTable } from '../output/table';
import { guarded, usage } from './command-errors';

interface CreateOpts {
  config?: string;
  role?: string;
  team?: string;
  name?: string;
}

/**
 * `tokens create`: prints a new API token once, on stdout (so it can be captured), and what it
 * grants on stderr. Only the token's SHA-256 is stored.
 */
@SubCommand({ name: 'create', description: 'create an API token and print it once' })
export class TokensCreateCommand extends CommandRunner {
  async run(_params: string[], opts: CreateOpts): Promise<void> {
    await guarded(async () => {
      if (!opts.role) throw usage(`--role: required, one of ${API_ROLES.join(', ')}`);
      await withHub({ config: opts.config }, async (app) => {
        const created = await new ApiTokenService(app.get(DataSource), app.get(Clock)).create({
          role: opts.role!,
          team: opts.team,
          name: opts.name,
        });
        process.stdout.write(`${created.token}\n`);
        process.stderr.write(
          `API token "${created.name}" created: role ${created.role}` +
            `${created.team ? `, scoped to team ${created.team}` : ', all teams'}. ` +
            'It is shown only now: store it in a secret manager.\n',
        );
      });
    });
  }

  @Option({ flags: '--config <file>', description: 'config file' })
  parseConfig(v: string): string {
    return v;
  }
  @Option({ flags: '--role <role>', description: `${API_ROLES.join(', ')} (auditor: read-only)` })
  parseRole(v: string): string {
    return v;
  }
  @Option({ flags: '--team <team>', description: "scope the token to one team's findings and releases" })
  parseTeam(v: string): string {
    return v;
  }
  @Option({
    flags: '--name <name>',
    description: 'a unique name, recorded with every call (default <role>-<random>)',
  })
  parseName(v: string): string {
    return v;
  }
}

@SubCommand({ name: 'list', description: 'list API tokens (never the tokens themselves)' })
export class TokensListCommand extends CommandRunner {
  async run(_params: string[], opts: { config?: string }): Promise<void> {
    await guarded(async () =>
      withHub({ config: opts.config }, async (app) => {
        const tokens = await new ApiTokenService(app.get(DataSource), app.get(Clock)).list();
        process.stdout.write(
          renderTable(tokens, [
            { header: 'NAME', value: (t) => t.name },
            { header: 'ROLE', value: (t) => t.role },
            { header: 'TEAM', value: (t) => t.team ?? '(all)' },
            { header: 'CREATED', value: (t) => t.createdAt },
            { header: 'LAST USED', value: (t) => t.lastUsedAt ?? '-' },
            { header: 'REVOKED', value: (t) => t.revokedAt ?? '-' },
          ]),
        );
      }),
    );
  }

  @Option({ flags: '--config <file>', description: 'config file' })
  parseConfig(v: string): string {
    return v;
  }
}

@SubCommand({ name: 'revoke', arguments: '<name>', description: 'revoke an API token by name' })
export class TokensRevokeCommand extends CommandRunner {
  async run(params: string[], opts: { config?: string }): Promise<void> {
    await guarded(async () =>
      withHub({ config: opts.config }, async (app) => {
        const t = await new ApiTokenService(app.get(DataSource), app.get(Clock)).revoke(params[0]);
        process.stdout.write(`API token "${t.name}" revoked at ${t.revokedAt}.\n`);
      }),
    );
  }

  @Option({ flags: '--config <file>', description: 'config file' })
  parseConfig(v: string): string {
    return v;
  }
}

@Command({
  name: 'tokens',
  description: 'API tokens: create, list, revoke',
  subCommands: [TokensCreateCommand, TokensListCommand, TokensRevokeCommand],
})
export class TokensCommand extends CommandRunner {
  async run(): Promise<void> {
    process.stderr.write(
      'usage: audit-hub tokens create --role admin|operator|auditor [--team T] [--name N]\n' +
        '       audit-hub tokens list | tokens revoke <name>\n',
    );
    process.exitCode = 2;
  }
}
