// The docs site's pictures, shot from a served mock as a person sees it (never by hand).
// Usage: node docs_screenshots.mjs <mock base url> <token> <output folder>
// Writes swagger-ui.png, swagger-ui-try-it-out.png, control-ui.png, and dashboard-*.png (token,
// requests, sessions, rules, requests-phone) when the mock serves a dashboard at /__mock/;
// prints the files written as JSON.
import { join } from 'node:path';
import { report, requireArgs, withBrowser } from '../tests/browser/browser.mjs';

const [baseUrl, token, outDir] = requireArgs(import.meta.filename, [
  'mock base url',
  'token',
  'output folder',
]);

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

async function open(page, url) {
  const response = await page.goto(url);
  if (!response?.ok()) throw new Error(`${url} answered ${response?.status()}`);
  return response;
}

async function swaggerUi(page, written) {
  await open(page, `${baseUrl}/api/v1/ui/`);
  await page.locator('.opblock').first().waitFor();
  await page.screenshot({ path: join(outDir, 'swagger-ui.png') });
  written.push('swagger-ui.png');
  // Authorize, then "Try it out" on listClients, as the getting-started page tells.
  await page.locator('.auth-wrapper button.authorize').click();
  const dialog = page.locator('.modal-ux');
  await dialog.locator('input').first().fill(token);
  await dialog.locator('button[type=submit]').click();
  await dialog.locator('button.btn-done').click();
  const block = page.locator('.opblock[id$="-listClients"]');
  await block.locator('.opblock-summary').first().click();
  await block.locator('button.try-out__btn').click();
  await block.locator('input[placeholder="limit"]').fill('2');
  await block.locator('button.execute').click();
  await block.locator('.live-responses-table .response').first().waitFor();
  // The request and the live answer; the declared responses below them are left out.
  await page.addStyleTag({
    content: '.opblock-body .responses-table:not(.live-responses-table) { display: none; }',
  });
  await block.screenshot({ path: join(outDir, 'swagger-ui-try-it-out.png') });
  written.push('swagger-ui-try-it-out.png');
}

async function controlUi(page, written) {
  await open(page, `${baseUrl}/__mock/ui/`);
  await page.locator('.opblock').first().waitFor();
  await page.screenshot({ path: join(outDir, 'control-ui.png') });
  written.push('control-ui.png');
}

// The dashboard as a reader first meets it: the token asked for, a few requests in the journal
// (one refused, so "why" shows the validation message), one request's detail, a rule.
async function api(method, path, body) {
  const answer = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return answer.status;
}

async function dashboardTraffic() {
  const sent = [
    await api('GET', '/api/v1/clients?search=acme&limit=1'),
    await api('POST', '/api/v1/clients', { name: 'Initech', tags: ['new'] }),
    await api('GET', '/api/v1/clients?limit=0'),
    await api('POST', '/__mock/sessions/default/rules', { operation: 'createClient', status: 503, times: 1 }),
  ];
  const expected = [200, 201, 400, 201];
  if (sent.join() !== expected.join()) throw new Error(`dashboard traffic answered ${sent}, not ${expected}`);
}

async function shootDashboard(page, written, name) {
  await page.screenshot({ path: join(outDir, `dashboard-${name}.png`) });
  written.push(`dashboard-${name}.png`);
}

async function dashboard(page, written) {
  const response = await page.goto(`${baseUrl}/__mock/`);
  const isPage = response?.ok() && (response.headers()['content-type'] ?? '').includes('text/html');
  if (!isPage) return;
  // The page long-polls the journal's feed: the network is never idle, so wait for what shows.
  await page.locator('#token-dialog[open]').waitFor();
  await shootDashboard(page, written, 'token');
  await page.fill('#token-input', token);
  await page.press('#token-input', 'Enter');
  await page.locator('body[data-ready="true"]').waitFor();
  await dashboardTraffic();
  await page.locator('#journal tbody tr', { hasText: 'limit=0' }).waitFor();
  // The create's detail: its headers and the body sent.
  await page.locator('#journal tbody tr', { hasText: 'POST' }).locator('button.link').first().click();
  await page.locator('#detail').waitFor();
  await shootDashboard(page, written, 'requests');
  await page.click('#tab-sessions');
  await page.locator('#sessions tr[data-session="default"]').waitFor();
  await shootDashboard(page, written, 'sessions');
  await page.click('#tab-rules');
  await page.locator('#rules tbody tr').first().waitFor();
  await shootDashboard(page, written, 'rules');
  await page.setViewportSize(PHONE);
  await page.click('#tab-requests');
  await page.locator('#journal tbody tr').first().waitFor();
  await shootDashboard(page, written, 'requests-phone');
  await page.setViewportSize(DESKTOP);
}

report(import.meta.filename, () =>
  withBrowser(async (context) => {
    const page = await context.newPage();
    const written = [];
    await swaggerUi(page, written);
    await controlUi(page, written);
    await dashboard(page, written);
    return { written };
  }),
);
