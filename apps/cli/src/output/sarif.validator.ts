/**
 * Structural check of a SARIF 2.1.0 log against the OASIS schema's rules (sarif-schema-2.1.0.json,
 * errata 01) for the objects audit-hub writes: sarifLog, run, tool, toolComponent,
 * reportingDescriptor, reportingConfiguration, multiformatMessageString, message, result, location,
 * logicalLocation, invocation, notification, reportingDescriptorReference, runAutomationDetails and
 * propertyBag — required properties, types, enums, minimums, `uniqueItems`, the `anyOf` of message
 * and descriptor references, date-time and URI formats, and no property the schema does not define
 * (`additionalProperties: false`), except in property bags. Objects audit-hub never writes
 * (physical locations, code flows, artifacts…) are reported as unexpected rather than checked.
 * No copy of the schema ships with the project's dependencies, so this is what the tests run.
 */

type Problems = string[];
type Check = (v: unknown, path: string, problems: Problems) => void;

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function str(opts: { enum?: string[]; format?: 'date-time' | 'uri'; pattern?: RegExp } = {}): Check {
  return (v, path, p) => {
    if (typeof v !== 'string') return void p.push(`${path}: must be a string`);
    if (opts.enum && !opts.enum.includes(v)) p.push(`${path}: must be one of ${opts.enum.join(', ')}`);
    if (opts.format === 'date-time' && (!DATE_TIME.test(v) || Number.isNaN(Date.parse(v))))
      p.push(`${path}: must be an RFC 3339 date-time`);
    if (opts.format === 'uri' && !/^[A-Za-z][A-Za-z0-9+.-]*:\S*$/.test(v)) p.push(`${path}: must be a URI`);
    if (opts.pattern && !opts.pattern.test(v)) p.push(`${path}: must match ${opts.pattern}`);
  };
}

function int(min?: number): Check {
  return (v, path, p) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return void p.push(`${path}: must be an integer`);
    if (min !== undefined && v < min) p.push(`${path}: must be at least ${min}`);
  };
}

const bool: Check = (v, path, p) => {
  if (typeof v !== 'boolean') p.push(`${path}: must be a boolean`);
};

function arr(item: Check, opts: { min?: number; unique?: boolean } = {}): Check {
  return (v, path, p) => {
    if (!Array.isArray(v)) return void p.push(`${path}: must be an array`);
    if (opts.min !== undefined && v.length < opts.min) p.push(`${path}: needs at least ${opts.min} item(s)`);
    if (opts.unique) {
      const seen = new Set<string>();
      v.forEach((x, i) => {
        const k = JSON.stringify(x);
        if (seen.has(k)) p.push(`${path}[${i}]: duplicates an earlier item (uniqueItems)`);
        seen.add(k);
      });
    }
    v.forEach((x, i) => item(x, `${path}[${i}]`, p));
  };
}

