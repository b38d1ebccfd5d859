import { CONTROL_CATALOG } from '@audit-hub/domain';
import { ConfigError } from './config.error';
import { parseConfig } from './config.loader';
import {
  controlSettingsIssues,
  defaultReferenceCatalog,
  type ReferenceCatalog,
} from './config-references.check';

const ENV = { TOKEN: 'glpat-config-test-token', PASSWORD: 'sn-config-test-password' };
const FILE = '/etc/audit-hub/audit-hub.yaml';

/** The problems a config text is refused with, and the message's header (fails when it loads). */
function refused(text: string, references?: ReferenceCatalog): { problems: string[]; header: string } {
  try {
    parseConfig(text, { env: ENV, path: FILE, references });
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems, header: err.message.split('\n')[0] };
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** Lines 1–13: a GitLab, a ServiceNow and a Jira connector. */
const CONNECTORS = `connectors:
  - id: gitlab
    plugin: gitlab
    baseUrl: https://gitlab.example.com
    auth: { token: "\${env:TOKEN}" }
  - id: snow
    plugin: servicenow
    baseUrl: https://acme.service-now.com
    auth: { username: audit, password: "\${env:PASSWORD}" }
  - id: jira
    plugin: jira
    baseUrl: https://acme.atlassian.net
    auth: { email: audit@acme.com, token: "\${env:TOKEN}" }
`;

describe('config references checked at load', () => {
  it('accepts a config whose references all resolve', () => {
    const loaded = parseConfig(
      `${CONNECTORS}services:
  - { name: pay, keys: { gitlab: acme/pay, jenkins: pay-deploy, cmdb: PAY } }
identities: { sources: [snow] }
roles:
  developer: { groups: ["snow:Developers", "gitlab:acme/devs"] }
controls:
  RM-EMG-001: { params: { reviewHours: 48 } }
exceptions:
  - { control: RM-ACC-003, subject: "cyberark:svc-*", reason: rotated, requestedBy: a@acme.com, approvedBy: b@acme.com, expires: 2027-03-31 }
remediation: { tracker: jira }
`,
      { env: ENV, path: FILE },
    );
    expect(loaded.config.remediation.tracker).toBe('jira');
  });

  it('refuses a plugin that does not load, naming the file, the line and the nearest built-in plugin', () => {
    const { header, problems } = refused(`connectors:
  - id: sonar
    plugin: sonarqub
    baseUrl: https://sonar.example.com
`);
    expect(header).toBe(`invalid configuration in ${FILE} (1 problem):`);
    expect(problems).toEqual([
      expect.stringMatching(
        /^connectors\[0\]\.plugin \(line 3\): plugin "sonarqub" not found: install the npm package sonarqub, or use a built-in plugin \(.*sonarqube.*\); did you mean "sonarqube"\?$/,
      ),
    ]);
  });

  it('refuses a plugin whose manifest is invalid, with the registry’s reason', () => {
    const catalog: ReferenceCatalog = {
      ...defaultReferenceCatalog(),
      plugin: (ref) => {
        if (ref === '@acme/audit-hub-plugin-bitbucket')
          throw new Error(`plugin "${ref}" needs plugin SDK ^2`);
        return defaultReferenceCatalog().plugin(ref);
      },
    };
    expect(
      refused(
        `connectors:
  - id: bitbucket
    plugin: "@acme/audit-hub-plugin-bitbucket"
    baseUrl: https://bitbucket.example.com
`,
        catalog,
      ).problems,
    ).toEqual([
      'connectors[0].plugin (line 3): plugin "@acme/audit-hub-plugin-bitbucket" needs plugin SDK ^2',
    ]);
  });

  it('leaves the plugin of a disabled connector unloaded (it is never connected)', () => {
    const loaded = parseConfig(
      `connectors:
  - { id: bitbucket, plugin: "@acme/not-installed", baseUrl: "https://bb.example.com", enabled: false }
`,
      { env: ENV, path: FILE },
    );
    expect(loaded.config.connectors[0].enabled).toBe(false);
  });

  it('refuses a tracker that is not a connector, suggesting the nearest', () => {
    expect(refused(`${CONNECTORS}remediation:\n  tracker: jiira\n`).problems).toEqual([
      'remediation.tracker (line 15): no connector "jiira" is configured; did you mean "jira"? (connectors: gitlab, snow, jira)',
    ]);
  });

  it('refuses a tracker whose plugin cannot file tickets, naming the trackers configured', () => {
    expect(refused(`${CONNECTORS}remediation:\n  tracker: gitlab\n`).problems).toEqual([
      'remediation.tracker (line 15): connector "gitlab" (plugin gitlab) is not a tracker (it cannot file tickets): its plugin\'s capabilities are deployments, merge-requests, commits, groups (connectors that are: jira)',
    ]);
  });

  it('refuses a tracker that is disabled', () => {
    const text = CONNECTORS.replace(
      '    auth: { email: audit@acme.com, token: "${env:TOKEN}" }\n',
      '    auth: { email: audit@acme.com, token: "${env:TOKEN}" }\n    enabled: false\n',
    );
    expect(refused(`${text}remediation: { tracker: jira }\n`).problems).toEqual([
      'remediation.tracker (line 15): connector "jira" is disabled (connectors[2].enabled: false): enable it, or name another tracker',
    ]);
  });

  it('refuses identity sources that are unknown or have no users', () => {
    expect(
      refused(`${CONNECTORS}identities:\n  sources:\n    - snow\n    - gitlab\n    - sn\n`).problems,
    ).toEqual([
      'identities.sources[1] (line 17): connector "gitlab" (plugin gitlab) is not an identity source (it has no users): its plugin\'s capabilities are deployments, merge-requests, commits, groups (connectors that are: snow)',
      'identities.sources[2] (line 18): no connector "sn" is configured (connectors: gitlab, snow, jira)',
    ]);
  });

  it('refuses role groups of an unknown connector or of one without groups', () => {
    expect(
      refused(`${CONNECTORS}roles:
  developer:
    groups: ["snow:Developers", "jira:Developers"]
  break-glass:
    groups: ["snwo:SRE"]
`).problems,
    ).toEqual([
      'roles.developer.groups[1] (line 16): connector "jira" (plugin jira) is not a source of groups (it has no group memberships): its plugin\'s capabilities are tracker (connectors that are: gitlab, snow)',
      'roles.break-glass.groups[0] (line 18): no connector "snwo" is configured; did you mean "snow"? (connectors: gitlab, snow, jira)',
    ]);
  });

  it('says which built-in plugins would do when no configured connector does', () => {
    expect(
      refused(`connectors:
  - { id: gitlab, plugin: gitlab, baseUrl: "https://gitlab.example.com" }
remediation: { tracker: gitlab }
`).problems,
    ).toEqual([
      'remediation.tracker (line 3): connector "gitlab" (plugin gitlab) is not a tracker (it cannot file tickets): its plugin\'s capabilities are deployments, merge-requests, commits, groups (no configured connector is; built-in plugins that are: jira, gitlab-issues)',
    ]);
  });

  it('refuses a service key that names neither a connector nor a plugin', () => {
    expect(
      refused(`${CONNECTORS}services:
  - name: pay
    keys:
      gitlab: acme/pay
      gitlba: acme/pay
`).problems,
    ).toEqual([
      'services[0].keys.gitlba (line 18): "gitlba" is neither a configured connector nor a plugin; did you mean "gitlab"? (keys are by connector id: gitlab, snow, jira)',
    ]);
  });

  it('refuses an exception naming a control the catalog does not have', () => {
    expect(
      refused(`exceptions:
  - control: RM-ACC-009
    subject: "cyberark:svc-*"
    reason: rotated
    requestedBy: ops@acme.com
    approvedBy: ciso@acme.com
    expires: 2027-03-31
`).problems,
    ).toEqual([
      'exceptions[0].control (line 2): unknown control "RM-ACC-009"; did you mean "RM-ACC-001", "RM-ACC-002" or "RM-ACC-003"? (`audit-hub controls` lists the catalog)',
    ]);
  });

  it('refuses unknown controls and parameters in `controls`, and parameters of the wrong type', () => {
    expect(
      refused(`controls:
  RM-XYZW-999: { enabled: true }
  RM-EMG-001:
    params:
      reviewHour: 48
  RM-EMG-002: { params: { maxShare: "a lot" } }
  RM-CHG-001: { params: { hours: 1 } }
`).problems,
    ).toEqual([
      `controls.RM-XYZW-999 (line 2): unknown control "RM-XYZW-999" (the catalog: ${CONTROL_CATALOG.map((c) => c.id).join(', ')})`,
      'controls.RM-EMG-001.params.reviewHour (line 5): unknown parameter of RM-EMG-001; did you mean "reviewHours"? (its parameters: reviewHours)',
      expect.stringMatching(
        /^controls\.RM-EMG-002\.params\.maxShare \(line 6\): must be a number \(default .+\)$/,
      ),
      'controls.RM-CHG-001.params.hours (line 7): unknown parameter: RM-CHG-001 takes none',
    ]);
  });

  it('reports a malformed value once, through the schema, not again as a reference', () => {
    expect(
      refused(`exceptions:
  - { control: "acc-3", subject: "x:*", reason: r, requestedBy: a@x.com, approvedBy: b@x.com, expires: 2027-03-31 }
`).problems,
    ).toEqual(['exceptions[0].control (line 2): must be a control id such as RM-ACC-003']);
  });
});

describe('controlSettingsIssues (the control registry checks a config built in code with it)', () => {
  it('names the path of each problem', () => {
    expect(
      controlSettingsIssues({ 'RM-CHG-01': {}, 'RM-EMG-001': { params: { reviewHours: 'soon' } } }).map(
        (i) => [i.path, i.message],
      ),
    ).toEqual([
      [
        ['controls', 'RM-CHG-01'],
        'is not a control id (RM-<AREA>-<NNN>, such as RM-CHG-001); did you mean "RM-CHG-001"?',
      ],
      [['controls', 'RM-EMG-001', 'params', 'reviewHours'], expect.stringMatching(/^must be a number/)],
    ]);
  });
});
