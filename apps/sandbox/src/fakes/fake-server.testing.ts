/**
 * One fake on a loopback port, for tests that drive a plugin against a single fake with switches of
 * their own (the whole sandbox, with every fake mounted, is `startSandbox`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeHandler } from './fake-http.util';

export interface ServedFake {
  /** `http://127.0.0.1:<port>`: the fake answers at its root. */
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves `handler` until `close()`; each request is read whole (body included) before it is answered. */
export async function serveFake(handler: FakeHandler): Promise<ServedFake> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const answer = handler({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        baseUrl: 'http://127.0.0.1',
        ...(chunks.length ? { body: Buffer.concat(chunks).toString('utf8') } : {}),
      });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
