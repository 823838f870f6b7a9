// The dashboard at /__mock/ in Chromium, every action a user takes, against a mock started with
// --token and two workers. Requests to the API are sent from Node (not the page), as an app
// beside the dashboard would send them. Reports one JSON document that test_dashboard_browser.py
// judges; screenshots of each view go to the folder given (the docs site's pictures are shot by
// its build: scripts/docs_screenshots.mjs).
// Usage: node dashboard.mjs <base url> <token> <screenshot dir>
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { report, requireArgs, withBrowser } from './browser.mjs';

const [baseUrl, token, screenshotDir] = requireArgs(import.meta.filename, [
  'base url',
  'token',
  'screenshot dir',
]);
const SESSION = 'dash-live';
const COPY = 'dash-copy';
const AUTH = { Authorization: `Bearer ${token}` };
const AXE = await readFile(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
// Each would set window.__pwned (or log "pwned") if the page ran it.
const SCRIPT_PATH = `/api/v1/clients/%3Cimg%20src=x%20onerror=window.__pwned=1%3E`;
const SCRIPT_HEADER = '<script>window.__pwned=2;console.log("pwned")</script>';
const SCRIPT_NAME = '<img src=x onerror="window.__pwned=3;console.log(\'pwned\')">';

async function api(method, path, { body, headers = {}, session = SESSION } = {}) {
  const answer = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...AUTH, 'X-Mock-Session': session, Connection: 'close', ...headers, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: answer.status, rule: answer.headers.get('x-mock-rule'), body: await answer.text() };
}

async function shoot(page, name) {
  await page.screenshot({ path: join(screenshotDir, `dashboard-${name}.png`), fullPage: true });
}

async function axe(page, label) {
  await page.evaluate(AXE); // through the debugger protocol: the page's CSP does not apply
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map(({ id, impact, nodes }) => ({ id, impact, nodes: nodes.length, target: nodes[0]?.target }));
  });
  return { label, violations: found };
}

async function rowFor(page, text) {
  const row = page.locator('#journal tbody tr', { hasText: text }).first();
  await row.waitFor();
  return row;
}

async function openDetail(page, text) {
  // Found with the text filter (bodies and headers are not in the row), opened by its path.
  await page.fill('#filter-text', text);
  await page.locator('#journal tbody tr button.link').first().click();
  await page.fill('#filter-text', '');
  return {
    heading: await page.locator('#detail-heading').textContent(),
    headers: await page.locator('#detail-headers tbody tr').evaluateAll((rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent))),
    body: await page.locator('#detail-body').textContent(),
    curl: await page.locator('#detail-curl').textContent(),
  };
}

async function liveLatency(page, count, most = 40) {
  // Each request is on its own connection, so either worker may serve it. On a busy machine
  // one worker can win a whole burst of accepts: past `count`, requests go on (up to `most`)
  // until both workers have served one.
  const latencies = [];
  for (let index = 0; index < most; index += 1) {
    const marker = `live-${index}-${Date.now()}`;
    const sent = performance.now();
    await api('GET', `/api/v1/clients?search=${marker}`);
    await rowFor(page, marker);
    latencies.push(Math.round(performance.now() - sent));
    if (index + 1 >= count && (await workersSeen(page)) >= 2) break;
  }
  return latencies;
}

async function workersSeen(page) {
  // A row's id is <pid>.<n>: the worker that served it.
  return page.locator('#journal tbody tr').evaluateAll(
    (rows) => new Set(rows.map((row) => row.dataset.id.split('.')[0])).size,
  );
}

async function keyboardTour(page) {
  // Tab from the top of the page: which controls are reached, in order, by their names.
  await page.reload(); // a fresh page: Tab starts at the top (the token is kept for the tab)
  await page.locator('body[data-ready="true"]').waitFor();
  await page.locator('#journal tbody tr').first().waitFor();
  const reached = [];
  for (let press = 0; press < 16; press += 1) {
    await page.keyboard.press('Tab');
    reached.push(
      await page.evaluate(() => {
        const element = document.activeElement;
        const label = element.labels?.[0]?.firstChild.textContent.trim();
        return `${element.tagName.toLowerCase()}:${label || element.getAttribute('aria-label') || element.textContent.trim().slice(0, 40)}`;
      }),
    );
  }
  // A tab of the navigation opens its view with Enter.
  await page.locator('#tab-sessions').focus();
  await page.keyboard.press('Enter');
  await page.locator('#view-sessions').waitFor();
  const sessionsShown = await page.locator('#view-sessions').isVisible();
  await page.locator('#tab-requests').focus();
  await page.keyboard.press('Enter');
  // A row's path is a button: Enter shows its detail.
  await page.locator('#journal tbody tr button.link').first().focus();
  await page.keyboard.press('Enter');
  const detailShown = await page.locator('#detail').isVisible();
  return { reached, sessionsShown, detailShown };
}

