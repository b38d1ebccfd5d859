/**
 * A minimal HTTP/1.1 server on a raw TCP socket, for the one thing nock cannot replay: the `LIST`
 * method. Node's HTTP parser (used by `http.createServer` and by nock's interceptor to read the
 * outgoing request) rejects `LIST` (shared/spec/stack.md), so this server reads the request line and
 * headers itself. It answers each request from a route table and records what it received.
 */
import http from 'node:http';
import * as net from 'node:net';

export interface RawRequest {
  method: string;
  /** Path and query, as sent. */
  target: string;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export interface RawReply {
  status: number;
  body: string;
}

export class RawVaultServer {
  readonly requests: RawRequest[] = [];
  private readonly server: net.Server;

  /** `routes`: `"<METHOD> <target>"` → reply; anything else is a 405 with a Vault error body. */
  constructor(private readonly routes: Record<string, RawReply>) {
    this.server = net.createServer((socket) => this.serve(socket));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as net.AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  private serve(socket: net.Socket): void {
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [requestLine, ...headerLines] = received.slice(0, end).split('\r\n');
      const [method, target] = requestLine.split(' ');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      this.requests.push({ method, target, headers });
      const reply = this.routes[`${method} ${target}`] ?? {
        status: 405,
        body: '{"errors":["unsupported operation"]}',
      };
      const body = Buffer.from(reply.body, 'utf8');
      socket.end(
        `HTTP/1.1 ${reply.status} X\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
          `Connection: close\r\n\r\n${reply.body}`,
      );
    });
    socket.on('error', () => socket.destroy());
  }
}

/**
 * Sends this file's requests through Node's own `ClientRequest`. Jest shares core modules between
 * the test files of a worker, and nock (through @mswjs/interceptors) replaces `http.request`,
 * `http.get` and `http.ClientRequest` without undoing it when a file ends: a later file in the same
 * worker still goes through its interceptor, which parses each request with Node's HTTP parser and
 * hangs on `LIST`. The original class is still exported by the `_http_client` core module.
 */
export function bypassLeftoverInterceptors(): void {
  const saved = { request: http.request, get: http.get, ClientRequest: http.ClientRequest };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ClientRequest } = require('_http_client') as { ClientRequest: typeof http.ClientRequest };
  beforeAll(() => {
    const request = (...args: unknown[]) =>
      new (ClientRequest as unknown as new (...a: unknown[]) => http.ClientRequest)(...args);
    Object.assign(http, {
      ClientRequest,
      request,
      get: (...args: unknown[]) => {
        const req = request(...args);
        req.end();
        return req;
      },
    });
  });
  afterAll(() => {
    Object.assign(http, saved);
  });
}
