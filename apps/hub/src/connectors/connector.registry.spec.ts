import { Writable } from 'node:stream';
import { AppLogger } from '../common/app-logger';
import { Clock } from '../common/clock';
import { ConfigError } from '../config/config.error';
import { parseConfig } from '../config/config.loader';
import { Redactor } from '../config/redactor';
import { PluginRegistry } from '../plugins/plugin-registry';
import { ConnectorRegistry } from './connector.registry';

function registry(yaml: string): { registry: ConnectorRegistry; redactor: Redactor } {
  const loaded = parseConfig(yaml, { env: {} });
  const redactor = new Redactor(loaded.secrets);
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  const logger = new AppLogger(redactor, undefined, sink);
  return {
    registry: new ConnectorRegistry(loaded, new PluginRegistry(), redactor, new Clock(), logger),
    redactor,
  };
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const connectors = (gitlabToken: string, vaultToken: string) => `connectors:
  - id: gitlab
    plugin: gitlab
    baseUrl: https://gitlab.example.com
    auth:
      token: "${gitlabToken}"
  - id: vault
    plugin: vault
    baseUrl: https://vault.example.com
    auth: { token: "${vaultToken}" }
`;

describe('ConnectorRegistry secrets', () => {
  it('refuses a literal secret shorter than 8 characters, naming the key and line, never the value', () => {
    const { registry: r } = registry(connectors('glpat-long-enough-token', 'hv.x1'));
    const err = configError(() => r.instances());
    expect(err.problems).toEqual([
      'connectors[1].auth.token (line 10): a secret must be at least 8 characters, to be redacted by value ' +
        'from every output (this one has 5)',
    ]);
    expect(err.message).not.toContain('hv.x1');
  });

  it('redacts every literal secret of an accepted config by value', () => {
    const { registry: r, redactor } = registry(connectors('glpat-long-enough-token', 'hvs.vault-token-1'));
    expect(r.instances().map((i) => i.id)).toEqual(['gitlab', 'vault']);
    expect(redactor.redact('glpat-long-enough-token and hvs.vault-token-1')).toBe(
      '[REDACTED] and [REDACTED]',
    );
  });

  it('redacts literal secrets from start-up, before any connector is used, whatever else is wrong', () => {
    const { registry: r, redactor } = registry(connectors('glpat-long-enough-token', 'hv.x1'));
    r.onModuleInit();
    expect(redactor.redact('token glpat-long-enough-token, hv.x1')).toBe('token [REDACTED], hv.x1');
  });
});
