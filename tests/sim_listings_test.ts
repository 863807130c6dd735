import { type Simulator, startSimulator } from "../testing.ts";
import { assert, assertEquals } from "./_assert.ts";
import { simCall, simToken } from "./_sim_fetch.ts";

interface Page {
  entities: Record<string, unknown>[];
  pageSize: number;
  pageNumber: number;
  total: number;
  pageCount: number;
  firstUri: string;
  selfUri: string;
  lastUri: string;
  nextUri?: string;
  previousUri?: string;
}

function get(sim: Simulator, auth: string, path: string) {
  return simCall(sim, auth, "GET", path);
}

Deno.test("startSimulator users listing pages every user by nextUri with plain fetch", async () => {
  await using sim = await startSimulator({ users: 237, conversations: 10 });
  const auth = await simToken(sim);
  const ids: string[] = [];
  let next: string | undefined = "/api/v2/users?pageSize=100&pageNumber=1";
  const pages: Page[] = [];
  for (let i = 0; next && i < 10; i++) {
    const { status, json } = await get(sim, auth, next);
    assertEquals(status, 200);
    const page = json as Page;
    pages.push(page);
    ids.push(...page.entities.map((u) => u.id as string));
    next = page.nextUri;
  }
  assertEquals(ids, sim.ids.users);
  assertEquals(new Set(ids).size, 237);
  assertEquals(pages.map((p) => p.entities.length), [100, 100, 37]);
  const { entities: _e, ...last } = pages[2];
  assertEquals(last, {
    pageSize: 100,
    pageNumber: 3,
    total: 237,
    firstUri: "/api/v2/users?pageSize=100&pageNumber=1",
    selfUri: "/api/v2/users?pageSize=100&pageNumber=3",
    previousUri: "/api/v2/users?pageSize=100&pageNumber=2",
    lastUri: "/api/v2/users?pageSize=100&pageNumber=3",
    pageCount: 3,
  });
  assertEquals(pages[0].previousUri, undefined);
  assertEquals(pages[1].nextUri, "/api/v2/users?pageSize=100&pageNumber=3");
});

Deno.test("startSimulator users have the fields of a real user record", async () => {
  await using sim = await startSimulator({ users: 3, conversations: 10 });
  const { json } = await get(sim, await simToken(sim), "/api/v2/users");
  const user = (json as Page).entities[0];
  for (
    const field of [
      "id",
      "name",
      "division",
      "chat",
      "email",
      "primaryContactInfo",
      "state",
      "username",
      "version",
      "selfUri",
    ]
  ) assert(field in user, `user lacks '${field}'`);
  assertEquals(user.selfUri, `/api/v2/users/${user.id}`);
  assertEquals(user.state, "active");
  const division = user.division as Record<string, string>;
  assertEquals(division.selfUri, `/api/v2/authorization/divisions/${division.id}`);
});

Deno.test("startSimulator listings default to pageSize 25 and answer an empty page past the end", async () => {
  await using sim = await startSimulator({ users: 30, conversations: 10 });
  const auth = await simToken(sim);
  const first = (await get(sim, auth, "/api/v2/users")).json as Page;
  assertEquals(first.pageSize, 25);
  assertEquals(first.entities.length, 25);
  assertEquals(first.pageCount, 2);
  const past = (await get(sim, auth, "/api/v2/users?pageNumber=5")).json as Page;
  assertEquals(past.entities, []);
  assertEquals(past.nextUri, undefined);
  assertEquals(past.total, 30);
});

Deno.test("startSimulator queues listing pages every queue with the fields of a real queue", async () => {
  await using sim = await startSimulator({ queues: 7, conversations: 10 });
  const auth = await simToken(sim);
  const ids: string[] = [];
  let next: string | undefined = "/api/v2/routing/queues?pageSize=3&pageNumber=1";
  for (let i = 0; next && i < 10; i++) {
    const page = (await get(sim, auth, next)).json as Page;
    ids.push(...page.entities.map((q) => q.id as string));
    next = page.nextUri;
  }
  assertEquals(ids, sim.ids.queues);
  const queue = ((await get(sim, auth, "/api/v2/routing/queues")).json as Page).entities[0];
  for (const field of ["id", "name", "division", "memberCount", "dateCreated", "selfUri"]) {
    assert(field in queue, `queue lacks '${field}'`);
  }
  assertEquals(queue.selfUri, `/api/v2/routing/queues/${queue.id}`);
});

Deno.test("startSimulator listings answer 400 above the maximum pageSize and for bad parameters", async () => {
  await using sim = await startSimulator({ users: 10, conversations: 10, maxPageSize: 50 });
  const auth = await simToken(sim);
  assertEquals((await get(sim, auth, "/api/v2/users?pageSize=50")).status, 200);
  const over = await get(sim, auth, "/api/v2/users?pageSize=51");
  assertEquals(over.status, 400);
  assertEquals(over.json.code, "bad.request");
  assertEquals(over.json.status, 400);
  assertEquals(over.json.contextId, over.headers.get("ININ-Correlation-Id"));
  for (const q of ["pageSize=0", "pageSize=abc", "pageNumber=0", "pageNumber=-1"]) {
    assertEquals((await get(sim, auth, `/api/v2/routing/queues?${q}`)).status, 400, q);
  }
});

Deno.test("startSimulator answers 404 not.found with a Genesys error body for an unknown path", async () => {
  await using sim = await startSimulator({ conversations: 10 });
  const auth = await simToken(sim);
  for (const path of ["/api/v2/nothing", "/api/v2/users/extra/deep", "/"]) {
    const { status, json, headers } = await get(sim, auth, path);
    assertEquals(status, 404, path);
    assertEquals(json.code, "not.found");
    assertEquals(json.contextId, headers.get("ININ-Correlation-Id"));
  }
  const del = await fetch(`${sim.url}/api/v2/users`, { method: "DELETE" });
  await del.body?.cancel();
  assertEquals(del.status, 404);
  assertEquals(sim.stats.byRoute.unknown, 4);
});

Deno.test("startSimulator sets ININ-Correlation-Id on every response, and no inin-ratelimit headers", async () => {
  await using sim = await startSimulator({ conversations: 10 });
  const auth = await simToken(sim);
  const seen = new Set<string>();
  for (let i = 1; i <= 3; i++) {
    const { headers } = await get(sim, auth, "/api/v2/users");
    const id = headers.get("ININ-Correlation-Id")!;
    assert(/^[0-9a-f-]{36}$/.test(id));
    seen.add(id);
    // Removed from every response by the real API in June 2021.
    for (const name of ["count", "allowed", "reset"]) {
      assertEquals(headers.get(`inin-ratelimit-${name}`), null);
    }
  }
  assertEquals(seen.size, 3);
});

Deno.test("startSimulator serves many concurrent requests", async () => {
  await using sim = await startSimulator({ users: 50, conversations: 10 });
  const auth = await simToken(sim);
  const results = await Promise.all(
    Array.from(
      { length: 200 },
      (_, i) => get(sim, auth, `/api/v2/users?pageSize=5&pageNumber=${(i % 10) + 1}`),
    ),
  );
  assertEquals(results.filter((r) => r.status === 200).length, 200);
  assertEquals(sim.stats.byRouteStatus.users["200"], 200);
  assertEquals(sim.stats.inFlight, 0);
  assert(sim.stats.maxInFlight >= 1);
});
