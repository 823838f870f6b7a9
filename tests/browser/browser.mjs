// Shared by the browser scripts: launch Debian's Chromium through playwright-core with a
// throw-away profile, and report one JSON document on stdout (or a clear error and exit 1).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Quiet and offline: nothing but the pages under test may touch the network.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const STEP_TIMEOUT_MS = 30_000;

export async function withBrowser(use) {
  const profileDir = await mkdtemp(join(tmpdir(), 'mock-browser-profile-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  try {
    return await use(context);
  } finally {
    await context.close();
    await rm(profileDir, { recursive: true, force: true });
  }
}

export async function report(script, run) {
  try {
    process.stdout.write(`${JSON.stringify(await run())}\n`);
  } catch (error) {
    process.stderr.write(`${basename(script)}: ${error.message}\n`);
    process.exit(1);
  }
}

export function requireArgs(script, names) {
  const values = process.argv.slice(2);
  if (values.length < names.length) {
    process.stderr.write(`usage: node ${basename(script)} ${names.map((n) => `<${n}>`).join(' ')}\n`);
    process.exit(2);
  }
  return values;
}
