import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { Command, CommandRunner, Option } from 'nest-commander';
import { SANDBOX_SYSTEMS, startSandbox } from '../../../sandbox/src';
import { demoNow } from './demo.command';
import { guarded } from './command-errors';
import { wholeNumber } from './option-values';

interface Opts {
  port?: string;
  scale?: string;
  seed?: string;
  manifest?: string;
}

@Command({
  name: 'sandbox',
  description: 'serve the simulated estate alone, and print a config that points at it',
})
export class SandboxCommand extends CommandRunner {
  async run(_params: string[], opts: Opts): Promise<void> {
    await guarded(async () => {
      const port = wholeNumber('--port', opts.port, 4010, 0, 65535);
      const scale = wholeNumber('--scale', opts.scale, 1, 1);
      const seed = wholeNumber('--seed', opts.seed, 42);
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
      const manifest = sandbox.manifest();
      if (opts.manifest) {
        writeFileSync(resolve(opts.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
      }
      const { estate } = sandbox;
      process.stderr.write(
        `Simulated estate (seed ${seed}, scale ${scale}) serving at ${sandbox.url}: ` +
          `${SANDBOX_SYSTEMS.map((s) => `/${s}`).join(', ')}. ` +
          `${estate.services.filter((s) => !s.archived).length} services, ${estate.deployments.length} GitLab deployments, ` +
          `${estate.ciBuilds.length} Jenkins builds, ${manifest.expectedFindings.length} expected findings ` +
          `(${sandbox.url}/manifest.json${opts.manifest ? `, written to ${resolve(opts.manifest)}` : ''}). Ctrl-C stops it.\n`,
      );
      // On a terminal, a live count of the requests each system answers.
      const bar = process.stderr.isTTY
        ? new SingleBar(
            {
              stream: process.stderr,
              format: ' requests served: {requests}  ({bySystem})',
              hideCursor: true,
            },
            Presets.legacy,
          )
        : null;
      bar?.start(1, 0, { requests: 0, bySystem: '' });
      const timer = bar
        ? setInterval(() => {
            const stats = sandbox.stats();
            const total = Object.values(stats).reduce((n, s) => n + s.requests, 0);
            const bySystem = Object.entries(stats)
              .filter(([, s]) => s.requests > 0)
              .map(([name, s]) => `${name} ${s.requests}`)
              .join(', ');
            bar.update(0, { requests: total, bySystem });
          }, 500)
        : undefined;
      await new Promise<void>((resolveStop) => {
        const stop = () => {
          if (timer) clearInterval(timer);
          bar?.stop();
          void sandbox.close().then(resolveStop);
        };
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
  @Option({
    flags: '--manifest <file>',
    description: 'also write the manifest of expected findings to this file',
  })
  parseManifest(v: string): string {
    return v;
  }
}
