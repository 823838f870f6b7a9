// Small DOM helpers. Everything shown comes from requests anyone can send, so text goes in as
// text (textContent), never as markup.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'on') Object.entries(value).forEach(([event, fn]) => element.addEventListener(event, fn));
    else if (value !== undefined && value !== null && value !== false) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function $(selector) {
  return document.querySelector(selector);
}

export function clear(element) {
  element.replaceChildren();
}

export function option(value, label = value) {
  const element = h('option', { value });
  element.textContent = label;
  return element;
}

export function notify(message) {
  $('#notice').textContent = message;
}

export function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function localTime(iso) {
  const date = new Date(iso);
  return `${date.toLocaleTimeString([], { hour12: false })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

export function statusClass(status) {
  if (status === null || status === undefined) return 'status-none';
  return `status-${String(status)[0]}xx`;
}
