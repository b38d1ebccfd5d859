/**
 * The population a control draws its subjects from, by subject type: the records of that type in
 * the audited scope now (controls.md definitions). A control may test a subset of it (RM-SOD-002
 * only high-impact services, RM-EMG-001 only emergency changes): the count says how large the
 * population is, not how many subjects passed.
 */
import { PRODUCTION_DEPLOYMENT } from '../controls/deployment.queries';

const LINKED_CHANGES = `SELECT COUNT(*) AS n FROM (
  SELECT DISTINCT c.number FROM change_request c
  JOIN link l ON l.change_number = c.number
  JOIN deployment d ON d.connector = l.deployment_connector AND d.external_id = l.deployment_id
  WHERE c.deleted = FALSE AND ${PRODUCTION_DEPLOYMENT}) x`;

const SHIPPED_MRS = `SELECT COUNT(*) AS n FROM (
  SELECT DISTINCT m.connector, m.external_id FROM merge_request m
  JOIN deployment_mr dm ON dm.connector = m.connector AND dm.merge_request_id = m.external_id AND dm.deleted = FALSE
  JOIN deployment d ON d.connector = dm.deployment_connector AND d.external_id = dm.deployment_id
  WHERE m.deleted = FALSE AND ${PRODUCTION_DEPLOYMENT}) x`;

/** Subject type → what is counted and the named queries whose counts add up to it. */
export const CONTROL_POPULATIONS: Record<string, { of: string; sql: string[] }> = {
  deployment: {
    of: 'successful production deployments',
    sql: [`SELECT COUNT(*) AS n FROM deployment d WHERE ${PRODUCTION_DEPLOYMENT}`],
  },
  change: { of: 'changes linked to a production deployment', sql: [LINKED_CHANGES] },
  merge_request: { of: 'merge requests shipped with a production deployment', sql: [SHIPPED_MRS] },
  'change or merge_request': {
    of: 'linked changes and shipped merge requests',
    sql: [LINKED_CHANGES, SHIPPED_MRS],
  },
  commit: {
    of: 'commits deployed to production',
    sql: [
      `SELECT COUNT(*) AS n FROM (SELECT DISTINCT d.commit_sha FROM deployment d
       WHERE ${PRODUCTION_DEPLOYMENT} AND d.commit_sha <> '') x`,
    ],
  },
  entitlement: {
    of: 'entitlements on record',
    sql: ['SELECT COUNT(*) AS n FROM entitlement e WHERE e.deleted = FALSE'],
  },
  service: {
    of: 'services with a production deployment',
    sql: [
      `SELECT COUNT(*) AS n FROM (SELECT DISTINCT d.service FROM deployment d
       WHERE ${PRODUCTION_DEPLOYMENT} AND d.service IS NOT NULL) x`,
    ],
  },
};
