/**
 * The `serve` HTTP app built in-process from a config text, as `serve --role api` builds it
 * (createServeApp), listening on a free loopback port, with its logs captured for secret checks.
 */
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { parseConfig, LoadedConfig } from '../../apps/hub/src/config/config.loader';
import { Redactor } from '../../apps/hub/src/config/redactor';
import { AppLogger } from '../../apps/hub/src/common/app-logger';
import { createServeApp, Role } from '../../apps/hub/src/serve.module';
import { setupOpenApi } from '../../apps/hub/src/api/openapi';
import { ApiTokenService } from '../../apps/hub/src/auth/api-token.service';

export interface ApiServer {
  app: INestApplication;
  loaded: LoadedConfig;
  /** `http://127.0.0.1:<port>` */
  url: string;
  logs: string[];
  /** Creates an API token and returns it. */
  token(role: 'admin' | 'operator' | 'auditor', opts?: { team?: string; name?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startApiServer(
  configText: string,
  roles: Role[] = ['api'],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ApiServer> {
  const loaded = parseConfig(configText, { env, baseDir: process.cwd() });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = new AppLogger(new Redactor(loaded.secrets), undefined, sink);
  const app = await createServeApp(loaded, roles, logger, { logStream: sink });
  setupOpenApi(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    loaded,
    url: `http://127.0.0.1:${address.port}`,
    logs,
    token: async (role, opts = {}) => (await app.get(ApiTokenService).create({ role, ...opts })).token,
    close: () => app.close(),
  };
}