async function run(context) {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const page = await context.newPage();
  const consoleMessages = [];
  const violations = [];
  page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => consoleMessages.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => dialog.accept());
  const result = {};

  // 1. The token: asked for, refused when wrong, accepted when right.
  await page.goto(`${baseUrl}/__mock/?session=${SESSION}`);
  await page.locator('#token-dialog[open]').waitFor();
  result.tokenAsked = true;
  await shoot(page, 'token');
  violations.push(await axe(page, 'token dialog'));
  await page.fill('#token-input', 'wrong-token');
  await page.press('#token-input', 'Enter');
  await page.locator('#token-error', { hasText: 'refused' }).waitFor();
  await page.fill('#token-input', token);
  await page.press('#token-input', 'Enter');
  await page.locator('body[data-ready="true"]').waitFor();
  result.tokenAccepted = !(await page.locator('#token-dialog').evaluate((dialog) => dialog.open));

  // 2. Live, at two workers: requests sent now appear, whoever served them.
  result.latenciesMs = await liveLatency(page, 8);
  await api('POST', '/api/v1/clients', { body: { name: 'Dash Created' } });
  await api('GET', '/api/v1/clients?limit=0');
  await api('GET', '/api/v1/clients', { headers: { Prefer: 'code=500' } });
  await api('POST', '/api/v1/clients', { body: { name: SCRIPT_NAME, notes: '<script>console.log("pwned")</script>' }, headers: { 'X-Evil': SCRIPT_HEADER } });
  await api('GET', SCRIPT_PATH, { headers: { 'X-Evil': SCRIPT_HEADER } });
  await rowFor(page, '/api/v1/clients/<img');
  result.rows = await page.locator('#journal tbody tr').evaluateAll((rows) =>
    rows.map((row) => ({ id: row.dataset.id, cells: [...row.cells].map((cell) => cell.textContent) })),
  );
  result.feedState = await page.locator('#feed-state').textContent();

  // 3. Filters: operation, status, text.
  await page.selectOption('#filter-operation', 'createClient');
  result.filteredByOperation = await page.locator('#journal tbody tr td.method').allTextContents();
  await page.selectOption('#filter-operation', '');
  await page.fill('#filter-status', '4xx');
  result.filteredByStatus = await page.locator('#journal tbody tr .status').allTextContents();
  await page.fill('#filter-status', '');
  await page.fill('#filter-text', 'live-3-');
  result.filteredByText = await page.locator('#journal tbody tr td.path').allTextContents();
  await page.fill('#filter-text', '');

  // 4. A request's detail (a hostile one too), and copy as curl.
  result.hostileDetail = await openDetail(page, 'X-Evil');
  result.plainDetail = await openDetail(page, 'Dash Created');
  await page.click('#copy-curl');
  result.clipboard = await page.evaluate(() => navigator.clipboard.readText());
  await shoot(page, 'requests');
  violations.push(await axe(page, 'requests'));

  // 5. Nothing any request carried ran: no global set, no "pwned" logged, no element injected.
  result.pwned = await page.evaluate(() => window.__pwned ?? null);
  result.injectedElements = await page.evaluate(() => document.querySelectorAll('main img, main script, #detail img').length);

  // 6. Sessions: counts, export, import into another session, reset, delete.
  await page.click('#tab-sessions');
  await page.locator(`#sessions tr[data-session="${SESSION}"]`).waitFor();
  const sessionRow = page.locator(`#sessions tr[data-session="${SESSION}"]`);
  result.sessionRow = await sessionRow.locator('th, td').allTextContents();
  const [download] = await Promise.all([page.waitForEvent('download'), sessionRow.getByRole('button', { name: `Export ${SESSION}` }).click()]);
  const exportedPath = join(screenshotDir, 'dashboard-export.json');
  await download.saveAs(exportedPath);
  result.exportedName = download.suggestedFilename();
  result.exported = JSON.parse(await readFile(exportedPath, 'utf8'));
  await page.fill('#import-session', COPY);
  await page.setInputFiles('#import-file', exportedPath);
  await page.click('#import-form button[type="submit"]');
  await page.locator('#notice', { hasText: `into ${COPY}` }).waitFor();
  result.importNotice = await page.locator('#notice').textContent();
  await page.locator(`#sessions tr[data-session="${COPY}"]`).waitFor();
  await shoot(page, 'sessions');
  violations.push(await axe(page, 'sessions'));
  await page.locator(`#sessions tr[data-session="${COPY}"]`).getByRole('button', { name: `Reset ${COPY}` }).click();
  await page.locator('#notice', { hasText: `${COPY} holds the fixtures again` }).waitFor();
  result.afterResetCopy = await api('GET', '/api/v1/clients?search=Dash%20Created', { session: COPY });
  await page.locator(`#sessions tr[data-session="${COPY}"]`).getByRole('button', { name: `Delete ${COPY}` }).click();
  await page.locator(`#sessions tr[data-session="${COPY}"]`).waitFor({ state: 'detached' });
  result.copyDeleted = (await api('GET', `/__mock/sessions/${COPY}`)).status;

  // 7. Rules: add from the form, see it answer the app, remove it.
  await page.click('#tab-rules');
  result.statusOptions = await page.locator('#rule-status option').allTextContents();
  await page.selectOption('#rule-operation', 'createClient');
  result.statusOptionsForCreate = await page.locator('#rule-status option').allTextContents();
  result.faultOptions = await page.locator('#rule-fault option').allTextContents();
  await page.selectOption('#rule-status', '503');
  await page.fill('#rule-times', '1');
  await page.click('#rule-form button[type="submit"]');
  const ruleRow = page.locator('#rules tbody tr').first();
  await ruleRow.waitFor();
  result.ruleRow = await ruleRow.locator('th, td').allTextContents();
  result.ruleAnswer = await api('POST', '/api/v1/clients', { body: { name: 'Refused by the rule' } });
  // The control API refuses what its schema cannot say (a fault and a status together): the
  // form shows its problem's detail.
  await page.selectOption('#rule-operation', 'createClient');
  await page.selectOption('#rule-status', '503');
  await page.selectOption('#rule-fault', 'reset');
  await page.click('#rule-form button[type="submit"]');
  await page.locator('#rule-error:not(:empty)').waitFor();
  result.ruleError = await page.locator('#rule-error').textContent();
  await page.selectOption('#rule-fault', '');
  await shoot(page, 'rules');
  violations.push(await axe(page, 'rules'));
  await ruleRow.getByRole('button', { name: /Remove rule/ }).click();
  await page.locator('#rules-empty').waitFor({ state: 'visible' });
  result.rulesAfterRemove = await page.locator('#rules tbody tr').count();
  await page.click('#tab-requests');
  result.ruleWhy = await (await rowFor(page, 'rule ')).locator('td.why').textContent();

  // 8. The keyboard, then the phone width.
  result.keyboard = await keyboardTour(page);
  await page.setViewportSize(PHONE);
  for (const view of ['requests', 'sessions', 'rules']) {
    await page.click(`#tab-${view}`);
    await page.waitForTimeout(200);
    await shoot(page, `${view}-phone`);
    violations.push(await axe(page, `${view} (phone)`));
  }
  result.phoneOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.setViewportSize(DESKTOP);

  // 9. Clearing the journal from the page.
  await page.click('#tab-requests');
  await page.click('#clear-journal');
  await page.locator('#journal-empty').waitFor({ state: 'visible' });
  result.afterClear = (await (await fetch(`${baseUrl}/__mock/sessions/${SESSION}/requests`, { headers: AUTH })).json()).meta.total;

  result.console = consoleMessages;
  result.violations = violations;
  return result;
}

report(import.meta.filename, () => withBrowser(run));
