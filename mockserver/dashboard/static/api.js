// The control API, as the page uses it: every call carries the bearer token; a refusal becomes
// an exception the views can show (Unauthorized asks for the token; Problem names the detail).
const TOKEN_KEY = 'mock-dashboard-token';
// Without --token the mock takes any non-empty token, so the page starts with one of its own.
const ANY_TOKEN = 'dashboard';
// The page is served at <control base>/, e.g. /__mock/.
export const BASE = location.pathname.replace(/\/[^/]*$/, '');
export const CONTRACT_URL = '/api/v1/openapi.json';

export class Unauthorized extends Error {}

export class Problem extends Error {
  constructor(status, detail) {
    super(`${status}: ${detail}`);
    this.status = status;
    this.detail = detail;
  }
}

let token = sessionStorage.getItem(TOKEN_KEY) || ANY_TOKEN;

export function setToken(value) {
  token = value;
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function sessionPath(session, rest = '') {
  return `/sessions/${encodeURIComponent(session)}${rest}`;
}

export async function call(method, path, { body, query, signal } = {}) {
  const url = new URL(BASE + path, location.origin);
  Object.entries(query ?? {}).forEach(([name, value]) => url.searchParams.set(name, value));
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (response.status === 401) throw new Unauthorized('the control API wants a token');
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail ?? detail;
    } catch {
      // not a problem document: keep the status text
    }
    throw new Problem(response.status, detail);
  }
  return response.status === 204 ? null : response.json();
}

export async function documents() {
  const [control, contract] = await Promise.all(
    [`${BASE}/openapi.json`, CONTRACT_URL].map(async (url) => (await fetch(url)).json()),
  );
  return { control, contract };
}
