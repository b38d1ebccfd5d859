import { Command, CommandRunner, Option } from 'nest-commander';
import { ControlRegistry } from '../../../hub/src/controls/control.registry';
import { withHub } from '../hub-context';
import { renderTable } from '../output/table';
import { guarded } from './command-errors';
import { oneOf } from './option-values';

interface Opts {
  config?: string;
  format?: string;
}

@Command({ name: 'controls', description: 'list the control catalog with the parameters in effect' })
export class ControlsCommand extends CommandRunner {
  async run(_params: string[], opts: Opts): Promise<void> {
    await guarded(async () => {
      const format = oneOf('--format', opts.format, ['table', 'json'], 'table');
      await withHub({ config: opts.config }, async (app) => {
        const controls = app
          .get(ControlRegistry)
          .effective()
          .map((c) => ({
            id: c.definition.id,
            title: c.definition.title,
            severity: c.severity,
            enabled: c.enabled,
            params: c.params,
            frameworks: c.definition.frameworks,
            subject: c.definition.subjectType,
            needs: c.definition.needs,
            description: c.definition.description,
          }));
        if (format === 'json') {
          process.stdout.write(JSON.stringify(controls, null, 2) + '\n');
        } else {
          process.stdout.write(
            renderTable(controls, [
              { header: 'ID', value: (c) => c.id },
              { header: 'TITLE', value: (c) => c.title },
              { header: 'SEVERITY', value: (c) => c.severity },
              { header: 'ENABLED', value: (c) => (c.enabled ? 'yes' : 'no') },
              {
                header: 'PARAMS',
                value: (c) =>
                  Object.entries(c.params)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(' '),
              },
              { header: 'FRAMEWORKS', value: (c) => c.frameworks.join(' '), max: 80 },
            ]),
          );
        }
      });
    });
  }

  @Option({
    flags: '--config <file>',
    description: 'config file (default $AUDIT_HUB_CONFIG, then ./config/audit-hub.yaml)',
  })
  parseConfig(v: string): string {
    return v;
  }

  @Option({ flags: '--format <format>', description: 'table or json' })
  parseFormat(v: string): string {
    return v;
  }
}
