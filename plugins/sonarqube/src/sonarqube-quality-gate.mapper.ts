/**
 * An analysis (`api/project_analyses/search`) and its gate (`api/qualitygates/project_status
 * ?analysisId=`) → a `quality-gate` record (shared/spec/records.md).
 */
import type { NormalizedRecord, QualityGateRecord, QualityGateStatus } from '@audit-hub/domain';
import type { SonarAnalysis, SonarProjectStatus } from './sonarqube.types';

export const GATE_STATUSES: readonly QualityGateStatus[] = ['OK', 'WARN', 'ERROR', 'NONE'];

/** A value the record cannot be built from; names the field and the value. */
export class GateValueError extends Error {
  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'GateValueError';
  }
}

/**
 * SonarQube writes date-times as `2016-12-12T17:12:45+0100` (offset without a colon), which
 * `Date.parse` is not required to accept; this reads that form, `±HH:MM` and `Z`, and returns the
 * instant as ISO-8601 UTC, or undefined when the text is none of them.
 */
export function sonarTimeToIso(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/.exec(
    value.trim(),
  );
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const millis = fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0;
  const local = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, millis);
  const check = new Date(local);
  // Date.UTC rolls 2016-02-30 over to March: a value that does not round-trip is not a real time.
  if (
    check.getUTCDate() !== +d ||
    check.getUTCMonth() !== +mo - 1 ||
    check.getUTCHours() !== +h ||
    check.getUTCMinutes() !== +mi
  )
    return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return new Date(local - offsetMinutes * 60_000).toISOString();
}

/**
 * An instant as the date-time SonarQube parses in `from`/`to` (`yyyy-MM-dd'T'HH:mm:ssZ`, the
 * offset as `+0000`: SonarQube does not read a literal `Z` there). Milliseconds are dropped; `from`
 * is inclusive, so the analysis at the cursor is read again rather than skipped.
 */
export function formatSonarTime(instant: Date): string {
  if (Number.isNaN(instant.getTime())) throw new RangeError('formatSonarTime: invalid Date');
  return `${instant.toISOString().slice(0, 19)}+0000`;
}

/** The record of one analysis and its gate; throws `GateValueError` when a field cannot be read. */
export function mapQualityGate(
  projectKey: string,
  analysis: SonarAnalysis,
  gate: SonarProjectStatus,
): NormalizedRecord<'quality-gate'> {
  const key = analysis.key;
  if (typeof key !== 'string' || key.trim() === '')
    throw new GateValueError('key', 'the analysis has no key');
  const analysedAt = sonarTimeToIso(analysis.date);
  if (!analysedAt) throw new GateValueError('date', `${JSON.stringify(analysis.date)} is not a date-time`);
  const status = gate.status;
  if (!(GATE_STATUSES as readonly unknown[]).includes(status)) {
    throw new GateValueError(
      'projectStatus.status',
      `${JSON.stringify(status)} is not one of ${GATE_STATUSES.join(', ')}`,
    );
  }
  const data: QualityGateRecord = { projectKey, analysedAt, status: status as QualityGateStatus };
  const revision = typeof analysis.revision === 'string' ? analysis.revision.trim() : '';
  if (revision) data.revision = revision;
  if (Array.isArray(gate.conditions)) data.conditions = gate.conditions.map(mapCondition);
  return { kind: 'quality-gate', externalId: key, data, raw: { analysis, projectStatus: gate } };
}

type GateCondition = NonNullable<QualityGateRecord['conditions']>[number];

/** `{metricKey, status, actualValue, errorThreshold}` → `{metric, status, actual, threshold}`, kept as strings. */
function mapCondition(condition: unknown, index: number): GateCondition {
  if (typeof condition !== 'object' || condition === null) {
    throw new GateValueError(`projectStatus.conditions[${index}]`, 'is not an object');
  }
  const c = condition as Record<string, unknown>;
  if (typeof c.metricKey !== 'string' || typeof c.status !== 'string') {
    throw new GateValueError(`projectStatus.conditions[${index}]`, 'has no metricKey or no status');
  }
  const out: GateCondition = { metric: c.metricKey, status: c.status };
  if (typeof c.actualValue === 'string') out.actual = c.actualValue;
  if (typeof c.errorThreshold === 'string') out.threshold = c.errorThreshold;
  return out;
}
