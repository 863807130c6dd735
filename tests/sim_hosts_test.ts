/**
 * Simulator.fetch: requests addressed to real Genesys Cloud hosts reach the simulator, login
 * hosts serve only the token endpoint and API hosts the rest, and the counters say which host
 * each request was sent to, so a test can prove a client's routing.
 */
import { GenesysClient } from "../lib/client/genesys_client.ts";
import { REGIONS } from "../lib/client/region.ts";
import { startSimulator } from "../testing.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

Deno.test("Simulator.fetch sends requests for api.<env> and login.<env> to the simulator and counts them by host", async () => {
  await using sim = await startSimulator({ users: 3, conversations: 10 });
  const basic = `Basic ${btoa(`${sim.clientId}:${sim.clientSecret}`)}`;
  const token = async (host: string) =>
    await sim.fetch(`https://${host}/oauth/token`, {
      method: "POST",
      headers: { Authorization: basic, "Content-Type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
  const res = await token("login.mypurecloud.ie");
  assertEquals(res.status, 200);
  const { access_token } = await res.json();
  const users = await sim.fetch("https://api.mypurecloud.ie/api/v2/users?pageSize=2", {
    headers: { Authorization: `Bearer ${access_token}` },
  });
  assertEquals(users.status, 200);
  assertEquals((await users.json()).entities.length, 2);
  // The wrong host for the path: 404, as the real hosts answer.
  const wrongToken = await token("api.mypurecloud.ie");
  assertEquals(wrongToken.status, 404);
  assertEquals((await wrongToken.json()).code, "not.found");
  const wrongApi = await sim.fetch("https://login.mypurecloud.ie/api/v2/users", {
    headers: { Authorization: `Bearer ${access_token}` },
  });
  assertEquals(wrongApi.status, 404);
  await wrongApi.body?.cancel();
  // The simulator's own URL still works, counted by its host.
  const direct = await sim.fetch(`${sim.url}/api/v2/users`, {
    headers: { Authorization: `Bearer ${access_token}` },
  });
  await direct.body?.cancel();
  assertEquals(sim.stats.byHost, {
    "login.mypurecloud.ie": 2,
    "api.mypurecloud.ie": 2,
    [new URL(sim.url).host]: 1,
  });
  // Every environment's hosts are accepted; anything else fails like a DNS lookup.
  for (const { env } of REGIONS) assertEquals((await token(`login.${env}`)).status, 200, env);
  await assertRejects(() => sim.fetch("https://api.example.com/api/v2/users"), TypeError);
  await assertRejects(() => sim.fetch("http://api.mypurecloud.ie/api/v2/users"), TypeError);
});

Deno.test("Simulator.fetch proves a client for region 'mypurecloud.ie' asks login.mypurecloud.ie for its token and api.mypurecloud.ie for data", async () => {
  await using sim = await startSimulator({ users: 7, conversations: 10 });
  const client = new GenesysClient({
    region: "mypurecloud.ie",
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    fetch: sim.fetch,
  });
  const page = await client.request<{ entities: { id: string }[] }>("GET", "/api/v2/users", {
    query: { pageSize: 100 },
  });
  assertEquals(page.entities.map((u) => u.id), [...sim.ids.users]);
  assertEquals(sim.stats.byHost, { "login.mypurecloud.ie": 1, "api.mypurecloud.ie": 1 });
  assertEquals(sim.stats.byRoute, { token: 1, users: 1 });
  assert(sim.stats.byRouteStatus.token["200"] === 1);
});
