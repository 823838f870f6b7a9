// The dashboard under `serve --watch`: an edit that cannot be served shows what is wrong; the
// fix (written here, as an editor saves) hides it.
// Usage: node reload-banner.mjs <mock base url> <broken file> <good copy>
// Prints {"shown": <banner text>, "hidden": true|false}.
import { copyFileSync, renameSync } from 'node:fs';
import { report, requireArgs, withBrowser } from './browser.mjs';

const [baseUrl, target, good] = requireArgs(import.meta.filename, ['base url', 'broken file', 'good copy']);

await report(import.meta.filename, () =>
  withBrowser(async (context) => {
    const page = await context.newPage();
    await page.goto(`${baseUrl}/__mock/`);
    const banner = page.locator('#reload-error');
    await banner.waitFor({ state: 'visible' });
    const shown = await banner.textContent();
    copyFileSync(good, `${target}.saving`);
    renameSync(`${target}.saving`, target);
    await banner.waitFor({ state: 'hidden' });
    return { shown, hidden: await banner.isHidden() };
  }),
);
