// The live request journal: a long poll of GET <base>/sessions/{name}/requests/feed, going on
// from the id of the last entry seen. Each id is <pid>.<n> (n counts that worker's entries of
// the session), so a gap in n is counted as skipped rather than passing unseen.
import { Unauthorized, call, sessionPath } from './api.js';
import { $, h, localTime, notify, sleep, statusClass } from './dom.js';
import { asCurl } from './curl.js';
import { fromLine } from './entries.js';

const KEPT = 1000; // as the journal keeps
const LONG_POLL_S = 20;
const BATCH_MS = 250; // after an answer with entries: let more gather before asking again

export class JournalView {
  constructor({ onUnauthorized }) {
    this.onUnauthorized = onUnauthorized;
    this.entries = [];
    this.selected = null;
    this.filters = { operation: '', status: '', text: '' };
    $('#journal-filters').addEventListener('input', () => this.readFilters());
    $('#journal-filters').addEventListener('submit', (event) => event.preventDefault());
    $('#clear-journal').addEventListener('click', () => this.clearJournal());
    $('#copy-curl').addEventListener('click', () => this.copyCurl());
  }

  follow(session) {
    this.abort?.abort();
    this.session = session;
    this.entries = [];
    this.ids = new Set();
    this.lastOf = new Map(); // pid -> last n seen
    this.skipped = 0;
    this.last = null;
    this.showDetail(null);
    this.render();
    this.abort = new AbortController();
    this.poll(this.abort.signal);
  }

