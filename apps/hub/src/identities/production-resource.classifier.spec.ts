import { ProductionResourceClassifier } from './production-resource.classifier';

describe('ProductionResourceClassifier', () => {
  const classifier = new ProductionResourceClassifier({
    vaultPolicies: ['*prod*', 'release-?'],
    cyberarkSafes: ['PROD-*'],
  });

  it('classifies Vault policies by production.vaultPolicies', () => {
    const vault = classifier.forPlugin('vault')!;
    expect(vault('payments-prod-ro')).toBe(true);
    expect(vault('kv/prod/payments')).toBe(true);
    expect(vault('release-1')).toBe(true);
    expect(vault('release-12')).toBe(false);
    expect(vault('dev-read')).toBe(false);
  });

  it('classifies CyberArk safes by production.cyberarkSafes, case-insensitively as CyberArk compares them', () => {
    const cyberark = classifier.forPlugin('cyberark')!;
    expect(cyberark('PROD-Payments')).toBe(true);
    expect(cyberark('prod-legacy')).toBe(true);
    expect(cyberark('Payments-PROD')).toBe(false);
  });

  it('treats glob characters only as * and ?, everything else literally', () => {
    const c = new ProductionResourceClassifier({ vaultPolicies: ['a.b+(c)'], cyberarkSafes: [] });
    expect(c.forPlugin('vault')!('a.b+(c)')).toBe(true);
    expect(c.forPlugin('vault')!('aXb+(c)')).toBe(false);
    expect(c.forPlugin('cyberark')!('anything')).toBe(false);
  });

  it('has no classifier for other plugins, whose entitlements are never production', () => {
    expect(classifier.forPlugin('gitlab')).toBeUndefined();
  });
});
