#!/usr/bin/env node
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli.module';
import { CLI_NAME, commanderExitCode } from './usage.contract';

async function main(): Promise<void> {
  // Commands print their own progress; the JSON log on stderr carries warnings and errors unless asked.
  process.env.AUDIT_HUB_LOG_LEVEL ??= process.argv.includes('serve') ? 'info' : 'warn';
  await CommandFactory.run(CliModule, {
    logger: false,
    // Commander's own outcomes (usage.contract.ts): help and --version are exit 0, anything it
    // refused is exit 2, its message already on stderr. Anything else escaped a command's guard.
    serviceErrorHandler: (err) => {
      const usage = commanderExitCode(err);
      if (usage !== undefined) {
        process.exitCode = usage;
        return;
      }
      process.stderr.write(`${CLI_NAME}: ${err.message}\n`);
      process.exitCode = 3;
    },
    cliName: CLI_NAME,
  });
}

void main();
