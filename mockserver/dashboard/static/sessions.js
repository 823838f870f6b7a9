// Sessions: counts and last use; reset, delete, export (a download) and import (an upload).
import { call, sessionPath } from './api.js';
import { $, h, localTime, notify } from './dom.js';

export class SessionsView {
  constructor({ onOpen, onChange }) {
    this.onOpen = onOpen; // show this session's requests
    this.onChange = onChange; // the list of sessions changed
    $('#import-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.importFile($('#import-session').value, $('#import-file').files[0]);
    });
  }

  async refresh() {
    const { data } = await call('GET', '/sessions');
    $('#sessions tbody').replaceChildren(...data.map((session) => this.row(session)));
    this.onChange(data.map((session) => session.name));
    return data;
  }

  row(session) {
    const action = (label, run) => {
      const button = h('button', { type: 'button', 'aria-label': `${label} ${session.name}` }, label);
      button.addEventListener('click', async () => {
        try {
          await run();
        } catch (error) {
          notify(`${label} ${session.name} failed: ${error.message}`);
        }
      });
      return button;
    };
    return h(
      'tr',
      { 'data-session': session.name },
      h('th', { scope: 'row' }, session.name),
      h('td', { class: 'number' }, session.clients),
      h('td', { class: 'number' }, session.requests),
      h('td', { title: session.last_used_at }, `${new Date(session.last_used_at).toLocaleDateString()} ${localTime(session.last_used_at)}`),
      h(
        'td',
        { class: 'actions' },
        action('Requests', () => this.onOpen(session.name)),
        action('Export', () => this.exportSession(session.name)),
        action('Reset', () => this.reset(session.name)),
        action('Delete', () => this.remove(session.name)),
      ),
    );
  }

  async exportSession(name) {
    const document_ = await call('GET', sessionPath(name, '/clients'));
    const blob = new Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' });
    const link = h('a', { href: URL.createObjectURL(blob), download: `session-${name}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    notify(`Exported ${document_.clients.length} clients of ${name}.`);
  }

  async reset(name) {
    await call('POST', sessionPath(name, '/reset'));
    notify(`${name} holds the fixtures again.`);
    await this.refresh();
  }

  async remove(name) {
    if (!confirm(`Delete the session ${name}: its data, rules and journal?`)) return;
    await call('DELETE', sessionPath(name));
    notify(name === 'default' ? 'default holds the fixtures again.' : `${name} is deleted.`);
    await this.refresh();
  }

  async importFile(name, file) {
    try {
      const document_ = JSON.parse(await file.text());
      await call('PUT', sessionPath(name, '/clients'), { body: document_ });
      notify(`Imported ${document_.clients.length} clients into ${name}.`);
      await this.refresh();
    } catch (error) {
      notify(`Import into ${name} failed: ${error.detail ?? error.message}`);
    }
  }
}