  async poll(signal) {
    while (!signal.aborted) {
      try {
        const query = this.last ? { after: this.last, wait: LONG_POLL_S } : {};
        const page = await call('GET', sessionPath(this.session, '/requests/feed'), { query, signal });
        if (signal.aborted) return;
        this.setState('live');
        this.add(page.data.map(fromLine), page.meta.found || this.last === null);
        this.last = page.meta.last;
        if (page.data.length) await sleep(BATCH_MS, signal);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof Unauthorized) {
          this.setState('needs a token');
          this.onUnauthorized();
          return;
        }
        this.setState('reconnecting…');
        await sleep(1000, signal);
      }
    }
  }

  add(entries, continuous) {
    if (!continuous && entries.length === 0) {
      // The journal was cleared: start again.
      this.entries = [];
      this.ids.clear();
    }
    const fresh = [];
    for (const entry of entries) {
      if (entry.id && this.ids.has(entry.id)) continue;
      if (entry.id) {
        this.ids.add(entry.id);
        const [pid, n] = entry.id.split('.').map(Number);
        const before = this.lastOf.get(pid);
        if (before !== undefined && n > before + 1) this.skipped += n - before - 1;
        if (before === undefined || n > before) this.lastOf.set(pid, n);
      }
      fresh.push(entry);
    }
    if (!fresh.length && continuous) return;
    this.entries.push(...fresh);
    if (this.entries.length > KEPT) {
      for (const dropped of this.entries.splice(0, this.entries.length - KEPT)) this.ids.delete(dropped.id);
    }
    this.render();
  }

  readFilters() {
    this.filters = {
      operation: $('#filter-operation').value,
      status: $('#filter-status').value.trim().toLowerCase(),
      text: $('#filter-text').value.trim().toLowerCase(),
    };
    this.render();
  }

  passes(entry) {
    const { operation, status, text } = this.filters;
    if (operation && entry.operation !== operation) return false;
    if (status) {
      const shown = String(entry.status ?? '');
      const byClass = /^[1-5]xx$/.test(status);
      if (byClass ? shown[0] !== status[0] : shown !== status) return false;
    }
    if (text) {
      const haystack = [entry.method, entry.path, entry.query, entry.why, JSON.stringify(entry.headers), JSON.stringify(entry.body)]
        .join(' ')
        .toLowerCase();
      if (!haystack.includes(text)) return false;
    }
    return true;
  }

  render() {
    const body = $('#journal tbody');
    const rows = [];
    for (let index = this.entries.length - 1; index >= 0; index -= 1) {
      const entry = this.entries[index];
      if (this.passes(entry)) rows.push(this.row(entry));
    }
    body.replaceChildren(...rows);
    $('#journal-empty').hidden = rows.length > 0;
    $('#journal-empty').textContent = this.entries.length ? 'No request passes the filters.' : 'No requests yet in this session.';
    this.showCount(rows.length);
  }

  row(entry) {
    const query = entry.query ? `?${entry.query}` : '';
    const open = h('button', { type: 'button', class: 'link', title: 'Show headers and body' }, `${entry.path}${query}`);
    open.addEventListener('click', () => this.showDetail(entry));
    const row = h(
      'tr',
      { 'data-id': entry.id, class: entry === this.selected ? 'selected' : null },
      h('td', { class: 'time' }, localTime(entry.time)),
      h('td', { class: 'method' }, entry.method),
      h('td', { class: 'path' }, open),
      h('td', {}, h('span', { class: `status ${statusClass(entry.status)}` }, entry.status ?? entry.fault ?? '—')),
      h('td', { class: 'number' }, entry.duration_ms.toFixed(1)),
      h('td', { class: 'why' }, entry.why ?? ''),
    );
    row.addEventListener('click', (event) => {
      if (event.target === row || event.target.tagName === 'TD') this.showDetail(entry);
    });
    return row;
  }

  showCount(shown) {
    const skipped = this.skipped ? ` · ${this.skipped} skipped` : '';
    $('#feed-state').dataset.count = String(shown);
    $('#feed-state').textContent = `${this.state ?? ''} · ${shown} shown of ${this.entries.length}${skipped}`;
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.showCount($('#journal tbody').childElementCount);
  }

  showDetail(entry) {
    this.selected = entry;
    const detail = $('#detail');
    detail.hidden = entry === null;
    document.querySelectorAll('#journal tr.selected').forEach((row) => row.classList.remove('selected'));
    if (entry === null) return;
    document.querySelector(`#journal tr[data-id="${CSS.escape(entry.id ?? '')}"]`)?.classList.add('selected');
    const query = entry.query ? `?${entry.query}` : '';
    $('#detail-heading').textContent = `${entry.method} ${entry.path}${query} → ${entry.status ?? entry.fault}`;
    const facts = [
      ['Time', entry.time],
      ['Operation', entry.operation ?? 'none (not in the contract)'],
      ['Duration', `${entry.duration_ms} ms`],
      ['Why', entry.why],
      ['Worker', entry.id ? entry.id.split('.')[0] : '—'],
    ];
    if (entry.problem) facts.push(['Problem', entry.problem]);
    if (entry.rule) facts.push(['Rule', entry.rule]);
    if (entry.prefer) facts.push(['Prefer applied', entry.prefer]);
    $('#detail-facts').replaceChildren(...facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
    const headers = Object.entries(entry.headers ?? {}).map(([name, value]) => h('tr', {}, h('td', {}, name), h('td', {}, value)));
    $('#detail-headers tbody').replaceChildren(...headers);
    let body = entry.body === null ? '(no body)' : typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body, null, 2);
    if (entry.truncated) body += '\n… (cut at 4 KiB)';
    $('#detail-body').textContent = body;
    $('#detail-curl').textContent = asCurl(entry, location.origin);
  }

  async copyCurl() {
    const text = $('#detail-curl').textContent;
    try {
      await navigator.clipboard.writeText(text);
      notify('The request is on the clipboard as a curl command.');
    } catch {
      const range = document.createRange();
      range.selectNodeContents($('#detail-curl'));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      notify('Selected: copy it with Ctrl+C.');
    }
  }

  async clearJournal() {
    await call('DELETE', sessionPath(this.session, '/requests'));
    notify(`The journal of ${this.session} is cleared.`);
    this.follow(this.session);
  }
}

export function fillOperations(select, contract) {
  for (const [path, item] of Object.entries(contract.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation.operationId) select.append(h('option', { value: operation.operationId }, `${operation.operationId} (${method.toUpperCase()} ${path})`));
    }
  }
}
