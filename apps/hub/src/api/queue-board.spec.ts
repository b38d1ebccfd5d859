import { boardCredential } from './queue-board';

describe('queue board credentials', () => {
  it('takes a bearer token or the password of HTTP Basic, nothing else', () => {
    expect(boardCredential('Bearer ahk_abc')).toBe('ahk_abc');
    expect(boardCredential(`Basic ${Buffer.from('admin:ahk_xyz').toString('base64')}`)).toBe('ahk_xyz');
    expect(boardCredential(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeNull();
    expect(boardCredential('Token ahk_abc')).toBeNull();
    expect(boardCredential(undefined)).toBeNull();
  });
});
