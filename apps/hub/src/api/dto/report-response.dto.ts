/**
 * What GET /reports answers, by media type, for the OpenAPI document: derived from the renderers'
 * media types (REPORT_MEDIA), so a format added there is described here. The JSON report is the
 * `report --format json` document (docs/reports.md): its identifying fields and every section by
 * name and JSON type (closed: a section added to the model must be added here); the sections'
 * fields evolve with `reportVersion`, which a client checks before reading them.
 */
import type { ContentObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { REPORT_MEDIA } from '../../reports/report.renderer';

/**
 * The report's sections (report.model.ts `AuditReport`, docs/reports.md), each with its JSON type;
 * their fields are described in docs/reports.md and versioned by `reportVersion`.
 */
const REPORT_SECTIONS: Record<string, ['object' | 'array', string]> = {
  preparation: [
    'object',
    'Who and what prepared it: tool version, control catalog and config digests, operator',
  ],
  scope: ['object', 'Connectors, services and environments in scope'],
  completeness: ['object', 'Per source stream: records, requests, extraction query, runs, status'],
  population: ['object', 'Population counts per subject type'],
  controls: ['array', 'Per control: test procedure, population, exceptions, deviation rate, conclusion'],
  frameworks: ['array', 'Results by framework clause'],
  findings: ['array', 'Findings of the period'],
  findingSummary: ['object', 'Findings by severity and status'],
  exceptions: ['array', 'Accepted exceptions (risk acceptances)'],
  emergencyReleases: ['array', 'Emergency releases and their reviews'],
  incompleteRuns: ['array', 'Runs that could not read every source, and why'],
  checkpoint: ['object', 'The evidence checkpoint covering the report'],
  signOff: ['object', 'Prepared by / reviewed by, from the ledger'],
};

const REPORT_DOCUMENT: SchemaObject = {
  title: 'AuditReport',
  type: 'object',
  description:
    'format=json: the period report (`report --format json`); its sections depend on `reportVersion`',
  required: [
    'reportVersion',
    'reportId',
    'generatedAt',
    'asOf',
    'period',
    'redacted',
    ...Object.keys(REPORT_SECTIONS),
  ],
  properties: {
    reportVersion: { type: 'integer' },
    reportId: { type: 'string', description: "SHA-256 of the report's content" },
    generatedAt: { type: 'string', format: 'date-time' },
    asOf: { type: 'string', format: 'date-time', description: 'What the hub knew at this instant' },
    period: {
      type: 'object',
      required: ['from', 'to', 'start', 'end'],
      properties: {
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date', description: 'Inclusive' },
        start: { type: 'string', format: 'date-time' },
        end: { type: 'string', format: 'date-time' },
      },
    },
    redacted: { type: 'boolean', description: 'Personal data replaced with keyed pseudonyms' },
    ...Object.fromEntries(
      Object.entries(REPORT_SECTIONS).map(([name, [type, description]]) => [
        name,
        { type, description, ...(type === 'object' ? { additionalProperties: true } : { items: {} }) },
      ]),
    ),
  },
  additionalProperties: false,
};

const OSCAL_DOCUMENT: SchemaObject = {
  title: 'OscalAssessmentResults',
  type: 'object',
  description: 'format=oscal: an OSCAL 1.1.2 assessment-results document (NIST OSCAL JSON)',
  required: ['assessment-results'],
  properties: { 'assessment-results': { type: 'object', additionalProperties: true } },
  additionalProperties: false,
};

function schemaOf(mediaType: string): SchemaObject {
  if (mediaType === 'application/json') return { oneOf: [REPORT_DOCUMENT, OSCAL_DOCUMENT] };
  if (mediaType.startsWith('text/')) return { type: 'string' };
  return { type: 'string', format: 'binary' };
}

export const REPORT_CONTENT: ContentObject = Object.fromEntries(
  [...new Set(Object.values(REPORT_MEDIA).map((m) => m.mediaType.split(';')[0].trim()))].map((type) => [
    type,
    { schema: schemaOf(type) },
  ]),
);
