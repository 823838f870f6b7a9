// The Playwright recipe of docs/mock/verification.md, run as written by tests/test_verification.py:
// the page (standing in for the app under test) works in its own mock session, then the test
// verifies through the control API what the app sent, and a failure names the nearest misses.
// Usage: node playwright-verify.mjs <mock url> <token>
import { chromium, request } from 'playwright-core';

// Throws when the verification does not hold, with the requests that came nearest.
export async function verify(api, session, criteria) {
  const answer = await api.post(`/__mock/sessions/${session}/verify`, { data: criteria });
  const result = await answer.json();
  if (!answer.ok()) throw new Error(`verify: ${answer.status()} ${result.detail}`);
  if (!result.held) {
    const misses = result.near_misses.map(({ request: sent, differences }) => {
      const what = differences.map((d) => `${d.criterion}: ${d.detail ?? `got ${JSON.stringify(d.actual)}`}`);
      return `  ${sent.method} ${sent.path} -> ${sent.status} (${what.join('; ')})`;
    });
    throw new Error([result.message, ...misses].join('\n'));
  }
  return result;
}

const [mockUrl, token] = process.argv.slice(2);
const session = `playwright-${process.pid}`;
const api = await request.newContext({ baseURL: mockUrl, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
try {
  // Every request of this page goes to its own session.
  const page = await browser.newPage({ extraHTTPHeaders: { 'X-Mock-Session': session } });
  await page.goto(`${mockUrl}/__mock/health`);
  // What the app would do on "Save" (an app served elsewhere does the same through CORS).
  await page.evaluate(async (bearer) => {
    await fetch('/api/v1/clients', {
      method: 'POST',
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Acme Playwright', tags: ['new'] }),
    });
  }, token);

  const held = await verify(api, session, {
    operation: 'createClient',
    status: 201,
    body: { name: 'Acme Playwright' },
    times: { exactly: 1 },
    wait: 2, // the request may still be on its way
  });
  let failure = null;
  try {
    await verify(api, session, { operation: 'createClient', body: { name: 'Acme Playwrite' } });
  } catch (error) {
    failure = error.message;
  }
  process.stdout.write(`${JSON.stringify({ count: held.count, failure })}\n`);
} finally {
  await browser.close();
  await api.delete(`/__mock/sessions/${session}`);
  await api.dispose();
}
