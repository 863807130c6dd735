/**
 * GenesysClient against the simulator over real loopback HTTP.
 */
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { fakeClock } from "./_fake_genesys.ts";
import { type Simulator, startSimulator } from "../testing.ts";
import type { ClientEvent } from "../lib/client/events.ts";
import { GenesysClient } from "../lib/client/genesys_client.ts";
import type { GenesysClientOptions } from "../lib/client/client_options.ts";
import { ApiError, AuthError, DeadlineError, NetworkError, RateLimitError } from "../lib/errors.ts";
import { createLogger } from "../lib/log.ts";

interface UsersPage {
  entities: { id: string }[];
  nextUri?: string;
}

function clientFor(sim: Simulator, extra: Partial<GenesysClientOptions> = {}): GenesysClient {
  return new GenesysClient({
    region: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    ...extra,
  });
}

/** Follows `nextUri` from the first page; bounded. */
async function pageUsers(client: GenesysClient, pageSize: number, maxPages = 500) {
  const ids: string[] = [];
  let next: string | undefined = `/api/v2/users?pageSize=${pageSize}&pageNumber=1`;
  for (let pages = 0; next && pages < maxPages; pages++) {
    const page: UsersPage = await client.request<UsersPage>("GET", next);
    ids.push(...page.entities.map((u) => u.id));
    next = page.nextUri;
  }
  return ids;
}

/** Asks for the first `n` one-user pages all at once. */
function usersOnePerPage(client: GenesysClient, n: number): Promise<UsersPage[]> {
  return Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        client.request<UsersPage>("GET", "/api/v2/users", {
          query: { pageSize: 1, pageNumber: i + 1 },
        }),
    ),
  );
}

Deno.test("GenesysClient pages through 2 s tokens with zero failed requests, one token per lifetime", async () => {
  await using sim = await startSimulator({
    users: 40,
    conversations: 10,
    tokenLifetimeSeconds: 2,
    faults: { latency: [{ route: "users", ms: 120 }] },
  });
  const client = clientFor(sim);
  const started = Date.now();
  const ids = await pageUsers(client, 1);
  const elapsed = Date.now() - started;
  assertEquals(ids, sim.ids.users);
  const stats = sim.stats;
  assertEquals(stats.unauthorized, 0);
  assertEquals(stats.byRouteStatus.users, { "200": 40 });
  assertEquals(client.stats.statuses, { "200": 40 });
  // Tokens are renewed at 80 % of 2 s, so they are at least 1.6 s apart...
  assert.ok(
    stats.tokensIssued <= 1 + Math.floor(elapsed / 1600),
    `${stats.tokensIssued} tokens in ${elapsed} ms`,
  );
  // ...and every request was authorized by a live token, so the run needed one per 2 s.
  assert.ok(
    stats.tokensIssued >= Math.floor(elapsed / 2000),
    `${stats.tokensIssued} tokens in ${elapsed} ms`,
  );
  assert.ok(stats.tokensIssued >= 3, `the run (${elapsed} ms) spans at least three lifetimes`);
  assertEquals(client.stats.tokenRequests, stats.tokensIssued);
});

Deno.test("GenesysClient: 50 concurrent requests meeting a revoked token cause exactly one token request", async () => {
  await using sim = await startSimulator({ users: 60, conversations: 10 });
  const client = clientFor(sim);
  await client.request("GET", "/api/v2/users", { query: { pageSize: 1 } });
  assertEquals(sim.revokeTokens(), 1);
  const pages = await usersOnePerPage(client, 50);
  assertEquals(pages.map((p) => p.entities[0].id), sim.ids.users.slice(0, 50));
  assertEquals(sim.stats.tokensIssued, 2);
  assertEquals(sim.stats.unauthorized, 50);
  assertEquals(client.stats.retries.unauthorized, 50);
  assertEquals(client.stats.tokenRequests, 2);
});

