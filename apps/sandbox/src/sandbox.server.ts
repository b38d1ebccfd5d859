import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AUDIT_ACCOUNT } from './estate/estate.cast';
import { advanceEstate, generateEstate } from './estate/estate.generator';
import type { Estate } from './estate/estate.model';
import { stableHexId } from './estate/prng.util';
import type { FakeHandler, FakeResponse } from './fakes/fake-http.util';
import { createGitlabFake } from './fakes/gitlab.fake';
import { createServicenowFake } from './fakes/servicenow.fake';
import { buildSandboxConfigYaml, type SandboxCredentials } from './sandbox-config.builder';

export interface SandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  seed: number;
  scale: number;
  /** The estate's clock: records after it are not served. Moving it forward is time travel. Default: the wall clock. */
  now?: () => Date;
  credentials?: Partial<SandboxCredentials>;
  /** Serve this estate instead of generating one (tests inject hand-grown estates). */
  estate?: Estate;
}

export interface Sandbox {
  /** `http://<host>:<port>`; GitLab is served under `/gitlab`, ServiceNow under `/servicenow`. */
  url: string;
  port: number;
  estate: Estate;
  credentials: SandboxCredentials;
  close(): Promise<void>;
  /** An audit-hub config pointing at this sandbox, with its credentials as literal values. */
  configYaml(): string;
}

interface Mount {
  prefix: string;
  handler: FakeHandler;
}

function defaultCredentials(seed: number): SandboxCredentials {
  return {
    gitlabToken: `glpat-sandbox-${stableHexId(seed, 'gitlab-token').slice(0, 20)}`,
    servicenowUser: AUDIT_ACCOUNT,
    servicenowPassword: `sandbox-${stableHexId(seed, 'servicenow-password').slice(0, 16)}`,
  };
}

function send(req: IncomingMessage, res: ServerResponse, response: FakeResponse): void {
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(req.method === 'HEAD' ? undefined : response.body);
}

/**
 * Serves the simulated estate on loopback: a GitLab under `/gitlab` and a ServiceNow under
 * `/servicenow`, both speaking their vendor's real wire shapes, so the real connectors collect from
 * it unchanged. The estate is shown as of `now()`; when the clock passes the generated history,
 * the estate grows (advanceEstate) before answering.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const clock = options.now ?? (() => new Date());
  const host = options.host ?? '127.0.0.1';
  const estate = options.estate ?? generateEstate({ seed: options.seed, scale: options.scale, now: clock() });
  const credentials: SandboxCredentials = { ...defaultCredentials(estate.seed), ...options.credentials };
  const current = () => estate;
  const mounts: Mount[] = [
    {
      prefix: '/gitlab',
      handler: createGitlabFake({
        estate: current,
        token: credentials.gitlabToken,
        now: clock,
        userName: AUDIT_ACCOUNT,
      }),
    },
    {
      prefix: '/servicenow',
      handler: createServicenowFake({
        estate: current,
        user: credentials.servicenowUser,
        password: credentials.servicenowPassword,
        now: clock,
      }),
    },
  ];

  let port = options.port ?? 0;
  const server = createServer((req, res) => {
    req.resume();
    try {
      advanceEstate(estate, clock());
      const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
      const origin = `http://${req.headers.host ?? `${host}:${port}`}`;
      const mount = mounts.find((m) => url.pathname === m.prefix || url.pathname.startsWith(`${m.prefix}/`));
      if (!mount) {
        const body =
          url.pathname === '/'
            ? {
                sandbox: true,
                gitlab: `${origin}/gitlab`,
                servicenow: `${origin}/servicenow`,
                now: clock().toISOString(),
              }
            : { error: `no simulated system is mounted at ${url.pathname}` };
        send(req, res, {
          status: url.pathname === '/' ? 200 : 404,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(body),
        });
        return;
      }
      const response = mount.handler({
        method: req.method ?? 'GET',
        path: url.pathname.slice(mount.prefix.length) || '/',
        query: url.searchParams,
        headers: req.headers,
        baseUrl: `${origin}${mount.prefix}`,
      });
      send(req, res, response);
    } catch (error) {
      send(req, res, {
        status: 500,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({
          error: `sandbox failed on ${req.method} ${req.url?.split('?')[0]}: ${(error as Error).message}`,
        }),
      });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    port,
    estate,
    credentials,
    configYaml: () => buildSandboxConfigYaml({ url, estate, credentials }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
