/**
 * The dashboard's page shell. Everything it shows comes from the API, fetched by dashboard.js
 * with the token the user pastes once (kept in sessionStorage, so it ends with the tab). No inline
 * script or style: the Content-Security-Policy allows scripts from this origin only.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>audit-hub</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/assets/dashboard.css" />
    <script src="/assets/dashboard.js" defer></script>
  </head>
  <body>
    <a class="skip-link" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href="#/">audit-hub</a>
      <nav aria-label="Main">
        <ul>
          <li><a href="#/">Overview</a></li>
          <li><a href="#/controls">Controls</a></li>
          <li><a href="#/readiness">Readiness</a></li>
          <li><a href="#/findings">Findings</a></li>
          <li><a href="#/releases">Releases</a></li>
          <li><a href="#/exceptions">Exceptions</a></li>
          <li><a href="#/runs">Runs</a></li>
          <li><a href="#/connectors">Connectors</a></li>
          <li><a href="#/reports">Reports</a></li>
        </ul>
      </nav>
      <div id="who" class="who" aria-live="polite"></div>
    </header>
    <main id="main" tabindex="-1">
      <noscript>The audit-hub dashboard needs JavaScript. The same data is in the API: see /api/docs.</noscript>
    </main>
    <footer class="foot">
      <p>audit-hub — release-management audit. API reference: <a href="/api/docs">/api/docs</a>.</p>
    </footer>
  </body>
</html>
`;
