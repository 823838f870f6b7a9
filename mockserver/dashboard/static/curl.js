// A journalled request as a curl command that sends it again (credentials were redacted in the
// journal, so the token comes from $MOCK_TOKEN).
const LEFT_OUT = new Set(['host', 'content-length', 'connection', 'accept-encoding']);

export function shellQuote(text) {
  return `'${String(text).replace(/'/g, `'\\''`)}'`;
}

export function asCurl(entry, origin) {
  const query = entry.query ? `?${entry.query}` : '';
  const parts = ['curl', '-X', entry.method, shellQuote(`${origin}${entry.path}${query}`)];
  for (const [name, value] of Object.entries(entry.headers ?? {})) {
    if (LEFT_OUT.has(name)) continue;
    if (name === 'authorization') parts.push('-H', '"Authorization: Bearer $MOCK_TOKEN"');
    else parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (entry.body !== null && entry.body !== undefined) {
    const body = typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body);
    parts.push('--data-raw', shellQuote(body));
  }
  return parts.join(' ');
}
