import { timingSafeEqual } from 'node:crypto';
import type { Estate, QualityAnalysis } from '../estate/estate.model';
import {
  basicCredentials,
  header,
  json,
  type FakeHandler,
  type FakeRequest,
  type FakeResponse,
} from './fake-http.util';

/**
 * A SonarQube Server (10.x Web API) over the estate's analyses: one project per active service
 * (`acme_<service>`), its analyses of the main branch newest first, and the quality gate as it was
 * computed for each analysis. Where connectors trip, it does what SonarQube does: `p`/`ps` paging
 * with `paging.total` (`ps` at most 500), `from` inclusive and written `2024-05-01T10:00:00+0000`
 * (dates come back the same way, offset without a colon), errors as `{"errors":[{"msg"}]}`, a token
 * as `Authorization: Bearer` or as a basic-auth user name with an empty password, and
 * `api/authentication/validate` answering `{"valid": false}` with a 200 for a bad token.
 */

/**
 * Real-instance behaviours, each off by default (docs/connectors/sonarqube.md "On real instances").
 */
export interface SonarqubeBehaviours {
  /**
   * The server is SonarQube 9.9 LTS with *Force user authentication* off: it reads a token only as
   * the basic-auth user name with an empty password (`BasicAuthentication.extractCredentialsFromHeader`
   * looks at `Basic` headers alone; bearer tokens arrived in 10.0), and serves any other request as
   * anonymous (`RequestAuthenticatorImpl` falls back to `createAnonymous`). Every project is
   * private: anonymous sees none in `api/components/search`, is refused (403 "Insufficient
   * privileges") by `api/project_analyses/search` and `api/qualitygates/project_status`, while
   * `api/authentication/validate` still says `valid` and `api/users/current` says `isLoggedIn: false`.
   */
  sonarqube99?: boolean;
  /**
   * The token's user lacks Browse on one project (the first service's, by name): the
   * permission-filtered `api/components/search` leaves it out, and its analyses and gates answer
   * 403 "Insufficient privileges" (`userSession.checkComponentPermission(USER, project)`).
   */
  sonarqubeBrowseMissing?: boolean;
}

/** Switches a correct connector copes with fully: the estate still yields exactly its manifest. */
export const SONARQUBE_TRANSPARENT_BEHAVIOURS: readonly (keyof SonarqubeBehaviours)[] = ['sonarqube99'];
/** Switches where data truly cannot be read: the connector must say so, never read "no analysis". */
export const SONARQUBE_LOSSY_BEHAVIOURS: readonly (keyof SonarqubeBehaviours)[] = ['sonarqubeBrowseMissing'];

export interface SonarqubeFakeOptions {
  estate: () => Estate;
  token: string;
  now: () => Date;
  behaviours?: SonarqubeBehaviours;
}

export const SONARQUBE_VERSION = '10.6.0.92116';
/** The 9.9 LTS build the `sonarqube99` switch answers with. */
export const SONARQUBE_LTS_VERSION = '9.9.4.87374';
const MAX_PAGE_SIZE = 500;

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sonarErrors(status: number, ...messages: string[]): FakeResponse {
  return json(status, { errors: messages.map((msg) => ({ msg })) });
}

/** `2024-05-01T10:00:00+0000`: how SonarQube writes (and parses) date-times. */
export function sonarTime(instant: string): string {
  return `${instant.slice(0, 19)}+0000`;
}

