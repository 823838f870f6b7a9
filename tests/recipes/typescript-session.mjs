// docs/mock/sessions.md's TypeScript recipe: an openapi-fetch client whose every request carries the
// session header. Creates a client in <session>, then prints what <session> and <other> list.
// Usage: node typescript-session.mjs <api url> <token> <session> <other session> <name>
import createClient from 'openapi-fetch';

const [baseUrl, token, session, other, name] = process.argv.slice(2);

function clientFor(sessionName) {
  // The recipe: a default header on the client.
  return createClient({ baseUrl, headers: { Authorization: `Bearer ${token}`, 'X-Mock-Session': sessionName } });
}

async function names(api) {
  const { data, response } = await api.GET('/clients', { params: { query: { search: name } } });
  if (response.status !== 200) throw new Error(`list answered ${response.status}`);
  return data.data.map((client) => client.name);
}

const mine = clientFor(session);
const created = await mine.POST('/clients', { body: { name } });
process.stdout.write(
  `${JSON.stringify({ created: created.response.status, [session]: await names(mine), [other]: await names(clientFor(other)) })}\n`,
);
