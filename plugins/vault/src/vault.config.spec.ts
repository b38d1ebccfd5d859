import { secretFields } from '@audit-hub/plugin-sdk';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { resolveOptions, VaultAuth, VaultOptions } from './vault.config';

function problems<T extends object>(cls: new () => T, value: object): string[] {
  return validateSync(plainToInstance(cls, value)).map((error) => error.property);
}

describe('vault config', () => {
  it('marks the token as a secret and requires it', () => {
    expect(secretFields(VaultAuth)).toEqual(['token']);
    expect(problems(VaultAuth, {})).toEqual(['token']);
    expect(problems(VaultAuth, { token: '' })).toEqual(['token']);
    expect(problems(VaultAuth, { token: 'hvs.x' })).toEqual([]);
  });

  it('accepts no options at all, and lists with LIST in the root namespace by default', () => {
    expect(problems(VaultOptions, {})).toEqual([]);
    expect(resolveOptions(undefined)).toEqual({
      namespace: '',
      namespaces: [''],
      groupPolicyApplication: 'within_namespace_hierarchy',
      listMethod: 'LIST',
    });
  });

  it('takes an empty namespace as none, and trims spaces and slashes around one', () => {
    expect(problems(VaultOptions, { namespace: '' })).toEqual([]);
    expect(resolveOptions({ namespace: '' }).namespace).toBe('');
    expect(resolveOptions({ namespace: ' /admin/team-a/ ' }).namespace).toBe('admin/team-a');
  });

  it('refuses a list method other than LIST or GET, and a namespace that is not a string', () => {
    expect(problems(VaultOptions, { listMethod: 'POST' })).toEqual(['listMethod']);
    expect(problems(VaultOptions, { listMethod: 'list' })).toEqual(['listMethod']);
    expect(problems(VaultOptions, { namespace: 42 })).toEqual(['namespace']);
    expect(problems(VaultOptions, { listMethod: 'GET', namespace: 'admin' })).toEqual([]);
    expect(resolveOptions({ listMethod: 'GET' }).listMethod).toBe('GET');
  });

  it('reads the namespaces relative to the base, cleaned and each once, and Vault’s two policy application modes', () => {
    expect(resolveOptions({ namespaces: ['', '/team-a/', 'team-a', ' team-b/ci '] }).namespaces).toEqual([
      '',
      'team-a',
      'team-b/ci',
    ]);
    expect(problems(VaultOptions, { namespaces: [] })).toEqual(['namespaces']);
    expect(problems(VaultOptions, { namespaces: ['*'], groupPolicyApplication: 'any' })).toEqual([]);
    expect(problems(VaultOptions, { groupPolicyApplication: 'everywhere' })).toEqual([
      'groupPolicyApplication',
    ]);
  });
});
