// Rules of the chosen session: the list (with hits and what is left), removal, and a form built
// from the two documents the mock serves: the contract's operations and their declared
// statuses, and the control API's RuleInput schema (its methods, faults and bounds).
import { call, Problem, sessionPath } from './api.js';
import { $, clear, h, notify, option } from './dom.js';

const UNDECLARED = [500, 502, 503, 504]; // a gateway's answers: allowed though undeclared

export class RulesView {
  constructor({ contract, control }) {
    this.operations = operationsOf(contract);
    this.input = control.components.schemas.RuleInput.properties;
    this.buildForm();
    $('#rule-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.add();
    });
  }

  buildForm() {
    const operation = $('#rule-operation');
    for (const [id, { method, path }] of this.operations) operation.append(option(id, `${id} (${method} ${path})`));
    this.input.method.enum.forEach((method) => $('#rule-method').append(option(method)));
    const paths = new Set([...this.operations.values()].map(({ path }) => path));
    paths.forEach((path) => $('#rule-path').append(option(path)));
    this.input.fault.enum.forEach((fault) => $('#rule-fault').append(option(fault)));
    const delay = this.input.delay_ms.oneOf[0];
    for (const id of ['#rule-delay-min', '#rule-delay-max']) $(id).max = delay.maximum;
    $('#rule-times').min = this.input.times.minimum;
    $('#rule-probability').min = this.input.probability.minimum;
    $('#rule-probability').max = this.input.probability.maximum;
    operation.addEventListener('change', () => this.fillStatuses());
    this.fillStatuses();
  }

  fillStatuses() {
    const chosen = this.operations.get($('#rule-operation').value);
    const declared = chosen ? chosen.statuses : [...new Set([...this.operations.values()].flatMap(({ statuses }) => statuses))].sort();
    const select = $('#rule-status');
    clear(select);
    select.append(option('', 'none'));
    declared.forEach((status) => select.append(option(status, `${status} (declared)`)));
    UNDECLARED.filter((status) => !declared.includes(status)).forEach((status) => select.append(option(status, `${status} (outside the contract)`)));
  }

  ruleFromForm() {
    const value = (id) => $(id).value.trim();
    const rule = {};
    for (const [field, id] of [['operation', '#rule-operation'], ['method', '#rule-method'], ['path', '#rule-path'], ['fault', '#rule-fault']]) {
      if (value(id)) rule[field] = value(id);
    }
    for (const [field, id] of [['status', '#rule-status'], ['times', '#rule-times'], ['probability', '#rule-probability'], ['seed', '#rule-seed']]) {
      if (value(id)) rule[field] = Number(value(id));
    }
    const [low, high] = [value('#rule-delay-min'), value('#rule-delay-max')];
    if (low && high) rule.delay_ms = [Number(low), Number(high)];
    else if (low || high) rule.delay_ms = Number(low || high);
    return rule;
  }

  async add() {
    $('#rule-error').textContent = '';
    try {
      const rule = await call('POST', sessionPath(this.session, '/rules'), { body: this.ruleFromForm() });
      notify(`Rule ${rule.id} added to ${this.session}.`);
      $('#rule-form').reset();
      this.fillStatuses();
      await this.refresh();
    } catch (error) {
      $('#rule-error').textContent = error instanceof Problem ? error.detail : error.message;
    }
  }

  async show(session) {
    this.session = session;
    $('#rules-session').textContent = session;
    await this.refresh();
  }

  async refresh() {
    const { data } = await call('GET', sessionPath(this.session, '/rules'));
    $('#rules tbody').replaceChildren(...data.map((rule) => this.row(rule)));
    $('#rules-empty').hidden = data.length > 0;
  }

  row(rule) {
    const remove = h('button', { type: 'button', 'aria-label': `Remove rule ${rule.id}` }, 'Remove');
    remove.addEventListener('click', async () => {
      await call('DELETE', sessionPath(this.session, `/rules/${encodeURIComponent(rule.id)}`));
      notify(`Rule ${rule.id} removed.`);
      await this.refresh();
    });
    return h(
      'tr',
      { 'data-rule': rule.id },
      h('th', { scope: 'row' }, rule.id),
      h('td', {}, describeMatch(rule)),
      h('td', {}, describeAction(rule)),
      h('td', { class: 'number' }, rule.remaining ?? '∞'),
      h('td', { class: 'number' }, rule.hits),
      h('td', {}, remove),
    );
  }
}

function operationsOf(contract) {
  const found = new Map();
  for (const [path, item] of Object.entries(contract.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!operation.operationId) continue;
      const statuses = Object.keys(operation.responses ?? {}).filter((code) => /^\d{3}$/.test(code)).map(Number);
      found.set(operation.operationId, { method: method.toUpperCase(), path, statuses });
    }
  }
  return found;
}

function describeMatch(rule) {
  const where = [rule.method, rule.path].filter(Boolean).join(' ');
  return [rule.matches.join(', '), where && `(${where})`].filter(Boolean).join(' ');
}

function describeAction(rule) {
  const parts = [];
  if (rule.status) parts.push(`answers ${rule.status}${rule.outside_contract ? ' (outside the contract)' : ''}`);
  if (rule.delay_ms !== undefined) parts.push(`waits ${Array.isArray(rule.delay_ms) ? rule.delay_ms.join('–') : rule.delay_ms} ms`);
  if (rule.fault) parts.push(`fault: ${rule.fault}`);
  if (rule.probability !== undefined) parts.push(`p=${rule.probability} seed ${rule.seed}`);
  return parts.join(', ') || 'nothing';
}
