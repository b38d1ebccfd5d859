import type { GitLabClient } from './gitlab.client';
import { ReleaseContentReader } from './gitlab-release-content.reader';

/** A client that answers every commit (unsigned) and counts what it was asked. */
function countingClient() {
  const asked: string[] = [];
  const client = {
    commit: async (_project: unknown, sha: string) => {
      asked.push(`commit ${sha}`);
      return { id: sha, title: `commit ${sha}`, author_email: 'dev@acme.com' };
    },
    commitSignature: async (_project: unknown, sha: string) => {
      asked.push(`signature ${sha}`);
      return {
        status: 404,
        url: `/commits/${sha}/signature`,
        data: { message: '404 GPG Signature Not Found' },
      };
    },
  };
  return { asked, client: client as unknown as GitLabClient };
}

const project = { id: 4, path: 'acme/pay' };

describe('ReleaseContentReader', () => {
  it('reads a commit shared by several deployments once', async () => {
    const { asked, client } = countingClient();
    const reader = new ReleaseContentReader(client);
    const [a, again] = await Promise.all([reader.commit(project, 'a1'), reader.commit(project, 'a1')]);
    expect(again).toBe(a);
    expect(asked).toEqual(['commit a1', 'signature a1']);
  });

  it('keeps only the most recently used reads, so memory stays bounded however many commits a stream reads', async () => {
    const { asked, client } = countingClient();
    const reader = new ReleaseContentReader(client, 2);
    await reader.commit(project, 'a');
    await reader.commit(project, 'b');
    await reader.commit(project, 'a'); // cached; now the most recently used
    await reader.commit(project, 'c'); // evicts b, the least recently used
    await reader.commit(project, 'a'); // still cached
    const b = await reader.commit(project, 'b'); // read again: the same record as the first time
    expect(asked.filter((x) => x.startsWith('commit'))).toEqual([
      'commit a',
      'commit b',
      'commit c',
      'commit b',
    ]);
    expect(b).toMatchObject({ kind: 'commit', externalId: 'acme/pay@b' });
    expect(b.data).toMatchObject({ signature: 'unsigned' });
  });
});
