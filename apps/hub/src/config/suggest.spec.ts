import { closest, didYouMean, editDistance, orList } from './suggest';

describe('did you mean', () => {
  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('jria', 'jira')).toBe(1);
    expect(editDistance('sonarqub', 'sonarqube')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('offers only the closest candidates, case-insensitively', () => {
    expect(closest('RM-CHG-01', ['RM-CHG-001', 'RM-CHG-002', 'RM-ACC-001'])).toEqual(['RM-CHG-001']);
    expect(closest('GITLAB', ['gitlab', 'gitlab-issues'])).toEqual(['gitlab']);
  });

  it('offers nothing for a name far from every candidate', () => {
    expect(didYouMean('bitbucket', ['gitlab', 'jenkins', 'jira'])).toBeUndefined();
  });

  it('words one, two or three suggestions', () => {
    expect(didYouMean('jiira', ['jira'])).toBe('did you mean "jira"?');
    expect(didYouMean('RM-ACC-009', ['RM-ACC-001', 'RM-ACC-002', 'RM-ACC-003', 'RM-ACC-004'])).toBe(
      'did you mean "RM-ACC-001", "RM-ACC-002" or "RM-ACC-003"?',
    );
    expect(orList(['a', 'b'])).toBe('a or b');
  });
});