Deno.test("GenesysClient: 50 concurrent requests meeting an expired token cause exactly one token request", async () => {
  await using sim = await startSimulator({
    users: 60,
    conversations: 10,
    tokenLifetimeSeconds: 0.3,
  });
  const client = clientFor(sim);
  await client.request("GET", "/api/v2/users", { query: { pageSize: 1 } });
  await new Promise((resolve) => setTimeout(resolve, 350));
  const pages = await usersOnePerPage(client, 50);
  assertEquals(pages.length, 50);
  assertEquals(sim.stats.tokensIssued, 2);
  assertEquals(sim.stats.unauthorized, 0);
});

Deno.test("GenesysClient waits Retry-After: 2 from the simulator by the injected clock", async () => {
  await using sim = await startSimulator({
    users: 5,
    conversations: 10,
    faults: { errors: [{ route: "users", status: 429, retryAfterSeconds: 2, times: 1 }] },
  });
  const clock = fakeClock();
  const client = clientFor(sim, { clock: { now: clock.now, sleep: clock.sleep } });
  const page = await client.request<UsersPage>("GET", "/api/v2/users");
  assertEquals(page.entities.length, 5);
  assertEquals(clock.sleeps, [2000]);
  assertEquals(sim.stats.byRouteStatus.users, { "429": 1, "200": 1 });
});

Deno.test("GenesysClient fails at once, clearly, on Retry-After: 3600 from the simulator", async () => {
  await using sim = await startSimulator({
    users: 5,
    conversations: 10,
    faults: { errors: [{ route: "users", status: 429, retryAfterSeconds: 3600 }] },
  });
  const clock = fakeClock();
  const client = clientFor(sim, { clock: { now: clock.now, sleep: clock.sleep } });
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), RateLimitError);
  assertEquals(error.retryAfterMs, 3_600_000);
  assert.match(error.message, /asked to wait 3600 s, longer than the 180 s allowed/);
  assert.ok(error.correlationId, "carries the correlation id");
  assertEquals(clock.sleeps, []);
  assertEquals(sim.stats.byRouteStatus.users, { "429": 1 });
});

Deno.test("GenesysClient ends by a 5 s deadline against a simulator answering 503 forever", async () => {
  await using sim = await startSimulator({
    users: 5,
    conversations: 10,
    faults: { errors: [{ route: "users", status: 503 }] },
  });
  const clock = fakeClock();
  const client = clientFor(sim, {
    clock: { now: clock.now, sleep: clock.sleep, random: () => 0.5 },
  });
  const start = clock.now();
  const error = await assertRejects(
    () => client.request("GET", "/api/v2/users", { deadline: start + 5000 }),
    DeadlineError,
  );
  assert.ok(clock.now() - start <= 5000);
  // Half jitter: 500, 1000, 2000 (3.5 s); the next 4 s would cross the deadline.
  assertEquals(clock.sleeps, [500, 1000, 2000]);
  assertEquals(sim.stats.byRouteStatus.users, { "503": 4 });
  assert.match(error.message, /service\.unavailable/);
});

Deno.test("GenesysClient does not retry the simulator's 400 and 404 and carries message and correlation id", async () => {
  await using sim = await startSimulator({ users: 5, conversations: 10, maxPageSize: 100 });
  // Backoff on an injected clock: a retried 400 or 404 fails at once, not after real waits.
  const clock = fakeClock();
  const client = clientFor(sim, { clock });
  const bad = await assertRejects(
    () => client.request("GET", "/api/v2/users", { query: { pageSize: 1000 } }),
    ApiError,
  );
  assertEquals(bad.status, 400);
  assert.ok(bad.serverMessage, "has the server's message");
  assert.ok(bad.correlationId, "has the correlation id");
  assert.ok(bad.message.includes(bad.serverMessage!));
  assert.ok(bad.message.includes(bad.correlationId!));
  const missing = await assertRejects(
    () => client.request("GET", "/api/v2/nothing/here"),
    ApiError,
  );
  assertEquals(missing.status, 404);
  assertEquals(sim.stats.byRouteStatus.users, { "400": 1 });
  assertEquals(sim.stats.byRoute.unknown, 1);
  assertEquals(client.stats.requests, 2);
});

