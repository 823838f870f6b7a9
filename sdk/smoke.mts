// Drives a running mock through openapi-fetch and the generated types: list, search, create,
// update (partial) and get. Usage: node smoke.mjs API_URL TOKEN (API_URL ends in /api/v1).
// Exits non-zero and says what broke on the first mismatch.
import createClient from "openapi-fetch";
import type { components, paths } from "clients-api-schema";

type Client = components["schemas"]["Client"];
type Api = ReturnType<typeof createClient<paths>>;

const NAME = "TypeScript Smoke Client";
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(what);
}

function expectStatus(response: Response, status: number, step: string): void {
  check(response.status === status, `${step}: expected HTTP ${status}, got ${response.status}`);
}

async function listAndSearch(api: Api): Promise<void> {
  const page = await api.GET("/clients", { params: { query: { limit: 2 } } });
  expectStatus(page.response, 200, "list");
  check(page.data !== undefined, "list: no body");
  check(page.data.meta.limit === 2 && page.data.meta.offset === 0, "list: meta is not limit=2 offset=0");
  check(page.data.data.length <= 2, `list: ${page.data.data.length} clients on a page of 2`);
  check(page.data.meta.total >= page.data.data.length, "list: total smaller than the page");
}

async function create(api: Api): Promise<Client> {
  const body = { name: NAME, email: "smoke@example.com", tags: ["smoke"], metadata: { run: 1 } };
  const created = await api.POST("/clients", { body });
  expectStatus(created.response, 201, "create");
  check(created.data !== undefined, "create: no body");
  const client = created.data;
  const location = created.response.headers.get("Location");
  check(location === `/api/v1/clients/${client.id}`, `create: Location is ${location}`);
  check(client.name === NAME && client.email === "smoke@example.com", "create: fields not echoed");
  check(client.status === "active" && client.phone === null, "create: defaults not applied");
  check(client.jobs_count === 0 && client.active_jobs_count === 0, "create: job counts not 0");
  check(client.created_at === client.updated_at, "create: created_at differs from updated_at");
  return client;
}

async function search(api: Api, expected: Client): Promise<void> {
  const found = await api.GET("/clients", { params: { query: { search: "typescript SMOKE" } } });
  expectStatus(found.response, 200, "search");
  check(found.data !== undefined, "search: no body");
  const ids = found.data.data.map((client) => client.id);
  check(found.data.meta.total === 1 && ids[0] === expected.id, `search: found ${ids.join(",")}`);
}

async function updatePartially(api: Api, original: Client): Promise<Client> {
  const updated = await api.PUT("/clients/{id}", {
    params: { path: { id: original.id } },
    body: { status: "inactive", email: null },
  });
  expectStatus(updated.response, 200, "update");
  check(updated.data !== undefined, "update: no body");
  const client = updated.data;
  check(client.status === "inactive" && client.email === null, "update: fields not replaced");
  check(client.name === original.name && client.tags[0] === "smoke", "update: absent fields moved");
  check(client.metadata["run"] === 1, "update: metadata changed though absent");
  check(client.updated_at > original.updated_at, "update: updated_at did not move forward");
  return client;
}

async function get(api: Api, expected: Client): Promise<void> {
  const fetched = await api.GET("/clients/{id}", { params: { path: { id: expected.id } } });
  expectStatus(fetched.response, 200, "get");
  const same = JSON.stringify(fetched.data) === JSON.stringify(expected);
  check(same, `get: ${JSON.stringify(fetched.data)} is not the updated client`);
  const missing = await api.GET("/clients/{id}", { params: { path: { id: UNKNOWN_ID } } });
  expectStatus(missing.response, 404, "get unknown");
  check(missing.error?.status === 404, "get unknown: the problem document has no status 404");
}

// Never called: tsc --strict must reject each marked line, or the directive itself fails the build.
export function contractIsEnforcedByTypes(api: Api): void {
  // @ts-expect-error `name` is required on create
  void api.POST("/clients", { body: { email: "x@example.com" } });
  // @ts-expect-error `name` may be left out of an update, but never null
  void api.PUT("/clients/{id}", { params: { path: { id: "x" } }, body: { name: null } });
  // @ts-expect-error status is active | inactive
  void api.GET("/clients", { params: { query: { status: "archived" } } });
  // @ts-expect-error unknown query parameter
  void api.GET("/clients", { params: { query: { serach: "acme" } } });
}

async function main(apiUrl: string | undefined, token: string | undefined): Promise<void> {
  check(apiUrl !== undefined && token !== undefined, "usage: node smoke.mjs API_URL TOKEN");
  const api = createClient<paths>({ baseUrl: apiUrl, headers: { Authorization: `Bearer ${token}` } });
  await listAndSearch(api);
  const created = await create(api);
  await search(api, created);
  const updated = await updatePartially(api, created);
  await get(api, updated);
  console.log("typescript sdk smoke: list, search, create, update, get ok");
}

try {
  await main(process.argv[2], process.argv[3]);
} catch (error) {
  console.error(`typescript sdk smoke failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}
