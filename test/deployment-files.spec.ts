/**
 * The deployment files a newcomer starts from (compose.yaml, config/compose/, Dockerfile) work as
 * shipped: the config compose mounts exists and loads, every secret it reads is passed through from
 * the host, storage points at compose's own services, and the image is on a supported Node LTS.
 * (`docker compose config` is not installed here; the compose file is read as YAML.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseConfig } from '../apps/hub/src/config/config.loader';

const ROOT = join(__dirname, '..');

interface ComposeService {
  environment?: Record<string, string>;
  volumes?: string[];
  command?: string[];
}

const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const hubServices = ['migrate', 'api', 'worker', 'scheduler'];

/** The host folder mounted at /config, and the config file the hub reads in it. */
function configPath(service: ComposeService): string {
  const mount = (service.volumes ?? []).find((v) => v.split(':')[1] === '/config');
  expect(mount).toBeDefined();
  const file = service.environment?.AUDIT_HUB_CONFIG;
  expect(file).toMatch(/^\/config\//);
  return join(ROOT, mount!.split(':')[0], file!.slice('/config/'.length));
}

describe('compose.yaml and its config', () => {
  it.each(hubServices)(
    '%s mounts a config that exists and loads, with every secret it reads passed through',
    (name) => {
      const service = compose.services[name];
      const path = configPath(service);
      const text = readFileSync(path, 'utf8');
      const env = service.environment ?? {};
      const read = [...text.matchAll(/\$\{env:([A-Z0-9_]+)\}/g)].map((m) => m[1]);
      expect(read.length).toBeGreaterThan(0);
      expect(read.filter((v) => !(v in env))).toEqual([]);
      // Each variable compose sets comes from the host variable of the same name.
      for (const [key, value] of Object.entries(env)) {
        if (key === 'AUDIT_HUB_CONFIG') continue;
        expect(value).toMatch(new RegExp(`^\\$\\{${key}(:[-?].*)?\\}$`));
      }
      const secrets = Object.fromEntries(
        Object.keys(env).map((k) => [k, `secret-value-of-${k.toLowerCase()}`]),
      );
      const loaded = parseConfig(text, { env: secrets, path });
      expect(loaded.config.storage.database).toMatch(/^postgres:\/\/audit:.+@postgres:5432\/audit$/);
      expect(loaded.config.storage.redis).toBe('redis://redis:6379');
    },
  );

  it('the database password the hub uses is the one PostgreSQL is started with', () => {
    expect(compose.services.postgres.environment?.POSTGRES_PASSWORD).toMatch(
      /^\$\{AUDIT_HUB_DB_PASSWORD[:}]/,
    );
    for (const name of hubServices)
      expect(compose.services[name].environment?.AUDIT_HUB_DB_PASSWORD).toMatch(
        /^\$\{AUDIT_HUB_DB_PASSWORD[:}]/,
      );
  });

  it('names a config error by key and line when a secret is missing', () => {
    const path = configPath(compose.services.api);
    expect(() => parseConfig(readFileSync(path, 'utf8'), { env: {}, path })).toThrow(
      /storage\.database \(line \d+\): environment variable AUDIT_HUB_DB_PASSWORD is not set/,
    );
  });
});

describe('Dockerfile', () => {
  it('builds and runs on a supported Node.js LTS (22 or later)', () => {
    const images = [...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^FROM node:(\d+)/gm)].map(
      (m) => Number(m[1]),
    );
    expect(images.length).toBeGreaterThan(0);
    for (const major of images) expect(major).toBeGreaterThanOrEqual(22);
  });
});
