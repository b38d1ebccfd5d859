import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../../hub/src/config/config.loader';
import {
  dataSourceOptions,
  redactDatabaseUrl,
  runMigrations,
} from '../../../hub/src/store/data-source.factory';
import { guarded } from './command-errors';

@Command({ name: 'migrate', description: 'apply database migrations' })
export class MigrateCommand extends CommandRunner {
  async run(_params: string[], opts: { config?: string }): Promise<void> {
    await guarded(async () => {
      const loaded = loadConfig({ path: opts.config });
      const url = loaded.config.storage.database;
      const ds = new DataSource(dataSourceOptions(url));
      await ds.initialize();
      try {
        const applied = await runMigrations(ds);
        process.stdout.write(
          applied.length
            ? `Applied ${applied.length} migration(s) to ${redactDatabaseUrl(url)}: ${applied.join(', ')}\n`
            : `${redactDatabaseUrl(url)} is up to date.\n`,
        );
      } finally {
        await ds.destroy();
      }
    });
  }

  @Option({ flags: '--config <file>', description: 'config file' })
  parseConfig(v: string): string {
    return v;
  }
}
