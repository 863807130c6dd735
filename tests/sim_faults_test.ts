import { UsageError } from "../lib/errors.ts";
import { FaultEngine } from "../lib/sim/faults.ts";
import { type SimFaults, type Simulator, startSimulator } from "../testing.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { simCall, simToken } from "./_sim_fetch.ts";

function users(sim: Simulator, auth: string) {
  return simCall(sim, auth, "GET", "/api/v2/users?pageSize=2");
}

async function statuses(sim: Simulator, auth: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await users(sim, auth)).status);
  return out;
}

Deno.test("startSimulator errors fault injects every-Nth statuses on the targeted route only", async () => {
  await using sim = await startSimulator({
    conversations: 10,
    faults: { errors: [{ route: "users", status: 500, everyNth: 3 }] },
  });
  const auth = await simToken(sim);
  assertEquals(await statuses(sim, auth, 6), [200, 200, 500, 200, 200, 500]);
  assertEquals((await simCall(sim, auth, "GET", "/api/v2/routing/queues")).status, 200);
  assertEquals(sim.stats.faults["error.500"], 2);
});

Deno.test("startSimulator errors fault bodies carry the Genesys code of each 5xx", async () => {
  await using sim = await startSimulator({ conversations: 10 });
  const auth = await simToken(sim);
  const codes: Record<number, string> = {
    500: "internal.server.error",
    502: "bad.gateway",
    503: "service.unavailable",
    504: "request.timeout",
  };
  for (const [status, code] of Object.entries(codes)) {
    sim.setFaults({ errors: [{ status: Number(status) as 500, times: 1 }] });
    const res = await users(sim, auth);
    assertEquals(res.status, Number(status));
    assertEquals(res.json.code, code);
    assertEquals(res.json.status, Number(status));
    assertEquals(res.json.contextId, res.headers.get("ININ-Correlation-Id"));
    assertEquals((await users(sim, auth)).status, 200);
  }
});

Deno.test("startSimulator an injected 403 on one listing names the permission it needs", async () => {
  await using sim = await startSimulator({ conversations: 10 });
  const auth = await simToken(sim);
  sim.setFaults({ errors: [{ route: "wrapupcodes", status: 403 }] });
  const denied = await simCall(sim, auth, "GET", "/api/v2/routing/wrapupcodes");
  assertEquals(denied.status, 403);
  assertEquals(denied.json.code, "missing.permissions");
  assert(denied.json.message.includes("routing:wrapupCode:view"), denied.json.message);
  assertEquals((await users(sim, auth)).status, 200);
});

Deno.test("startSimulator injected 429 has Retry-After, the normalized body and a configurable wait", async () => {
  await using sim = await startSimulator({
    conversations: 10,
    faults: { errors: [{ status: 429, times: 1 }] },
  });
  const auth = await simToken(sim);
  const first = await users(sim, auth);
  assertEquals(first.status, 429);
  assertEquals(first.headers.get("Retry-After"), "1");
  assertEquals(first.json, {
    message: "Rate limit exceeded the maximum. Retry the request in [1] seconds",
    code: "too.many.requests.retry.after",
    status: 429,
    contextId: first.headers.get("ININ-Correlation-Id"),
    details: [],
    errors: [],
  });
  sim.setFaults({ errors: [{ status: 429, retryAfterSeconds: 3600, times: 1 }] });
  const long = await users(sim, auth);
  assertEquals(long.headers.get("Retry-After"), "3600");
  assertEquals(long.headers.get("inin-ratelimit-reset"), null); // removed by the real API in 2021
  assert(long.json.message.includes("[3600]"));
});

