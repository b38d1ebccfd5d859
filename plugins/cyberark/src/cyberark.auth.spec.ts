import { sessionToken } from './cyberark.auth';

describe('sessionToken', () => {
  it('reads the bare JSON string PVWA answers, and the {"value"} of the CyberArk mock', () => {
    expect(sessionToken('OTc5NjZlZDUtZDY0YS00N2Rm')).toBe('OTc5NjZlZDUtZDY0YS00N2Rm');
    expect(sessionToken({ value: 'OTc5NjZlZDUtZDY0YS00N2Rm' })).toBe('OTc5NjZlZDUtZDY0YS00N2Rm');
  });

  it('refuses what cannot be a header value', () => {
    expect(sessionToken('')).toBeUndefined();
    expect(sessionToken('two words')).toBeUndefined();
    expect(sessionToken('line\nbreak')).toBeUndefined();
    expect(sessionToken({ token: 'x' })).toBeUndefined();
    expect(sessionToken(undefined)).toBeUndefined();
  });
});
