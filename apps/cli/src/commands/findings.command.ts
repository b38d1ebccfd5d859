import { Command, CommandRunner, Option } from 'nest-commander';
import { Redactor } from '../../../hub/src/config/redactor';
import { FindingQueryService } from '../../../hub/src/findings/finding-query.service';
import { findingView } from '../../../hub/src/runs/run-report.builder';
import { withHub } from '../hub-context';
import { findingsCsv, findingsTable } from '../output/findings.format';
import { guarded, usage } from './command-errors';

interface Opts {
  config?: string;
  status?: string;
  control?: string;
  service?: string;
  format?: string;
}

@Command({ name: 'findings', description: 'list stored findings' })
export class FindingsCommand extends CommandRunner {
  async run(_params: string[], opts: Opts): Promise<void> {
    await guarded(async () => {
      const format = opts.format ?? 'table';
      if (!['table', 'json', 'csv'].includes(format))
        throw usage(`--format: must be table, json or csv, not "${format}"`);
      await withHub({ config: opts.config }, async (app) => {
        // Stored redacted; redacted again as it is printed, as every other output is.
        const findings = app
          .get(Redactor)
          .redactDeep(
            (
              await app
                .get(FindingQueryService)
                .list({ status: opts.status, control: opts.control, service: opts.service })
            ).map(findingView),
          );
        if (format === 'json') process.stdout.write(JSON.stringify(findings, null, 2) + '\n');
        else if (format === 'csv') process.stdout.write(findingsCsv(findings));
        else process.stdout.write(findingsTable(findings));
      });
    });
  }

  @Option({ flags: '--config <file>', description: 'config file' })
  parseConfig(v: string): string {
    return v;
  }
  @Option({ flags: '--status <status>', description: 'open, reopened, resolved or accepted (comma list)' })
  parseStatus(v: string): string {
    return v;
  }
  @Option({ flags: '--control <id>', description: 'a control id, e.g. RM-CHG-001' })
  parseControl(v: string): string {
    return v;
  }
  @Option({ flags: '--service <name>', description: 'a service name' })
  parseService(v: string): string {
    return v;
  }
  @Option({ flags: '--format <format>', description: 'table, json or csv' })
  parseFormat(v: string): string {
    return v;
  }
}
