import { resolveNextLink, safePathId } from './cyberark.client';

describe('resolveNextLink', () => {
  it('resolves PVWA relative links against /PasswordVault/', () => {
    expect(resolveNextLink('api/Accounts?offset=2&limit=2')).toBe(
      '/PasswordVault/api/Accounts?offset=2&limit=2',
    );
    expect(resolveNextLink('API/Safes?offset=25&limit=25&useCache=False')).toBe(
      '/PasswordVault/API/Safes?offset=25&limit=25&useCache=False',
    );
    expect(resolveNextLink('/api/Safes?offset=25')).toBe('/PasswordVault/api/Safes?offset=25');
  });

  it('keeps links that already name /PasswordVault/, and absolute URLs', () => {
    expect(resolveNextLink('PasswordVault/API/Safes?offset=2')).toBe('/PasswordVault/API/Safes?offset=2');
    expect(resolveNextLink('/passwordvault/api/Safes?offset=2')).toBe('/passwordvault/api/Safes?offset=2');
    expect(resolveNextLink('https://pvwa.example.com/PasswordVault/API/Safes?offset=2')).toBe(
      'https://pvwa.example.com/PasswordVault/API/Safes?offset=2',
    );
  });
});

describe('safePathId', () => {
  it('encodes a safe name once, whether or not PVWA encoded its safeUrlId already', () => {
    expect(safePathId({ safeName: 'PROD Payments', safeUrlId: 'PROD%20Payments' })).toBe('PROD%20Payments');
    expect(safePathId({ safeName: 'PROD Payments', safeUrlId: 'PROD Payments' })).toBe('PROD%20Payments');
    expect(safePathId({ safeName: 'Cisco', safeUrlId: '' })).toBe('Cisco');
    expect(safePathId({ safeName: 'a#b', safeUrlId: 'a#b' })).toBe('a%23b');
  });
});
