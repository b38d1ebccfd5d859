/**
 * An export's seal: its last line restates what the header declares (first and last seq, entry and
 * checkpoint counts, the last checkpoint) with the hash of the last entry, and is signed with
 * `evidence.signingKey`. The hash chain ties every entry to that last hash, the checkpoints' own
 * chain ties every checkpoint to the last one, and the header must say what the seal says — so
 * cutting lines anywhere (the tail, the middle, a checkpoint) and editing the header to match
 * still fails, unless the seal is signed again with a trusted key. Without a key, a seal only
 * shows that the file was not cut by accident: anyone can write a new one.
 */
import { CheckpointSigner, keyIdOf, signatureValid } from './checkpoint.signer';
import { canonicalJson } from './ledger-hash';
import type { ExportExtent, ExportFraming, ExportSealResult, FirstBad } from './ledger.types';

export const EXPORT_FORMAT = 'audit-hub-evidence-ledger';
/** 2: sealed. 1 (still read) had no seal. */
export const EXPORT_VERSION = 2;
export const READABLE_EXPORT_VERSIONS: readonly number[] = [1, EXPORT_VERSION];

/** The seal line (`kind: "trailer"`): the export's extent, its last entry's hash, the signature. */
export interface ExportSeal extends ExportExtent {
  kind: 'trailer';
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  /** The hash of entry `lastSeq` (null for an empty ledger). */
  headHash: string | null;
  signature: string | null;
  keyId: string | null;
  publicKey: string | null;
}

/** The seal's fields the signature does not cover (it covers every other one). */
const UNSIGNED_FIELDS = new Set(['kind', 'signature', 'keyId', 'publicKey']);

/** The fields the header and the seal must agree on. */
const DECLARED_FIELDS = ['exportedAt', 'firstSeq', 'lastSeq', 'entries', 'checkpoints', 'lastCheckpoint'];

/** The signed bytes: RFC 8785 canonical JSON of the seal without kind, signature, keyId and publicKey. */
export function sealStatement(seal: Record<string, unknown>): Buffer {
  return Buffer.from(
    canonicalJson(Object.fromEntries(Object.entries(seal).filter(([key]) => !UNSIGNED_FIELDS.has(key)))),
  );
}

export function sealExport(
  extent: ExportExtent,
  exportedAt: string,
  headHash: string | null,
  signer: CheckpointSigner | null,
): ExportSeal {
  const seal: ExportSeal = {
    kind: 'trailer',
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt,
    firstSeq: extent.firstSeq,
    lastSeq: extent.lastSeq,
    entries: extent.entries,
    checkpoints: extent.checkpoints,
    lastCheckpoint: extent.lastCheckpoint,
    headHash,
    signature: null,
    keyId: null,
    publicKey: null,
  };
  return signer ? { ...seal, ...signer.sign(sealStatement({ ...seal })) } : seal;
}

export interface SealContext {
  /** The last entry's hash as recomputed; undefined when the entries did not all verify. */
  headHash: string | null | undefined;
  /** The keys a signature must be made with; none: not pinned. */
  trustedKeyIds: readonly string[];
  /** Some checkpoint of the export carries a signature (so its seal must carry one too). */
  checkpointsSigned: boolean;
}

/**
 * What is wrong with an export's framing: a header or a seal that does not describe the content,
 * a missing, edited or unsigned seal. Each problem sits at the first seq it leaves unvouched for.
 */
export function checkExportSeal(
  framing: ExportFraming,
  ctx: SealContext,
): { problems: FirstBad[]; seal: ExportSealResult } {
  const { header, trailer, content } = framing;
  const afterEnd = (content.lastSeq ?? 0) + 1;
  const problems: FirstBad[] = extentProblems(
    'the export declares',
    'header',
    header,
    content,
    framing.version === 1 ? ['firstSeq', 'lastSeq', 'checkpoints'] : undefined,
  );
  const seal: ExportSealResult = {
    version: framing.version,
    signed: false,
    keyId: null,
    exportedAt: typeof header.exportedAt === 'string' ? header.exportedAt : null,
  };
  const signatureRequired = ctx.trustedKeyIds.length > 0 || ctx.checkpointsSigned;
  const why = ctx.checkpointsSigned ? "the export's checkpoints are signed" : 'a trusted key was given';
  const fail = (reason: string, exportLine: 'header' | 'seal' = 'seal', seq = afterEnd) =>
    problems.push({ seq: Math.max(seq, 1), exportLine, reason });

  if (framing.version === 1) {
    if (signatureRequired)
      fail(
        `export format 1 carries no seal, so nothing proves that no lines were cut from its end (${why}): export the ledger again`,
        'header',
      );
    return { problems, seal };
  }
  if (!trailer) {
    fail('the export ends without its seal (the trailer line): lines were cut from its end');
    return { problems, seal };
  }
  if (framing.misplacedTrailer) fail(framing.misplacedTrailer);
  if (trailer.format !== EXPORT_FORMAT || trailer.version !== framing.version)
    fail(
      `the seal is of format ${shown(trailer.format)} version ${shown(trailer.version)}, not the header's`,
    );
  problems.push(...extentProblems('the seal records', 'seal', trailer, content));
  const edited = DECLARED_FIELDS.find((field) => !same(header[field], trailer[field]));
  if (edited)
    fail(
      `the header says ${edited} ${shown(header[edited])}, the seal ${shown(trailer[edited])}: the header was edited`,
      'header',
    );
  if (ctx.headHash !== undefined && trailer.headHash !== ctx.headHash)
    fail(
      `the seal records ${short(trailer.headHash)} as the hash of the last entry, the content's last entry is ${short(ctx.headHash)}: rewritten`,
      'seal',
      content.lastSeq ?? 1,
    );

  const problem = signatureProblem(trailer, ctx.trustedKeyIds);
  if (problem === 'unsigned') {
    if (signatureRequired)
      fail(
        `the seal is unsigned although ${why}: nothing proves that no lines were cut from the export's end (signature stripped, or the seal rewritten)`,
      );
  } else if (problem) {
    fail(problem);
  } else {
    seal.signed = true;
    seal.keyId = trailer.keyId as string;
  }
  return { problems, seal };
}

