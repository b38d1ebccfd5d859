import { Initial1700000000000 } from './1700000000000-initial';
import { DerivedModel1700000000001 } from './1700000000001-derived-model';
import { EvidenceLedger1700000000002 } from './1700000000002-evidence-ledger';
import { RemediationOutbox1700000000003 } from './1700000000003-remediation-outbox';
import { Api1700000000004 } from './1700000000004-api';
import { ShippedRanges1700000000006 } from './1700000000006-shipped-ranges';
import { RunLiveness1700000000010 } from './1700000000010-run-liveness';
import { EvidencePruneGuard1700000000011 } from './1700000000011-evidence-prune-guard';
import { UnreadFields1700000000012 } from './1700000000012-unread-fields';

/** Every migration, oldest first; the same set runs on PostgreSQL and SQLite. */
export const MIGRATIONS = [
  Initial1700000000000,
  DerivedModel1700000000001,
  EvidenceLedger1700000000002,
  RemediationOutbox1700000000003,
  Api1700000000004,
  ShippedRanges1700000000006,
  RunLiveness1700000000010,
  EvidencePruneGuard1700000000011,
  UnreadFields1700000000012,
];
