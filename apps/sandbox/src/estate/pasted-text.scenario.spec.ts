import { generateEstate } from './estate.generator';
import { pasteIntoEstate } from './pasted-text.scenario';

const NOW = new Date('2026-11-02T00:00:00.000Z');
const TEXT = 'pasted-token-Xy/+=';

describe('pasteIntoEstate', () => {
  const estate = generateEstate({ seed: 7, scale: 1, now: NOW });
  const counts = pasteIntoEstate(estate, TEXT);

  it('pastes the text into every kind of free-text field the upstreams serve', () => {
    for (const field of [
      'commit.title',
      'mergeRequest.title',
      'mergeRequest.description',
      'pipeline.variables',
      'change.shortDescription',
      'change.description',
      'change.closeNotes',
      'changeApproval.comment',
      'ciJob.description',
      'ciBuild.parameters',
      'person.title',
      'safe.description',
    ]) {
      expect({ field, pasted: (counts[field] ?? 0) > 0 }).toEqual({ field, pasted: true });
    }
    expect(estate.commits.every((c) => c.title.endsWith(TEXT) && c.message.startsWith(c.title))).toBe(true);
    expect(estate.pipelines.every((p) => p.variables.some((v) => v.value === TEXT))).toBe(true);
  });
});
