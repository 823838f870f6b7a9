// Two pages of one browser, each in its own mock session: each page gets its session header from
// Playwright (setExtraHTTPHeaders, the per-page form of `extraHTTPHeaders`), creates a client, and
// lists what it sees. Reports, per page, the create status and the names listed.
// Usage: node sessions.mjs <api url> <token> <screenshot dir> <page url> <session>...
import { join } from 'node:path';
import { report, requireArgs, withBrowser } from './browser.mjs';

const [apiUrl, token, screenshotDir, pageUrl, ...sessions] = requireArgs(import.meta.filename, [
  'api url',
  'token',
  'screenshot dir',
  'page url',
  'session',
]);
const SEARCH = 'Browser session client';

report(import.meta.filename, () =>
  withBrowser(async (context) => {
    const url = new URL(pageUrl);
    Object.entries({ api: apiUrl, token }).forEach(([key, value]) => url.searchParams.set(key, value));
    const pages = [];
    for (const session of sessions) {
      const page = await context.newPage();
      await page.setExtraHTTPHeaders({ 'X-Mock-Session': session });
      await page.goto(url.href);
      pages.push({ session, page });
    }
    // Both pages are open at once: both create, then both list.
    for (const entry of pages) {
      entry.created = await entry.page.evaluate((name) => window.createClient(name), `${SEARCH} ${entry.session}`);
    }
    const results = [];
    for (const { session, page, created } of pages) {
      const listed = await page.evaluate((search) => window.listNames(search), SEARCH);
      await page.screenshot({ path: join(screenshotDir, `session-${session}.png`), fullPage: true });
      results.push({ session, created, ...listed });
    }
    return { pages: results };
  }),
);
