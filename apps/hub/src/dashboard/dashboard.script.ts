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
  var main;
  var whoEl;
  var me = null;

  function AuthError(message) {
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

  function findingHref(key) {
    return '#/findings/' + encodeURIComponent(key);
  }

  function releaseHref(ref) {
    return '#/releases/' + encodeURIComponent(ref);
  }

  /** Short values that read badly when wrapped (badges, ids, times). */
  var NOWRAP = ['Severity', 'Control', 'Status', 'Last seen', 'Deployed', 'When', 'Started', 'Recorded', 'Review due', 'Last success', 'Approved at', 'Merged', 'Run started'];

  /** A table with a caption and column headers; rows may be empty ("None."). */
  function table(caption, columns, rows) {
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
            null,
            columns.map(function (c) {
              var v = c.value(r);
              var cls = c.num ? 'num' : c.ref ? 'ref' : NOWRAP.indexOf(c.label) >= 0 ? 'nowrap' : null;
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

  function api(path) {
    return fetch('/api/v1' + path, {
      headers: { Authorization: 'Bearer ' + token(), Accept: 'application/json' },
    }).then(function (res) {
      return res
        .json()
        .catch(function () {
          return {};
        })
        .then(function (body) {
          if (res.status === 401) {
            sessionStorage.removeItem(TOKEN_KEY);
            me = null;
            throw new AuthError(body.message || 'The token was refused.');
          }
          if (!res.ok) throw new Error(body.message || 'The server answered ' + res.status + '.');
          return body;
        });
    });
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
    add(
      whoEl,
      h('span', null, 'Signed in as ' + me.name + ' (' + me.role + (me.team ? ', team ' + me.team : '') + ')'),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: function () {
            sessionStorage.removeItem(TOKEN_KEY);
            me = null;
            showWho();
            route();
          },
        },
        'Sign out',
      ),
    );
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

  function trendChart(trend) {
    if (!trend.length) return h('p', { class: 'note' }, 'No finished run yet.');
    var width = 640;
    var height = 160;
    var pad = 24;
    var max = Math.max.apply(
      null,
      trend.map(function (t) {
        return t.open;
      }).concat([1]),
    );
    var step = Math.min((width - pad * 2) / trend.length, 56);
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-labelledby', 'trend-title');
    var title = document.createElementNS(ns, 'title');
    title.setAttribute('id', 'trend-title');
    title.textContent =
      'Open findings after each of the last ' + trend.length + ' runs: ' +
      trend
        .map(function (t) {
          return t.open;
        })
        .join(', ');
    svg.appendChild(title);
    var axis = document.createElementNS(ns, 'line');
    axis.setAttribute('class', 'axis');
    axis.setAttribute('x1', pad);
    axis.setAttribute('x2', width - pad);
    axis.setAttribute('y1', height - pad);
    axis.setAttribute('y2', height - pad);
    svg.appendChild(axis);
    trend.forEach(function (t, i) {
      var barHeight = ((height - pad * 2) * t.open) / max;
      var rect = document.createElementNS(ns, 'rect');
      rect.setAttribute('class', 'bar');
      rect.setAttribute('x', String(pad + i * step + step * 0.15));
      rect.setAttribute('width', String(step * 0.7));
      rect.setAttribute('y', String(height - pad - barHeight));
      rect.setAttribute('height', String(Math.max(barHeight, 1)));
      svg.appendChild(rect);
      var label = document.createElementNS(ns, 'text');
      label.setAttribute('x', String(pad + i * step + step / 2));
      label.setAttribute('y', String(height - pad - barHeight - 4));
      label.setAttribute('text-anchor', 'middle');
      label.textContent = String(t.open);
      svg.appendChild(label);
    });
    return h(
      'figure',
      { class: 'chart panel' },
      svg,
      h('figcaption', { class: 'note' }, 'Open findings after each run, oldest on the left.'),
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
          { label: 'Deployment', ref: true, value: function (e) { return link(releaseHref(e.deployment), e.deployment); } },
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
      render('Findings', [
        h('p', { class: 'lead' }, page.asOf ? 'Statuses as they stood at ' + when(page.asOf) + '.' : 'Current statuses.'),
        form,
        table('Findings (' + page.items.length + ' on this page)', [
          { label: 'Severity', value: function (f) { return badge(f.severity, 'sev'); } },
          { label: 'Control', value: function (f) { return f.controlId; } },
          { label: 'Finding', value: function (f) { return link(findingHref(f.key), f.title); } },
          { label: 'Subject', ref: true, value: function (f) { return f.subject.ref; } },
          { label: 'Service', value: function (f) { return f.subject.service; } },
          { label: 'Team', value: function (f) { return f.team; } },
          { label: 'Status', value: function (f) { return badge(f.status); } },
          { label: 'Last seen', value: function (f) { return when(f.lastSeenAt); } },
        ], page.items),
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
            ['Subject', h('span', { class: 'ref' }, f.subject.type + ' ' + f.subject.ref)],
            ['Service', f.subject.service],
            ['Team', f.team],
            ['Environment', f.subject.environment],
            ['Frameworks', f.frameworks.join(', ')],
            ['First seen', when(f.firstSeenAt)],
            ['Last seen', when(f.lastSeenAt)],
            ['Resolved', when(f.resolvedAt)],
            ['Ticket', f.ticket ? (f.ticket.url ? link(f.ticket.url, f.ticket.key) : f.ticket.key) : null],
            ['Exception', f.exception ? f.exception.reason + ' (approved by ' + f.exception.approvedBy + ', until ' + f.exception.expires + ')' : null],
            ['Finding key', h('span', { class: 'ref' }, f.key)],
          ]),
        ),
        h('h2', null, 'Related records'),
        table('Records this finding rests on', [
          { label: 'Type', value: function (r) { return r.type; } },
          {
            label: 'Ref',
            ref: true,
            value: function (r) {
              return r.type === 'deployment' ? link(releaseHref(r.ref), r.ref) : r.ref;
            },
          },
        ], (f.subject.type === 'deployment' ? [{ type: 'deployment', ref: f.subject.ref }] : []).concat(f.related)),
        h('h2', null, 'History'),
        table('Status changes, oldest first', [
          { label: 'When', value: function (e) { return when(e.at); } },
          { label: 'From', value: function (e) { return e.from ? badge(e.from) : 'new'; } },
          { label: 'To', value: function (e) { return badge(e.to); } },
          { label: 'Why', value: function (e) { return e.reason; } },
          { label: 'Run', ref: true, value: function (e) { return link('#/runs/' + encodeURIComponent(e.runId), e.runId); } },
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
          { label: 'Release', ref: true, value: function (r) { return link(releaseHref(r.ref), r.ref); } },
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
            ['Commit', h('span', { class: 'ref' }, r.commitSha)],
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
    return api('/exceptions').then(function (page) {
      render('Exceptions', [
        h(
          'p',
          { class: 'lead' },
          'Accepted risks requested through the API. An exception covers findings of its control whose subject matches, once approved by someone other than its requester, until it expires.',
        ),
        table('Exceptions, newest first', [
          { label: 'Control', value: function (e) { return e.control; } },
          { label: 'Subject pattern', ref: true, value: function (e) { return e.subject; } },
          { label: 'Reason', value: function (e) { return e.reason; } },
          { label: 'Requested by', value: function (e) { return e.requestedBy; } },
          { label: 'Approved by', value: function (e) { return e.approvedBy; } },
          { label: 'Expires', value: function (e) { return e.expires; } },
          { label: 'Status', value: function (e) { return badge(e.status); } },
        ], page.items),
      ]);
    });
  }

  function runsList(params) {
    var cursor = params.get('cursor');
    return api('/runs' + query({ limit: 50, cursor: cursor })).then(function (page) {
      render('Runs', [
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
                ['Base URL', h('span', { class: 'ref' }, c.baseUrl)],
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
          default:
            render('Not found', h('p', null, 'There is no page at ' + path + '.'));
        }
      })
      .catch(function (err) {
        if (err instanceof AuthError) showSignIn(err.message + ' Paste a valid token to continue.');
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
