/** The evidence ledger: append, checkpoint, prune, verify, export, and the hub's listeners. */
export { EvidenceLedger, type AppendedEntry, type PruneResult } from './evidence.ledger';
export {
  EvidenceVerifier,
  verifyEvidence,
  type VerifySource,
  type VerifyEvidenceOptions,
} from './evidence.verifier';
export { EvidenceFindingListener } from './evidence-finding.listener';
export { EvidenceBatchListener } from './evidence-batch.listener';
export { EvidenceRunListener } from './evidence-run.listener';
export {
  exceptionDecisionEntry,
  reportSignOffEntry,
  ticketActionEntry,
  type ReportSignOffPayload,
  type ExceptionDecision,
  type ExceptionDecisionEvidence,
  type TicketAction,
  type TicketActionEvidence,
} from './evidence-entries';
export { exportLedger, readExport, EXPORT_FORMAT, EXPORT_VERSION, type ExportSummary } from './ledger-export';
export { verifyLedger, type VerifyOptions } from './ledger.verifier';
export { CheckpointSigner, keyIdOf } from './checkpoint.signer';
export { EvidenceError, type EvidenceErrorCode } from './evidence.error';
export { entryHash, GENESIS_HASH } from './ledger-hash';
export type {
  EvidenceEntryInput,
  EvidenceEntryType,
  FirstBad,
  LedgerCheckpoint,
  LedgerEntry,
  VerifyResult,
} from './ledger.types';
