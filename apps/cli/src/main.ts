#!/usr/bin/env node
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli.module';

/** Commander's own outcomes: help and version are exit 0, anything else it refuses is a usage error (2). */
function commanderExit(err: { code?: string; exitCode?: number }): void {
  const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
  process.exitCode = ok ? 0 : 2;
}

async function main(): Promise<void> {
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