for (const kind of ["truncate", "cut", "malformed", "disconnect"] as const) {
  Deno.test(`GenesysClient retries a '${kind}' body from the simulator and loses nothing`, async () => {
    await using sim = await startSimulator({
      users: 12,
      conversations: 10,
      faults: { bodies: [{ route: "users", kind, everyNth: 2 }] },
    });
    const clock = fakeClock();
    const client = clientFor(sim, { clock: { sleep: clock.sleep, now: clock.now } });
    assertEquals(await pageUsers(client, 3), sim.ids.users);
    // Requests 2, 4 and 6 are damaged: pages 2, 3 and 4 each need one retry.
    assertEquals(sim.stats.faults[`body.${kind}`], 3);
    assertEquals(client.stats.retries.network, 3);
    assertEquals(sim.stats.byRouteStatus.users, { "200": 7 });
  });
}

Deno.test("GenesysClient times out a latency spike and retries", async () => {
  await using sim = await startSimulator({
    users: 4,
    conversations: 10,
    faults: { latency: [{ route: "users", spikeMs: 30_000, spikeEveryNth: 2 }] },
  });
  const clock = fakeClock();
  const client = clientFor(sim, { timeoutMs: 300, clock: { sleep: clock.sleep, now: clock.now } });
  assertEquals(await pageUsers(client, 2), sim.ids.users);
  assertEquals(client.stats.retries.timeout, 1);
});

for (const status of [400, 401] as const) {
  Deno.test(`GenesysClient reports the simulator's invalid_client (${status}) as an AuthError`, async () => {
    await using sim = await startSimulator({
      users: 2,
      conversations: 10,
      invalidClientStatus: status,
    });
    const client = new GenesysClient({
      region: sim.url,
      clientId: sim.clientId,
      clientSecret: "wrong-one",
    });
    const error = await assertRejects(() => client.request("GET", "/api/v2/users"), AuthError);
    assertEquals(error.status, status);
    assertEquals(error.code, "invalid_client");
    assert.match(error.message, /may belong to another region/);
    assertEquals(sim.stats.byRoute.token, 1);
  });
}

Deno.test("GenesysClient rides the simulator's token-bucket rate limit", async () => {
  await using sim = await startSimulator({
    users: 20,
    conversations: 10,
    faults: { rateLimit: { requestsPerSecond: 10, burst: 4 } },
  });
  const client = clientFor(sim);
  const pages = await usersOnePerPage(client, 12);
  assertEquals(pages.map((p) => p.entities[0].id), sim.ids.users.slice(0, 12));
  assert.ok(sim.stats.rateLimited > 0);
  assertEquals(client.stats.retries.rateLimit, sim.stats.rateLimited);
  assertEquals(client.stats.rateLimit?.retryAfterMs, 1000);
  assertEquals(client.stats.pacer?.spacing, true);
});

Deno.test("GenesysClient learns a per-minute window limit from 429s the simulator sends as the real API does", async () => {
  let now = Date.parse("2026-02-01T00:00:00Z");
  await using sim = await startSimulator({
    users: 40,
    conversations: 10,
    now: () => now,
    faults: { rateLimit: { requestsPerMinute: 10 } },
  });
  const client = new GenesysClient({
    region: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    clock: {
      now: () => now,
      sleep: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    },
  });
  const ids: string[] = [];
  for (let page = 1; page <= 25; page++) {
    const body = await client.request<{ entities: { id: string }[] }>("GET", "/api/v2/users", {
      query: { pageSize: 1, pageNumber: page },
    });
    ids.push(body.entities[0].id);
  }
  assertEquals(ids, sim.ids.users.slice(0, 25));
  // 10 a minute: the first 429 pauses until the window resets; from then on requests are spaced
  // at the 10 per minute the server accepted, so few more 429s come.
  assert.ok(sim.stats.rateLimited >= 1 && sim.stats.rateLimited <= 3, `${sim.stats.rateLimited}`);
  const pacer = client.stats.pacer!;
  assertEquals(pacer.spacing, true);
  const perMinute = pacer.ratePerSecond * 60; // 9.8 after the first 429, then climbing slowly
  assert.ok(perMinute > 9 && perMinute < 12, `${perMinute}`);
});

