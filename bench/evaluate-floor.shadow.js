/**
 * Cross-checks the floor's hand-written queries (bench/evaluate-floor.sql.js) against the real
 * controls on the control specs' hand-made cases, which hold the edge cases the benchmark's
 * synthetic estate does not (shared accounts, unread fields, ties, missing records…). A jest
 * setup file: every time a spec evaluates a control through ControlHarness on PostgreSQL, the
 * floor query of that control runs on the same database right after, and any difference between
 * the refs the control flags and those the query returns is appended, one JSON line per case, to
 * `AUDIT_HUB_FLOOR_SHADOW_LOG` (default bench/results/evaluate-floor-shadow.jsonl, emptied first
 * by the caller). The specs themselves run and pass or fail as usual.
 *
 *   npx jest apps/hub/src/controls \
 *     --setupFilesAfterEnv ./test/support/nock-isolation.ts ./bench/evaluate-floor.shadow.js
 */
'use strict';
const { appendFileSync } = require('node:fs');
const { join } = require('node:path');
const { FLOOR } = require('./evaluate-floor.sql');
const { ControlHarness, T0 } = require('../apps/hub/src/controls/testing/control-fixtures');

const LOG =
  process.env.AUDIT_HUB_FLOOR_SHADOW_LOG ?? join(__dirname, 'results', 'evaluate-floor-shadow.jsonl');

const evaluate = ControlHarness.prototype.evaluate;
if (!evaluate.floorShadow) {
  ControlHarness.prototype.evaluate = async function (control, params = {}, now) {
    const outcome = await evaluate.call(this, control, params, now);
    if (this.ds.options.type !== 'postgres') return outcome;
    const id = control.definition.id;
    const line = { test: expect.getState().currentTestName, control: id };
    const query = FLOOR[id];
    try {
      const rows = await this.ds.query(
        query.sql,
        query.args({
          params: { ...control.definition.params, ...params },
          now: now ?? T0,
          config: this.config,
        }),
      );
      const flags = new Set(outcome.flags.map((f) => f.subjectRef));
      const refs = new Set(rows.map((r) => r.ref));
      const onlyControl = [...flags].filter((r) => !refs.has(r));
      const onlyFloor = [...refs].filter((r) => !flags.has(r));
      const undecided = outcome.undecided.map((u) => u.subjectRef);
      if (onlyControl.length || onlyFloor.length || refs.size !== rows.length) {
        appendFileSync(
          LOG,
          JSON.stringify({ ...line, onlyControl, onlyFloor, undecided, floorRows: rows.length }) + '\n',
        );
      } else appendFileSync(LOG, JSON.stringify({ ...line, same: flags.size }) + '\n');
    } catch (err) {
      appendFileSync(LOG, JSON.stringify({ ...line, error: err.message }) + '\n');
    }
    return outcome;
  };
  ControlHarness.prototype.evaluate.floorShadow = true;
}
