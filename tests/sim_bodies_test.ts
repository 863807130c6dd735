import { type Simulator, startSimulator } from "../testing.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { simToken } from "./_sim_fetch.ts";

function get(sim: Simulator, auth: string, path = "/api/v2/users?pageSize=50"): Promise<Response> {
  return fetch(sim.url + path, { headers: { Authorization: `Bearer ${auth}` } });
}

Deno.test("startSimulator truncate fault claims a Content-Length it does not send", async () => {
  await using sim = await startSimulator({
    conversations: 10,
    faults: { bodies: [{ kind: "truncate", times: 1 }] },
  });
  const auth = await simToken(sim);
  const res = await get(sim, auth);
  assertEquals(res.status, 200);
  assert(Number(res.headers.get("content-length")) > 1000);
  await assertRejects(() => res.text(), TypeError);
  const clean = await get(sim, auth);
  assertEquals((await clean.json()).entities.length, 50);
  assertEquals(sim.stats.faults["body.truncate"], 1);
});

Deno.test("startSimulator cut fault sends a well-framed prefix of the JSON", async () => {
  await using sim = await startSimulator({ conversations: 10 });
  const auth = await simToken(sim);
  const full = await (await get(sim, auth)).text();
  sim.setFaults({ bodies: [{ kind: "cut", route: "users", times: 1 }] });
  const res = await get(sim, auth);
  const text = await res.text();
  assertEquals(res.status, 200);
  assertEquals(Number(res.headers.get("content-length")), new TextEncoder().encode(text).length);
  assert(text.length > 0 && text.length < full.length);
  assert(full.startsWith(text), "not a prefix of the real body");
  let parsed = true;
  try {
    JSON.parse(text);
  } catch {
    parsed = false;
  }
  assertEquals(parsed, false);
});

Deno.test("startSimulator malformed fault sends invalid JSON of the full length", async () => {
  await using sim = await startSimulator({
    conversations: 10,
    faults: { bodies: [{ kind: "malformed", everyNth: 2 }] },
  });
  const auth = await simToken(sim);
  const good = await (await get(sim, auth)).text();
  const bad = await (await get(sim, auth)).text();
  assert(bad.length >= good.length);
  let error: unknown;
  try {
    JSON.parse(bad);
  } catch (e) {
    error = e;
  }
  assert(error instanceof SyntaxError);
});

Deno.test("startSimulator disconnect fault resets the connection mid-response", async () => {
  await using sim = await startSimulator({
    conversations: 200,
    duplicateShare: 0, // full pages, so the second answer's size is known
    faults: { bodies: [{ kind: "disconnect", route: "details.query", times: 1 }] },
  });
  const auth = await simToken(sim);
  const query = () =>
    fetch(`${sim.url}/api/v2/analytics/conversations/details/query`, {
      method: "POST",
      headers: { Authorization: `Bearer ${auth}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        interval: "2026-01-01T00:00:00Z/2026-01-08T00:00:00Z",
        paging: { pageSize: 25, pageNumber: 1 },
      }),
    });
  const res = await query();
  assertEquals(res.status, 200);
  await assertRejects(() => res.text(), TypeError);
  const again = await query();
  assertEquals((await again.json()).conversations.length, 25);
  assertEquals(sim.stats.faults["body.disconnect"], 1);
});

Deno.test("startSimulator body faults leave error responses intact", async () => {
  await using sim = await startSimulator({
    conversations: 10,
    faults: { bodies: [{ kind: "cut" }] },
  });
  const res = await get(sim, "not-a-token");
  assertEquals(res.status, 401);
  assertEquals((await res.json()).code, "bad.credentials");
  assertEquals(sim.stats.faults["body.cut"], undefined);
});

Deno.test("startSimulator latency fault delays responses and counts spikes", async () => {
  await using sim = await startSimulator({
    conversations: 10,
    faults: { latency: [{ route: "users", ms: 2, jitterMs: 3, spikeMs: 20, spikeEveryNth: 3 }] },
  });
  const auth = await simToken(sim);
  for (let i = 0; i < 6; i++) await (await get(sim, auth)).body?.cancel();
  assertEquals(sim.stats.faults.latency, 4);
  assertEquals(sim.stats.faults["latency.spike"], 2);
});

Deno.test("Simulator.close ends pending latency waits at once", async () => {
  const sim = await startSimulator({
    conversations: 10,
    faults: { latency: [{ ms: 600_000 }] },
  });
  const auth = await simToken(sim);
  const pending = get(sim, auth);
  for (let i = 0; i < 200 && sim.stats.inFlight === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assertEquals(sim.stats.inFlight, 1);
  await sim.close();
  const res = await pending;
  assertEquals(res.status, 200);
  await res.body?.cancel();
  await sim.close(); // a second close is harmless
});