Deno.test("GenesysClient keeps the secret and tokens out of errors, log lines and inspected objects", async () => {
  await using sim = await startSimulator({ users: 10, conversations: 10 });
  const tokens = new Set<string>();
  const spying: typeof fetch = (input, init) => {
    const auth = new Headers(init?.headers).get("authorization") ?? "";
    if (auth.startsWith("Bearer ")) tokens.add(auth.slice(7));
    return fetch(input, init);
  };
  const textLines: string[] = [];
  const jsonLines: string[] = [];
  const text = createLogger({
    level: "debug",
    write: (l) => textLines.push(l),
    secrets: [sim.clientSecret],
  });
  const json = createLogger({
    level: "debug",
    format: "json",
    write: (l) => jsonLines.push(l),
    secrets: [sim.clientSecret],
  });
  const onEvent = (event: ClientEvent) => {
    text.debug(event.type, { ...event });
    json.debug(event.type, { ...event });
  };
  const clock = fakeClock();
  const client = clientFor(sim, {
    fetch: spying,
    onEvent,
    clock: { now: clock.now, sleep: clock.sleep, random: () => 0 },
    retry: { maxAttempts: 2 },
  });
  const errors: Error[] = [];
  const collect = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      errors.push(error as Error);
      text.error("Request failed", { error });
      json.error("Request failed", { error });
    }
  };
  await collect(() => client.request("GET", "/api/v2/users"));
  sim.revokeTokens();
  await collect(() => client.request("GET", "/api/v2/users"));
  await collect(() => client.request("GET", "/api/v2/nothing"));
  sim.setFaults({ errors: [{ route: "users", status: 429, retryAfterSeconds: 3600, times: 1 }] });
  await collect(() => client.request("GET", "/api/v2/users"));
  sim.setFaults({ errors: [{ route: "users", status: 503 }] });
  await collect(() => client.request("GET", "/api/v2/users", { deadline: clock.now() + 100 }));
  await collect(() => client.request("GET", "/api/v2/users"));
  sim.setFaults({ errors: null, bodies: [{ route: "users", kind: "disconnect" }] });
  await collect(() => client.request("GET", "/api/v2/users"));
  const wrong = new GenesysClient({
    region: sim.url,
    clientId: sim.clientId,
    clientSecret: "Wrong-Secret-123",
  });
  await collect(() => wrong.request("GET", "/api/v2/users"));
  assertEquals(errors.map((e) => e.constructor), [
    ApiError,
    RateLimitError,
    DeadlineError,
    ApiError,
    NetworkError,
    AuthError,
  ]);
  assertEquals(tokens.size, 2);

  const outputs = [
    ...textLines,
    ...jsonLines,
    ...errors.flatMap((
      e,
    ) => [e.message, String(e), Deno.inspect(e, { depth: 10 }), JSON.stringify(e), e.stack ?? ""]),
    Deno.inspect(client, { depth: 10, showHidden: true }),
    JSON.stringify(client),
    String(client),
    Deno.inspect(client.tokenManager, { depth: 10, showHidden: true }),
    JSON.stringify(client.tokenManager),
    Deno.inspect(wrong, { depth: 10 }),
  ];
  const secrets = [
    sim.clientSecret,
    "Wrong-Secret-123",
    btoa(`${sim.clientId}:${sim.clientSecret}`),
    btoa(`${sim.clientId}:Wrong-Secret-123`),
    ...tokens,
  ];
  for (const output of outputs) {
    for (const secret of secrets) assert.ok(!output.includes(secret), `leaked in: ${output}`);
  }
  assert.ok(textLines.some((l) => l.includes("cause=unauthorized")));
});
