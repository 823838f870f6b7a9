// The dashboard: a view per tab (requests, sessions, rules), one chosen session, and the token
// the control API asks for when the mock was started with --token.
import { Unauthorized, call, documents, setToken } from './api.js';
import { $, notify, option } from './dom.js';
import { JournalView, fillOperations } from './journal.js';
import { watchReload } from './reload.js';
import { RulesView } from './rules.js';
import { SessionsView } from './sessions.js';

const VIEWS = ['requests', 'sessions', 'rules'];
const SESSIONS_EVERY_MS = 5000;
let session = new URLSearchParams(location.search).get('session') || 'default';
let journal;
let sessions;
let rules;

function showView() {
  const wanted = location.hash.slice(1);
  const view = VIEWS.includes(wanted) ? wanted : 'requests';
  for (const name of VIEWS) {
    $(`#view-${name}`).hidden = name !== view;
    const tab = $(`#tab-${name}`);
    if (name === view) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  if (view === 'sessions') sessions?.refresh().catch(failed);
  if (view === 'rules') rules?.show(session).catch(failed);
}

function choose(name) {
  session = name;
  const select = $('#session-select');
  if (![...select.options].some((item) => item.value === name)) select.append(option(name));
  select.value = name;
  $('#import-session').value = name;
  journal.follow(name);
  rules.show(name).catch(failed);
}

function listSessions(names) {
  const select = $('#session-select');
  const wanted = new Set([...names, session]);
  select.replaceChildren(...[...wanted].map((name) => option(name)));
  select.value = session;
}

function askToken(message = '') {
  const dialog = $('#token-dialog');
  $('#token-error').textContent = message;
  if (!dialog.open) dialog.showModal();
  $('#token-input').focus();
}

function failed(error) {
  if (error instanceof Unauthorized) askToken();
  else notify(error.message);
}

let started = false;

async function start() {
  if (started) return;
  try {
    await call('GET', '/sessions');
  } catch (error) {
    if (error instanceof Unauthorized) {
      askToken();
      return;
    }
    throw error;
  }
  started = true;
  journal.follow(session);
  await rules.show(session);
  await sessions.refresh();
  showView();
  setInterval(() => sessions.refresh().catch(() => {}), SESSIONS_EVERY_MS);
  watchReload();
  document.body.dataset.ready = 'true';
}

async function main() {
  const docs = await documents();
  journal = new JournalView({ onUnauthorized: askToken });
  sessions = new SessionsView({
    onOpen: (name) => {
      choose(name);
      location.hash = '#requests';
    },
    onChange: listSessions,
  });
  rules = new RulesView(docs);
  fillOperations($('#filter-operation'), docs.contract);
  $('#session-select').addEventListener('change', (event) => choose(event.target.value));
  $('#token-button').addEventListener('click', () => askToken());
  $('#token-form').addEventListener('submit', async () => {
    setToken($('#token-input').value);
    try {
      await call('GET', '/sessions');
      $('#token-input').value = '';
      notify('Token accepted.');
      await start();
    } catch (error) {
      askToken(error instanceof Unauthorized ? 'That token was refused.' : error.message);
    }
  });
  window.addEventListener('hashchange', showView);
  showView();
  $('#session-select').value = session;
  await start();
}

main().catch((error) => notify(`The dashboard could not start: ${error.message}`));
