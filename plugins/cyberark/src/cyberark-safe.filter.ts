/**
 * `options.safes`: globs over safe names. `*` matches any characters and `?` one; matching ignores
 * case, as the vault does for safe names. No glob: every safe the audit user can see.
 */
export class SafeFilter {
  private readonly patterns: RegExp[];

  constructor(readonly globs: readonly string[]) {
    this.patterns = globs.map(globToRegExp);
  }

  get all(): boolean {
    return this.patterns.length === 0;
  }

  matches(safeName: string): boolean {
    return this.all || this.patterns.some((pattern) => pattern.test(safeName));
  }
}

export function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'is');
}
