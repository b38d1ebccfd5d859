/**
 * Structural check of an OSCAL 1.1.2 assessment-results document against the model's required
 * fields, cardinalities, allowed values and datatypes (uuid, date-time with zone, token, non-empty
 * strings) for the parts audit-hub writes. It is not a full schema validation (no referential
 * constraints beyond observation references, no unknown-field check); it keeps us from shipping a
 * document a GRC system rejects on a missing field.
 */

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$/;
const DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** OSCAL `token`: an XML NCName (no colon, no leading digit). */
const TOKEN = /^[_A-Za-z][_A-Za-z0-9.-]*$/;
const METHODS = ['EXAMINE', 'INTERVIEW', 'TEST', 'UNKNOWN'];
const OBSERVATION_TYPES = ['ssp-statement-issue', 'control-objective', 'mitigation', 'finding', 'historic'];
const TARGET_TYPES = ['statement-id', 'objective-id'];
const STATES = ['satisfied', 'not-satisfied'];

type Json = Record<string, unknown>;

export class OscalValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`OSCAL assessment-results is not valid: ${problems.slice(0, 10).join('; ')}`);
    this.name = 'OscalValidationError';
  }
}

export function validateAssessmentResults(doc: unknown): string[] {
  const problems: string[] = [];
  const fail = (path: string, message: string) => problems.push(`${path}: ${message}`);
  const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
  const object = (v: unknown, path: string): Json | undefined => {
    if (isObject(v)) return v;
    fail(path, v === undefined ? 'required' : 'must be an object');
    return undefined;
  };
  const string = (o: Json, key: string, path: string, required = true): void => {
    const v = o[key];
    if (v === undefined) {
      if (required) fail(`${path}.${key}`, 'required');
    } else if (typeof v !== 'string' || v.trim() === '') fail(`${path}.${key}`, 'must be a non-empty string');
  };
  const match = (o: Json, key: string, re: RegExp, what: string, path: string, required = true): void => {
    const v = o[key];
    if (v === undefined) {
      if (required) fail(`${path}.${key}`, 'required');
    } else if (typeof v !== 'string' || !re.test(v))
      fail(`${path}.${key}`, `must be ${what}, not ${JSON.stringify(v)}`);
  };
  const oneOf = (o: Json, key: string, allowed: string[], path: string): void => {
    if (!allowed.includes(o[key] as string))
      fail(`${path}.${key}`, `must be one of ${allowed.join(', ')}, not ${JSON.stringify(o[key])}`);
  };
  const array = (o: Json, key: string, path: string, min: number): unknown[] => {
    const v = o[key];
    if (v === undefined) {
      if (min > 0) fail(`${path}.${key}`, 'required');
      return [];
    }
    if (!Array.isArray(v)) {
      fail(`${path}.${key}`, 'must be an array');
      return [];
    }
    if (v.length < min) fail(`${path}.${key}`, `needs at least ${min} item(s)`);
    return v;
  };
  const checkProps = (o: Json, path: string): void => {
    array(o, 'props', path, 0).forEach((p, i) => {
      const prop = object(p, `${path}.props[${i}]`);
      if (!prop) return;
      match(prop, 'name', TOKEN, 'a token', `${path}.props[${i}]`);
      string(prop, 'value', `${path}.props[${i}]`);
      if (typeof prop.value === 'string' && prop.value !== prop.value.trim())
        fail(`${path}.props[${i}].value`, 'must not start or end with white space');
      string(prop, 'ns', `${path}.props[${i}]`, false);
    });
  };

  if (!isObject(doc)) return ['document: must be a JSON object'];
  const root = object(doc['assessment-results'], 'assessment-results');
  if (!root) return problems;
  const p = 'assessment-results';
  match(root, 'uuid', UUID, 'a version 4 or 5 UUID', p);

  const metadata = object(root.metadata, `${p}.metadata`);
  if (metadata) {
    string(metadata, 'title', `${p}.metadata`);
    match(metadata, 'last-modified', DATE_TIME_WITH_ZONE, 'a date-time with a time zone', `${p}.metadata`);
    string(metadata, 'version', `${p}.metadata`);
    match(metadata, 'oscal-version', /^1\.\d+\.\d+$/, 'an OSCAL version such as 1.1.2', `${p}.metadata`);
    checkProps(metadata, `${p}.metadata`);
  }
  const importAp = object(root['import-ap'], `${p}.import-ap`);
  if (importAp) string(importAp, 'href', `${p}.import-ap`);
  const resources = isObject(root['back-matter'])
    ? array(root['back-matter'], 'resources', `${p}.back-matter`, 0)
    : [];
  const resourceIds = new Set(resources.filter(isObject).map((r) => r.uuid));
  resources.forEach((r, i) => {
    const res = object(r, `${p}.back-matter.resources[${i}]`);
    if (res) match(res, 'uuid', UUID, 'a version 4 or 5 UUID', `${p}.back-matter.resources[${i}]`);
  });
  if (
    typeof importAp?.href === 'string' &&
    importAp.href.startsWith('#') &&
    !resourceIds.has(importAp.href.slice(1))
  )
    fail(`${p}.import-ap.href`, `${importAp.href} names no back-matter resource`);

  array(root, 'results', p, 1).forEach((res, ri) => {
    const rp = `${p}.results[${ri}]`;
    const result = object(res, rp);
    if (!result) return;
    match(result, 'uuid', UUID, 'a version 4 or 5 UUID', rp);
    string(result, 'title', rp);
    string(result, 'description', rp);
    match(result, 'start', DATE_TIME_WITH_ZONE, 'a date-time with a time zone', rp);
    match(result, 'end', DATE_TIME_WITH_ZONE, 'a date-time with a time zone', rp, false);
    checkProps(result, rp);
    const reviewed = object(result['reviewed-controls'], `${rp}.reviewed-controls`);
    if (reviewed) {
      array(reviewed, 'control-selections', `${rp}.reviewed-controls`, 1).forEach((s, si) => {
        const sp = `${rp}.reviewed-controls.control-selections[${si}]`;
        const sel = object(s, sp);
        if (!sel) return;
        array(sel, 'include-controls', sp, 0).forEach((c, ci) => {
          const ctl = object(c, `${sp}.include-controls[${ci}]`);
          if (ctl) match(ctl, 'control-id', TOKEN, 'a token', `${sp}.include-controls[${ci}]`);
        });
      });
    }
    const observationIds = new Set<unknown>();
    array(result, 'observations', rp, 0).forEach((o, oi) => {
      const op = `${rp}.observations[${oi}]`;
      const obs = object(o, op);
      if (!obs) return;
      match(obs, 'uuid', UUID, 'a version 4 or 5 UUID', op);
      observationIds.add(obs.uuid);
      string(obs, 'description', op);
      const methods = array(obs, 'methods', op, 1);
      methods.forEach((m, mi) => {
        if (!METHODS.includes(m as string))
          fail(`${op}.methods[${mi}]`, `must be one of ${METHODS.join(', ')}`);
      });
      array(obs, 'types', op, 0).forEach((t, ti) => {
        if (!OBSERVATION_TYPES.includes(t as string))
          fail(`${op}.types[${ti}]`, `must be one of ${OBSERVATION_TYPES.join(', ')}`);
      });
      array(obs, 'relevant-evidence', op, 0).forEach((e, ei) => {
        const ev = object(e, `${op}.relevant-evidence[${ei}]`);
        if (ev) string(ev, 'description', `${op}.relevant-evidence[${ei}]`);
      });
      match(obs, 'collected', DATE_TIME_WITH_ZONE, 'a date-time with a time zone', op);
      checkProps(obs, op);
    });
    array(result, 'findings', rp, 0).forEach((f, fi) => {
      const fp = `${rp}.findings[${fi}]`;
      const finding = object(f, fp);
      if (!finding) return;
      match(finding, 'uuid', UUID, 'a version 4 or 5 UUID', fp);
      string(finding, 'title', fp);
      string(finding, 'description', fp);
      checkProps(finding, fp);
      const target = object(finding.target, `${fp}.target`);
      if (target) {
        oneOf(target, 'type', TARGET_TYPES, `${fp}.target`);
        match(target, 'target-id', TOKEN, 'a token', `${fp}.target`);
        const status = object(target.status, `${fp}.target.status`);
        if (status) oneOf(status, 'state', STATES, `${fp}.target.status`);
      }
      array(finding, 'related-observations', fp, 0).forEach((ro, i) => {
        const rel = object(ro, `${fp}.related-observations[${i}]`);
        if (!rel) return;
        match(rel, 'observation-uuid', UUID, 'a version 4 or 5 UUID', `${fp}.related-observations[${i}]`);
        if (!observationIds.has(rel['observation-uuid']))
          fail(`${fp}.related-observations[${i}]`, 'names no observation of this result');
      });
    });
  });
  return problems;
}

/** Throws OscalValidationError listing what is wrong. */
export function assertValidAssessmentResults(doc: unknown): void {
  const problems = validateAssessmentResults(doc);
  if (problems.length) throw new OscalValidationError(problems);
}
