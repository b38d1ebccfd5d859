import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { HttpClient } from './http-client';
import { nextFromGitLabHeaders, nextFromLinkHeader, paginate, parseLinkHeader } from './pagination';
import type { HttpRequest, HttpResponse } from './types';
import { UpstreamError } from './upstream-error';

const SAMPLES = join(__dirname, '../../../../shared/upstream-samples');

describe('parseLinkHeader', () => {
  it('reads GitHub’s Link header', () => {
    const headers = JSON.parse(
      readFileSync(join(SAMPLES, 'github/issues-list-page2.headers.json'), 'utf8'),
    ) as [string, string][];
    const link = headers.find(([name]) => name === 'Link')?.[1];
    expect(parseLinkHeader(link)).toEqual({
      prev: 'https://api.github.com/repositories/515435940/issues?per_page=3&page=1',
      next: 'https://api.github.com/repositories/515435940/issues?per_page=3&page=3',
      last: 'https://api.github.com/repositories/515435940/issues?per_page=3&page=5',
      first: 'https://api.github.com/repositories/515435940/issues?per_page=3&page=1',
    });
  });

  it('accepts unquoted and multiple relations, other parameters and commas inside URLs', () => {
    expect(
      parseLinkHeader('<https://x/a?f=1,2>; title="p"; rel=next, <https://x/b>; rel="last  Prev"'),
    ).toEqual({
      next: 'https://x/a?f=1,2',
      last: 'https://x/b',
      prev: 'https://x/b',
    });
  });

  it('gives nothing for a missing or empty header', () => {
    expect(parseLinkHeader(undefined)).toEqual({});
    expect(parseLinkHeader('')).toEqual({});
  });
});

describe('paginate', () => {
  type Handler = (req: { url: string }, res: ServerResponse) => void;
  let server: Server;
  let origin: string;
  let seen: string[];
  let handler: Handler;
  let client: HttpClient;

  beforeEach(async () => {
    seen = [];
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      handler({ url: req.url ?? '' }, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new HttpClient({
      connector: 'test',
      baseUrl: `${origin}/gitlab`,
      clock: { now: () => Date.now(), sleep: async () => undefined },
    });
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function reply(res: ServerResponse, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(200, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  async function collect<T>(
    first: HttpRequest,
    next: (res: HttpResponse<T>, req: HttpRequest) => HttpRequest | null,
  ): Promise<T[]> {
    const pages: T[] = [];
    for await (const res of paginate<T>(client, first, next)) pages.push(res.data);
    return pages;
  }

  const pageOf = (url: string) => Number(new URL(url, 'http://x').searchParams.get('page') ?? '1');

  it('follows Link rel="next" until there is none', async () => {
    handler = (req, res) => {
      const page = pageOf(req.url);
      const next = `<${origin}/gitlab/api/v4/issues?per_page=2&page=${page + 1}>; rel="next"`;
      reply(res, [page], page < 3 ? { Link: next } : {});
    };
    expect(await collect({ path: '/api/v4/issues', query: { per_page: 2 } }, nextFromLinkHeader)).toEqual([
      [1],
      [2],
      [3],
    ]);
    expect(seen).toEqual([
      '/gitlab/api/v4/issues?per_page=2',
      '/gitlab/api/v4/issues?per_page=2&page=2',
      '/gitlab/api/v4/issues?per_page=2&page=3',
    ]);
  });

  it('follows GitLab X-Next-Page, ignoring an X-Total that says there is nothing more', async () => {
    handler = (req, res) => {
      const page = pageOf(req.url);
      reply(res, [page], {
        'X-Next-Page': page < 3 ? String(page + 1) : '',
        'X-Total': '1',
        'X-Total-Pages': '1',
      });
    };
    const first = {
      path: '/api/v4/projects/7/deployments',
      query: { per_page: 100, order_by: 'updated_at' },
    };
    expect(await collect(first, nextFromGitLabHeaders)).toEqual([[1], [2], [3]]);
    expect(seen[2]).toBe('/gitlab/api/v4/projects/7/deployments?per_page=100&order_by=updated_at&page=3');
  });

  it('falls back to Link rel="next" for GitLab keyset pagination', async () => {
    handler = (req, res) => {
      const after = new URL(req.url, 'http://x').searchParams.get('id_after');
      const next = `<${origin}/gitlab/api/v4/audit_events?pagination=keyset&id_after=10>; rel="next"`;
      reply(res, [after ?? 'start'], after ? {} : { Link: next });
    };
    const first = { path: '/api/v4/audit_events', query: { pagination: 'keyset' } };
    expect(await collect(first, nextFromGitLabHeaders)).toEqual([['start'], ['10']]);
  });

  it('stops with a malformed error when the upstream hands back a page it already gave', async () => {
    handler = (_req, res) => reply(res, ['same'], { 'X-Next-Page': '2' });
    const pages: unknown[] = [];
    const failure = await (async () => {
      for await (const res of paginate(client, { path: '/api/v4/projects' }, nextFromGitLabHeaders))
        pages.push(res.data);
    })().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ code: 'malformed', retryable: false, path: '/gitlab/api/v4/projects' });
    expect(pages).toHaveLength(2);
    expect(seen).toHaveLength(2);
  });
});