Deno.test("startSimulator rate limit in per-minute windows: 429 until the window resets, the limit named on request", async () => {
  let now = 1_000_000;
  await using sim = await startSimulator({
    conversations: 10,
    now: () => now,
    faults: {
      rateLimit: {
        requestsPerMinute: 3,
        limit: { key: "client.credentials.token.rate.per.minute", namespace: "platform.api" },
      },
    },
  });
  const auth = await simToken(sim);
  assertEquals(await statuses(sim, auth, 4), [200, 200, 200, 429]);
  now += 20_500;
  const limited = await users(sim, auth);
  assertEquals(limited.status, 429);
  assertEquals(limited.headers.get("Retry-After"), "40"); // 39.5 s left in the window, rounded up
  assertEquals(
    limited.json.message,
    "Rate limit exceeded the maximum. Retry the request in [40] seconds",
  );
  assertEquals(limited.json.limit, {
    key: "client.credentials.token.rate.per.minute",
    namespace: "platform.api",
    value: 3,
  });
  for (const name of ["count", "allowed", "reset"]) {
    assertEquals(limited.headers.get(`inin-ratelimit-${name}`), null);
  }
  now += 39_500; // the window resets
  assertEquals(await statuses(sim, auth, 4), [200, 200, 200, 429]);
  assertEquals(sim.stats.rateLimited, 3);
  sim.setFaults({ rateLimit: { requestsPerMinute: 1 } });
  assertEquals((await users(sim, auth)).status, 200);
  assertEquals((await users(sim, auth)).json.limit, undefined); // not named unless asked
});

Deno.test("startSimulator sends the old inin-ratelimit-* headers only when asked (rateLimitHeaders)", async () => {
  const now = 1_000_000;
  await using sim = await startSimulator({
    conversations: 10,
    now: () => now,
    rateLimitHeaders: true,
    faults: { rateLimit: { requestsPerSecond: 2, burst: 1 } },
  });
  const auth = await simToken(sim);
  const first = await users(sim, auth);
  assertEquals(first.headers.get("inin-ratelimit-allowed"), "120");
  assertEquals(first.headers.get("inin-ratelimit-count"), "2"); // the token request counts too
  const limited = await users(sim, auth);
  assertEquals(limited.status, 429);
  assertEquals(limited.headers.get("inin-ratelimit-reset"), "1"); // the Retry-After
  sim.setFaults({ rateLimit: null });
  assertEquals((await users(sim, auth)).headers.get("inin-ratelimit-allowed"), "300");
});

Deno.test("startSimulator errors fault honours after and times", async () => {
  await using sim = await startSimulator({
    conversations: 10,
    faults: { errors: [{ status: 503, after: 2, times: 2 }] },
  });
  const auth = await simToken(sim);
  assertEquals(await statuses(sim, auth, 6), [200, 200, 503, 503, 200, 200]);
});

Deno.test("startSimulator probability faults are deterministic for a seed", async () => {
  const run = async (seed: number) => {
    await using sim = await startSimulator({
      seed,
      conversations: 10,
      faults: { errors: [{ status: 502, probability: 0.3 }] },
    });
    return await statuses(sim, await simToken(sim), 120);
  };
  const a = await run(5);
  assertEquals(await run(5), a);
  const failures = a.filter((s) => s === 502).length;
  assert(failures > 15 && failures < 60, `${failures} failures of 120 at p=0.3`);
  assert(JSON.stringify(await run(6)) !== JSON.stringify(a), "another seed gives the same faults");
});

Deno.test("startSimulator rate limit is a token bucket refilled by the clock, with Retry-After", async () => {
  let now = 1_000_000;
  await using sim = await startSimulator({
    conversations: 10,
    now: () => now,
    faults: { rateLimit: { requestsPerSecond: 2, burst: 3 } },
  });
  const auth = await simToken(sim);
  assertEquals(await statuses(sim, auth, 4), [200, 200, 200, 429]);
  const limited = await users(sim, auth);
  assertEquals(limited.status, 429);
  assertEquals(limited.headers.get("Retry-After"), "1");
  assertEquals(limited.headers.get("inin-ratelimit-allowed"), null);
  assertEquals(limited.json.code, "too.many.requests.retry.after");
  now += 500; // one token
  assertEquals(await statuses(sim, auth, 2), [200, 429]);
  now += 10_000; // refills to the burst only
  assertEquals(await statuses(sim, auth, 4), [200, 200, 200, 429]);
  assertEquals(sim.stats.rateLimited, 4);
  sim.setFaults({ rateLimit: { requestsPerSecond: 0.1, burst: 1 } });
  assertEquals((await users(sim, auth)).status, 200);
  const slow = await users(sim, auth);
  assertEquals(slow.headers.get("Retry-After"), "10");
  sim.setFaults({ rateLimit: null });
  assertEquals(await statuses(sim, auth, 5), [200, 200, 200, 200, 200]);
});

