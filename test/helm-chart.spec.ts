/**
 * The Helm chart at deploy/helm/audit-hub, checked without helm (neither helm nor kubeconform can be
 * installed here; docs/operations.md gives the commands): Chart.yaml and values.yaml parse with
 * what a chart needs, every template's actions are balanced and every `.Values.…` path it reads
 * exists in values.yaml, every `include` names a defined template, the kinds are the expected
 * ones, the alerts read metrics the app really exports, and the probes and scrape path are the
 * app's own routes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseConfig } from '../apps/hub/src/config/config.loader';

const ROOT = join(__dirname, '..');
const CHART = join(ROOT, 'deploy/helm/audit-hub');
const TEMPLATES = join(CHART, 'templates');

const read = (path: string) => readFileSync(path, 'utf8');
const chart = parse(read(join(CHART, 'Chart.yaml'))) as Record<string, unknown>;
const values = parse(read(join(CHART, 'values.yaml'))) as Record<string, unknown>;
const templateFiles = readdirSync(TEMPLATES).filter((f) => /\.(ya?ml|tpl)$/.test(f));
const templates = new Map(templateFiles.map((f) => [f, read(join(TEMPLATES, f))]));
const manifests = templateFiles.filter((f) => !f.startsWith('_'));
const allText = [...templates.values()].join('\n');

/** `{{`…`}}` raw strings (Prometheus' own templates, passed through verbatim) removed. */
const withoutRawStrings = (text: string) => text.replace(/\{\{-?\s*`[^`]*`\s*-?\}\}/g, '');

/** The text inside each `{{ … }}` action, trim markers removed, in order. */
function actions(text: string): string[] {
  return [...withoutRawStrings(text).matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)].map((m) => m[1]);
}

/** Whether `path` (["a","b"]) names a key in `obj`, level by level. */
function resolves(obj: unknown, path: string[]): boolean {
  let at = obj;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || Array.isArray(at) || !(key in at)) return false;
    at = (at as Record<string, unknown>)[key];
  }
  return true;
}

/** The line (1-based) of offset `index` in `text`. */
const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

describe('Chart.yaml and values.yaml', () => {
  it('Chart.yaml is an application chart of apiVersion v2 at the app version', () => {
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'audit-hub', type: 'application' });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    const pkg = JSON.parse(read(join(ROOT, 'package.json'))) as { version: string };
    expect(chart.appVersion).toBe(pkg.version);
    expect(typeof chart.description).toBe('string');
  });

  it('values.yaml holds no secret values: secrets come from an existing Secret named by the user', () => {
    expect(values.secrets).toEqual({ existingSecret: '' });
    expect(manifests.filter((f) => /^kind:\s*Secret\s*$/m.test(templates.get(f)!))).toEqual([]);
    // Every credential the config needs is a `${env:…}` reference, never a value.
    const database = (values.config as { storage: { database: string } }).storage.database;
    expect(database).toMatch(/^postgres:\/\/[^:@]+:\$\{env:[A-Z0-9_]+\}@/);
    const leaks: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (node && typeof node === 'object')
        for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
      else if (
        typeof node === 'string' &&
        /(password|token|secret)$/i.test(path) &&
        node !== '' &&
        !/^\$\{(env|file):[^}]+\}$/.test(node)
      )
        leaks.push(path);
    };
    walk(values, '');
    expect(leaks).toEqual([]);
  });

  it('values.config is a config the hub loads, in the distributed shape (PostgreSQL and Redis)', () => {
    const text = JSON.stringify(values.config);
    const reads = [...text.matchAll(/\$\{env:([A-Z0-9_]+)\}/g)].map((m) => m[1]);
    expect(reads).toContain('AUDIT_HUB_DB_PASSWORD');
    const env = Object.fromEntries(reads.map((k) => [k, `secret-value-of-${k.toLowerCase()}`]));
    const loaded = parseConfig(text, { env, path: join(CHART, 'values.yaml') });
    expect(loaded.config.storage.database).toMatch(/^postgres:\/\//);
    expect(loaded.config.storage.redis).toMatch(/^redis:\/\//);
  });

  it('gives workers a 512Mi memory limit and runs every container unprivileged', () => {
    expect(values.worker).toMatchObject({ resources: { limits: { memory: '512Mi' } } });
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true });
    expect(values.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
  });
});

describe('templates', () => {
  it('has the expected files', () => {
    expect(templateFiles).toEqual(expect.arrayContaining(['_helpers.tpl', 'configmap.yaml']));
    expect(manifests.length).toBeGreaterThanOrEqual(8);
    // The .Values check below sees the templates' references (not a pattern that matches nothing).
    expect((allText.match(/\.Values\.[a-z]/g) ?? []).length).toBeGreaterThan(30);
  });

  it.each(templateFiles)('%s has balanced actions and blocks', (file) => {
    const text = templates.get(file)!;
    expect((text.match(/\{\{/g) ?? []).length).toBe((text.match(/\}\}/g) ?? []).length);
    // Outside raw strings, actions never nest: each `{{` closes before the next opens.
    const plain = withoutRawStrings(text);
    let open = -1;
    for (let i = 0; i < plain.length - 1; i++) {
      const two = plain.slice(i, i + 2);
      if (two === '{{') {
        if (open >= 0)
          throw new Error(`${file}:${lineOf(plain, open)}: "{{" not closed before line ${lineOf(plain, i)}`);
        open = i;
      } else if (two === '}}') {
        if (open < 0) throw new Error(`${file}:${lineOf(plain, i)}: "}}" without "{{"`);
        open = -1;
      }
    }
    expect(open).toBe(-1);
    const stack: string[] = [];
    for (const action of actions(text)) {
      if (action.startsWith('/*')) continue;
      const word = /^(\w+)/.exec(action)?.[1];
      if (word && ['if', 'with', 'range', 'define', 'block'].includes(word)) stack.push(action);
      else if (word === 'end') {
        if (!stack.pop()) throw new Error(`${file}: "{{ end }}" without an opening block`);
      } else if (word === 'else' && stack.length === 0)
        throw new Error(`${file}: "{{ else }}" outside a block`);
    }
    expect(stack).toEqual([]);
  });

  it.each(templateFiles)('%s reads only .Values paths that exist in values.yaml', (file) => {
    const text = templates.get(file)!;
    const refs = [...withoutRawStrings(text).matchAll(/\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map(
      (m) => ({
        ref: `.Values${m[1]}`,
        path: m[1].slice(1).split('.'),
      }),
    );
    expect(refs.filter((r) => !resolves(values, r.path)).map((r) => r.ref)).toEqual([]);
  });

  it('includes only templates that _helpers.tpl defines', () => {
    const defined = new Set([...allText.matchAll(/\{\{-?\s*define\s+"([^"]+)"/g)].map((m) => m[1]));
    const included = new Set([...allText.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)].map((m) => m[1]));
    expect(included.size).toBeGreaterThan(0);
    expect([...included].filter((n) => !defined.has(n))).toEqual([]);
    for (const name of [
      'audit-hub.name',
      'audit-hub.fullname',
      'audit-hub.labels',
      'audit-hub.selectorLabels',
    ])
      expect(defined).toContain(name);
  });

  it('renders only the expected kinds, each with its apiVersion', () => {
    const expected: Record<string, string> = {
      ConfigMap: 'v1',
      Service: 'v1',
      Deployment: 'apps/v1',
      Job: 'batch/v1',
      ServiceMonitor: 'monitoring.coreos.com/v1',
      PrometheusRule: 'monitoring.coreos.com/v1',
    };
    const seen = new Set<string>();
    for (const file of templateFiles) {
      const text = templates.get(file)!;
      for (const m of text.matchAll(/^apiVersion:\s*(\S+)\s*\nkind:\s*(\S+)\s*$/gm)) {
        expect(`${file}: ${m[2]} ${m[1]}`).toBe(`${file}: ${m[2]} ${expected[m[2]] ?? '(unexpected kind)'}`);
        seen.add(m[2]);
      }
      // A kind line not right after its apiVersion would escape the check above.
      expect((text.match(/^\s*kind:/gm) ?? []).length).toBe(
        [...text.matchAll(/^apiVersion:.*\nkind:/gm)].length,
      );
    }
    expect([...seen].sort()).toEqual(Object.keys(expected).sort());
  });

  it('runs each role as its own Deployment and migrations as a pre-install/pre-upgrade Job', () => {
    for (const role of ['api', 'worker', 'scheduler']) {
      const text = templates.get(`${role}-deployment.yaml`)!;
      expect(text).toContain(`"role" "${role}"`);
      expect(text).toContain(`.Values.${role}.replicas`);
    }
    expect(allText).toMatch(/list "serve" "--role" \.role "--port"/);
    const job = templates.get('migrate-job.yaml')!;
    expect(job).toMatch(/"args" \(list "migrate"\)/);
    // The Job and the config copy it reads are hooks, the config first.
    const hooks = [...job.matchAll(/helm\.sh\/hook: (\S+)\n\s+helm\.sh\/hook-weight: "(-?\d+)"/g)];
    expect(hooks.map((h) => h[1])).toEqual(['pre-install,pre-upgrade', 'pre-install,pre-upgrade']);
    expect(hooks.map((h) => Number(h[2]))).toEqual([-1, 0]);
  });

  it('mounts writable volumes where the app writes, since the root filesystem is read-only', () => {
    const dockerfile = read(join(ROOT, 'Dockerfile'));
    const workdir = [...dockerfile.matchAll(/^WORKDIR\s+(\S+)/gm)].pop()?.[1];
    const pseudonymizer = read(join(ROOT, 'apps/hub/src/reports/pseudonymizer.ts'));
    const keyDir = /DEFAULT_PSEUDONYM_KEY_FILE = '\.\/([^/']+)\//.exec(pseudonymizer)?.[1];
    expect(workdir).toBeDefined();
    expect(keyDir).toBeDefined();
    const helpers = templates.get('_helpers.tpl')!;
    for (const dir of [`${workdir}/${keyDir}`, '/tmp'])
      expect(helpers).toMatch(new RegExp(`mountPath: ${dir}\\n`));
  });
});

describe('alerts and probes against the app', () => {
  const metricsDir = join(ROOT, 'apps/hub/src/metrics');
  const exported = new Set(
    readdirSync(metricsDir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .flatMap((f) =>
        [...read(join(metricsDir, f)).matchAll(/\bname:\s*'([a-z_:][a-z0-9_:]*)'/g)].map((m) => m[1]),
      ),
  );
  const rule = templates.get('prometheusrule.yaml')!;
  const exprs = [...rule.matchAll(/^\s+expr:\s*(.+)$/gm)].map((m) => m[1]);

  it('reads the metric names from the app', () => {
    expect(exported.size).toBeGreaterThan(10);
    expect(exported).toContain('audit_hub_findings');
  });

  it('every alert expression reads metrics the app exports', () => {
    expect(exprs).toHaveLength(5);
    for (const expr of exprs) {
      const names = [...expr.matchAll(/\b(audit_hub_[a-z0-9_]+)/g)].map((m) => m[1]);
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((n) => !exported.has(n))).toEqual([]);
    }
  });

  it('covers every alert docs/operations.md recommends', () => {
    const ops = read(join(ROOT, 'docs/operations.md'));
    const advice = /Alerts worth having:([\s\S]*?)\n\n/.exec(ops)?.[1];
    expect(advice).toBeDefined();
    const used = exprs.join('\n');
    // The metrics the docs name, and the label values they alert on.
    for (const name of advice!.match(/audit_hub_[a-z0-9_]+/g) ?? []) expect(used).toContain(name);
    expect(used).toContain('audit_hub_queue_jobs{state="failed"}');
    expect(used).toMatch(/audit_hub_findings\{severity="critical"/);
    expect(used).toMatch(/audit_hub_stream_status\{status!="complete"\}/);
    expect(used).toContain('audit_hub_last_run_finished_timestamp_seconds');
  });

  it('probes the health controller routes and scrapes the metrics controller route', () => {
    const health = read(join(ROOT, 'apps/hub/src/api/health.controller.ts'));
    const base = /@Controller\('([^']+)'\)/.exec(health)?.[1];
    const routes = Object.fromEntries(
      [...health.matchAll(/@Get\('([^']+)'\)[\s\S]*?\n\s+(\w+)\(/g)].map((m) => [m[2], `/${base}/${m[1]}`]),
    );
    expect(routes).toEqual({ live: '/health/live', ready: '/health/ready' });
    const helpers = templates.get('_helpers.tpl')!;
    const probe = (kind: string) =>
      new RegExp(`${kind}Probe:\\n\\s+httpGet:\\n\\s+path: (\\S+)\\n\\s+port: http`).exec(helpers)?.[1];
    expect(probe('startup')).toBe(routes.live);
    expect(probe('liveness')).toBe(routes.live);
    expect(probe('readiness')).toBe(routes.ready);
    const metricsRoute = /@Controller\('([^']+)'\)/.exec(
      read(join(metricsDir, 'metrics.controller.ts')),
    )?.[1];
    expect(templates.get('servicemonitor.yaml')).toContain(`path: /${metricsRoute}\n`);
  });
});
