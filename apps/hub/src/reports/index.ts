/** Period reports for auditors: the model, the service that builds it, as-of queries and renderers. */
export * from './report.model';
export { ReportService, approvedAtDeployment, type ReportRequest } from './report.service';
export {
  AsOfService,
  isActive,
  replayFinding,
  statusAt,
  type ChangeApprovalAsOf,
  type ChangeAsOf,
  type FindingAsOf,
} from './as-of.service';
export { parseAsOf, parseFormat, parsePeriod } from './report-period';
export {
  DEFAULT_PSEUDONYM_KEY_FILE,
  Pseudonymizer,
  resolvePseudonymKey,
  type PersonValue,
  type PersonValues,
} from './pseudonymizer';
export { collectPersonValues } from './person-values.query';
export { layoutReport, REPORT_TITLE } from './report.layout';
export { renderHtml } from './html.renderer';
export { renderPdf } from './pdf.renderer';
export { renderCsvZip, renderCsvFiles, csvTables, CSV_FILES, type CsvFile } from './csv.renderer';
export { reportContentHash, REPORT_ID } from './report-id';
export { readSignOffs, signOffView } from './report-signoff';
export { renderJson } from './json.renderer';
export { buildOscal, renderOscal, OSCAL_VERSION } from './oscal.renderer';
export {
  validateAssessmentResults,
  assertValidAssessmentResults,
  OscalValidationError,
} from './oscal.validator';
export { renderReport, REPORT_MEDIA } from './report.renderer';