Deno.test("startSimulator rate limit spares the token endpoint and unlisted routes", async () => {
  let now = 0;
  await using sim = await startSimulator({
    conversations: 10,
    now: () => now,
    faults: { rateLimit: { route: "queues", requestsPerSecond: 1, burst: 1 } },
  });
  const auth = await simToken(sim);
  for (let i = 0; i < 3; i++) assert(await simToken(sim));
  assertEquals(await statuses(sim, auth, 3), [200, 200, 200]);
  const q = async () => (await simCall(sim, auth, "GET", "/api/v2/routing/queues")).status;
  assertEquals([await q(), await q()], [200, 429]);
  now += 1000;
  assertEquals(await q(), 200);
});

Deno.test("Simulator.setFaults merges keys, null clears one, clearFaults clears all", async () => {
  await using sim = await startSimulator({ conversations: 10 });
  const auth = await simToken(sim);
  sim.setFaults({ errors: [{ status: 503 }] });
  sim.setFaults({ latency: [{ ms: 1 }] });
  assertEquals(sim.faults, { errors: [{ status: 503 }], latency: [{ ms: 1 }] });
  assertEquals((await users(sim, auth)).status, 503);
  sim.setFaults({ errors: null });
  assertEquals(sim.faults, { latency: [{ ms: 1 }] });
  assertEquals((await users(sim, auth)).status, 200);
  sim.setFaults({ errors: [{ status: 504 }], revokeAfterRequests: 100 });
  sim.clearFaults();
  assertEquals(sim.faults, {});
  assertEquals((await users(sim, auth)).status, 200);
  // The returned copy cannot change the faults in force.
  const copy = sim.faults as SimFaults;
  copy.errors = [{ status: 500 }];
  assertEquals((await users(sim, auth)).status, 200);
});

Deno.test("startSimulator rejects invalid faults and options with a UsageError", async () => {
  await using sim = await startSimulator({ conversations: 10 });
  const bad: SimFaults[] = [
    { errors: [{ status: 404 as 500 }] },
    { errors: [{ status: 500, everyNth: 0 }] },
    { errors: [{ status: 500, probability: 2 }] },
    { errors: [{ status: 500, route: "nope" as "users" }] },
    { rateLimit: { requestsPerSecond: 0 } },
    { latency: [{ ms: -1 }] },
    { bodies: [{ kind: "shred" as "cut" }] },
    { revokeAfterRequests: 0 },
    { tokenLifetimeSeconds: 0 },
  ];
  for (const faults of bad) {
    assertThrows(() => sim.setFaults(faults), UsageError);
  }
  assertEquals(sim.faults, {});
  for (
    const options of [
      { users: -1 },
      { conversations: 1.5 },
      { start: "garbage" },
      { start: "2026-01-02T00:00:00Z", end: "2026-01-01T00:00:00Z" },
      { invalidClientStatus: 403 as 401 },
      { faults: { errors: [{ status: 200 as 500 }] } },
    ]
  ) {
    let thrown: unknown;
    try {
      const s = await startSimulator(options);
      await s.close();
    } catch (error) {
      thrown = error;
    }
    assert(thrown instanceof UsageError, `no UsageError for ${JSON.stringify(options)}`);
  }
});

Deno.test("FaultEngine latency jitter and spikes are seeded and within bounds", () => {
  const draw = (seed: number) => {
    const engine = new FaultEngine(seed, () => 0, {
      latency: [{ ms: 10, jitterMs: 5, spikeMs: 1000, spikeEveryNth: 4 }],
    });
    return Array.from({ length: 12 }, () => engine.latency("users")!);
  };
  const a = draw(3);
  assertEquals(draw(3), a);
  for (const [i, { ms, spike }] of a.entries()) {
    assertEquals(spike, (i + 1) % 4 === 0);
    const base = ms - (spike ? 1000 : 0);
    assert(base >= 10 && base < 15, `latency ${ms}`);
  }
  assert(new Set(a.map((x) => x.ms)).size > 2, "no jitter");
  const engine = new FaultEngine(3, () => 0, { latency: [{ route: "token", ms: 5 }] });
  assertEquals(engine.latency("users"), undefined);
  assertEquals(engine.latency("token"), { ms: 5, spike: false });
});
