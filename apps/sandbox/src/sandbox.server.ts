import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AUDIT_ACCOUNT } from './estate/estate.cast';
import { advanceEstate, generateEstate } from './estate/estate.generator';
import { manifestDocument } from './estate/estate.manifest';
import type { Estate } from './estate/estate.model';
import { stableHexId } from './estate/prng.util';
import {
  FaultBoard,
  spoil,
  type FaultSwitches,
  type RequestLogEntry,
  type SandboxFaults,
  type SandboxSystem,
  type SystemStats,
} from './fault.switches';
import { createCyberarkFake, type CyberarkBehaviours } from './fakes/cyberark.fake';
import type { FakeHandler, FakeRequest, FakeResponse } from './fakes/fake-http.util';
import {
  createGitlabIssuesFake,
  GitlabIssuesFakeState,
  type GitlabIssuesBehaviours,
} from './fakes/gitlab-issues.fake';
import { createGitlabFake, type GitlabBehaviours } from './fakes/gitlab.fake';
import { createJenkinsFake, type JenkinsBehaviours } from './fakes/jenkins.fake';
import { createJiraFake, JiraFakeState, type JiraBehaviours } from './fakes/jira.fake';
import { createServicenowFake, type ServicenowBehaviours } from './fakes/servicenow.fake';
import { createSonarqubeFake, type SonarqubeBehaviours } from './fakes/sonarqube.fake';
import { createVaultFake, type VaultBehaviours } from './fakes/vault.fake';
import {
  buildSandboxConfigYaml,
  type SandboxConfigOptions,
  type SandboxCredentials,
} from './sandbox-config.builder';

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
  /** Faults switched on from the start, per system (see fault.switches.ts). */
  faults?: SandboxFaults;
  /**
   * Real-instance behaviours per fake, each off by default (docs/connectors/<vendor>.md "On real
   * instances"): least-privilege tokens, ACLs, background jobs, moving data, old versions. The
   * CMDB is served by the ServiceNow fake and shares its switches.
   */
  behaviours?: SandboxBehaviours;
  /** Requests kept per system in `requestLog` (default 20,000; benchmarks keep every one). */
  requestLogLimit?: number;
}

export interface SandboxBehaviours {
  gitlab?: GitlabBehaviours;
  gitlabIssues?: GitlabIssuesBehaviours;
  servicenow?: ServicenowBehaviours;
  jenkins?: JenkinsBehaviours;
  sonarqube?: SonarqubeBehaviours;
  vault?: VaultBehaviours;
  cyberark?: CyberarkBehaviours;
  jira?: JiraBehaviours;
}

export interface Sandbox {
  /** `http://<host>:<port>`; each system is served under its own prefix (`/gitlab`, `/servicenow`, `/jenkins`, …). */
  url: string;
  port: number;
  estate: Estate;
  credentials: SandboxCredentials;
  /** What the trackers received (the remediation fakes' stores). */
  trackers: { jira: JiraFakeState; gitlabIssues: GitlabIssuesFakeState };
  close(): Promise<void>;
  /** An audit-hub config pointing at this sandbox, with its credentials as literal values. */
  configYaml(options?: SandboxConfigOptions): string;
  /** Replaces a system's fault switches (`{}` switches them off). */
  setFaults(system: SandboxSystem, faults: FaultSwitches): void;
  faults(system: SandboxSystem): FaultSwitches;
  /** Requests each system received, and how many a fault answered or altered. */
  stats(): Record<SandboxSystem, SystemStats>;
  /** The requests a system received, oldest first, each with its wall-clock time and the fault that met it. */
  requestLog(system: SandboxSystem): RequestLogEntry[];
  /** The manifest of planted cases and expected findings, as served at `/manifest.json`. */
  manifest(): ReturnType<typeof manifestDocument>;
}

interface Mount {
  prefix: string;
  system: SandboxSystem;
  handler: FakeHandler;
}

