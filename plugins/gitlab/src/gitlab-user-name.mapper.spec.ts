import { isImportPlaceholder, recordUserName, sharedAccountKind } from './gitlab-user-name.mapper';

describe('GitLab user names', () => {
  it("tells GitLab's shared accounts by their generated username and fixed name together", () => {
    expect(sharedAccountKind({ username: 'ghost', name: 'Ghost User' })).toBe('ghost');
    expect(sharedAccountKind({ username: 'ghost3', name: 'Ghost User' })).toBe('ghost');
    expect(sharedAccountKind({ username: 'import_user_acme_x7Qa', name: 'Import User' })).toBe('import-user');
    expect(sharedAccountKind({ username: 'ghost', name: 'Casper' })).toBeNull();
    expect(sharedAccountKind({ username: 'ghostwriter', name: 'Ghost User' })).toBeNull();
    expect(sharedAccountKind(undefined)).toBeNull();
  });

  it('marks a shared account with `~`, which no GitLab username can hold, and leaves others as they are', () => {
    expect(recordUserName({ username: 'ghost', name: 'Ghost User' })).toBe('~ghost');
    expect(recordUserName({ username: 'jdoe', name: 'Jane Doe' })).toBe('jdoe');
    expect(recordUserName({ username: '' })).toBeUndefined();
    expect(recordUserName(null)).toBeUndefined();
  });

  it("tells an import's placeholder user (one person of the source instance)", () => {
    expect(isImportPlaceholder({ username: 'jdoe_placeholder_user_1', name: 'Placeholder Jane Doe' })).toBe(
      true,
    );
    expect(isImportPlaceholder({ username: 'jdoe_placeholder_user_1', name: 'Jane Doe' })).toBe(false);
    expect(isImportPlaceholder({ username: 'jdoe', name: 'Placeholder Jane Doe' })).toBe(false);
  });
});
