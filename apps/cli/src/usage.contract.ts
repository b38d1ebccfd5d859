/**
 * The command line's usage contract (shared/spec/interfaces.md "Exit codes"): whatever commander
 * refuses — an unknown command or option, an option without its value, an extra positional
 * argument — is a usage error, exit 2, never 1 (which means findings at or above `--fail-on`);
 * `--help` and `--version` are exit 0.
 *
 * Why here and not in `CommandFactory.run({ errorHandler })`: nest-commander builds each command
 * with `new Command()` and `addCommand()`, and commander copies a parent's settings (its
 * `exitOverride`, `allowExcessArguments`) only into commands made with `.command()`. nest-commander
 * then sets the override on the root alone, after the tree is built, so a subcommand's parse error
 * went to commander's own `process.exit(1)`. This walks the built tree once, before parsing.
 */
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Command } from 'commander';
import { InjectCommander } from 'nest-commander';
import { toolVersion } from '../../hub/src/common/tool-version';

export const CLI_NAME = 'audit-hub';

/** Exit code for what commander stopped on: 0 for help and version, 2 for anything it refused. */
export function commanderExitCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; exitCode?: unknown } | null;
  if (!e || typeof e.code !== 'string' || !e.code.startsWith('commander.')) return undefined;
  return e.exitCode === 0 ? 0 : 2;
}

/** `audit-hub tokens create`: the words a user types to reach a command. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.parent ? c.name() : CLI_NAME);
  return names.join(' ');
}

/**
 * Applies the contract to every command of the tree: refuse extra arguments, throw instead of
 * exiting (main maps the error with `commanderExitCode`), and word errors as audit-hub's own
 * messages, with where to find the usage.
 */
export function applyUsageContract(root: Command, version: string): void {
  root.name(CLI_NAME);
  root.version(version, '-V, --version', 'print the version of audit-hub');
  const visit = (cmd: Command): void => {
    cmd.allowExcessArguments(false);
    cmd.exitOverride((err) => {
      throw err;
    });
    cmd.configureOutput({
      outputError: (message, write) => write(`${CLI_NAME}: ${message.replace(/^error: /, '')}`),
    });
    cmd.showHelpAfterError(`(${commandPath(cmd)} --help lists its usage)`);
    for (const sub of cmd.commands) visit(sub);
  };
  visit(root);
}

/** Runs once nest-commander has built the command tree (its onModuleInit), before it parses. */
@Injectable()
export class UsageContract implements OnApplicationBootstrap {
  constructor(@InjectCommander() private readonly root: Command) {}

  onApplicationBootstrap(): void {
    applyUsageContract(this.root, toolVersion());
  }
}
