// The Playwright recipes of docs/mock/unhappy-paths.md (failed create, slow list, dropped
// connection, 404 page, verifying a call), run against clients-app.html with playwright-core.
// Each recipe uses a session of its own: rules and journal never leak between recipes.
// Usage: node scenarios.mjs <mock url> <token> <screenshot dir> <app page url>
import { join } from 'node:path';
import { request as playwrightRequest } from 'playwright-core';
import { report, requireArgs, withBrowser } from './browser.mjs';

const [MOCK, token, screenshotDir, appUrl] = requireArgs(import.meta.filename, [
  'mock url',
  'token',
  'screenshot dir',
  'app page url',
]);
const AUTH = { Authorization: `Bearer ${token}` };

// What the page's beforeEach does: a fresh session, named for the test, on every request.
async function openSession(context, request, name) {
  const session = `e2e-${name}-${Date.now()}`;
  await request.delete(`${MOCK}/__mock/sessions/${session}`, { headers: AUTH });
  const page = await context.newPage();
  await page.setExtraHTTPHeaders({ 'X-Mock-Session': session });
  const app = new URL(appUrl);
  app.searchParams.set('api', `${MOCK}/api/v1`);
  app.searchParams.set('token', token);
  return { session, page, open: (hash) => page.goto(`${app.href}${hash}`) };
}

async function addRule(request, session, rule) {
  const answer = await request.post(`${MOCK}/__mock/sessions/${session}/rules`, { headers: AUTH, data: rule });
  if (answer.status() !== 201) throw new Error(`rule refused: ${await answer.text()}`);
  return answer.json();
}

const recipes = {
  async failed_create({ page, session, open }, request) {
    await addRule(request, session, { operation: 'createClient', status: 503, times: 1 });
    await open('#/new');
    await page.getByLabel('Name').fill('Initech');
    await page.getByRole('button', { name: 'Create' }).click();
    const banner = await page.getByRole('alert').textContent();
    await page.getByRole('button', { name: 'Create' }).click();  // the retry goes through
    const heading = await page.getByRole('heading', { name: 'Initech' }).textContent();
    return { banner, heading };
  },

  async slow_list({ page, session, open }, request) {
    await addRule(request, session, { operation: 'listClients', delay_ms: 1500 });
    const started = Date.now();
    await open('#/');
    const spinner = await page.getByRole('status').textContent();
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    const spinnerAfter = await page.getByRole('status').count();
    return { spinner, waited_ms: Date.now() - started, spinner_after: spinnerAfter };
  },

  async dropped_connection({ page, session, open }, request) {
    // No `times: 1`: a browser quietly retries a GET once when a reused connection is reset.
    const rule = await addRule(request, session, { operation: 'listClients', fault: 'reset' });
    await open('#/');
    const alert = await page.getByRole('alert').textContent();
    await request.delete(`${MOCK}/__mock/sessions/${session}/rules/${rule.id}`, { headers: AUTH });
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    return { alert, items: await page.getByRole('listitem').count() };
  },

  async not_found_page({ page, session, open }, request) {
    const listed = await request.get(`${MOCK}/api/v1/clients?limit=1`, {
      headers: { ...AUTH, 'X-Mock-Session': session },
    });
    const { id } = (await listed.json()).data[0];
    await addRule(request, session, { operation: 'getClient', status: 404 });
    await open(`#/clients/${id}`);
    const heading = await page.getByRole('heading', { name: 'Client not found' }).textContent();
    return { heading };
  },

  async verify_call({ page, session, open }, request) {
    await open('#/new');
    await page.getByLabel('Name').fill('Initech');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Initech' }).waitFor();
    const journal = await request.get(`${MOCK}/__mock/sessions/${session}/requests?operation=createClient`, {
      headers: AUTH,
    });
    const { data, meta } = await journal.json();
    return { total: meta.total, body: data[0].body, status: data[0].status };
  },
};

report(import.meta.filename, () =>
  withBrowser(async (context) => {
    const request = await playwrightRequest.newContext();
    const results = {};
    try {
      for (const [name, recipe] of Object.entries(recipes)) {
        const opened = await openSession(context, request, name);
        try {
          results[name] = await recipe(opened, request);
        } catch (error) {
          error.message = `${name}: ${error.message}`;
          throw error;
        } finally {
          await opened.page.screenshot({ path: join(screenshotDir, `scenario-${name}.png`) });
          await opened.page.close();
        }
      }
    } finally {
      await request.dispose();
    }
    return results;
  }),
);
