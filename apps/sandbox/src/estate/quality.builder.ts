import { iso } from './estate.clock';
import type { Estate, QualityAnalysis } from './estate.model';
import type { Rng } from './prng.util';

/**
 * SonarQube analyses: one per CI run of a service's main branch, of the commit it built. The
 * quality gate's conditions carry their measured values: a passing gate keeps every one inside its
 * threshold, `WARN` crosses a warning-only one, `ERROR` fails coverage and blocker issues on new code.
 */

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `AY…`: SonarQube analysis keys are 20-character web-safe ids. */
export function analysisKey(rng: Rng): string {
  let key = 'AY';
  while (key.length < 20) key += KEY_ALPHABET[rng.int(0, KEY_ALPHABET.length - 1)];
  return key;
}

export function recordAnalysis(
  estate: Estate,
  service: string,
  revision: string,
  at: number,
  version: string,
  status: QualityAnalysis['status'],
  rng: Rng,
): QualityAnalysis {
  const coverage = status === 'ERROR' ? rng.int(400, 700) / 10 : rng.int(820, 960) / 10;
  const blockers = status === 'ERROR' ? rng.int(1, 4) : 0;
  const analysis: QualityAnalysis = {
    key: analysisKey(rng),
    service,
    revision,
    at: iso(Math.floor(at / 1000) * 1000),
    version,
    status,
    conditions: [
      {
        metric: 'new_coverage',
        comparator: 'LT',
        threshold: '80',
        actual: String(coverage),
        status: coverage < 80 ? 'ERROR' : 'OK',
      },
      {
        metric: 'new_blocker_violations',
        comparator: 'GT',
        threshold: '0',
        actual: String(blockers),
        status: blockers > 0 ? 'ERROR' : 'OK',
      },
      // SonarQube before 7.6 had warning thresholds: crossing one made the gate WARN, not ERROR.
      {
        metric: 'new_duplicated_lines_density',
        comparator: 'GT',
        threshold: '3',
        actual: String(status === 'WARN' ? rng.int(31, 60) / 10 : rng.int(0, 25) / 10),
        status: status === 'WARN' ? 'WARN' : 'OK',
      },
    ],
  };
  estate.analyses.push(analysis);
  return analysis;
}
