// `serve --watch`: while the files as they are now cannot be served (bad YAML, a contract that
// does not validate, fixtures off the contract), say what is wrong, as /__mock/health does.
import { call } from './api.js';
import { $ } from './dom.js';

const EVERY_MS = 2000;

async function look() {
  const { reload } = await call('GET', '/health');
  const banner = $('#reload-error');
  const error = reload?.error;
  banner.hidden = !error;
  banner.textContent = error
    ? `Still serving version ${reload.version}: the last edit cannot be served. ${error.file}: ${error.message}`
    : '';
}

export function watchReload() {
  look().catch(() => {});
  setInterval(() => look().catch(() => {}), EVERY_MS);
}
