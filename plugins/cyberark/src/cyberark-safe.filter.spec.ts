import { SafeFilter } from './cyberark-safe.filter';

describe('SafeFilter', () => {
  it('matches every safe without globs', () => {
    expect(new SafeFilter([]).matches('anything')).toBe(true);
  });

  it('matches * and ? globs over the whole name, ignoring case, and nothing else as a pattern', () => {
    const filter = new SafeFilter(['PROD-*', 'pci ?', 'a.b']);
    expect(filter.matches('PROD-DB')).toBe(true);
    expect(filter.matches('prod-db')).toBe(true);
    expect(filter.matches('NONPROD-DB')).toBe(false);
    expect(filter.matches('PCI 1')).toBe(true);
    expect(filter.matches('PCI 12')).toBe(false);
    expect(filter.matches('a.b')).toBe(true);
    expect(filter.matches('axb')).toBe(false);
  });
});
