/**
 * Decides whether an environment is production (interfaces.md): the upstream's tier wins; only
 * where the upstream gives none (Jenkins parameters, GitLab environments without a tier) do the
 * `environments.production` name patterns decide.
 */
import picomatch from 'picomatch';

export class EnvironmentClassifier {
  private readonly matchers: ((name: string) => boolean)[];

  constructor(patterns: string[]) {
    this.matchers = patterns.map((p) => picomatch(p, { nocase: true, dot: true }));
  }

  isProduction(environment: string, tier: string | null | undefined): boolean {
    if (tier) return tier === 'production';
    return this.matchers.some((m) => m(environment));
  }
}
