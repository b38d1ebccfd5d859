/**
 * The sandbox's tracker fakes (Jira, GitLab issues) on a loopback HTTP server of their own, with
 * request bodies read and passed on (the fakes need them to create issues and comments).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeRequest, FakeResponse } from '../../apps/sandbox/src/fakes/fake-http.util';

export type BodyFakeHandler = (request: FakeRequest & { body?: string }) => FakeResponse;

export interface FakeServer {
  /** `http://127.0.0.1:<port>`; each fake is served under its prefix. */
  url: string;
  close(): Promise<void>;
}

function send(req: IncomingMessage, res: ServerResponse, response: FakeResponse): void {
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(req.method === 'HEAD' ? undefined : response.body);
}

export async function serveFakes(mounts: Record<string, BodyFakeHandler>): Promise<FakeServer> {
  let origin = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', origin);
      const prefix = Object.keys(mounts).find((p) => url.pathname === p || url.pathname.startsWith(`${p}/`));
      if (!prefix) {
        send(req, res, { status: 404, headers: {}, body: '' });
        return;
      }
      try {
        send(
          req,
          res,
          mounts[prefix]({
            method: req.method ?? 'GET',
            path: url.pathname.slice(prefix.length) || '/',
            query: url.searchParams,
            headers: req.headers,
            baseUrl: `${origin}${prefix}`,
            body: chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined,
          }),
        );
      } catch (err) {
        send(req, res, {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ error: `fake failed: ${(err as Error).message}` }),
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