function extentProblems(
  who: string,
  exportLine: 'header' | 'seal',
  declared: Record<string, unknown>,
  content: ExportExtent,
  fields: readonly string[] = ['firstSeq', 'lastSeq', 'entries', 'checkpoints', 'lastCheckpoint'],
): FirstBad[] {
  const problems: FirstBad[] = [];
  const at = (seq: number, reason: string, checkpoint?: number) =>
    problems.push({
      seq: Math.max(seq, 1),
      exportLine,
      reason,
      ...(checkpoint === undefined ? {} : { checkpoint }),
    });
  const afterEnd = (content.lastSeq ?? 0) + 1;
  const has = (field: string) => fields.includes(field);

  const last = declared.lastSeq;
  if (has('lastSeq') && last !== content.lastSeq) {
    const ends = content.lastSeq === null ? 'content holds no entries' : `content ends at ${content.lastSeq}`;
    if (isCount(last) && last > (content.lastSeq ?? 0))
      at(afterEnd, `${who} entries up to seq ${last}, ${ends}: entries ${afterEnd}–${last} were cut`);
    else
      at(
        isCount(last) ? last + 1 : 1,
        `${who} entries up to seq ${shown(last)}, ${ends}: entries were added, or the ${exportLine} was edited`,
      );
  }
  const first = declared.firstSeq;
  if (has('firstSeq') && first !== content.firstSeq)
    at(
      Math.min(isCount(first) ? first : 1, content.firstSeq ?? afterEnd),
      `${who} entries from seq ${shown(first)}, content starts at ${shown(content.firstSeq)}`,
    );
  if (has('entries') && declared.entries !== content.entries)
    at(afterEnd, `${who} ${shown(declared.entries)} entries, content holds ${content.entries}`);

  const lastCp = declared.lastCheckpoint as ExportExtent['lastCheckpoint'] | undefined;
  if (has('lastCheckpoint') && !same(lastCp, content.lastCheckpoint)) {
    const held = content.lastCheckpoint
      ? `content ends with checkpoint ${content.lastCheckpoint.id} (tree size ${content.lastCheckpoint.treeSize})`
      : 'content holds no checkpoint';
    if (lastCp && typeof lastCp === 'object' && isCount(lastCp.id) && isCount(lastCp.treeSize)) {
      const missing = !content.lastCheckpoint || lastCp.id > content.lastCheckpoint.id;
      at(
        lastCp.treeSize,
        `${who} checkpoint ${lastCp.id} (tree size ${lastCp.treeSize}) as the last, ${held}: ${missing ? `checkpoint ${lastCp.id} is missing` : 'it was rewritten, or checkpoints were added'}`,
        lastCp.id,
      );
    } else at(afterEnd, `${who} ${shown(lastCp)} as the last checkpoint, ${held}`);
  } else if (has('checkpoints') && declared.checkpoints !== content.checkpoints) {
    at(
      isCount(lastCp?.treeSize) ? lastCp.treeSize : afterEnd,
      `${who} ${shown(declared.checkpoints)} checkpoints, content holds ${content.checkpoints}`,
    );
  }
  return problems;
}

/** 'unsigned', a reason the signature is bad, or null when it verifies (by a trusted key if pinned). */
function signatureProblem(trailer: Record<string, unknown>, trustedKeyIds: readonly string[]): string | null {
  const { signature, publicKey, keyId } = trailer;
  if (signature === null || signature === undefined) return 'unsigned';
  if (typeof signature !== 'string' || typeof publicKey !== 'string' || typeof keyId !== 'string')
    return 'the seal is signed but carries no public key';
  let actual: string;
  try {
    actual = keyIdOf(publicKey);
  } catch {
    return "the seal's public key is not a key";
  }
  if (actual !== keyId) return "the seal's key id does not match its public key";
  let statement: Buffer;
  try {
    statement = sealStatement(trailer);
  } catch {
    return 'the seal is not plain JSON';
  }
  if (!signatureValid(statement, signature, publicKey))
    return "the seal's signature does not verify (forged, or the seal was edited)";
  if (trustedKeyIds.length && !trustedKeyIds.includes(keyId))
    return `the seal is signed by key ${short(keyId)}, which is not a trusted key (${trustedKeyIds.map(short).join(', ')}): forged`;
  return null;
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function same(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a ?? null) === canonicalJson(b ?? null) && (a === undefined) === (b === undefined);
  } catch {
    return false;
  }
}

function shown(value: unknown): string {
  return value === undefined ? 'nothing' : typeof value === 'string' ? value : JSON.stringify(value);
}

function short(hash: unknown): string {
  return typeof hash === 'string' ? hash.slice(0, 12) : String(hash);
}
