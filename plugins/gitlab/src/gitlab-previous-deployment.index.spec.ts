import type { GitLabClient, ListPage } from './gitlab.client';
import { PreviousDeploymentIndex } from './gitlab-previous-deployment.index';
import type { GitLabDeployment } from './gitlab.types';

type Row = Pick<GitLabDeployment, 'id' | 'sha'>;

/** A client whose successful-deployment lists are the given pages, counting the pages read. */
function client(pages: Record<string, (Row[] | Error)[]>) {
  const reads: string[] = [];
  const fake = {
    async *successfulDeployments(_project: number, environment: string) {
      let n = 0;
      for (const page of pages[environment] ?? []) {
        reads.push(`${environment} ${++n}`);
        if (page instanceof Error) throw page;
        yield { items: page as GitLabDeployment[], where: `page ${n}` } as ListPage<GitLabDeployment>;
      }
    },
  };
  return { client: fake as unknown as GitLabClient, reads };
}

describe('PreviousDeploymentIndex', () => {
  it('finds the successful deployment with the highest lower id, reading pages only as deep as needed', async () => {
    const { client: c, reads } = client({
      production: [
        [
          { id: 90, sha: 'c90' },
          { id: 70, sha: 'c70' },
        ],
        [
          { id: 70, sha: 'c70' }, // repeated when a deployment succeeded between the pages
          { id: 50, sha: 'c50' },
        ],
      ],
    });
    const index = new PreviousDeploymentIndex(c, 4);
    expect(await index.previousOf('production', 95)).toEqual({ id: 90, sha: 'c90' });
    expect(reads).toEqual(['production 1']);
    expect(await index.previousOf('production', 70)).toEqual({ id: 50, sha: 'c50' });
    expect(await index.previousOf('production', 50)).toBeNull();
    expect(reads).toEqual(['production 1', 'production 2']);
  });

  it('reads a page once for concurrent lookups, and keeps environments apart', async () => {
    const { client: c, reads } = client({
      production: [[{ id: 10, sha: 'p10' }]],
      staging: [[{ id: 12, sha: 's12' }]],
    });
    const index = new PreviousDeploymentIndex(c, 4);
    const found = await Promise.all([
      index.previousOf('production', 20),
      index.previousOf('production', 30),
      index.previousOf('staging', 20),
    ]);
    expect(found).toEqual([
      { id: 10, sha: 'p10' },
      { id: 10, sha: 'p10' },
      { id: 12, sha: 's12' },
    ]);
    expect(reads.sort()).toEqual(['production 1', 'staging 1']);
  });

  it('fails every later lookup when a page could not be read, never answering "no previous"', async () => {
    const failure = new Error('502 Bad Gateway');
    const { client: c } = client({ production: [[{ id: 90, sha: 'c90' }], failure] });
    const index = new PreviousDeploymentIndex(c, 4);
    await expect(index.previousOf('production', 80)).rejects.toBe(failure);
    await expect(index.previousOf('production', 80)).rejects.toBe(failure);
  });
});
