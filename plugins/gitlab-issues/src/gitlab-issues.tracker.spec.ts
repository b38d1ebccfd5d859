import { markerOf, withMarker } from './gitlab-issues.tracker';

describe('the dedupe marker in a description', () => {
  it('is the last line, once, whatever the body ends with', () => {
    const once = withMarker('Body text.\n\n', 'abc123');
    expect(once).toBe('Body text.\n\n<!-- audit-hub:dedupe-marker abc123 -->');
    expect(withMarker(once, 'abc123')).toBe(once);
    expect(withMarker('', 'abc123')).toBe('<!-- audit-hub:dedupe-marker abc123 -->');
  });

  it('is read back only from the last line, so a body quoting a marker is not taken for its ticket', () => {
    expect(markerOf(withMarker('Body', 'abc123'))).toBe('abc123');
    expect(markerOf('Duplicate of <!-- audit-hub:dedupe-marker abc123 --> and more text')).toBeUndefined();
    expect(markerOf(null)).toBeUndefined();
  });
});
