// Opens Swagger UI, reports every operation block it renders, then uses the UI as a person would:
// Authorize with a bearer token, "Try it out" on one operation, Execute, and read the live answer.
// Usage: node swagger-ui.mjs <ui url> <token> <operation id to execute> <screenshot.png>
import { report, requireArgs, withBrowser } from './browser.mjs';

const [uiUrl, token, operationId, screenshotPath] = requireArgs(import.meta.filename, [
  'ui url',
  'token',
  'operation id to execute',
  'screenshot.png',
]);

async function readOperations(page) {
  return page.$$eval('.opblock', (blocks) =>
    blocks.map((block) => ({
      // Swagger UI names each block operations-<tag>-<operationId>.
      element_id: block.id,
      method: block.querySelector('.opblock-summary-method')?.textContent.trim() ?? null,
      path: block.querySelector('.opblock-summary-path')?.dataset.path ?? null,
      summary: block.querySelector('.opblock-summary-description')?.textContent.trim() ?? null,
    })),
  );
}

async function authorize(page) {
  await page.locator('.auth-wrapper button.authorize').click();
  const dialog = page.locator('.modal-ux');
  await dialog.locator('input').first().fill(token);
  await dialog.locator('button[type=submit]').click();
  await dialog.locator('button.btn-done').click();
}

async function execute(page) {
  const block = page.locator(`.opblock[id$="-${operationId}"]`);
  if ((await block.count()) !== 1) throw new Error(`no single operation block for ${operationId}`);
  await block.locator('.opblock-summary').first().click();
  await block.locator('button.try-out__btn').click();
  await block.locator('button.execute').click();
  const live = block.locator('.live-responses-table .response').first();
  await live.waitFor();
  return {
    operation_id: operationId,
    status: Number((await live.locator('.response-col_status').textContent()).trim()),
    body: (await live.locator('.response-col_description pre').first().textContent()).trim(),
    request_url: (await block.locator('.request-url pre').textContent()).trim(),
  };
}

report(import.meta.filename, () =>
  withBrowser(async (context) => {
    const page = await context.newPage();
    const response = await page.goto(uiUrl);
    if (!response?.ok()) throw new Error(`${uiUrl} answered ${response?.status()}`);
    await page.locator('.opblock').first().waitFor().catch(async () => {
      const shown = await page.locator('body').innerText();
      throw new Error(`no operations rendered at ${uiUrl}; the page shows: ${shown.slice(0, 300)}`);
    });
    const operations = await readOperations(page);
    await authorize(page);
    const executed = await execute(page);
    await page.screenshot({ path: screenshotPath, fullPage: true });
    return {
      title: (await page.locator('.info .title').first().textContent())?.trim() ?? null,
      operations,
      executed,
    };
  }),
);
