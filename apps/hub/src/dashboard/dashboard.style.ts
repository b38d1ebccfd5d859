/** The dashboard's styles: high contrast, visible focus, tables that scroll instead of squeezing. */
export const DASHBOARD_CSS = String.raw`
:root {
  --ink: #1b1f24;
  --muted: #4a5562;
  --line: #c9d1d9;
  --paper: #ffffff;
  --wash: #f3f5f7;
  --accent: #0b5cad;
  --critical: #8b0000;
  --high: #b3261e;
  --medium: #8a5300;
  --low: #2f5d8a;
  --ok: #1d6b35;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif;
  color: var(--ink);
  background: var(--wash);
  line-height: 1.45;
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible {
  outline: 3px solid #f0a500;
  outline-offset: 2px;
}
.skip-link { position: absolute; left: -999px; top: 0; background: var(--paper); padding: 0.5rem 1rem; }
.skip-link:focus { left: 0.5rem; z-index: 10; }
.top {
  display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.5rem;
  padding: 0.6rem 1.25rem; background: #0f2a44; color: #fff;
}
.top a { color: #fff; }
.brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; }
.top nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; list-style: none; margin: 0; padding: 0; }
.top nav a { text-decoration: none; padding: 0.2rem 0; border-bottom: 2px solid transparent; }
.top nav a[aria-current='page'] { border-bottom-color: #f0a500; }
.who { margin-left: auto; font-size: 0.9rem; }
.who button { margin-left: 0.5rem; }
main { max-width: 78rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 0.6rem; }
.lead { color: var(--muted); margin-top: -0.5rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0.75rem; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem 1rem; }
.card .label { color: var(--muted); font-size: 0.9rem; }
.card .value { font-size: 1.9rem; font-weight: 700; }
.card.sev-critical .value { color: var(--critical); }
.card.sev-high .value { color: var(--high); }
.card.sev-medium .value { color: var(--medium); }
.card.sev-low .value { color: var(--low); }
.panel { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem 1rem; }
.table-wrap { overflow-x: auto; background: var(--paper); border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
caption { text-align: left; font-weight: 600; padding: 0.6rem 0.75rem; color: var(--ink); }
th, td { text-align: left; padding: 0.45rem 0.75rem; border-top: 1px solid var(--line); vertical-align: top; }
th { background: var(--wash); font-weight: 600; }
td.nowrap { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
/* Refs break only at the <wbr> after their separators (dashboard.script.ts refText), never mid-name. */
.ref { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88rem; word-break: normal; overflow-wrap: normal; hyphens: none; }
td.prose { min-width: 13rem; }
.badge { display: inline-block; padding: 0.05rem 0.45rem; border-radius: 3px; font-size: 0.85rem; font-weight: 600; border: 1px solid currentColor; }
.sev-critical .badge, .badge.sev-critical { color: var(--critical); }
.badge.sev-high { color: var(--high); }
.badge.sev-medium { color: var(--medium); }
.badge.sev-low { color: var(--low); }
.badge.st-open, .badge.st-reopened, .badge.st-failed, .badge.st-failing, .badge.st-overdue { color: var(--high); }
.badge.st-resolved, .badge.st-complete, .badge.st-ok, .badge.st-approved { color: var(--ok); }
.badge.o-failing { color: var(--high); }
.badge.o-passing { color: var(--ok); }
.badge.o-partial { color: var(--medium); }
.badge.o-not_evaluated, .badge.o-disabled, .badge.o-not_run { color: var(--muted); border-style: dashed; }
.badge.src-config { color: #5b3f8c; }
.badge.src-api { color: var(--accent); }
.card.o-failing .value { color: var(--high); }
.card.o-passing .value { color: var(--ok); }
.card.o-partial .value { color: var(--medium); }
tr.row-overdue td, tr.row-failing td { background: #fff4f2; }
tr.row-overdue td:first-child, tr.row-failing td:first-child { box-shadow: inset 4px 0 0 var(--high); }
.overdue-summary { color: var(--high); font-weight: 600; }
.spark { vertical-align: middle; margin-right: 0.4rem; }
.spark rect { fill: var(--muted); }
.spark rect.o-failing { fill: var(--high); }
.spark rect.o-passing { fill: var(--ok); }
.spark rect.o-partial { fill: var(--medium); }
.trend { white-space: nowrap; }
ul.inline-list { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 0.9rem; }
ul.inline-list li { white-space: nowrap; }
.toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin: 0 0 0.75rem; }
.toolbar .status { margin: 0; }
.run-now { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin: 0.75rem 0 1rem; }
.run-now .status { margin: 0; flex-basis: 100%; }
label.inline, form.filters label.inline { display: inline-flex; flex-direction: row; align-items: center; gap: 0.35rem; align-self: center; }
.status.error { border-left: 4px solid var(--high); background: #fff5f5; padding: 0.4rem 0.7rem; }
.hidden-download { display: none; }
.badge.st-accepted, .badge.st-partial, .badge.st-incomplete, .badge.st-degraded, .badge.st-pending, .badge.st-requested { color: var(--medium); }
dl.facts { display: grid; grid-template-columns: minmax(9rem, max-content) 1fr; gap: 0.35rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
form.filters { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: flex-end; margin-bottom: 1rem; }
form.filters label, form.signin label { display: flex; flex-direction: column; font-size: 0.9rem; gap: 0.2rem; }
input, select, button { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid #8b97a3; border-radius: 4px; background: var(--paper); color: var(--ink); }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button:disabled { opacity: 0.6; cursor: progress; }
button.secondary { background: var(--paper); color: var(--accent); }
.pager { display: flex; gap: 1rem; margin: 0.75rem 0; }
.error { border-left: 4px solid var(--high); background: #fff5f5; padding: 0.6rem 0.9rem; }
.note { color: var(--muted); font-size: 0.9rem; }
.chart svg { width: 100%; max-width: 46rem; height: auto; display: block; }
.chart .bar { fill: var(--accent); }
.chart .axis { stroke: var(--muted); }
.chart .grid { stroke: var(--line); stroke-dasharray: 3 3; }
.chart text { font-size: 11px; fill: var(--muted); }
.chart text.value { fill: var(--ink); }
.chart text.axis-title { font-size: 12px; fill: var(--ink); }
form.signin { max-width: 34rem; display: grid; gap: 0.75rem; }
form.signin input { width: 100%; }
form.signin button { justify-self: start; }
.foot { text-align: center; color: var(--muted); font-size: 0.85rem; padding: 1rem; }
@media (max-width: 40rem) { .who { margin-left: 0; } }
`;
