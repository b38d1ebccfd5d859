import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { ConnectorCheckService } from '../../../hub/src/connectors/connector-check.service';
import { withHub } from '../hub-context';
import { connectorCheckLines } from '../output/connectors.format';
import { guarded } from './command-errors';

@SubCommand({
  name: 'check',
  description: "check each connector's reachability, credentials and read permissions",
})
export class ConnectorsCheckCommand extends CommandRunner {
  async run(_params: string[], opts: { config?: string }): Promise<void> {
    await guarded(async () =>
      withHub({ config: opts.config }, async (app) => {
        const results = await app.get(ConnectorCheckService).checkAll();
        if (!results.length) {
          process.stdout.write('No connectors configured.\n');
          return 0;
        }
        for (const r of results) process.stdout.write(connectorCheckLines(r));
        return results.every((r) => r.ok) ? 0 : 3;
      }),
    );
  }

  @Option({ flags: '--config <file>', description: 'config file' })
  parseConfig(v: string): string {
    return v;
  }
}

@Command({ name: 'connectors', description: 'connector operations', subCommands: [ConnectorsCheckCommand] })
export class ConnectorsCommand extends CommandRunner {
  async run(): Promise<void> {
    process.stderr.write('usage: audit-hub connectors check [--config F]\n');
    process.exitCode = 2;
  }
}
