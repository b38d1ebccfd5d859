#!/usr/bin/env node
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli.module';

/**
 * Commander's own outcomes: help and version are exit 0, anything else it refuses (an unknown
 * command or option, a missing argument) is a usage error, exit 2. Commander exits right after this
 * callback, so the code is set here.
 */
function commanderExit(err: { code?: string; exitCode?: number }): never {
  const ok =
    err.code === 'commander.helpDisplayed' ||
    err.code === 'commander.version' ||
    err.code === 'commander.help';
  process.exit(ok ? 0 : 2);
}

async function main(): Promise<void> {
  // Commands print their own progress; the JSON log on stderr carries warnings and errors unless asked.
  process.env.AUDIT_HUB_LOG_LEVEL ??= process.argv.includes('serve') ? 'info' : 'warn';
  await CommandFactory.run(CliModule, {
    logger: false,
    errorHandler: (err) => commanderExit(err as any),
    serviceErrorHandler: (err) => {
      process.stderr.write(`audit-hub: ${err.message}\n`);
      process.exitCode = 3;
    },
    cliName: 'audit-hub',
  });
}

void main();
