// Playwright fixtures for the mock: each test gets a session of its own, deleted afterwards.
// Copy next to your specs and import `test` from here instead of from '@playwright/test':
//
//   import { test, expect } from './mock-fixtures.mjs';
//   test('lists what it created', async ({ page, mockSession }) => { ... });
//
// Every request the page sends to the mock's origin carries the test's X-Mock-Session (added
// by page.route, so no other origin sees it and no CORS preflight is needed for it). Set the
// mock with MOCK_URL (default http://127.0.0.1:8080) and MOCK_TOKEN, or with the mockUrl and
// mockToken options in playwright.config (`use: { mockUrl: ... }`).
import { randomUUID } from 'node:crypto';
import { test as base, expect } from '@playwright/test';

export const test = base.extend({
  mockUrl: [process.env.MOCK_URL ?? 'http://127.0.0.1:8080', { option: true }],
  mockToken: [process.env.MOCK_TOKEN ?? 'playwright', { option: true }],

  mockSession: async ({ page, mockUrl, mockToken }, use, testInfo) => {
    const origin = new URL(mockUrl).origin;
    const name = `playwright-${testInfo.workerIndex}-${randomUUID()}`;
    const headers = { Authorization: `Bearer ${mockToken}`, 'X-Mock-Session': name };
    const control = async (method, path, body) => {
      const answer = await fetch(`${origin}/__mock/sessions/${name}${path}`, {
        method,
        headers: { Authorization: headers.Authorization, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
      return answer.status === 204 ? null : answer.json();
    };
    await page.route(`${origin}/**`, (route) =>
      route.continue({ headers: { ...route.request().headers(), 'x-mock-session': name } }),
    );
    await use({ name, url: origin, apiUrl: `${origin}/api/v1`, headers, control });
    await control('DELETE', '');
  },
});

export { expect };