/** Reads `2024-05-01T10:00:00+0000`, `…+01:00`, `…Z`, or a date `2024-05-01` (midnight UTC). */
function parseSonarTime(text: string): number | undefined {
  const date = /^(\d{4}-\d{2}-\d{2})$/.exec(text);
  if (date) return Date.parse(`${date[1]}T00:00:00Z`);
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(text);
  if (!m) return undefined;
  const zone = m[2] === 'Z' ? 'Z' : `${m[2].slice(0, 3)}:${m[2].slice(-2)}`;
  const ms = Date.parse(`${m[1]}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

export function projectKey(estate: Estate, service: string): string {
  return `${estate.organization.path}_${service}`;
}

/** true: the token's user; false: a wrong token; undefined: no credentials read (anonymous). */
function authenticated(request: FakeRequest, token: string, readsBearer: boolean): boolean | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(header(request, 'authorization') ?? '');
  if (bearer) return readsBearer ? same(bearer[1].trim(), token) : undefined;
  const basic = basicCredentials(request);
  if (basic) return same(basic.user, token) && basic.password === '';
  return undefined;
}

function paging(request: FakeRequest): { p: number; ps: number } | FakeResponse {
  const p = Number(request.query.get('p') ?? '1');
  const ps = Number(request.query.get('ps') ?? '100');
  if (!Number.isInteger(p) || p < 1)
    return sonarErrors(400, `'p' value (${request.query.get('p')}) must be a strictly positive integer`);
  if (!Number.isInteger(ps) || ps < 1)
    return sonarErrors(400, `'ps' value (${request.query.get('ps')}) must be a strictly positive integer`);
  if (ps > MAX_PAGE_SIZE) return sonarErrors(400, `'ps' value (${ps}) must be less than ${MAX_PAGE_SIZE}`);
  return { p, ps };
}

function page<T>(
  request: FakeRequest,
  listField: string,
  rows: T[],
  render: (row: T) => unknown,
): FakeResponse {
  const paged = paging(request);
  if ('status' in paged) return paged;
  const { p, ps } = paged;
  return json(200, {
    paging: { pageIndex: p, pageSize: ps, total: rows.length },
    [listField]: rows.slice((p - 1) * ps, p * ps).map(render),
  });
}

function analysisView(a: QualityAnalysis) {
  return {
    key: a.key,
    date: sonarTime(a.at),
    projectVersion: a.version,
    buildString: `${a.version}.${parseInt(a.key.slice(2, 6), 36) % 1000}`,
    revision: a.revision,
    manualNewCodePeriodBaseline: false,
    detectedCI: 'GitLab CI',
    events:
      a.status === 'ERROR'
        ? [
            {
              key: `E${a.key.slice(2, 12)}`,
              category: 'QUALITY_GATE',
              name: 'Failed',
              description: 'Coverage on New Code < 80',
            },
          ]
        : [],
  };
}

function plainText(status: number, body: string): FakeResponse {
  return { status, headers: { 'content-type': 'text/plain;charset=utf-8' }, body };
}

export function createSonarqubeFake(options: SonarqubeFakeOptions): FakeHandler {
  const behaviours = options.behaviours ?? {};
  const lts = behaviours.sonarqube99 === true;
  const version = lts ? SONARQUBE_LTS_VERSION : SONARQUBE_VERSION;
  return (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return sonarErrors(405, 'HTTP method not allowed');
    }
    const estate = options.estate();
    const now = options.now().toISOString();
    // Answered without authentication, as SonarQube does.
    if (request.path === '/api/system/status') {
      return json(200, { id: '147B411E-AY4-fVRUMvJd1tVyr5a3', version, status: 'UP' });
    }
    if (request.path === '/api/server/version') return plainText(200, version);
    const auth = authenticated(request, options.token, !lts);
    // 10.x here forces authentication (the default of new installs); the 9.9 switch does not, so an
    // unread token is an anonymous session rather than a 401.
    const anonymous = auth === undefined && lts;
    if (request.path === '/api/authentication/validate')
      return json(200, { valid: auth === true || anonymous });
    if (request.path === '/api/users/current' && anonymous)
      return json(200, { isLoggedIn: false, permissions: { global: [] } });
    if (auth !== true && !anonymous) return sonarErrors(401, 'Authentication is required');

    const active = estate.services.filter((s) => !s.archived && s.createdAt <= now);
    const hidden = behaviours.sonarqubeBrowseMissing
      ? [...active].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0]?.name
      : undefined;
    /** Projects the session may browse: none for anonymous (every project is private). */
    const browsable = (service: string) => !anonymous && service !== hidden;
    const services = active.filter((s) => browsable(s.name));
    const forbidden = () => sonarErrors(403, 'Insufficient privileges');
    switch (request.path) {
      case '/api/users/current':
        return json(200, {
          isLoggedIn: true,
          login: 'svc-audit-hub',
          name: 'Audit Hub',
          local: true,
          externalIdentity: 'svc-audit-hub',
          externalProvider: 'sonarqube',
          scmAccounts: [],
          groups: ['sonar-users'],
          permissions: { global: [] },
          homepage: { type: 'PROJECTS' },
          usingSonarLintConnectedMode: false,
          dismissedNotices: { educationPrinciples: false, sonarlintAd: false },
        });
      case '/api/components/search': {
        const qualifiers = request.query.get('qualifiers');
        if (!qualifiers) return sonarErrors(400, "The 'qualifiers' parameter is missing");
        const rows = qualifiers.split(',').includes('TRK') ? services : [];
        return page(request, 'components', rows, (s) => ({
          key: projectKey(estate, s.name),
          name: s.name,
          qualifier: 'TRK',
          project: projectKey(estate, s.name),
        }));
      }
      case '/api/project_analyses/search': {
        const key = request.query.get('project');
        if (!key) return sonarErrors(400, "The 'project' parameter is missing");
        const existing = active.find((s) => projectKey(estate, s.name) === key);
        if (!existing) return sonarErrors(404, `Component key '${key}' not found`);
        if (!browsable(existing.name)) return forbidden();
        const service = existing;
        const fromText = request.query.get('from');
        const from = fromText ? parseSonarTime(fromText) : undefined;
        if (fromText && from === undefined)
          return sonarErrors(400, `'${fromText}' cannot be parsed as either a date or date+time`);
        const rows = estate.analyses
          .filter(
            (a) =>
              a.service === service.name && a.at <= now && (from === undefined || Date.parse(a.at) >= from),
          )
          .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
        return page(request, 'analyses', rows, analysisView);
      }
      case '/api/qualitygates/project_status': {
        const id = request.query.get('analysisId');
        if (!id) return sonarErrors(400, "Either 'analysisId', 'projectId' or 'projectKey' must be provided");
        const analysis = estate.analyses.find((a) => a.key === id && a.at <= now);
        if (!analysis) return sonarErrors(404, `Analysis with id '${id}' is not found`);
        if (!browsable(analysis.service)) return forbidden();
        return json(200, {
          projectStatus: {
            status: analysis.status,
            ignoredConditions: false,
            caycStatus: analysis.status === 'OK' ? 'compliant' : 'non-compliant',
            conditions: analysis.conditions.map((c) => ({
              status: c.status,
              metricKey: c.metric,
              comparator: c.comparator,
              errorThreshold: c.threshold,
              actualValue: c.actual,
            })),
            period: { mode: 'PREVIOUS_VERSION', date: sonarTime(analysis.at), parameter: analysis.version },
          },
        });
      }
      default:
        return sonarErrors(404, 'Unknown url : ' + request.path);
    }
  };
}
