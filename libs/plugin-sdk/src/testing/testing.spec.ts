import * as path from 'node:path';
import { listOf, parsed, sampleReader, samplesDir } from './index';

describe('plugin test helpers', () => {
  it('finds the shared samples above a folder and reads them as raw text', () => {
    const dir = samplesDir('gitlab', __dirname);
    expect(dir.endsWith(path.join('shared', 'upstream-samples', 'gitlab'))).toBe(true);
    const reader = sampleReader('gitlab', __dirname);
    // The X.509 serial number stays as the vendor wrote it (JSON.parse would round it).
    expect(reader.sample('commits-signature-x509.json')).toContain('278969561018901340486471282831158785578');
  });

  it('names the system and the folder when the samples are missing', () => {
    expect(() => samplesDir('no-such-vendor', __dirname)).toThrow(/no-such-vendor samples not found/);
  });

  it('joins bodies into a list page', () => {
    expect(parsed(listOf('{"a":1}', '{"b":2}'))).toEqual([{ a: 1 }, { b: 2 }]);
  });
});
