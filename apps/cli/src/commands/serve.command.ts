import type { INestApplication } from '@nestjs/common';
import { Command, CommandRunner, Option } from 'nest-commander';
import { loadConfig } from '../../../hub/src/config/config.loader';
import { Redactor } from '../../../hub/src/config/redactor';
import { AppLogger } from '../../../hub/src/common/app-logger';
import { createServeApp, Role, ROLES } from '../../../hub/src/serve.module';
import { setupOpenApi } from '../../../hub/src/api/openapi';
import { mountQueueBoard, QUEUE_BOARD_PATH } from '../../../hub/src/api/queue-board';
import { guarded, usage } from './command-errors';

interface Opts {
  config?: string;
  role?: string;
  port?: string;
}

export function parseRoles(value: string | undefined): Role[] {
  if (!value) return [...ROLES];
  const roles = value
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (bad.length || !roles.length) {
    throw usage(`--role: unknown role ${bad.join(', ') || '(empty)'} (a comma list of ${ROLES.join(', ')})`);
  }
  return [...new Set(roles)] as Role[];
}

export function parsePort(value: string | undefined): number {
  const raw = value ?? process.env.PORT ?? '3000';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw usage(`--port: "${raw}" is not a port number`);
  return port;
}

@Command({ name: 'serve', description: 'the long-running service: api, worker and scheduler roles' })
export class ServeCommand extends CommandRunner {
  async run(_params: string[], opts: Opts): Promise<void> {
    await guarded(async () => {
      const roles = parseRoles(opts.role);
      const port = parsePort(opts.port);
      const loaded = loadConfig({ path: opts.config });
      const logger = new AppLogger(new Redactor(loaded.secrets));
      const app = await createServeApp(loaded, roles, logger);
      if (roles.includes('api')) {
        setupOpenApi(app);
        if (mountQueueBoard(app)) logger.info('queue board mounted', { path: QUEUE_BOARD_PATH });
      }
      await app.listen(port);
      const address = app.getHttpServer().address();
      const bound = typeof address === 'object' && address ? address.port : port;
      logger.info('audit-hub serving', { roles, port: bound });
      await untilShutdown(app, logger);
    });
  }

  @Option({ flags: '--config <file>', description: 'config file' })
  parseConfig(v: string): string {
    return v;
  }
  @Option({ flags: '--role <roles>', description: 'comma list of api, worker, scheduler (default: all)' })
  parseRole(v: string): string {
    return v;
  }
  @Option({ flags: '--port <port>', description: 'HTTP port (default $PORT, then 3000; 0 picks a free one)' })
  parsePort(v: string): string {
    return v;
  }
}

/**
 * Waits for SIGTERM or SIGINT, then closes the app (workers finish or hand back their jobs). A
 * hard timeout ends the process even when a dependency hangs the close (a dead Redis).
 */
function untilShutdown(app: INestApplication, logger: AppLogger): Promise<void> {
  const timeoutMs = Number(process.env.AUDIT_HUB_SHUTDOWN_TIMEOUT_MS) || 10_000;
  return new Promise((resolve) => {
    const stop = async (signal: string) => {
      logger.info('shutting down', { signal, timeoutMs });
      const hard = setTimeout(() => {
        logger.error('shutdown timed out; exiting', { timeoutMs });
        process.exit(1);
      }, timeoutMs);
      hard.unref();
      try {
        await app.close();
      } catch (err) {
        logger.error('shutdown failed', { err });
        process.exitCode = 1;
      }
      clearTimeout(hard);
      resolve();
      // Sockets and timers left by libraries must not keep a stopped service alive.
      setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
