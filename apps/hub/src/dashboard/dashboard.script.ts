/**
 * The dashboard's script: a hash-routed single page in plain ES2017, no build step, no
 * dependencies. It reads only the API (/api/v1) with the pasted token, and builds every element
 * with textContent, so no value from the API is ever parsed as HTML.
 */
export const DASHBOARD_JS = String.raw`
(function () {
  'use strict';

  var TOKEN_KEY = 'audit-hub.token';
  var SEVERITIES = ['critical', 'high', 'medium', 'low'];
  var STATUSES = ['open', 'reopened', 'resolved', 'accepted'];
  var FRAMEWORKS = ['SOX', 'PCI-DSS-4.0', 'ISO27001-2022', 'SOC2', 'HIPAA', 'GDPR'];
  var REPORT_FORMATS = ['html', 'pdf', 'json', 'csv', 'oscal'];
  /** What a control's last result means, as text (never colour alone). */
  var OUTCOME_TEXT = {
    passing: 'passing',
    failing: 'failing',
    partial: 'partial',
    not_evaluated: 'not evaluated',
    disabled: 'disabled',
    not_run: 'not run yet',
  };
  /** The columns of the findings CSV export, in order (docs/api.md "Dashboard"). */
  var CSV_COLUMNS = [
    'key', 'control', 'title', 'severity', 'status', 'subject_type', 'subject_ref', 'service', 'environment',
    'team', 'first_seen_at', 'last_seen_at', 'age_days', 'due_at', 'overdue', 'ticket', 'ticket_url', 'reason',
  ];
  var main;
  var whoEl;
  var me = null;

  function AuthError(message) {
    this.message = message;
  }

  /** An API refusal other than 401, with its status (403: the role or team may not). */
  function ApiError(status, message) {
    this.status = status;
    this.message = message;
  }

  // ---------------------------------------------------------------------------------------------
  // DOM helpers

  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? '' : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
    return el;
  }

  function add(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) {
      child.forEach(function (c) {
        add(el, c);
      });
      return;
    }
    el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }

  function when(iso) {
    if (!iso) return '—';
    return iso.slice(0, 10) + ' ' + iso.slice(11, 16) + ' UTC';
  }

  function badge(value, kind) {
    if (!value) return '—';
    return h('span', { class: 'badge ' + (kind || 'st') + '-' + value }, value);
  }

  function link(href, text, cls) {
    return h('a', { href: href, class: cls }, text);
  }

  /**
   * A subject ref, finding key or other identifier that may break only after its separators
   * (/ : # ! @ | - .), never inside a name: one text node per segment, a <wbr> after each.
   */
  function refText(value, shorten) {
    var span = h('span', { class: 'ref', title: value });
    var text = String(value);
    var parts = [];
    var start = 0;
    for (var i = 0; i < text.length; i++) {
      if (REF_SEPARATORS.indexOf(text.charAt(i)) >= 0 && i + 1 < text.length) {
        parts.push(text.slice(start, i + 1));
        start = i + 1;
      }
    }
    parts.push(text.slice(start));
    parts.forEach(function (part, j) {
      if (j) span.appendChild(document.createElement('wbr'));
      // In tables, a long unbreakable segment (a commit sha) shows its start; the title has it all.
      span.appendChild(document.createTextNode(shorten && part.length > 24 ? part.slice(0, 12) + '…' : part));
    });
    return span;
  }

  var REF_SEPARATORS = '/:#!@|.-';

  function refLink(href, value) {
    return h('a', { href: href }, refText(value, true));
  }

  function findingHref(key) {
    return '#/findings/' + encodeURIComponent(key);
  }

  function releaseHref(ref) {
    return '#/releases/' + encodeURIComponent(ref);
  }

  /** Short values that read badly when wrapped (badges, ids, times). */
  var NOWRAP = ['Severity', 'Control', 'Status', 'Last seen', 'Deployed', 'When', 'Started', 'Recorded', 'Review due', 'Last success', 'Approved at', 'Merged', 'Run started', 'Due', 'Age', 'Expires', 'Source', 'Last run', 'Clause', 'Ticket'];

  /** A table with a caption and column headers; rows may be empty ("None."). */
  function table(caption, columns, rows, rowClass) {
    var head = h(
      'tr',
      null,
      columns.map(function (c) {
        return h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label);
      }),
    );
    var body = rows.length
      ? rows.map(function (r) {
          return h(
            'tr',
            { class: rowClass ? rowClass(r) : null },
            columns.map(function (c) {
              var v = c.value(r);
              if (c.ref && typeof v === 'string') v = refText(v, true);
              var cls = c.num ? 'num' : c.ref ? 'ref-cell' : c.prose ? 'prose' : NOWRAP.indexOf(c.label) >= 0 ? 'nowrap' : null;
              return h('td', { class: cls }, v === null || v === undefined ? '—' : v);
            }),
          );
        })
      : [h('tr', null, h('td', { colspan: columns.length }, 'None.'))];
    return h('div', { class: 'table-wrap' }, h('table', null, h('caption', null, caption), h('thead', null, head), h('tbody', null, body)));
  }

  function facts(pairs) {
    return h(
      'dl',
      { class: 'facts' },
      pairs.map(function (p) {
        return [h('dt', null, p[0]), h('dd', null, p[1] === null || p[1] === undefined || p[1] === '' ? '—' : p[1])];
      }),
    );
  }

  function render(title, nodes) {
    document.title = title + ' — audit-hub';
    main.textContent = '';
    main.removeAttribute('aria-busy');
    add(main, h('h1', null, title));
    add(main, nodes);
    main.focus();
  }

  function showError(err) {
    main.removeAttribute('aria-busy');
    main.textContent = '';
    add(main, h('h1', null, 'Something went wrong'));
    add(main, h('p', { class: 'error', role: 'alert' }, err && err.message ? err.message : String(err)));
  }

  function markNav(path) {
    var first = '#/' + (path.split('/')[1] || '');
    Array.prototype.forEach.call(document.querySelectorAll('.top nav a'), function (a) {
      if (a.getAttribute('href') === first) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
  }

  // ---------------------------------------------------------------------------------------------
  // API

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  /** The token was refused: forget it and who it stood for, header included. */
  function signedOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    me = null;
    showWho();
  }

  /** Calls the API; options: method, body (sent as JSON), raw (resolve with the Response). */
  function api(path, options) {
    var o = options || {};
    var headers = { Authorization: 'Bearer ' + token(), Accept: o.raw ? '*/*' : 'application/json' };
    if (o.body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch('/api/v1' + path, {
      method: o.method || 'GET',
      headers: headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    }).then(function (res) {
      if (o.raw && res.ok) return res;
      return res
        .json()
        .catch(function () {
          return {};
        })
        .then(function (body) {
          if (res.status === 401) {
            signedOut();
            throw new AuthError(body.message || 'The token was refused.');
          }
          if (!res.ok) throw new ApiError(res.status, body.message || 'The server answered ' + res.status + '.');
          return body;
        });
    });
  }

  /** May this caller start runs and read company-wide pages (admin or operator, no team)? */
  function canRun() {
    return !!me && (me.role === 'admin' || me.role === 'operator') && !me.team;
  }

  /** Hands a downloaded body to the browser as a file. */
  function saveFile(blob, filename) {
    var url = URL.createObjectURL(blob);
    var a = h('a', { href: url, download: filename, class: 'hidden-download' });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 60000);
  }

  /** A status line that screen readers announce. */
  function statusLine(cls) {
    return h('p', { class: 'status ' + (cls || ''), role: 'status', 'aria-live': 'polite' });
  }

  function query(params) {
    var q = new URLSearchParams();
    Object.keys(params).forEach(function (k) {
      if (params[k] !== undefined && params[k] !== null && params[k] !== '') q.set(k, params[k]);
    });
    var s = q.toString();
    return s ? '?' + s : '';
  }

  // ---------------------------------------------------------------------------------------------
  // Sign-in

  function showWho() {
    whoEl.textContent = '';
    if (!me) return;
    add(whoEl, [
      h('span', null, 'Signed in as ' + me.name + ' (' + me.role + (me.team ? ', team ' + me.team : '') + ')'),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: function () {
            signedOut();
            route();
          },
        },
        'Sign out',
      ),
    ]);
  }

  function showSignIn(message) {
    var input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
    var form = h(
      'form',
      {
        class: 'signin',
        onsubmit: function (ev) {
          ev.preventDefault();
          sessionStorage.setItem(TOKEN_KEY, input.value.trim());
          route();
        },
      },
      h('label', { for: 'token' }, 'API token', input),
      h('button', { type: 'submit' }, 'Sign in'),
    );
    render('Sign in', [
      message ? h('p', { class: 'error', role: 'alert' }, message) : null,
      h(
        'p',
        null,
        'Paste the API token you were given (it starts with ahk_). It stays in this browser tab only and is sent with each request to the audit-hub API.',
      ),
      form,
      h('p', { class: 'note' }, 'An administrator creates tokens with: audit-hub tokens create --role auditor'),
    ]);
  }

  // ---------------------------------------------------------------------------------------------
  // Views

  function severityCards(bySeverity, total) {
    return h(
      'div',
      { class: 'cards' },
      h('div', { class: 'card' }, h('div', { class: 'label' }, 'Open findings'), h('div', { class: 'value' }, String(total))),
      SEVERITIES.map(function (s) {
        return h(
          'div',
          { class: 'card sev-' + s },
          h('div', { class: 'label' }, s.charAt(0).toUpperCase() + s.slice(1)),
          h('div', { class: 'value' }, link('#/findings' + query({ status: 'open,reopened', severity: s }), String(bySeverity[s] || 0))),
        );
      }),
    );
  }

  var SVG_NS = 'http://www.w3.org/2000/svg';

  function svgEl(tag, attrs, text) {
    var el = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      el.setAttribute(k, String(attrs[k]));
    });
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /** The smallest 1, 2 or 5 × 10^k at or above n (the top of a value axis). */
  function niceCeil(n) {
    if (n <= 1) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(n)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= n) return steps[i] * p;
    return 10 * p;
  }

  /** 11-02: a run's start day on a chart axis (UTC). */
  function shortDay(iso) {
    return iso ? iso.slice(5, 10) : '?';
  }

  function trendChart(trend) {
    if (!trend.length) return h('p', { class: 'note' }, 'No finished run yet.');
    var width = 640;
    var height = 230;
    var left = 48;
    var right = 12;
    var top = 14;
    var bottom = 50;
    var plotW = width - left - right;
    var plotH = height - top - bottom;
    var max = niceCeil(
      Math.max.apply(
        null,
        trend.map(function (t) {
          return t.open;
        }),
      ),
    );
    var step = Math.min(plotW / trend.length, 56);
    var every = Math.ceil(trend.length / 10);
    var svg = svgEl('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-labelledby': 'trend-title' });
    svg.appendChild(
      svgEl(
        'title',
        { id: 'trend-title' },
        'Open findings after each of the last ' + trend.length + ' runs: ' +
          trend
            .map(function (t) {
              return shortDay(t.startedAt) + ' ' + t.open;
            })
            .join(', '),
      ),
    );
    // Value axis: gridlines and labels at 0, half and the top.
    [0, max / 2, max].forEach(function (v) {
      var y = top + plotH - (plotH * v) / max;
      svg.appendChild(svgEl('line', { class: v ? 'grid' : 'axis', x1: left, x2: width - right, y1: y, y2: y }));
      svg.appendChild(svgEl('text', { class: 'tick y-tick', x: left - 6, y: y + 4, 'text-anchor': 'end' }, String(Math.round(v * 10) / 10)));
    });
    svg.appendChild(svgEl('line', { class: 'axis', x1: left, x2: left, y1: top, y2: top + plotH }));
    svg.appendChild(
      svgEl('text', { class: 'axis-title', x: 12, y: top + plotH / 2, 'text-anchor': 'middle', transform: 'rotate(-90 12 ' + (top + plotH / 2) + ')' }, 'Open findings'),
    );
    svg.appendChild(svgEl('text', { class: 'axis-title', x: left + plotW / 2, y: height - 6, 'text-anchor': 'middle' }, 'Run start date (UTC, month-day)'));
    trend.forEach(function (t, i) {
      var barHeight = (plotH * t.open) / max;
      var x = left + i * step;
      svg.appendChild(
        svgEl('rect', { class: 'bar', x: x + step * 0.15, width: step * 0.7, y: top + plotH - barHeight, height: Math.max(barHeight, 1) }),
      );
      svg.appendChild(svgEl('text', { class: 'value', x: x + step / 2, y: top + plotH - barHeight - 4, 'text-anchor': 'middle' }, String(t.open)));
      if (i % every === 0 || i === trend.length - 1)
        svg.appendChild(svgEl('text', { class: 'tick x-tick', x: x + step / 2, y: top + plotH + 16, 'text-anchor': 'middle' }, shortDay(t.startedAt)));
    });
    return h(
      'figure',
      { class: 'chart panel' },
      svg,
      h(
        'figcaption',
        { class: 'note' },
        'Open findings right after each run, oldest on the left; ' + when(trend[0].startedAt) + ' to ' + when(trend[trend.length - 1].startedAt) + '.',
      ),
      h(
        'details',
        null,
        h('summary', null, 'Show as a table'),
        table('Open findings after each run', [
          { label: 'Run started', value: function (t) { return link('#/runs/' + encodeURIComponent(t.runId), when(t.startedAt)); } },
          { label: 'Run status', value: function (t) { return badge(t.status); } },
          { label: 'Open findings', num: true, value: function (t) { return String(t.open); } },
        ], trend),
      ),
    );
  }

  /** One control's results over recent runs: a bar per run (flagged subjects), outcome as class and text. */
  function sparkline(control) {
    var trend = control.trend;
    if (!trend.length) return 'no run yet';
    var w = 8;
    var gap = 3;
    var hgt = 22;
    var max = Math.max.apply(
      null,
      trend.map(function (t) {
        return t.flagged;
      }).concat([1]),
    );
    var words = trend.map(function (t) {
      return shortDay(t.startedAt) + ': ' + t.flagged + ' flagged, ' + OUTCOME_TEXT[t.outcome];
    });
    var svg = svgEl('svg', {
      class: 'spark',
      width: trend.length * (w + gap),
      height: hgt,
      viewBox: '0 0 ' + trend.length * (w + gap) + ' ' + hgt,
      role: 'img',
      'aria-label': control.id + ' over the last ' + trend.length + ' runs: ' + words.join('; '),
    });
    svg.appendChild(svgEl('title', {}, words.join('\n')));
    trend.forEach(function (t, i) {
      var bh = Math.max(2, ((hgt - 2) * t.flagged) / max);
      svg.appendChild(svgEl('rect', { class: 'o-' + t.outcome, x: i * (w + gap), y: hgt - bh, width: w, height: bh }));
    });
    return h(
      'span',
      { class: 'trend' },
      svg,
      h(
        'span',
        { class: 'note' },
        trend
          .map(function (t) {
            return String(t.flagged);
          })
          .join(' → '),
      ),
    );
  }

  function overview() {
    return api('/overview').then(function (o) {
      var rate = o.traceability.rate === null ? 'no deployments' : Math.round(o.traceability.rate * 1000) / 10 + ' %';
      render(o.team ? 'Overview — team ' + o.team : 'Overview', [
        h('p', { class: 'lead' }, 'As of ' + when(o.generatedAt) + '.'),
        severityCards(o.open.bySeverity, o.open.total),
        h('h2', null, 'Traceability'),
        h(
          'div',
          { class: 'cards' },
          h(
            'div',
            { class: 'card' },
            h('div', { class: 'label' }, 'Production deployments traced to an approved change'),
            h('div', { class: 'value' }, rate),
            h(
              'p',
              { class: 'note' },
              o.traceability.traced + ' of ' + o.traceability.deployments + ' successful production deployments from ' +
                o.traceability.from + ' to ' + o.traceability.to + ' were linked to a change approved before they started.',
            ),
          ),
        ),
        h('h2', null, 'Open findings by control family'),
        table('Open findings by control family', [
          { label: 'Family', value: function (f) { return f.title + ' (' + f.family + ')'; } },
          { label: 'Open', num: true, value: function (f) { return String(f.open); } },
        ].concat(
          SEVERITIES.map(function (s) {
            return { label: s.charAt(0).toUpperCase() + s.slice(1), num: true, value: function (f) { return String(f.bySeverity[s] || 0); } };
          }),
        ), o.byFamily),
        h('h2', null, 'Open findings by team'),
        table('Open findings by team', [
          {
            label: 'Team',
            value: function (t) {
              return t.team ? link('#/findings' + query({ status: 'open,reopened', team: t.team }), t.team) : '(no team)';
            },
          },
          { label: 'Open', num: true, value: function (t) { return String(t.open); } },
        ], o.byTeam),
        h('h2', null, 'Trend over runs'),
        trendChart(o.trend),
        h('h2', null, 'Emergency releases awaiting review'),
        table('Emergency changes whose post-implementation review is not closed', [
          { label: 'Deployment', ref: true, value: function (e) { return refLink(releaseHref(e.deployment), e.deployment); } },
          { label: 'Service', value: function (e) { return e.service; } },
          { label: 'Change', ref: true, value: function (e) { return e.change; } },
          { label: 'Deployed', value: function (e) { return when(e.finishedAt); } },
          { label: 'Review due', value: function (e) { return when(e.reviewDue); } },
          { label: 'Review', value: function (e) { return badge(e.review); } },
        ], o.emergencyReleases),
        h('h2', null, 'Connector health'),
        table('Connectors', [
          { label: 'Connector', value: function (c) { return c.id; } },
          { label: 'Plugin', value: function (c) { return c.plugin; } },
          { label: 'Health', value: function (c) { return c.health ? badge(c.health) : 'never collected'; } },
          { label: 'Last success', value: function (c) { return when(c.lastSuccessAt); } },
        ], o.connectors),
        h('h2', null, 'Last run'),
        o.lastRun
          ? h(
              'div',
              { class: 'panel' },
              facts([
                ['Run', link('#/runs/' + encodeURIComponent(o.lastRun.id), o.lastRun.id)],
                ['Status', badge(o.lastRun.status)],
                ['Started', when(o.lastRun.startedAt)],
                ['Finished', when(o.lastRun.finishedAt)],
                [
                  'Sources',
                  Object.keys(o.lastRun.sources)
                    .map(function (k) {
                      return o.lastRun.sources[k] + ' ' + k;
                    })
                    .join(', '),
                ],
              ]),
            )
          : h('p', { class: 'note' }, 'No run yet.'),
      ]);
    });
  }

  function select(name, label, values, current) {
    return h(
      'label',
      { for: 'f-' + name },
      label,
      h(
        'select',
        { id: 'f-' + name, name: name },
        [h('option', { value: '' }, 'any')].concat(
          values.map(function (v) {
            return h('option', { value: v, selected: v === current }, v);
          }),
        ),
      ),
    );
  }

  function text(name, label, current, attrs) {
    var a = { id: 'f-' + name, name: name, value: current || '', type: 'text' };
    Object.keys(attrs || {}).forEach(function (k) {
      a[k] = attrs[k];
    });
    return h('label', { for: 'f-' + name }, label, h('input', a));
  }

  function findingsList(params) {
    var filters = {};
    ['status', 'severity', 'control', 'service', 'team', 'framework', 'asOf', 'cursor'].forEach(function (k) {
      if (params.get(k)) filters[k] = params.get(k);
    });
    return Promise.all([api('/findings' + query(Object.assign({ limit: 50 }, filters))), api('/controls')]).then(function (res) {
      var page = res[0];
      var controls = res[1];
      var form = h(
        'form',
        {
          class: 'filters',
          role: 'search',
          onsubmit: function (ev) {
            ev.preventDefault();
            var data = new FormData(form);
            var next = {};
            data.forEach(function (v, k) {
              if (v) next[k] = v;
            });
            location.hash = '#/findings' + query(next);
          },
        },
        select('status', 'Status', STATUSES.concat(['open,reopened']), filters.status),
        select('severity', 'Severity', SEVERITIES, filters.severity),
        select('control', 'Control', controls.map(function (c) { return c.id; }), filters.control),
        select('framework', 'Framework', FRAMEWORKS, filters.framework),
        text('service', 'Service', filters.service),
        text('team', 'Team', filters.team),
        text('asOf', 'As of (date)', filters.asOf, { type: 'date' }),
        h('button', { type: 'submit' }, 'Apply filters'),
      );
      var next = page.nextCursor ? Object.assign({}, filters, { cursor: page.nextCursor }) : null;
      var first = Object.assign({}, filters);
      delete first.cursor;
      var exportStatus = statusLine();
      var exportButton = h(
        'button',
        {
          type: 'button',
          id: 'export-csv',
          class: 'secondary',
          onclick: function () {
            exportButton.disabled = true;
            exportStatus.className = 'status';
            exportStatus.textContent = 'Exporting…';
            allFindings(first)
              .then(function (items) {
                var name = 'audit-hub-findings-' + new Date().toISOString().slice(0, 10) + '.csv';
                saveFile(new Blob([findingsCsv(items)], { type: 'text/csv;charset=utf-8' }), name);
                exportStatus.textContent = 'Exported ' + items.length + ' findings to ' + name + '.';
              })
              .catch(function (err) {
                if (err instanceof AuthError) return route();
                exportStatus.className = 'status error';
                exportStatus.textContent = 'The export failed: ' + err.message;
              })
              .then(function () {
                exportButton.disabled = false;
              });
          },
        },
        'Export CSV (every page)',
      );
      var overdue = page.items.filter(function (f) {
        return f.due && f.due.overdue;
      }).length;
      var noSla = page.items.length > 0 && page.items.every(function (f) {
        return !f.due;
      });
      render('Findings', [
        h('p', { class: 'lead' }, page.asOf ? 'Statuses as they stood at ' + when(page.asOf) + '.' : 'Current statuses.'),
        form,
        h('div', { class: 'toolbar' }, exportButton, exportStatus),
        overdue ? h('p', { class: 'overdue-summary' }, h('span', { class: 'badge st-overdue' }, 'overdue'), ' ' + overdue + ' finding' + (overdue === 1 ? '' : 's') + ' on this page are past their due date.') : null,
        noSla ? h('p', { class: 'note' }, 'No due dates: the config sets no remediation.sla for these severities.') : null,
        table('Findings (' + page.items.length + ' on this page)', [
          { label: 'Severity', value: function (f) { return badge(f.severity, 'sev'); } },
          {
            label: 'Finding',
            prose: true,
            value: function (f) {
              return h('span', null, link(findingHref(f.key), f.title), h('br'), h('span', { class: 'note' }, f.controlId));
            },
          },
          { label: 'Subject', ref: true, value: function (f) { return f.subject.ref; } },
          { label: 'Service', value: function (f) { return f.subject.service; } },
          { label: 'Owner team', value: function (f) { return f.team; } },
          { label: 'Status', value: function (f) { return badge(f.status); } },
          { label: 'Age', num: true, value: function (f) { return f.ageDays + ' d'; } },
          { label: 'Due', value: dueCell },
          { label: 'Ticket', value: ticketCell },
        ], page.items, function (f) {
          return f.due && f.due.overdue ? 'row-overdue' : null;
        }),
        h(
          'nav',
          { class: 'pager', 'aria-label': 'Pages' },
          filters.cursor ? link('#/findings' + query(first), 'First page') : null,
          next ? link('#/findings' + query(next), 'Next page') : null,
        ),
      ]);
    });
  }

  function findingDetail(key) {
    return api('/findings/' + encodeURIComponent(key)).then(function (f) {
      render(f.title, [
        h('p', { class: 'lead' }, f.controlId + ' · ' + f.severity + ' · ' + f.status),
        h(
          'div',
          { class: 'panel' },
          facts([
            ['Why', f.reason],
            ['Status', badge(f.status)],
            ['Severity', badge(f.severity, 'sev')],
            ['Control', f.controlId],
            ['Subject', [f.subject.type + ' ', refText(f.subject.ref)]],
            ['Service', f.subject.service],
            ['Team', f.team],
            ['Environment', f.subject.environment],
            ['Frameworks', f.frameworks.join(', ')],
            ['First seen', when(f.firstSeenAt)],
            ['Last seen', when(f.lastSeenAt)],
            ['Resolved', when(f.resolvedAt)],
            ['Age', f.ageDays + ' days'],
            ['Due', f.due ? [dueCell(f), ' (' + f.due.sla + ' for ' + f.severity + ')'] : 'no SLA for ' + f.severity + ' in config'],
            ['Ticket', ticketCell(f)],
            ['Exception', f.exception ? f.exception.reason + ' (approved by ' + f.exception.approvedBy + ', until ' + f.exception.expires + ')' : null],
            ['Finding key', refText(f.key)],
          ]),
        ),
        h('h2', null, 'Related records'),
        table('Records this finding rests on', [
          { label: 'Type', value: function (r) { return r.type; } },
          {
            label: 'Ref',
            ref: true,
            value: function (r) {
              return r.type === 'deployment' ? refLink(releaseHref(r.ref), r.ref) : r.ref;
            },
          },
        ], (f.subject.type === 'deployment' ? [{ type: 'deployment', ref: f.subject.ref }] : []).concat(f.related)),
        h('h2', null, 'History'),
        table('Status changes, oldest first', [
          { label: 'When', value: function (e) { return when(e.at); } },
          { label: 'From', value: function (e) { return e.from ? badge(e.from) : 'new'; } },
          { label: 'To', value: function (e) { return badge(e.to); } },
          { label: 'Why', value: function (e) { return e.reason; } },
          { label: 'Run', ref: true, value: function (e) { return refLink('#/runs/' + encodeURIComponent(e.runId), e.runId); } },
        ], f.history),
        h('h2', null, 'Evidence'),
        f.evidence.ledger
          ? table('Evidence-ledger entries about this finding (verify with: audit-hub evidence verify)', [
              { label: 'Entry', num: true, value: function (e) { return '#' + e.seq; } },
              { label: 'Type', value: function (e) { return e.type; } },
              { label: 'Recorded', value: function (e) { return when(e.at); } },
              { label: 'Run', ref: true, value: function (e) { return e.runId; } },
            ], f.evidence.entries)
          : h('p', { class: 'note' }, 'This server keeps no evidence ledger.'),
      ]);
    });
  }

  function releasesList(params) {
    var filters = {};
    ['from', 'to', 'service', 'cursor'].forEach(function (k) {
      if (params.get(k)) filters[k] = params.get(k);
    });
    return api('/releases' + query(Object.assign({ limit: 50 }, filters))).then(function (page) {
      var form = h(
        'form',
        {
          class: 'filters',
          role: 'search',
          onsubmit: function (ev) {
            ev.preventDefault();
            var next = {};
            new FormData(form).forEach(function (v, k) {
              if (v) next[k] = v;
            });
            location.hash = '#/releases' + query(next);
          },
        },
        text('from', 'From', filters.from, { type: 'date' }),
        text('to', 'To', filters.to, { type: 'date' }),
        text('service', 'Service', filters.service),
        h('button', { type: 'submit' }, 'Apply filters'),
      );
      var next = page.nextCursor ? Object.assign({}, filters, { cursor: page.nextCursor }) : null;
      render('Releases', [
        h('p', { class: 'lead' }, 'Successful production deployments, newest first.'),
        form,
        table('Releases (' + page.items.length + ' on this page)', [
          { label: 'Deployed', value: function (r) { return when(r.startedAt); } },
          { label: 'Release', ref: true, value: function (r) { return refLink(releaseHref(r.ref), r.ref); } },
          { label: 'Service', value: function (r) { return r.service; } },
          { label: 'Version', value: function (r) { return r.version; } },
          { label: 'Changes', value: function (r) { return r.changeNumbers.join(', ') || 'none linked'; } },
          { label: 'Open findings', num: true, value: function (r) { return String(r.openFindings); } },
        ], page.items),
        h('nav', { class: 'pager', 'aria-label': 'Pages' }, next ? link('#/releases' + query(next), 'Next page') : null),
      ]);
    });
  }

  function releaseDetail(ref) {
    return api('/releases/' + encodeURIComponent(ref)).then(function (r) {
      render('Release ' + r.ref, [
        h(
          'div',
          { class: 'panel' },
          facts([
            ['Service', r.service],
            ['Environment', r.environment],
            ['Version', r.version],
            ['Commit', refText(r.commitSha)],
            ['Started', when(r.startedAt)],
            ['Finished', when(r.finishedAt)],
            ['Triggered by', r.triggeredBy],
            ['Through a pipeline', r.viaPipeline ? 'yes' : 'no'],
            ['Quality gate', r.qualityGate.available ? (r.qualityGate.status || 'no analysis recorded for this commit') : 'not collected'],
          ]),
        ),
        h('h2', null, 'Changes'),
        table('Linked change requests', [
          { label: 'Change', ref: true, value: function (c) { return c.ref; } },
          { label: 'Type', value: function (c) { return c.type; } },
          { label: 'State', value: function (c) { return c.state; } },
          { label: 'Approval', value: function (c) { return c.approval; } },
          { label: 'Approved at', value: function (c) { return when(c.approvalSetAt); } },
          { label: 'Window', value: function (c) { return when(c.plannedStart) + ' – ' + when(c.plannedEnd); } },
          { label: 'Found in', value: function (c) { return c.foundIn.join(', '); } },
        ], r.changes),
        r.unknownChanges.length
          ? h('p', { class: 'note' }, 'Referenced but not found in any change source: ' + r.unknownChanges.join(', '))
          : null,
        h('h2', null, 'Approvals'),
        table('Approvals of the changes and of the deployment', [
          { label: 'Source', value: function (a) { return a.source === 'change' ? 'change ' + a.change : 'deployment'; } },
          { label: 'Approver', value: function (a) { return a.approver; } },
          { label: 'State', value: function (a) { return a.state; } },
          { label: 'When', value: function (a) { return when(a.at); } },
        ], r.approvals),
        h('h2', null, 'Merge requests'),
        table('Merge requests shipped with this release', [
          { label: 'Merge request', ref: true, value: function (m) { return m.ref; } },
          { label: 'Title', value: function (m) { return m.title; } },
          { label: 'Author', value: function (m) { return m.author; } },
          { label: 'Approved by', value: function (m) { return m.approvedBy ? m.approvedBy.join(', ') : 'unknown'; } },
          { label: 'Merged', value: function (m) { return when(m.mergedAt); } },
        ], r.mergeRequests),
        h('h2', null, 'Findings'),
        table('Findings about this release, its changes, merge requests and commit', [
          { label: 'Severity', value: function (f) { return badge(f.severity, 'sev'); } },
          { label: 'Finding', value: function (f) { return link(findingHref(f.key), f.title); } },
          { label: 'Status', value: function (f) { return badge(f.status); } },
        ], r.findings),
        h('h2', null, 'Evidence'),
        r.evidence.ledger
          ? table('Evidence-ledger entries', [
              { label: 'Entry', num: true, value: function (e) { return '#' + e.seq; } },
              { label: 'Type', value: function (e) { return e.type; } },
              { label: 'Subject', ref: true, value: function (e) { return e.subject; } },
              { label: 'Recorded', value: function (e) { return when(e.at); } },
            ], r.evidence.entries)
          : h('p', { class: 'note' }, 'This server keeps no evidence ledger.'),
      ]);
    });
  }

  function exceptionsList() {
    return Promise.all([
      api('/exceptions'),
      api('/exceptions/config').catch(function (err) {
        if (err instanceof ApiError && err.status === 403) return null;
        throw err;
      }),
    ]).then(function (res) {
      var fromApi = res[0].items.map(function (e) {
        return Object.assign({ source: 'api' }, e);
      });
      var fromConfig = res[1] ? res[1].items : [];
      var rows = fromConfig.concat(fromApi);
      render('Exceptions', [
        h(
          'p',
          { class: 'lead' },
          'Accepted risks: those of the config file (exceptions:) and those requested through the API. An exception covers findings of its control whose subject matches — an API one once approved by someone other than its requester — until it expires.',
        ),
        res[1] ? null : h('p', { class: 'note' }, 'The config file’s exceptions may cover any team’s subjects, so a team-scoped token sees only the API ones of its team.'),
        table('Exceptions: the config file’s, then the API’s newest first', [
          { label: 'Source', value: function (e) { return h('span', { class: 'badge src-' + e.source }, e.source === 'config' ? 'config file' : 'API'); } },
          { label: 'Control', value: function (e) { return e.control; } },
          { label: 'Subject pattern', ref: true, value: function (e) { return e.subject; } },
          { label: 'Reason', prose: true, value: function (e) { return e.reason; } },
          { label: 'Requested by', value: function (e) { return e.requestedBy; } },
          { label: 'Approved by', value: function (e) { return e.approvedBy; } },
          { label: 'Expires', value: function (e) { return e.expires; } },
          { label: 'Status', value: function (e) { return badge(e.status); } },
        ], rows),
      ]);
    });
  }

  function runsList(params) {
    var cursor = params.get('cursor');
    return api('/runs' + query({ limit: 50, cursor: cursor })).then(function (page) {
      render('Runs', [
        runNowPanel(),
        table('Reconcile runs, newest first', [
          { label: 'Started', value: function (r) { return link('#/runs/' + encodeURIComponent(r.id), when(r.startedAt)); } },
          { label: 'Trigger', value: function (r) { return r.trigger; } },
          { label: 'Status', value: function (r) { return badge(r.status); } },
          { label: 'Duration', num: true, value: function (r) { return r.durationMs === null ? '—' : Math.round(r.durationMs / 1000) + ' s'; } },
          {
            label: 'Sources',
            value: function (r) {
              return Object.keys(r.sources)
                .map(function (k) {
                  return r.sources[k] + ' ' + k;
                })
                .join(', ');
            },
          },
        ], page.items),
        h('nav', { class: 'pager', 'aria-label': 'Pages' }, page.nextCursor ? link('#/runs' + query({ cursor: page.nextCursor }), 'Next page') : null),
      ]);
    });
  }

  function runDetail(id) {
    return api('/runs/' + encodeURIComponent(id)).then(function (r) {
      render('Run ' + r.run.id, [
        h(
          'div',
          { class: 'panel' },
          facts([
            ['Status', badge(r.run.status)],
            ['Started', when(r.run.startedAt)],
            ['Finished', when(r.run.finishedAt)],
            ['Error', r.run.error],
            ['Open findings after it', String(r.summary.open)],
            ['New in it', String(r.summary.new)],
            ['Resolved by it', String(r.summary.resolved)],
          ]),
        ),
        h('h2', null, 'Sources'),
        table('What each connector stream collected', [
          { label: 'Connector', value: function (s) { return s.connector; } },
          { label: 'Stream', value: function (s) { return s.stream; } },
          { label: 'Status', value: function (s) { return badge(s.status); } },
          { label: 'Records', num: true, value: function (s) { return String(s.records); } },
          { label: 'Error', value: function (s) { return s.error; } },
        ], r.run.sources),
        h('h2', null, 'Controls'),
        table('How each control fared', [
          { label: 'Control', value: function (c) { return c.id; } },
          { label: 'Status', value: function (c) { return c.status; } },
          { label: 'Open', num: true, value: function (c) { return String(c.open); } },
          { label: 'Why', value: function (c) { return c.reason; } },
        ], r.controls),
        h('h2', null, 'Findings'),
        table('Findings this run touched', [
          { label: 'Severity', value: function (f) { return badge(f.severity, 'sev'); } },
          { label: 'Finding', value: function (f) { return link(findingHref(f.key), f.title); } },
          { label: 'Subject', ref: true, value: function (f) { return f.subject.ref; } },
          { label: 'Status', value: function (f) { return badge(f.status); } },
        ], r.findings),
      ]);
    });
  }

  function connectorsList() {
    return api('/connectors').then(function (list) {
      render('Connectors', [
        h('p', { class: 'lead' }, 'Each connector with its streams as the last run left them.'),
        list.map(function (c) {
          return [
            h('h2', null, c.id + ' (' + c.plugin + ')'),
            h(
              'div',
              { class: 'panel' },
              facts([
                ['Health', c.health ? badge(c.health) : 'never collected'],
                ['Base URL', refText(c.baseUrl)],
                ['Enabled', c.enabled ? 'yes' : 'no'],
                ['Collects', c.capabilities ? c.capabilities.join(', ') : 'unknown'],
                ['Last success', when(c.lastSuccessAt)],
              ]),
            ),
            table('Streams of ' + c.id, [
              { label: 'Stream', value: function (s) { return s.stream; } },
              { label: 'Last status', value: function (s) { return badge(s.status); } },
              { label: 'Records', num: true, value: function (s) { return s.records === null ? '—' : String(s.records); } },
              { label: 'Last success', value: function (s) { return when(s.lastSuccessAt); } },
              { label: 'Error', value: function (s) { return s.error; } },
            ], c.streams),
          ];
        }),
      ]);
    });
  }

  /** Why a company-wide page shows nothing to this caller (403 from the API). */
  function companyWideNote(err, what) {
    if (err instanceof ApiError && err.status === 403)
      return h('p', { class: 'note', role: 'note' }, what + ' cover every team; this token (' + (me && me.team ? 'scoped to team ' + me.team : 'its role') + ') cannot read them: ' + err.message);
    throw err;
  }

  function outcomeBadge(outcome) {
    return h('span', { class: 'badge o-' + outcome }, OUTCOME_TEXT[outcome] || outcome);
  }

  /** The run-now control: a button for admins and operators, a sentence for everyone else. */
  function runNowPanel() {
    if (!canRun())
      return h(
        'p',
        { class: 'note run-now-note' },
        'Runs start on schedule. Starting one now needs a company-wide operator or admin token' + (me ? ' (this one is ' + me.role + (me.team ? ', team ' + me.team : '') + ').' : '.'),
      );
    var out = statusLine();
    var full = h('input', { type: 'checkbox', id: 'run-full', name: 'full' });
    var button = h(
      'button',
      {
        type: 'button',
        id: 'run-now',
        onclick: function () {
          button.disabled = true;
          out.className = 'status';
          out.textContent = 'Starting a run…';
          api('/runs', { method: 'POST', body: full.checked ? { full: true } : {} })
            .then(function (started) {
              out.textContent = '';
              add(out, ['Run started at ' + when(started.startedAt) + ' (' + started.collectJobs + ' collect jobs): ', link('#/runs/' + encodeURIComponent(started.id), started.id), '.']);
            })
            .catch(function (err) {
              if (err instanceof AuthError) return route();
              out.className = 'status error';
              out.textContent = 'The run did not start: ' + err.message;
            })
            .then(function () {
              button.disabled = false;
            });
        },
      },
      'Run now',
    );
    return h('div', { class: 'panel run-now' }, button, h('label', { for: 'run-full', class: 'inline' }, full, ' full resync (every stream from scratch)'), out);
  }

  function controlsPage() {
    return api('/controls/results')
      .then(function (r) {
        var last = r.runs[r.runs.length - 1];
        var counts = {};
        r.controls.forEach(function (c) {
          var o = c.lastRun ? c.lastRun.outcome : 'not_run';
          counts[o] = (counts[o] || 0) + 1;
        });
        render('Controls', [
          h(
            'p',
            { class: 'lead' },
            last
              ? 'Each control as the last finished run left it (' + when(last.startedAt) + ', ' + last.status + '), with its results over the last ' + r.runs.length + ' runs.'
              : 'No run has finished yet.',
          ),
          h(
            'div',
            { class: 'cards' },
            ['failing', 'passing', 'partial', 'not_evaluated', 'disabled'].map(function (o) {
              return h('div', { class: 'card o-' + o }, h('div', { class: 'label' }, OUTCOME_TEXT[o].charAt(0).toUpperCase() + OUTCOME_TEXT[o].slice(1)), h('div', { class: 'value' }, String(counts[o] || 0)));
            }),
          ),
          runNowPanel(),
          table(
            'Controls in catalog order',
            [
              { label: 'Control', value: function (c) { return h('span', null, h('strong', null, c.id), h('br'), c.title); } },
              { label: 'Severity', value: function (c) { return badge(c.severity, 'sev'); } },
              { label: 'Last run', value: function (c) { return outcomeBadge(c.lastRun ? c.lastRun.outcome : 'not_run'); } },
              { label: 'Population', num: true, value: function (c) { return h('span', { title: c.population.of }, String(c.population.count), h('br'), h('span', { class: 'note' }, c.population.of)); } },
              { label: 'Failures', num: true, value: function (c) { return c.lastRun ? String(c.lastRun.flagged) : '—'; } },
              { label: 'Undecided', num: true, value: function (c) { return c.lastRun ? String(c.lastRun.undecided) : '—'; } },
              {
                label: 'Open findings',
                num: true,
                value: function (c) {
                  return c.lastRun ? link('#/findings' + query({ status: 'open,reopened', control: c.id }), String(c.lastRun.open)) : '—';
                },
              },
              { label: 'Trend (failures per run)', value: sparkline },
              { label: 'Why', prose: true, value: function (c) { return c.lastRun ? c.lastRun.reason : null; } },
            ],
            r.controls,
            function (c) {
              return c.lastRun && c.lastRun.outcome === 'failing' ? 'row-failing' : null;
            },
          ),
          h(
            'p',
            { class: 'note' },
            'Population: the records of the control’s subject type on record now; a control may test a subset of them. Failures: subjects it flagged in the run (those covered by an exception included). Undecided: subjects whose data is missing upstream, neither passed nor failed.',
          ),
        ]);
      })
      .catch(function (err) {
        render('Controls', [companyWideNote(err, 'Control results')]);
      });
  }

  function readinessPage() {
    return api('/controls/readiness')
      .then(function (r) {
        var columns = [
          {
            label: 'Clause',
            value: function (c) {
              return link('#/findings' + query({ status: 'open,reopened', framework: c.token }), c.clause);
            },
          },
          { label: 'Passing', num: true, value: function (c) { return String(c.passing); } },
          { label: 'Failing', num: true, value: function (c) { return String(c.failing); } },
          { label: 'Partial', num: true, value: function (c) { return String(c.partial); } },
          { label: 'Not evaluated', num: true, value: function (c) { return String(c.notEvaluated); } },
          {
            label: 'Controls',
            value: function (c) {
              return h(
                'ul',
                { class: 'inline-list' },
                c.controls.map(function (x) {
                  return h('li', null, h('span', { title: x.title }, x.id), ' ', outcomeBadge(x.outcome));
                }),
              );
            },
          },
        ];
        render('Readiness by framework', [
          h(
            'p',
            { class: 'lead' },
            r.runId
              ? 'Each framework clause with the controls the catalog maps to it, as the run of ' + when(r.runStartedAt) + ' left them. A clause is ready when all its controls pass.'
              : 'No run has finished yet: every control is not evaluated.',
          ),
          r.frameworks.map(function (f) {
            var c = f.controls;
            var total = c.passing + c.failing + c.partial + c.notEvaluated;
            return [
              h('h2', null, f.name),
              h(
                'p',
                { class: 'readiness-summary' },
                h('strong', null, c.passing + ' of ' + total + ' controls passing'),
                ', ' + c.failing + ' failing, ' + c.partial + ' partial, ' + c.notEvaluated + ' not evaluated.',
              ),
              table(f.name + ' clauses', columns, f.clauses, function (x) {
                return x.failing ? 'row-failing' : null;
              }),
            ];
          }),
        ]);
      })
      .catch(function (err) {
        render('Readiness by framework', [companyWideNote(err, 'Control results')]);
      });
  }

  function isoDay(d) {
    return d.toISOString().slice(0, 10);
  }

  function reportsPage() {
    var today = new Date();
    var from = new Date(today.getTime() - 29 * 86400000);
    var out = statusLine();
    var format = h(
      'select',
      { id: 'r-format', name: 'format' },
      REPORT_FORMATS.map(function (f) {
        return h('option', { value: f }, f.toUpperCase());
      }),
    );
    var form = h(
      'form',
      {
        class: 'filters report-form',
        onsubmit: function (ev) {
          ev.preventDefault();
          var data = new FormData(form);
          var params = { from: data.get('from'), to: data.get('to'), format: data.get('format') };
          if (data.get('asOf')) params.asOf = data.get('asOf');
          if (data.get('redact')) params.redact = 'true';
          out.className = 'status';
          out.textContent = 'Building the report…';
          api('/reports' + query(params), { raw: true })
            .then(function (res) {
              var disposition = res.headers.get('Content-Disposition') || '';
              var m = /filename="([^"]+)"/.exec(disposition);
              var name = m ? m[1] : 'audit-hub-report.' + params.format;
              return res.blob().then(function (blob) {
                saveFile(blob, name);
                out.textContent = 'Downloaded ' + name + ' (' + Math.max(1, Math.round(blob.size / 1024)) + ' kB).';
              });
            })
            .catch(function (err) {
              if (err instanceof AuthError) return route();
              out.className = 'status error';
              out.textContent = 'No report: ' + err.message;
            });
        },
      },
      text('from', 'From', isoDay(from), { type: 'date', required: true }),
      text('to', 'To', isoDay(today), { type: 'date', required: true }),
      h('label', { for: 'r-format' }, 'Format', format),
      text('asOf', 'As of (optional)', '', { type: 'date' }),
      h('label', { for: 'f-redact', class: 'inline' }, h('input', { type: 'checkbox', id: 'f-redact', name: 'redact', value: 'true' }), ' pseudonymize people'),
      h('button', { type: 'submit', id: 'report-download' }, 'Download report'),
    );
    render('Reports', [
      h('p', { class: 'lead' }, 'The period report for auditors, as the report command builds it: every successful production deployment of the period, each control’s results, findings, exceptions and emergency releases.'),
      me && me.team
        ? h('p', { class: 'note' }, 'A period report covers the whole estate; this token is scoped to team ' + me.team + ', so the API will refuse it.')
        : null,
      form,
      out,
    ]);
    return Promise.resolve();
  }

  /** Every finding the filters select (all pages), for the CSV export. */
  function allFindings(filters) {
    var items = [];
    function page(cursor) {
      var params = Object.assign({}, filters, { limit: 500 });
      delete params.cursor;
      if (cursor) params.cursor = cursor;
      return api('/findings' + query(params)).then(function (p) {
        items = items.concat(p.items);
        return p.nextCursor ? page(p.nextCursor) : items;
      });
    }
    return page(null);
  }

  /** A CSV field: quoted when needed; a would-be spreadsheet formula is prefixed with ' (OWASP). */
  function csvField(value) {
    if (value === null || value === undefined) return '';
    var t = String(value);
    if (/^[=+@\t\r]/.test(t) || /^-(?![\d.])/.test(t)) t = "'" + t;
    return /[",\r\n]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  }

  function findingsCsv(items) {
    var lines = [CSV_COLUMNS.join(',')];
    items.forEach(function (f) {
      lines.push(
        [
          f.key, f.controlId, f.title, f.severity, f.status, f.subject.type, f.subject.ref, f.subject.service, f.subject.environment,
          f.team, f.firstSeenAt, f.lastSeenAt, f.ageDays, f.due ? f.due.at : null, f.due ? f.due.overdue : null,
          f.ticket ? f.ticket.key : null, f.ticket && f.ticket.url ? f.ticket.url : null, f.reason,
        ]
          .map(csvField)
          .join(','),
      );
    });
    return lines.join('\r\n') + '\r\n';
  }

  function dueCell(f) {
    if (!f.due) return '—';
    return h('span', null, f.due.at.slice(0, 10), f.due.overdue ? [' ', h('span', { class: 'badge st-overdue' }, 'overdue')] : null);
  }

  function ticketCell(f) {
    if (!f.ticket) return '—';
    return f.ticket.url && /^https?:\/\//i.test(f.ticket.url) ? h('a', { href: f.ticket.url, rel: 'noopener noreferrer', target: '_blank' }, f.ticket.key) : f.ticket.key;
  }

  // ---------------------------------------------------------------------------------------------
  // Routing

  function route() {
    var raw = location.hash.replace(/^#/, '') || '/';
    var q = raw.indexOf('?');
    var path = q >= 0 ? raw.slice(0, q) : raw;
    var params = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
    markNav(path);
    if (!token()) {
      showSignIn();
      return;
    }
    main.setAttribute('aria-busy', 'true');
    var ready = me
      ? Promise.resolve(me)
      : api('/me').then(function (p) {
          me = p;
          showWho();
          return p;
        });
    var parts = path.split('/').filter(Boolean);
    var arg = parts.length > 1 ? decodeURIComponent(parts.slice(1).join('/')) : null;
    ready
      .then(function () {
        switch (parts[0]) {
          case undefined:
            return overview();
          case 'findings':
            return arg ? findingDetail(arg) : findingsList(params);
          case 'releases':
            return arg ? releaseDetail(arg) : releasesList(params);
          case 'exceptions':
            return exceptionsList();
          case 'runs':
            return arg ? runDetail(arg) : runsList(params);
          case 'connectors':
            return connectorsList();
          case 'controls':
            return controlsPage();
          case 'readiness':
            return readinessPage();
          case 'reports':
            return reportsPage();
          default:
            render('Not found', h('p', null, 'There is no page at ' + path + '.'));
        }
      })
      .catch(function (err) {
        if (err instanceof AuthError)
          showSignIn(err.message.replace(/[.!]?$/, '.') + ' Paste a valid token to continue.');
        else showError(err);
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    main = document.getElementById('main');
    whoEl = document.getElementById('who');
    window.addEventListener('hashchange', route);
    route();
  });
})();
`;