function defaultCredentials(seed: number): SandboxCredentials {
  const secret = (what: string, length = 16) => stableHexId(seed, what).slice(0, length);
  return {
    gitlabToken: `glpat-sandbox-${secret('gitlab-token', 20)}`,
    servicenowUser: AUDIT_ACCOUNT,
    servicenowPassword: `sandbox-${secret('servicenow-password')}`,
    jenkinsUser: AUDIT_ACCOUNT,
    jenkinsToken: `11${secret('jenkins-token', 32)}`,
    sonarqubeToken: `squ_${secret('sonarqube-token', 40)}`,
    vaultToken: `hvs.sandbox${secret('vault-token', 20)}`,
    cyberarkUser: AUDIT_ACCOUNT,
    cyberarkPassword: `Sandbox-${secret('cyberark-password', 12)}!`,
    jiraEmail: `${AUDIT_ACCOUNT}@acme.com`,
    jiraToken: `ATATT3x${secret('jira-token', 24)}`,
  };
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

function send(method: string, res: ServerResponse, response: FakeResponse): void {
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(method === 'HEAD' ? undefined : response.body);
}

/** A response written straight to a socket (the requests Node's parser refused), then the connection closed. */
function sendRaw(socket: Socket, response: FakeResponse): void {
  const head = [
    `HTTP/1.1 ${response.status} ${response.status < 400 ? 'OK' : 'Error'}`,
    ...Object.entries(response.headers).map(([k, v]) => `${k}: ${v}`),
    `content-length: ${Buffer.byteLength(response.body)}`,
    'connection: close',
    '',
    '',
  ].join('\r\n');
  socket.end(head + response.body);
}

/** `LIST /v1/… HTTP/1.1` and its headers, from the bytes Node's HTTP parser gave up on. */
function parseRawRequest(
  raw: string,
): { method: string; target: string; headers: IncomingHttpHeaders } | null {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [requestLine, ...lines] = raw.slice(0, end).split('\r\n');
  const [method, target] = requestLine.split(' ');
  if (!method || !target) return null;
  const headers: IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { method, target, headers };
}

/**
 * Serves the simulated estate on loopback: GitLab (with a GitLab issues project), ServiceNow (with
 * its CMDB), Jenkins, SonarQube, Vault, CyberArk and Jira, each under its own prefix and each
 * speaking its vendor's real wire shapes, so the real connectors collect from it unchanged. The
 * estate is shown as of `now()`; when the clock passes the generated history, the estate grows
 * (advanceEstate) before answering. Fault switches make any system slow, throttled, broken or down.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const clock = options.now ?? (() => new Date());
  const host = options.host ?? '127.0.0.1';
  const estate = options.estate ?? generateEstate({ seed: options.seed, scale: options.scale, now: clock() });
  const credentials: SandboxCredentials = { ...defaultCredentials(estate.seed), ...options.credentials };
  const board = new FaultBoard(options.faults, options.requestLogLimit);
  const behaviours = options.behaviours ?? {};
  const current = () => estate;
  const jiraState = new JiraFakeState();
  const issuesState = new GitlabIssuesFakeState();

  const gitlab = createGitlabFake({
    estate: current,
    token: credentials.gitlabToken,
    now: clock,
    userName: AUDIT_ACCOUNT,
    behaviours: behaviours.gitlab,
  });
  const issues = createGitlabIssuesFake({
    token: credentials.gitlabToken,
    now: clock,
    userName: AUDIT_ACCOUNT,
    state: issuesState,
    behaviours: behaviours.gitlabIssues,
  });
  // The tracker's project (`acme/security`, id 42) lives beside the estate's projects.
  const issuesProject = /^\/api\/v4\/projects\/(42|acme%2Fsecurity)(\/issues(\/.*)?)?$/i;
  const mounts: Mount[] = [
    {
      prefix: '/gitlab',
      system: 'gitlab',
      handler: (request) => (issuesProject.test(request.path) ? issues(request) : gitlab(request)),
    },
    {
      prefix: '/servicenow',
      system: 'servicenow',
      handler: createServicenowFake({
        estate: current,
        user: credentials.servicenowUser,
        password: credentials.servicenowPassword,
        now: clock,
        behaviours: behaviours.servicenow,
      }),
    },
    {
      prefix: '/jenkins',
      system: 'jenkins',
      handler: createJenkinsFake({
        estate: current,
        user: credentials.jenkinsUser,
        token: credentials.jenkinsToken,
        now: clock,
        behaviours: behaviours.jenkins,
      }),
    },
    {
      prefix: '/sonarqube',
      system: 'sonarqube',
      handler: createSonarqubeFake({
        estate: current,
        token: credentials.sonarqubeToken,
        now: clock,
        behaviours: behaviours.sonarqube,
      }),
    },
    {
      prefix: '/vault',
      system: 'vault',
      handler: createVaultFake({
        estate: current,
        token: credentials.vaultToken,
        now: clock,
        userName: AUDIT_ACCOUNT,
        behaviours: behaviours.vault,
      }),
    },
    {
      prefix: '/cyberark',
      system: 'cyberark',
      handler: createCyberarkFake({
        estate: current,
        user: credentials.cyberarkUser,
        password: credentials.cyberarkPassword,
        now: clock,
        behaviours: behaviours.cyberark,
      }),
    },
    {
      prefix: '/jira',
      system: 'jira',
      handler: createJiraFake({
        email: credentials.jiraEmail,
        token: credentials.jiraToken,
        now: clock,
        state: jiraState,
        behaviours: behaviours.jira,
      }),
    },
  ];

  let port = options.port ?? 0;
  let url = '';
  /** Slow answers still waiting: cut short when the sandbox closes. */
  const waits = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        done: () => {
          waits.delete(entry);
          clearTimeout(entry.timer);
          resolve();
        },
        timer: setTimeout(() => entry.done(), ms),
      };
      waits.add(entry);
    });
  /** Answers held back (`heldAnswers`), per system: released when its switches change or the sandbox closes. */
  const holds = new Map<SandboxSystem, Set<() => void>>();
  const hold = (system: SandboxSystem) =>
    new Promise<void>((resolve) => {
      const set = holds.get(system) ?? new Set<() => void>();
      holds.set(system, set);
      const release = () => {
        set.delete(release);
        resolve();
      };
      set.add(release);
    });
  const releaseHolds = (system?: SandboxSystem) => {
    for (const [s, set] of holds) if (!system || s === system) for (const release of [...set]) release();
  };
  const manifest = () => manifestDocument(estate);

  /** One request through the fault layer and its fake; null: the connection is to be reset. */
  const answer = async (
    method: string,
    target: string,
    headers: IncomingHttpHeaders,
    body: string | undefined,
  ): Promise<FakeResponse | null> => {
    try {
      advanceEstate(estate, clock());
      const parsed = new URL(target, 'http://sandbox.invalid');
      const origin = `http://${headers.host ?? `${host}:${port}`}`;
      const mount = mounts.find(
        (m) => parsed.pathname === m.prefix || parsed.pathname.startsWith(`${m.prefix}/`),
      );
      if (!mount) {
        if (parsed.pathname === '/manifest.json')
          return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(manifest()) };
        const root =
          parsed.pathname === '/'
            ? {
                sandbox: true,
                ...Object.fromEntries(mounts.map((m) => [m.system, `${origin}${m.prefix}`])),
                manifest: `${origin}/manifest.json`,
                now: clock().toISOString(),
              }
            : { error: `no simulated system is mounted at ${parsed.pathname}` };
        return {
          status: parsed.pathname === '/' ? 200 : 404,
          headers: JSON_HEADERS,
          body: JSON.stringify(root),
        };
      }
      const request: FakeRequest = {
        method,
        path: parsed.pathname.slice(mount.prefix.length) || '/',
        query: parsed.searchParams,
        headers,
        baseUrl: `${origin}${mount.prefix}`,
        ...(body !== undefined ? { body } : {}),
      };
      const slow = board.slowMs(mount.system, request);
      if (slow > 0) await wait(slow);
      const action = board.decide(mount.system, request);
      if (action.kind === 'reset') return null;
      if (action.kind === 'answer') return action.response;
      const response = mount.handler(action.request);
      // The fake acted; its answer is lost on the way, or held back.
      if (action.after === 'lost') return null;
      if (action.after === 'held') await hold(mount.system);
      return action.transform ? spoil(response, action.transform) : response;
    } catch (error) {
      return {
        status: 500,
        headers: JSON_HEADERS,
        body: JSON.stringify({
          error: `sandbox failed on ${method} ${target.split('?')[0]}: ${(error as Error).message}`,
        }),
      };
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined;
      void answer(req.method ?? 'GET', req.url ?? '/', req.headers, body).then((response) => {
        if (response === null) req.socket.destroy();
        else send(req.method ?? 'GET', res, response);
      });
    });
  });
  // Node's HTTP parser refuses methods it does not know, such as Vault's LIST, before any handler
  // runs: such a request is read off the socket here and answered on it.
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    const raw = err.code === 'HPE_INVALID_METHOD' ? err.rawPacket?.toString('latin1') : undefined;
    const request = raw ? parseRawRequest(raw) : null;
    if (!request || request.method !== 'LIST') {
      if (socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    void answer('LIST', request.target, request.headers, undefined).then((response) => {
      if (response === null) socket.destroy();
      else sendRaw(socket, response);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    port,
    estate,
    credentials,
    trackers: { jira: jiraState, gitlabIssues: issuesState },
    configYaml: (config) => buildSandboxConfigYaml({ url, estate, credentials, ...config }),
    setFaults: (system, faults) => {
      board.set(system, faults);
      releaseHolds(system);
    },
    faults: (system) => board.get(system),
    stats: () => board.statistics(),
    requestLog: (system) => board.requests(system),
    manifest,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const entry of [...waits]) entry.done();
        releaseHolds();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
