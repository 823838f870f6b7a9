// The docs site's pictures, shot from a served mock as a person sees it (never by hand).
// Usage: node docs_screenshots.mjs <mock base url> <token> <output folder>
// Writes swagger-ui.png, swagger-ui-try-it-out.png, control-ui.png, and dashboard.png when the
// mock serves a dashboard at /__mock/; prints the files written as JSON.
import { join } from 'node:path';
import { report, requireArgs, withBrowser } from '../tests/browser/browser.mjs';

const [baseUrl, token, outDir] = requireArgs(import.meta.filename, [
  'mock base url',
  'token',
  'output folder',
]);

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

async function dashboard(page, written) {
  const response = await page.goto(`${baseUrl}/__mock/`);
  const isPage = response?.ok() && (response.headers()['content-type'] ?? '').includes('text/html');
  if (!isPage) return;
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(outDir, 'dashboard.png') });
  written.push('dashboard.png');
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
