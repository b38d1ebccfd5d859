import { Command, CommandRunner, Option } from 'nest-commander';
import { startSandbox } from '../../../sandbox/src';
import { demoNow, positiveInt } from './demo.command';
import { guarded } from './command-errors';

interface Opts {
  port?: string;
  scale?: string;
  seed?: string;
}

@Command({
  name: 'sandbox',
  description: 'serve the simulated estate alone, and print a config that points at it',
})
export class SandboxCommand extends CommandRunner {
  async run(_params: string[], opts: Opts): Promise<void> {
    await guarded(async () => {
      const port = positiveInt('--port', opts.port, 4010);
      const scale = positiveInt('--scale', opts.scale, 1) || 1;
      const seed = positiveInt('--seed', opts.seed, 42);
      // The estate's clock moves with real time from AUDIT_HUB_NOW (or now), so time travel works.
      const start = demoNow().getTime();
      const startedAt = Date.now();
      const sandbox = await startSandbox({
        port,
        seed,
        scale,
        now: () => new Date(start + (Date.now() - startedAt)),
      });
      process.stdout.write(sandbox.configYaml());
      process.stderr.write(
        `Simulated estate serving at ${sandbox.url} (GitLab under /gitlab, ServiceNow under /servicenow). Ctrl-C stops it.\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => void sandbox.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
  }

  @Option({ flags: '--port <n>', description: 'port (default 4010; 0 picks a free one)' })
  parsePort(v: string): string {
    return v;
  }
  @Option({ flags: '--scale <n>', description: 'size of the estate' })
  parseScale(v: string): string {
    return v;
  }
  @Option({ flags: '--seed <n>', description: 'random seed of the estate' })
  parseSeed(v: string): string {
    return v;
  }
}