function obj(
  props: Record<string, () => Check>,
  opts: { required?: string[]; anyOfRequired?: string[]; additional?: Check | 'any' } = {},
): Check {
  return (v, path, p) => {
    if (!isObject(v)) return void p.push(`${path}: must be an object`);
    for (const k of opts.required ?? []) if (!(k in v)) p.push(`${path}.${k}: required`);
    if (opts.anyOfRequired && !opts.anyOfRequired.some((k) => k in v))
      p.push(`${path}: needs one of ${opts.anyOfRequired.join(', ')}`);
    for (const [k, value] of Object.entries(v)) {
      const check = props[k];
      if (check) check()(value, `${path}.${k}`, p);
      else if (opts.additional === 'any') continue;
      else if (opts.additional) opts.additional(value, `${path}.${k}`, p);
      else p.push(`${path}.${k}: not a property of this SARIF object`);
    }
  };
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;
const LEVEL = ['none', 'note', 'warning', 'error'];

const propertyBag: Check = obj({ tags: () => arr(str(), { unique: true }) }, { additional: 'any' });
const multiformat: Check = obj(
  { text: () => str(), markdown: () => str(), properties: () => propertyBag },
  { required: ['text'] },
);
const message: Check = obj(
  {
    text: () => str(),
    markdown: () => str(),
    id: () => str(),
    arguments: () => arr(str()),
    properties: () => propertyBag,
  },
  { anyOfRequired: ['text', 'id'] },
);
const descriptorReference: Check = obj(
  {
    id: () => str(),
    index: () => int(-1),
    guid: () => str({ pattern: GUID }),
    properties: () => propertyBag,
  },
  { anyOfRequired: ['index', 'guid', 'id'] },
);
const reportingConfiguration: Check = obj({
  enabled: () => bool,
  level: () => str({ enum: LEVEL }),
  rank: () => (v, path, p) => {
    if (typeof v !== 'number' || v < -1 || v > 100) p.push(`${path}: must be a number in [-1, 100]`);
  },
  parameters: () => propertyBag,
  properties: () => propertyBag,
});
const reportingDescriptor: Check = obj(
  {
    id: () => str(),
    guid: () => str({ pattern: GUID }),
    name: () => str(),
    shortDescription: () => multiformat,
    fullDescription: () => multiformat,
    defaultConfiguration: () => reportingConfiguration,
    helpUri: () => str({ format: 'uri' }),
    help: () => multiformat,
    properties: () => propertyBag,
  },
  { required: ['id'] },
);
const toolComponent: Check = obj(
  {
    guid: () => str({ pattern: GUID }),
    name: () => str(),
    organization: () => str(),
    product: () => str(),
    fullName: () => str(),
    version: () => str(),
    semanticVersion: () => str(),
    informationUri: () => str({ format: 'uri' }),
    shortDescription: () => multiformat,
    fullDescription: () => multiformat,
    rules: () => arr(reportingDescriptor, { unique: true }),
    notifications: () => arr(reportingDescriptor, { unique: true }),
    properties: () => propertyBag,
  },
  { required: ['name'] },
);
const logicalLocation: Check = obj({
  name: () => str(),
  index: () => int(-1),
  fullyQualifiedName: () => str(),
  decoratedName: () => str(),
  parentIndex: () => int(-1),
  kind: () => str(),
  properties: () => propertyBag,
});
const location: Check = obj({
  id: () => int(-1),
  logicalLocations: () => arr(logicalLocation, { unique: true }),
  message: () => message,
  properties: () => propertyBag,
});
const notification: Check = obj(
  {
    locations: () => arr(location, { unique: true }),
    message: () => message,
    level: () => str({ enum: LEVEL }),
    timeUtc: () => str({ format: 'date-time' }),
    descriptor: () => descriptorReference,
    associatedRule: () => descriptorReference,
    properties: () => propertyBag,
  },
  { required: ['message'] },
);
const invocation: Check = obj(
  {
    commandLine: () => str(),
    arguments: () => arr(str()),
    startTimeUtc: () => str({ format: 'date-time' }),
    endTimeUtc: () => str({ format: 'date-time' }),
    exitCode: () => int(),
    toolExecutionNotifications: () => arr(notification),
    toolConfigurationNotifications: () => arr(notification),
    exitCodeDescription: () => str(),
    executionSuccessful: () => bool,
    machine: () => str(),
    properties: () => propertyBag,
  },
  { required: ['executionSuccessful'] },
);
const stringMap: Check = (v, path, p) => {
  if (!isObject(v)) return void p.push(`${path}: must be an object`);
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') p.push(`${path}.${k}: must be a string`);
};
const result: Check = obj(
  {
    ruleId: () => str(),
    ruleIndex: () => int(-1),
    rule: () => descriptorReference,
    kind: () => str({ enum: ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'] }),
    level: () => str({ enum: LEVEL }),
    message: () => message,
    locations: () => arr(location),
    guid: () => str({ pattern: GUID }),
    occurrenceCount: () => int(1),
    partialFingerprints: () => stringMap,
    fingerprints: () => stringMap,
    relatedLocations: () => arr(location, { unique: true }),
    baselineState: () => str({ enum: ['new', 'unchanged', 'updated', 'absent'] }),
    workItemUris: () => arr(str({ format: 'uri' }), { unique: true }),
    properties: () => propertyBag,
  },
  { required: ['message'] },
);
const run: Check = obj(
  {
    tool: () =>
      obj(
        {
          driver: () => toolComponent,
          extensions: () => arr(toolComponent, { unique: true }),
          properties: () => propertyBag,
        },
        { required: ['driver'] },
      ),
    invocations: () => arr(invocation),
    language: () => str({ pattern: /^[a-zA-Z]{2}(-[a-zA-Z]{2})?$/ }),
    results: () => arr(result),
    automationDetails: () =>
      obj({
        description: () => message,
        id: () => str(),
        guid: () => str({ pattern: GUID }),
        correlationGuid: () => str({ pattern: GUID }),
        properties: () => propertyBag,
      }),
    properties: () => propertyBag,
  },
  { required: ['tool'] },
);
const sarifLog: Check = obj(
  {
    $schema: () => str({ format: 'uri' }),
    version: () => str({ enum: ['2.1.0'] }),
    runs: () => arr(run),
    properties: () => propertyBag,
  },
  { required: ['version', 'runs'] },
);

/** The problems found (empty when the log is valid as far as this check goes), each with its path. */
export function validateSarif(log: unknown): string[] {
  const problems: Problems = [];
  sarifLog(log, '$', problems);
  // Cross-references the schema cannot express: a result's ruleIndex points at its ruleId.
  if (isObject(log) && Array.isArray(log.runs)) {
    log.runs.forEach((r: any, i: number) => {
      const rules: any[] = r?.tool?.driver?.rules ?? [];
      (r?.results ?? []).forEach((res: any, j: number) => {
        if (
          typeof res?.ruleIndex === 'number' &&
          res.ruleIndex >= 0 &&
          rules[res.ruleIndex]?.id !== res.ruleId
        )
          problems.push(`$.runs[${i}].results[${j}].ruleIndex: does not point at rule ${res.ruleId}`);
      });
    });
  }
  return problems;
}
