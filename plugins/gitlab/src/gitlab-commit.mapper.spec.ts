import {
  isSignatureNotFound,
  mapCommit,
  mapSignatureStatus,
  SIGNATURE_STATUSES,
  unrecognisedSignatureProblem,
} from './gitlab-commit.mapper';

describe('mapSignatureStatus', () => {
  it.each([
    ['verified', 'verified'],
    ['verified_system', 'verified_system'],
    // EE: an X.509 certificate of the group's certificate authority passes like any verified one.
    ['verified_ca', 'verified'],
    ['unverified', 'unverified'],
    ['same_user_different_email', 'unverified'],
    ['other_user', 'unverified'],
    ['unverified_key', 'unverified'],
    ['unknown_key', 'unverified'],
    ['multiple_signatures', 'unverified'],
    ['revoked_key', 'unverified'],
    ['unverified_author_email', 'unverified'],
  ])('maps %s to %s', (status, expected) => {
    expect(mapSignatureStatus({ verification_status: status })).toBe(expected);
  });

  it('knows every status of CE and EE, and lets only the verified ones pass', () => {
    // app/models/concerns/enums/commit_signature.rb and its EE extension.
    expect(Object.keys(SIGNATURE_STATUSES).sort()).toEqual(
      [
        'multiple_signatures',
        'other_user',
        'revoked_key',
        'same_user_different_email',
        'unknown_key',
        'unverified',
        'unverified_author_email',
        'unverified_key',
        'verified',
        'verified_ca',
        'verified_system',
      ].sort(),
    );
    const passing = Object.entries(SIGNATURE_STATUSES)
      .filter(([, v]) => v.signature === 'verified' || v.signature === 'verified_system')
      .map(([k]) => k);
    expect(passing.sort()).toEqual(['verified', 'verified_ca', 'verified_system']);
  });

  it('is unknown (not passing) when GitLab gives no status, or one it did not have', () => {
    expect(mapSignatureStatus({ signature_type: 'SSH' })).toBe('unknown');
    expect(mapSignatureStatus(undefined)).toBe('unknown');
    expect(mapSignatureStatus({ verification_status: 'verified_by_hsm' })).toBe('unknown');
    // Not fooled by names of Object.prototype.
    expect(mapSignatureStatus({ verification_status: 'constructor' })).toBe('unknown');
  });
});

describe('unrecognisedSignatureProblem', () => {
  it('names a status this connector does not know, once and for good, without leaving a kind incomplete', () => {
    expect(
      unrecognisedSignatureProblem('commit 6104942 of acme/payments-api signature', {
        verification_status: 'verified_by_hsm',
      }),
    ).toEqual({
      where: 'commit 6104942 of acme/payments-api signature',
      error: expect.stringContaining('"verified_by_hsm"'),
      kinds: [],
      code: 'signature-status-unrecognised',
      fix: expect.stringContaining('verified_by_hsm'),
      lasting: true,
    });
  });

  it('says nothing of a known status or of a body without one', () => {
    expect(unrecognisedSignatureProblem('x', { verification_status: 'verified_ca' })).toBeUndefined();
    expect(unrecognisedSignatureProblem('x', { verification_status: 'revoked_key' })).toBeUndefined();
    expect(unrecognisedSignatureProblem('x', { signature_type: 'PGP' })).toBeUndefined();
    expect(unrecognisedSignatureProblem('x', undefined)).toBeUndefined();
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
