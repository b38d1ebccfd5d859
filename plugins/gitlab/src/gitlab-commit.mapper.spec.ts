import { isSignatureNotFound, mapCommit, mapSignatureStatus } from './gitlab-commit.mapper';

describe('mapSignatureStatus', () => {
  it.each([
    ['verified', 'verified'],
    ['verified_system', 'verified_system'],
    ['unverified', 'unverified'],
    ['unverified_key', 'unverified'],
    ['other_user', 'unverified'],
    ['revoked_key', 'unverified'],
  ])('maps %s to %s', (status, expected) => {
    expect(mapSignatureStatus({ verification_status: status })).toBe(expected);
  });

  it('is unknown when GitLab gives no status', () => {
    expect(mapSignatureStatus({ signature_type: 'SSH' })).toBe('unknown');
    expect(mapSignatureStatus(undefined)).toBe('unknown');
  });
});

describe('isSignatureNotFound', () => {
  it('tells an unsigned commit from a missing commit or project', () => {
    expect(isSignatureNotFound({ message: '404 GPG Signature Not Found' })).toBe(true);
    expect(isSignatureNotFound({ message: '404 Signature Not Found' })).toBe(true);
    expect(isSignatureNotFound({ message: '404 Commit Not Found' })).toBe(false);
    expect(isSignatureNotFound({ error: '404 Not Found' })).toBe(false);
    expect(isSignatureNotFound(undefined)).toBe(false);
  });
});

describe('mapCommit', () => {
  it('maps the commit, preferring committed_date, in UTC, with the title without its CR', () => {
    const record = mapCommit(
      'acme/payments-api',
      'a91957a8',
      {
        title: "Merge branch 'x' into 'main'\r",
        message: "Merge branch 'x' into 'main'\r\n\r\nCHG0030042",
        author_name: 'Jane',
        author_email: 'jane@acme.com',
        created_at: '2016-08-11T13:28:26.000+02:00',
        committed_date: '2016-08-11T13:29:00.000+02:00',
      },
      'verified',
      { verification_status: 'verified' },
    );
    expect(record.externalId).toBe('acme/payments-api@a91957a8');
    expect(record.data).toStrictEqual({
      project: 'acme/payments-api',
      sha: 'a91957a8',
      title: "Merge branch 'x' into 'main'",
      message: "Merge branch 'x' into 'main'\r\n\r\nCHG0030042",
      authorName: 'Jane',
      authorEmail: 'jane@acme.com',
      committedAt: '2016-08-11T11:29:00.000Z',
      signature: 'verified',
    });
  });
});
