/**
 * Users as the real API lists them: a `state` on every user, the `state` filter (default
 * `active`), the 400 past 10,000 inactive users (DEVTOOLING-862), and list parameters given
 * repeatedly (`id=a&id=b`) or comma-separated.
 */
import { startSimulator } from "../testing.ts";
import { assert, assertEquals } from "./_assert.ts";
import { type Json, simCall, simToken, simWalk as follow } from "./_sim_fetch.ts";

Deno.test("startSimulator users have a state, and the state parameter filters the listing (default active)", async () => {
  await using sim = await startSimulator({
    users: 40,
    inactiveUsers: 7,
    deletedUsers: 3,
    conversations: 10,
  });
  const auth = await simToken(sim);
  const cases: [string, readonly string[], string[]][] = [
    ["", sim.ids.users, ["active"]],
    ["&state=active", sim.ids.users, ["active"]],
    ["&state=inactive", sim.ids.inactiveUsers, ["inactive"]],
    ["&state=deleted", sim.ids.deletedUsers, ["deleted"]],
    [
      "&state=any",
      [...sim.ids.users, ...sim.ids.inactiveUsers, ...sim.ids.deletedUsers],
      ["active", "inactive", "deleted"],
    ],
  ];
  for (const [query, ids, states] of cases) {
    const { entities } = await follow(sim, auth, `/api/v2/users?pageSize=4${query}`);
    assertEquals(entities.map((u) => u.id), [...ids], query);
    assertEquals([...new Set(entities.map((u) => u.state))], states, query);
  }
  assertEquals(sim.ids.inactiveUsers.length, 7);
  const bad = await simCall(sim, auth, "GET", "/api/v2/users?state=retired");
  assertEquals(bad.status, 400);
  assertEquals(bad.json.code, "bad.request");
});

Deno.test("startSimulator users with state=inactive answer 400 for a page reaching past the 10,000th result", async () => {
  await using sim = await startSimulator({ users: 10, inactiveUsers: 12_000, conversations: 10 });
  const auth = await simToken(sim);
  // Paged by nextUri, as the Terraform provider does: 10,000 arrive, then a 400.
  const { entities, status, error } = await follow(
    sim,
    auth,
    "/api/v2/users?pageSize=100&pageNumber=1&state=inactive",
  );
  assertEquals(entities.map((u) => u.id), sim.ids.inactiveUsers.slice(0, 10_000));
  assertEquals(status, 400);
  assertEquals(error!.code, "bad.request");
  assertEquals(error!.status, 400);
  assert(/10000/.test(error!.message), error!.message);
  assert(typeof error!.contextId === "string" && Array.isArray(error!.details));
  const page = async (size: number, n: number, state = "inactive") =>
    await simCall(
      sim,
      auth,
      "GET",
      `/api/v2/users?pageSize=${size}&pageNumber=${n}&state=${state}`,
    );
  const first = (await page(100, 1)).json;
  assertEquals([first.total, first.pageCount], [12_000, 120]);
  // The rule: pageNumber × pageSize may not exceed 10,000.
  assertEquals((await page(500, 20)).status, 200);
  assertEquals((await page(500, 21)).status, 400);
  assertEquals((await page(300, 33)).status, 200);
  assertEquals((await page(300, 34)).status, 400);
  // Other states are not capped.
  assertEquals((await page(100, 120, "any")).status, 200);
});

Deno.test("startSimulator inactiveUserLimit changes the cap", async () => {
  await using sim = await startSimulator({
    users: 5,
    inactiveUsers: 60,
    inactiveUserLimit: 50,
    conversations: 10,
  });
  const auth = await simToken(sim);
  const { entities, status } = await follow(sim, auth, "/api/v2/users?pageSize=25&state=inactive");
  assertEquals([entities.length, status], [50, 400]);
});

Deno.test("startSimulator listings read repeated and comma-separated list parameters, and their URIs keep them", async () => {
  await using sim = await startSimulator({
    users: 30,
    queues: 9,
    groups: 5,
    skills: 6,
    conversations: 10,
  });
  const auth = await simToken(sim);
  const [a, b, c] = [sim.ids.users[3], sim.ids.users[17], sim.ids.users[25]];
  for (const query of [`id=${c}&id=${a}&id=${b}`, `id=${c},${a}&id=${b}`]) {
    const { json } = await simCall(sim, auth, "GET", `/api/v2/users?${query}`);
    assertEquals(json.entities.map((u: Json) => u.id), [a, b, c], query);
    assertEquals(json.total, 3);
  }
  // expand, repeated: both expansions arrive.
  const expanded = await simCall(sim, auth, "GET", "/api/v2/users?expand=groups&expand=skills");
  for (const user of expanded.json.entities) {
    assert(user.groups.length >= 1, "groups not expanded");
    assert(user.skills.length >= 1, "skills not expanded");
    for (const g of user.groups) assert(sim.ids.groups.includes(g.id));
    for (const s of user.skills) assert(sim.ids.skills.includes(s.id));
  }
  // The next page keeps the filters.
  const paged = await simCall(
    sim,
    auth,
    "GET",
    "/api/v2/users?pageSize=10&state=any&expand=groups",
  );
  assertEquals(
    paged.json.nextUri,
    "/api/v2/users?pageSize=10&pageNumber=2&state=any&expand=groups",
  );
  // divisionId on queues, repeated.
  const [d1, d2] = sim.ids.divisions;
  const queues = await follow(
    sim,
    auth,
    `/api/v2/routing/queues?divisionId=${d1}&divisionId=${d2}`,
  );
  assert(queues.entities.length > 0 && queues.entities.length < 9);
  for (const q of queues.entities) assert([d1, d2].includes(q.division.id));
  const twoGroups = await simCall(
    sim,
    auth,
    "GET",
    `/api/v2/groups?id=${sim.ids.groups[4]}&id=${sim.ids.groups[1]}`,
  );
  assertEquals(twoGroups.json.entities.map((g: Json) => g.id), [
    sim.ids.groups[1],
    sim.ids.groups[4],
  ]);
});
