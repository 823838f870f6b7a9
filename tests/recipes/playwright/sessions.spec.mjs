// Two tests writing the same name in parallel, each in its own session (mock-fixtures.mjs);
// every session name used is appended to NAMES_FILE for the Python test to check deletion.
import { appendFileSync } from 'node:fs';
import { test, expect } from '../mock-fixtures.mjs';

async function fromPage(page, mockSession, method, body) {
  // The page's own request, without the session header: the fixture's route adds it.
  return page.evaluate(
    async ({ method, body, token }) => {
      const url = method === 'POST' ? '/api/v1/clients' : '/api/v1/clients?search=Playwright%20Ltd';
      const answer = await fetch(url, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body && JSON.stringify(body),
      });
      return { status: answer.status, body: await answer.json() };
    },
    { method, body, token: mockSession.headers.Authorization.slice('Bearer '.length) },
  );
}

for (const number of [1, 2, 3]) {
  test(`test ${number} sees only its own write`, async ({ page, mockSession }) => {
    appendFileSync(process.env.NAMES_FILE, `${mockSession.name}\n`);
    await page.goto(`${mockSession.url}/__mock/health`);
    expect((await fromPage(page, mockSession, 'GET')).body.data).toEqual([]);
    const created = await fromPage(page, mockSession, 'POST', { name: 'Playwright Ltd' });
    expect(created.status).toBe(201);
    const listed = await fromPage(page, mockSession, 'GET');
    expect(listed.body.data.map((client) => client.id)).toEqual([created.body.id]);
    const summary = await mockSession.control('GET', '');
    expect(summary.name).toBe(mockSession.name);
    expect(summary.requests).toBeGreaterThanOrEqual(3);
  });
}
