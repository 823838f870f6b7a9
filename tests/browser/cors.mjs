// Loads cors.html from each given page origin; the page creates a client on the mock with fetch
// and reads it back. Reports, per page, what the page saw and the CORS preflights Chromium sent.
// Usage: node cors.mjs <api url> <token> <screenshot dir> <label>=<page url>...
import { join } from 'node:path';
import { report, requireArgs, withBrowser } from './browser.mjs';

const [apiUrl, token, screenshotDir, ...labelledPages] = requireArgs(import.meta.filename, [
  'api url',
  'token',
  'screenshot dir',
  'label>=<page url',
]);

function lowerCaseKeys(headers) {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

// Preflights never reach page.on('request'); the DevTools protocol does see them: the request as
// initiator "preflight", its real headers in the ExtraInfo event, its answer as type "Preflight".
async function recordPreflights(context, page) {
  const preflights = new Map();
  const cdp = await context.newCDPSession(page);
  cdp.on('Network.requestWillBeSent', ({ requestId, request, initiator }) => {
    if (initiator.type === 'preflight') preflights.set(requestId, { method: request.method, url: request.url });
  });
  cdp.on('Network.requestWillBeSentExtraInfo', ({ requestId, headers }) => {
    const preflight = preflights.get(requestId);
    if (preflight) preflight.request_headers = lowerCaseKeys(headers);
  });
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    const preflight = preflights.get(requestId);
    if (preflight) Object.assign(preflight, { status: response.status, response_headers: lowerCaseKeys(response.headers) });
  });
  await cdp.send('Network.enable');
  return preflights;
}

async function visit(context, labelledPage) {
  const [label, pageUrl] = labelledPage.split(/=(.*)/s);
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  const preflights = await recordPreflights(context, page);
  const name = `Browser CORS client ${label} ${Date.now()}`;
  const url = new URL(pageUrl);
  Object.entries({ api: apiUrl, token, name }).forEach(([key, value]) => url.searchParams.set(key, value));
  await page.goto(url.href);
  await page.waitForFunction(() => window.corsResult !== undefined);
  await page.screenshot({ path: join(screenshotDir, `cors-${label}.png`), fullPage: true });
  const result = await page.evaluate(() => window.corsResult);
  await page.close();
  return { label, origin: url.origin, name, result, preflights: [...preflights.values()], console_errors: consoleErrors };
}

report(import.meta.filename, () =>
  withBrowser(async (context) => {
    const pages = [];
    for (const labelledPage of labelledPages) pages.push(await visit(context, labelledPage));
    return { pages };
  }),
);
