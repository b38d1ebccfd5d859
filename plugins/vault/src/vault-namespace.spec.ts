import { editionOf } from './vault-edition';
import { groupPoliciesApply, joinNamespace, namespaceGlob, qualify } from './vault-namespace';

describe('vault namespaces and edition', () => {
  it('joins a relative namespace to the base, and qualifies names outside the base only', () => {
    expect(joinNamespace('', 'team-a')).toBe('team-a');
    expect(joinNamespace('admin/', '/team-a/')).toBe('admin/team-a');
    expect(joinNamespace('admin', '')).toBe('admin');
    expect(qualify('', 'jane')).toBe('jane');
    expect(qualify('team-a/ci', 'jane')).toBe('team-a/ci/jane');
  });

  it('matches namespace globs over whole paths', () => {
    expect(namespaceGlob('*').test('')).toBe(true);
    expect(namespaceGlob('*').test('team-a/ci')).toBe(true);
    expect(namespaceGlob('team-*').test('team-a')).toBe(true);
    expect(namespaceGlob('team-*').test('ops')).toBe(false);
    expect(namespaceGlob('team.a').test('teamxa')).toBe(false);
  });

  it('applies a group’s policies within its namespace and below it, or everywhere in mode any', () => {
    expect(groupPoliciesApply('', 'team-a', 'within_namespace_hierarchy')).toBe(true);
    expect(groupPoliciesApply('team-a', 'team-a/ci', 'within_namespace_hierarchy')).toBe(true);
    expect(groupPoliciesApply('team-a', '', 'within_namespace_hierarchy')).toBe(false);
    expect(groupPoliciesApply('team-a', 'team-ab', 'within_namespace_hierarchy')).toBe(false);
    expect(groupPoliciesApply('team-a', '', 'any')).toBe(true);
  });

  it('tells Enterprise from the enterprise field, the version metadata or a license', () => {
    expect(editionOf({ version: '1.16.3', enterprise: true })).toEqual({
      version: '1.16.3',
      enterprise: true,
    });
    expect(editionOf({ version: '1.15.6+ent' }).enterprise).toBe(true);
    expect(editionOf({ version: '1.9.0+prem' }).enterprise).toBe(true);
    expect(editionOf({ version: '1.13.2+ent.hsm' }).enterprise).toBe(true);
    expect(editionOf({ version: '1.12.0', license: { state: 'autoloaded' } }).enterprise).toBe(true);
    expect(editionOf({ version: '1.15.6', enterprise: false })).toEqual({
      version: '1.15.6',
      enterprise: false,
    });
    expect(editionOf({})).toEqual({ enterprise: false });
  });
});
