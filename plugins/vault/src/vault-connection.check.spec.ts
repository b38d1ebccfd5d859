import { describeHealth } from './vault-connection.check';

describe('vault health description', () => {
  it.each([
    [200, {}, 'Vault answered 200: unsealed, active', false],
    [429, {}, 'Vault answered 429: unsealed, standby (requests are forwarded to the active node)', false],
    [472, {}, 'Vault answered 472: unsealed, disaster-recovery secondary', false],
    [473, {}, 'Vault answered 473: unsealed, performance standby', false],
    [501, {}, 'Vault answered 501: not initialized', true],
    [503, {}, 'Vault answered 503: sealed', true],
    // The body wins over the status (a load balancer may rewrite it with ?standbyok=true).
    [
      200,
      { standby: true, version: '1.15.2' },
      'Vault 1.15.2 answered 200: unsealed, standby (requests are forwarded to the active node)',
      false,
    ],
    [200, { sealed: true }, 'Vault answered 200: sealed', true],
  ])('status %i with %j: %s', (status, body, detail, blocked) => {
    const described = describeHealth({ status, body });
    expect(described.detail).toBe(detail);
    expect(described.blocked !== undefined).toBe(blocked);
  });
});
