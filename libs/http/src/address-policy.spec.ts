import {
  AddressPolicy,
  AddressRefusedError,
  classifyAddress,
  guardedLookup,
  hostOf,
  parseAllowEntry,
  type HostResolver,
  type ResolvedAddress,
} from './address-policy';

const METADATA = 'a link-local/metadata address';

describe('what URL parsing leaves of a host', () => {
  it.each([
    ['http://169.254.169.254/', '169.254.169.254'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'],
    ['http://2852039166/', '169.254.169.254'],
    ['http://0xa9fea9fe/', '169.254.169.254'],
    ['http://0251.0376.0251.0376/', '169.254.169.254'],
    ['http://0xa9.0xfe.0xa9.0xfe/', '169.254.169.254'],
    ['http://169.254.43518/', '169.254.169.254'],
    ['http://169.254.169.254./', '169.254.169.254'],
    ['http://%31%36%39.254.169.254/', '169.254.169.254'],
    ['http://[FD00:EC2::254]:8080/', 'fd00:ec2::254'],
    ['https://GitLab.Example.com./', 'gitlab.example.com'],
  ])('%s has the host %s', (url, host) => {
    expect(hostOf(new URL(url))).toBe(host);
  });
});

describe('classifyAddress', () => {
  it.each([
    ['169.254.169.254', 'metadata', '169.254.169.254'],
    ['::ffff:169.254.169.254', 'metadata', '169.254.169.254'],
    ['::ffff:a9fe:a9fe', 'metadata', '169.254.169.254'],
    ['[::ffff:a9fe:a9fe]', 'metadata', '169.254.169.254'],
    ['::169.254.169.254', 'metadata', '169.254.169.254'],
    ['64:ff9b::a9fe:a9fe', 'metadata', '169.254.169.254'],
    ['fd00:ec2::254', 'metadata', 'fd00:ec2::254'],
    ['100.100.100.200', 'metadata', '100.100.100.200'],
    ['168.63.129.16', 'metadata', '168.63.129.16'],
    ['169.254.0.1', 'link-local', '169.254.0.1'],
    ['169.254.170.2', 'link-local', '169.254.170.2'],
    ['fe80::1', 'link-local', 'fe80::1'],
    ['fe80::1%eth0', 'link-local', 'fe80::1'],
    ['febf::1', 'link-local', 'febf::1'],
    ['0.0.0.0', 'unspecified', '0.0.0.0'],
    ['0.1.2.3', 'unspecified', '0.1.2.3'],
    ['::', 'unspecified', '::'],
    ['224.0.0.1', 'multicast', '224.0.0.1'],
    ['239.255.255.250', 'multicast', '239.255.255.250'],
    ['ff02::1', 'multicast', 'ff02::1'],
    ['240.0.0.1', 'reserved', '240.0.0.1'],
    ['255.255.255.255', 'reserved', '255.255.255.255'],
    ['127.0.0.1', 'loopback', '127.0.0.1'],
    ['127.255.0.9', 'loopback', '127.255.0.9'],
    ['::1', 'loopback', '::1'],
    ['::ffff:127.0.0.1', 'loopback', '127.0.0.1'],
    ['10.0.0.1', 'private', '10.0.0.1'],
    ['172.16.0.1', 'private', '172.16.0.1'],
    ['172.31.255.255', 'private', '172.31.255.255'],
    ['192.168.1.10', 'private', '192.168.1.10'],
    ['100.64.0.1', 'private', '100.64.0.1'],
    ['fd12:3456::1', 'private', 'fd12:3456::1'],
    ['fc00::1', 'private', 'fc00::1'],
    ['172.32.0.1', 'public', '172.32.0.1'],
    ['169.253.255.255', 'public', '169.253.255.255'],
    ['8.8.8.8', 'public', '8.8.8.8'],
    ['2001:4860:4860::8888', 'public', '2001:4860:4860::8888'],
    ['fec0::1', 'public', 'fec0::1'],
  ])('%s is %s (as %s)', (address, kind, normalised) => {
    expect(classifyAddress(address)).toEqual({ address: normalised, kind });
  });

  it('is undefined for a host name', () => {
    expect(classifyAddress('169.254.169.254.nip.io')).toBeUndefined();
    expect(classifyAddress('localhost')).toBeUndefined();
  });
});

describe('AddressPolicy', () => {
  describe('by default', () => {
    const policy = new AddressPolicy();

    it.each([
      'http://169.254.169.254/',
      'http://[::ffff:169.254.169.254]/',
      'http://2852039166/',
      'http://0xa9fea9fe/',
      'http://0251.0376.0251.0376/',
      'http://169.254.43518/',
      'https://169.254.169.254:443/latest/meta-data/',
    ])('refuses %s as a link-local/metadata address', (url) => {
      expect(policy.checkLiteral(new URL(url))).toEqual({
        address: '169.254.169.254',
        kind: 'metadata',
        allowed: false,
        reason: METADATA,
      });
    });

    it.each([
      ['http://[fd00:ec2::254]/', 'a cloud metadata address'],
      ['http://100.100.100.200/', 'a cloud metadata address'],
      ['http://169.254.1.1/', 'a link-local address'],
      ['http://[fe80::1]/', 'a link-local address'],
      ['http://0.0.0.0/', 'an unspecified ("this host") address'],
      ['http://0/', 'an unspecified ("this host") address'],
      ['http://[::]/', 'an unspecified ("this host") address'],
      ['http://224.0.0.251/', 'a multicast address'],
      ['http://[ff02::1]/', 'a multicast address'],
      ['http://255.255.255.255/', 'a reserved or broadcast address'],
    ])('refuses %s: %s', (url, reason) => {
      expect(policy.checkLiteral(new URL(url))).toMatchObject({ allowed: false, reason });
    });

    it.each([
      'http://127.0.0.1:8080/',
      'http://[::1]/',
      'http://10.20.30.40/',
      'http://172.16.0.5/',
      'http://192.168.0.2/',
      'http://100.64.1.1/',
      'http://[fd12:3456::1]/',
      'https://140.82.112.3/',
      'https://[2606:4700::1111]/',
    ])('allows %s (loopback and private networks too: self-hosted upstreams live there)', (url) => {
      expect(policy.checkLiteral(new URL(url))).toMatchObject({ allowed: true });
    });

    it('leaves a host name to the lookup', () => {
      expect(policy.checkLiteral(new URL('http://169.254.169.254.nip.io/'))).toBeUndefined();
      expect(policy.checkLiteral(new URL('https://gitlab.example.com/'))).toBeUndefined();
    });
  });

  describe('with allowPrivate: false', () => {
    const policy = new AddressPolicy({
      allowPrivate: false,
      allow: ['10.1.0.0/16', '192.168.7.7', 'gitlab.internal', '*.corp.example', 'fd00:1234::/32'],
    });

    it('refuses loopback and private addresses the allow-list does not name', () => {
      expect(policy.check('10.2.0.1', 'jenkins.internal')).toEqual({
        address: '10.2.0.1',
        kind: 'private',
        allowed: false,
        reason:
          'a private-network address, and network.allowPrivate is false and network.allow does not list it',
      });
      expect(policy.check('127.0.0.1')).toMatchObject({ allowed: false, kind: 'loopback' });
      expect(policy.check('::ffff:192.168.7.8')).toMatchObject({ allowed: false, kind: 'private' });
      expect(policy.check('fd00:5678::1')).toMatchObject({ allowed: false });
    });

    it('allows the addresses, subnets and host names it lists', () => {
      expect(policy.check('10.1.200.3', 'jenkins.internal')).toMatchObject({ allowed: true });
      expect(policy.check('192.168.7.7')).toMatchObject({ allowed: true });
      expect(policy.check('::ffff:192.168.7.7')).toMatchObject({ allowed: true });
      expect(policy.check('fd00:1234::9')).toMatchObject({ allowed: true });
      expect(policy.check('10.9.9.9', 'gitlab.internal')).toMatchObject({ allowed: true });
      expect(policy.check('10.9.9.9', 'GitLab.Internal.')).toMatchObject({ allowed: true });
      expect(policy.check('10.9.9.9', 'vault.corp.example')).toMatchObject({ allowed: true });
      expect(policy.check('10.9.9.9', 'corp.example')).toMatchObject({ allowed: false });
      expect(policy.check('10.9.9.9', 'gitlab.internal.evil.example')).toMatchObject({ allowed: false });
    });

    it('still allows public addresses', () => {
      expect(policy.check('140.82.112.3', 'github.com')).toMatchObject({ allowed: true, kind: 'public' });
    });

    it('never allows a metadata or link-local address, whatever the list says', () => {
      const lenient = new AddressPolicy({
        allowPrivate: false,
        allow: ['169.254.0.0/16', 'metadata.internal'],
      });
      expect(lenient.check('169.254.169.254', 'metadata.internal')).toMatchObject({
        allowed: false,
        reason: METADATA,
      });
      expect(lenient.check('169.254.10.1', 'metadata.internal')).toMatchObject({ allowed: false });
    });
  });

  it('refuses a bad allow entry', () => {
    expect(() => new AddressPolicy({ allow: ['10.0.0.0/40'] })).toThrow(
      'network.allow entry "10.0.0.0/40": must be an IP address, a subnet such as 10.1.0.0/16, or a host name',
    );
  });
});

describe('parseAllowEntry', () => {
  it.each([
    ['10.1.0.0/16', { type: 'subnet', network: '10.1.0.0', prefix: 16, family: 'ipv4' }],
    ['fd00::/8', { type: 'subnet', network: 'fd00::', prefix: 8, family: 'ipv6' }],
    ['10.1.2.3', { type: 'address', address: '10.1.2.3', family: 'ipv4' }],
    ['[::1]', { type: 'address', address: '::1', family: 'ipv6' }],
    ['GitLab.Internal', { type: 'host', name: 'gitlab.internal', subdomains: false }],
    ['*.corp.example', { type: 'host', name: 'corp.example', subdomains: true }],
  ])('reads %s', (entry, parsed) => {
    expect(parseAllowEntry(entry)).toEqual(parsed);
  });

  it.each([
    ['10.0.0.0/33', 'must be an IP address, a subnet such as 10.1.0.0/16, or a host name'],
    ['::/129', 'must be an IP address, a subnet such as 10.1.0.0/16, or a host name'],
    ['gitlab/16', 'must be an IP address, a subnet such as 10.1.0.0/16, or a host name'],
    ['not a host', 'must be an IP address, a subnet such as 10.1.0.0/16, or a host name'],
    ['', 'must be an IP address, a subnet such as 10.1.0.0/16, or a host name'],
    ['-bad-.example', 'must be an IP address, a subnet such as 10.1.0.0/16, or a host name'],
    ['169.254.169.254', `169.254.169.254 is ${METADATA}, which is always refused`],
    ['::ffff:169.254.169.254', `169.254.169.254 is ${METADATA}, which is always refused`],
  ])('refuses %p: %s', (entry, why) => {
    expect(parseAllowEntry(entry)).toBe(why);
  });
});

describe('guardedLookup', () => {
  /** Runs the lookup as `net.connect` does, resolving what the callback got. */
  function lookUp(
    resolver: HostResolver,
    hostname: string,
    all: boolean,
    policy = new AddressPolicy(),
  ): Promise<{ err: Error | null; address?: unknown; family?: number }> {
    return new Promise((resolve) =>
      guardedLookup(policy, resolver)(hostname, { all, family: 0, hints: 0 }, (err, address, family) =>
        resolve({ err, address, family }),
      ),
    );
  }
  const resolving =
    (...addresses: string[]): HostResolver =>
    async () =>
      addresses.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));

  it.each(['169.254.169.254.nip.io', 'metadata.google.internal', 'a9fea9fe.rbndr.us'])(
    'refuses %s when it resolves to 169.254.169.254',
    async (host) => {
      const { err } = await lookUp(resolving('169.254.169.254'), host, true);
      expect(err).toBeInstanceOf(AddressRefusedError);
      expect(err).toMatchObject({ host, verdict: { address: '169.254.169.254', kind: 'metadata' } });
      expect(err?.message).toBe(
        `${host} resolves to 169.254.169.254, ${METADATA}; refused by the network policy`,
      );
    },
  );

  it('refuses a name resolving to an IPv4-mapped metadata address', async () => {
    const { err } = await lookUp(resolving('::ffff:169.254.169.254'), 'sneaky.example', false);
    expect(err?.message).toBe(
      `sneaky.example resolves to 169.254.169.254, ${METADATA}; refused by the network policy`,
    );
  });

  it('hands on only the allowed addresses of a mixed answer', async () => {
    const resolver = resolving('169.254.169.254', '140.82.112.3', 'fe80::1', '2606:4700::1111');
    expect(await lookUp(resolver, 'mixed.example', true)).toEqual({
      err: null,
      address: [
        { address: '140.82.112.3', family: 4 },
        { address: '2606:4700::1111', family: 6 },
      ],
      family: undefined,
    });
    expect(await lookUp(resolver, 'mixed.example', false)).toEqual({
      err: null,
      address: '140.82.112.3',
      family: 4,
    });
  });

  it('applies the private-network rule to the name that was looked up', async () => {
    const strict = new AddressPolicy({ allowPrivate: false, allow: ['gitlab.internal'] });
    expect(await lookUp(resolving('10.0.0.7'), 'gitlab.internal', false, strict)).toMatchObject({
      err: null,
      address: '10.0.0.7',
    });
    const { err } = await lookUp(resolving('10.0.0.7'), 'jenkins.internal', false, strict);
    expect(err?.message).toBe(
      'jenkins.internal resolves to 10.0.0.7, a private-network address, and network.allowPrivate is false ' +
        'and network.allow does not list it; refused by the network policy',
    );
  });

  it('passes a resolver failure on, and fails ENOTFOUND on an empty answer', async () => {
    const failing: HostResolver = async () => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN nowhere.example'), { code: 'EAI_AGAIN' });
    };
    expect((await lookUp(failing, 'nowhere.example', true)).err).toMatchObject({ code: 'EAI_AGAIN' });
    expect((await lookUp(resolving(), 'empty.example', true)).err).toMatchObject({ code: 'ENOTFOUND' });
  });

  it('asks the resolver with the family and hints net.connect gives', async () => {
    const asked: unknown[] = [];
    const resolver: HostResolver = async (hostname, options) => {
      asked.push({ hostname, ...options });
      return [{ address: '140.82.112.3', family: 4 }];
    };
    await new Promise((resolve) =>
      guardedLookup(new AddressPolicy(), resolver)('github.com', { family: 'IPv4', hints: 32 }, resolve),
    );
    expect(asked).toEqual([{ hostname: 'github.com', family: 4, hints: 32 }]);
  });
});
