import { Command, CommandRunner, Option } from 'nest-commander';
import { Redactor } from '../../../hub/src/config/redactor';
import { FindingQueryService } from '../../../hub/src/findings/finding-query.service';
import { findingView } from '../../../hub/src/runs/run-report.builder';
import { withHub } from '../hub-context';
import { findingsCsv, findingsTable } from '../output/findings.format';
import { guarded } from './command-errors';
import { controlIdOption, oneOf } from './option-values';

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
      const format = oneOf('--format', opts.format, ['table', 'json', 'csv'], 'table');
      const control = controlIdOption('--control', opts.control);
      await withHub({ config: opts.config }, async (app) => {
        // Stored redacted; redacted again as it is printed, as every other output is.
        const findings = app
          .get(Redactor)
          .redactDeep(
            (
              await app.get(FindingQueryService).list({ status: opts.status, control, service: opts.service })
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
