import { ConfigError } from './config.error';
import { parseConfig } from './config.loader';

/** The problems a config text is refused with (fails the test when it loads). */
function problems(text: string): string[] {
  try {
    parseConfig(text, { env: { GITLAB_TOKEN: 'glpat-config-test-token' } });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const connector = (baseUrl: string, extra = '') => `${extra}connectors:
  - id: gitlab
    plugin: gitlab
    auth: { token: "\${env:GITLAB_TOKEN}" }
    baseUrl: ${baseUrl}
`;

describe('connectors[].baseUrl and the network policy at config load', () => {
  it.each([
    'http://169.254.169.254/',
    '"http://[::ffff:169.254.169.254]/"',
    'http://2852039166/',
    'http://0xa9fea9fe/',
    'http://0251.0376.0251.0376/latest/meta-data/',
  ])('refuses %s, naming the path, the line and the address', (baseUrl) => {
    expect(problems(connector(baseUrl))).toEqual([
      'connectors[0].baseUrl (line 5): refers to 169.254.169.254, a link-local/metadata address',
    ]);
  });

  it.each([
    ['"http://[fd00:ec2::254]/"', 'fd00:ec2::254, a cloud metadata address'],
    ['http://100.100.100.200/', '100.100.100.200, a cloud metadata address'],
    ['http://169.254.10.20:8080/', '169.254.10.20, a link-local address'],
    ['http://0.0.0.0:8080/', '0.0.0.0, an unspecified ("this host") address'],
  ])('refuses %s', (baseUrl, what) => {
    expect(problems(connector(baseUrl))).toEqual([`connectors[0].baseUrl (line 5): refers to ${what}`]);
  });

  it('refuses it even with allowPrivate and an allow-list naming it', () => {
    const network = 'network: { allowPrivate: true, allow: ["169.254.0.0/16"] }\n';
    expect(problems(connector('http://169.254.169.254/', network))).toEqual([
      'connectors[0].baseUrl (line 6): refers to 169.254.169.254, a link-local/metadata address',
    ]);
  });

  it('accepts loopback, private and public addresses and host names by default', () => {
    for (const baseUrl of [
      'http://127.0.0.1:8080',
      'https://10.1.2.3',
      'https://192.168.10.5/gitlab',
      'https://gitlab.example.com',
      // Resolved only at connect time, where the HTTP client refuses what it resolves to.
      'http://169.254.169.254.nip.io',
    ]) {
      const { config } = parseConfig(connector(baseUrl), {
        env: { GITLAB_TOKEN: 'glpat-config-test-token' },
      });
      expect(config.connectors[0].baseUrl).toBe(baseUrl);
      expect(config.network).toEqual({ allowPrivate: true, allow: [] });
    }
  });

  it('with allowPrivate: false, refuses a private address the allow-list does not name', () => {
    const network = 'network:\n  allowPrivate: false\n  allow: ["10.1.0.0/16", gitlab.internal]\n';
    expect(problems(connector('https://10.2.0.1', network))).toEqual([
      'connectors[0].baseUrl (line 8): refers to 10.2.0.1, a private-network address, and ' +
        'network.allowPrivate is false and network.allow does not list it',
    ]);
    const env = { env: { GITLAB_TOKEN: 'glpat-config-test-token' } };
    const { config } = parseConfig(connector('https://10.1.4.2', network), env);
    expect(config.network).toEqual({ allowPrivate: false, allow: ['10.1.0.0/16', 'gitlab.internal'] });
  });

  it('checks the network section itself', () => {
    const network =
      'network:\n  allowPrivate: "no"\n  allow: [10.0.0.0/8, "10.0.0.0/40", 169.254.169.254]\n  deny: []\n';
    expect(problems(connector('https://gitlab.example.com', network))).toEqual([
      'network.allowPrivate (line 2): must be true or false',
      'network.allow (line 3): entry 1 ("10.0.0.0/40"): must be an IP address, a subnet such as 10.1.0.0/16, or a host name',
      'network.deny (line 4): unknown key',
    ]);
    expect(
      problems(connector('https://gitlab.example.com', 'network: { allow: [169.254.169.254] }\n')),
    ).toEqual([
      'network.allow (line 1): entry 0 ("169.254.169.254"): 169.254.169.254 is a link-local/metadata address, which is always refused',
    ]);
  });
});
