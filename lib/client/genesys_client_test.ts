import { assert, assertEquals, assertRejects } from "../../tests/_assert.ts";
import { fakeClock, fakeGenesys, genesysError } from "../../tests/_fake_genesys.ts";
import { BASE, makeClient, SECRET } from "../../tests/_client_fixture.ts";
import { GenesysClient } from "./genesys_client.ts";
import type { GenesysClientOptions } from "./client_options.ts";
import { ApiError, DeadlineError, NetworkError, RateLimitError, UsageError } from "../errors.ts";

/**
 * A client on a hand-written fetch, for what the scripted fake does not show (the signal, the
 * redirect mode): token requests get a token, API requests go to `api`; `inits` records every
 * request's init.
 */
function clientOnFetch(
  api: (init?: RequestInit) => Promise<Response>,
  extra: Partial<GenesysClientOptions> = {},
) {
  const clock = fakeClock();
  const inits: (RequestInit | undefined)[] = [];
  const fetchFn: typeof fetch = (input, init) => {
    inits.push(init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname === "/oauth/token") {
      return Promise.resolve(Response.json({ access_token: "tok-raw", expires_in: 3600 }));
    }
    return api(init);
  };
  const client = new GenesysClient({
    region: BASE,
    clientId: "id",
    clientSecret: SECRET,
    fetch: fetchFn,
    ...extra,
    clock: { now: clock.now, sleep: clock.sleep, ...extra.clock },
  });
  return { client, clock, inits };
}

/** A request that never answers: it rejects when its signal aborts. */
function hang(init?: RequestInit): Promise<never> {
  return new Promise((_, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true });
  });
}

Deno.test("GenesysClient sends the bearer token, Accept-Encoding and User-Agent and parses JSON", async () => {
  const { client, fake } = makeClient(() => Response.json({ entities: [{ id: "u1" }] }));
  const page = await client.request<{ entities: { id: string }[] }>("get", "/api/v2/users", {
    query: { pageSize: 100, pageNumber: 2, skipped: undefined, expand: true },
    headers: { Authorization: "Bearer attacker", "X-Extra": "1" },
  });
  assertEquals(page.entities[0].id, "u1");
  assertEquals(fake.apiRequests.length, 1);
  const seen = fake.apiRequests[0];
  assertEquals(seen.method, "GET");
  assertEquals(seen.path, "/api/v2/users?pageSize=100&pageNumber=2&expand=true");
  assertEquals(seen.token, fake.issued[0]);
  assertEquals(seen.headers.get("accept-encoding"), "gzip");
  assertEquals(seen.headers.get("x-extra"), "1");
  assert.match(seen.headers.get("user-agent") ?? "", /genesys-batch-toolkit/);
  const tokenRequest = fake.tokenRequests[0];
  assertEquals(tokenRequest.method, "POST");
  assertEquals(tokenRequest.body, "grant_type=client_credentials");
  assertEquals(tokenRequest.headers.get("content-type"), "application/x-www-form-urlencoded");
  assertEquals(tokenRequest.headers.get("authorization"), `Basic ${btoa(`client-id:${SECRET}`)}`);
  assertEquals(client.stats.requests, 1);
  assertEquals(client.stats.tokenRequests, 1);
  assertEquals(client.stats.statuses, { "200": 1 });
});

Deno.test("GenesysClient sends a JSON body and gives status and headers", async () => {
  const { client, fake } = makeClient((call) =>
    Response.json({ echo: JSON.parse(call.body) }, { status: 201, headers: { "x-a": "b" } })
  );
  const response = await client.requestWithResponse<{ echo: unknown }>("POST", "/api/v2/x", {
    body: { interval: "a/b" },
  });
  assertEquals(response.status, 201);
  assertEquals(response.headers.get("x-a"), "b");
  assertEquals(response.data.echo, { interval: "a/b" });
  assertEquals(fake.apiRequests[0].headers.get("content-type"), "application/json");
});

Deno.test("GenesysClient returns undefined for an empty 204 body", async () => {
  const { client } = makeClient(() => new Response(null, { status: 204 }));
  assertEquals(
    await client.request("DELETE", "/api/v2/analytics/conversations/details/jobs/j"),
    undefined,
  );
});

Deno.test("GenesysClient waits Retry-After on a 429 by the injected clock", async () => {
  const { client, clock, fake, events } = makeClient((call) =>
    call.n === 1
      ? genesysError(429, "too.many.requests.retry.after", "Retry in [2] seconds", {
        "Retry-After": "2",
      })
      : Response.json({ ok: true })
  );
  assertEquals(await client.request("GET", "/api/v2/users"), { ok: true });
  assertEquals(clock.sleeps, [2000]);
  assertEquals(fake.apiRequests.length, 2);
  assertEquals(client.stats.retries.rateLimit, 1);
  const retry = events.find((e) => e.type === "retry");
  assertEquals(retry?.cause, "rateLimit");
  assertEquals(retry?.delayMs, 2000);
});

Deno.test("GenesysClient fails at once when Retry-After exceeds maxRetryAfter", async () => {
  const { client, clock, fake } = makeClient(() =>
    genesysError(429, "too.many.requests.retry.after", "Daily quota", {
      "Retry-After": "3600",
      "ININ-Correlation-Id": "corr-quota",
    })
  );
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), RateLimitError);
  assertEquals(error.retryAfterMs, 3_600_000);
  assertEquals(error.maxRetryAfterMs, 180_000);
  assertEquals(error.correlationId, "corr-quota");
  assert.match(error.message, /3600 s/);
  assert.match(error.message, /180 s/);
  assert.match(error.message, /GET \/api\/v2\/users/);
  assertEquals(clock.sleeps, []);
  assertEquals(fake.apiRequests.length, 1);
});

Deno.test("GenesysClient falls back to inin-ratelimit-reset, then to backoff, on a 429", async () => {
  const { client, clock } = makeClient((call) => {
    if (call.n === 1) {
      return genesysError(429, "too.many.requests", "Slow down", { "inin-ratelimit-reset": "7" });
    }
    if (call.n === 2) return new Response("Too many", { status: 429 });
    return Response.json({});
  }, { retry: { minTimeout: 500 } });
  await client.request("GET", "/api/v2/users");
  // random() = 0 means the full backoff: 500 ms * 2 ** 1 for the second retry.
  assertEquals(clock.sleeps, [7000, 1000]);
});

Deno.test("GenesysClient ends by a 5 s deadline against a server that answers 503 forever", async () => {
  const { client, clock, fake } = makeClient(
    () => genesysError(503, "service.unavailable", "Down"),
    {},
  );
  const start = clock.now();
  const error = await assertRejects(
    () => client.request("GET", "/api/v2/users", { deadline: start + 5000 }),
    DeadlineError,
  );
  assert.ok(clock.now() - start <= 5000, `ended at +${clock.now() - start} ms`);
  assertEquals(clock.sleeps, [1000, 2000]);
  assertEquals(fake.apiRequests.length, 3);
  assert.match(error.message, /would wait 4 s/);
  assert.match(error.message, /503/);
  assert.ok(error.cause instanceof ApiError);
  assertEquals(error.request, "GET /api/v2/users");
});

Deno.test("GenesysClient fails at once when Retry-After is longer than the time left", async () => {
  const { client, clock } = makeClient(() =>
    genesysError(429, "too.many.requests.retry.after", "Wait", { "Retry-After": "60" })
  );
  const error = await assertRejects(
    () => client.request("GET", "/api/v2/users", { deadline: clock.now() + 10_000 }),
    DeadlineError,
  );
  assertEquals(clock.sleeps, []);
  assert.match(error.message, /would wait 60 s \(as the server asked\)/);
  assert.match(error.message, /only 10 s remain/);
});

Deno.test("GenesysClient client-wide deadline also bounds requests", async () => {
  const clock = fakeClock();
  const fake = fakeGenesys({ api: () => genesysError(502, "bad.gateway", "Gateway") });
  const client = new GenesysClient({
    region: BASE,
    clientId: "id",
    clientSecret: SECRET,
    fetch: fake.fetch,
    clock: { now: clock.now, sleep: clock.sleep, random: () => 0 },
    deadline: clock.now() + 2500,
  });
  await assertRejects(() => client.request("GET", "/api/v2/users"), DeadlineError);
  assertEquals(clock.sleeps, [1000]);
});

for (const status of [400, 403, 404, 409, 422]) {
  Deno.test(`GenesysClient does not retry a ${status} and carries the server's message and correlation id`, async () => {
    const { client, fake, clock } = makeClient(() =>
      genesysError(status, "some.code", `Server says ${status}`, {
        "ININ-Correlation-Id": `corr-${status}-x`,
      })
    );
    const error = await assertRejects(
      () => client.request("GET", "/api/v2/users/abc", { query: { expand: "x" } }),
      ApiError,
    );
    assertEquals(fake.apiRequests.length, 1);
    assertEquals(clock.sleeps, []);
    assertEquals(error.status, status);
    assertEquals(error.code, "some.code");
    assertEquals(error.serverMessage, `Server says ${status}`);
    assertEquals(error.correlationId, `corr-${status}-x`);
    assertEquals(error.method, "GET");
    assertEquals(error.path, "/api/v2/users/abc?expand=x");
    assert.match(error.message, new RegExp(`Server says ${status}`));
    assert.match(error.message, new RegExp(`corr-${status}-x`));
  });
}

Deno.test("GenesysClient reads non-JSON error bodies", async () => {
  const { client } = makeClient(() =>
    new Response("<html><body>Not here</body></html>", { status: 404 })
  );
  const error = await assertRejects(() => client.request("GET", "/api/v2/x"), ApiError);
  assertEquals(error.serverMessage, "<html><body>Not here</body></html>");
  assertEquals(error.code, undefined);
});

Deno.test("GenesysClient throws the last ApiError when 5xx outlast the attempts", async () => {
  const { client, fake, clock } = makeClient(
    () => genesysError(504, "request.timeout", "Timed out"),
    { retry: { maxAttempts: 3 } },
  );
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), ApiError);
  assertEquals(error.status, 504);
  assertEquals(fake.apiRequests.length, 3);
  assertEquals(clock.sleeps, [1000, 2000]);
  assertEquals(client.stats.retries.serverError, 2);
});

Deno.test("GenesysClient retries 408, 500 and 502 with backoff", async () => {
  const statuses = [408, 500, 502];
  const { client, fake } = makeClient((call) =>
    call.n <= statuses.length
      ? genesysError(statuses[call.n - 1], "x", "Transient")
      : Response.json({ done: true })
  );
  assertEquals(await client.request("GET", "/api/v2/users"), { done: true });
  assertEquals(fake.apiRequests.length, 4);
});

Deno.test("GenesysClient retries 429s by time, not attempts, and says for how long once the budget is spent", async () => {
  const { client, fake, clock } = makeClient(
    () => genesysError(429, "too.many.requests.retry.after", "Busy", { "Retry-After": "1" }),
    { retry: { maxAttempts: 2, rateLimitBudget: 2500 } },
  );
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), RateLimitError);
  // maxAttempts 2 does not count 429s: at 0, 1 and 2 s; the next wait would end past 2.5 s.
  assertEquals(fake.apiRequests.length, 3);
  assertEquals(clock.sleeps, [1000, 1000]);
  assertEquals(error.retryAfterMs, 1000);
  assertEquals(error.serverMessage, "Busy");
  assert.match(
    error.message,
    /^GET \/api\/v2\/users met 429s for 2s \(3 in a row, the last asking to wait 1s\): the rate-limit budget of 3s per request is spent/,
  );
});

Deno.test("GenesysClient rides out 75 s of Retry-After: 1 within the default budget", async () => {
  const { client, fake, clock } = makeClient(({ n }) =>
    n <= 75
      ? genesysError(429, "too.many.requests.retry.after", "Busy", { "Retry-After": "1" })
      : Response.json({ done: true })
  );
  assertEquals(await client.request("GET", "/api/v2/users"), { done: true });
  assertEquals(fake.apiRequests.length, 76);
  assertEquals(clock.sleeps.reduce((a, b) => a + b, 0), 75_000);
});

Deno.test("GenesysClient honours Retry-After on 502, 503 and 504, capped by maxRetryAfter", async () => {
  for (const status of [502, 503, 504]) {
    let n = 0;
    const { client, clock } = makeClient(() =>
      ++n === 1
        ? genesysError(status, "service.unavailable", "Down", { "Retry-After": "5" })
        : Response.json({})
    );
    await client.request("GET", "/api/v2/users");
    assertEquals(clock.sleeps, [5000], `status ${status}`);
  }
  const { client } = makeClient(
    () => genesysError(503, "service.unavailable", "Down", { "Retry-After": "600" }),
  );
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), RateLimitError);
  assert.match(error.message, /GET \/api\/v2\/users answered 503: the server asked to wait 600 s/);
});

Deno.test("GenesysClient retries a POST only when idempotent, except 429", async () => {
  const down = makeClient(() => genesysError(503, "service.unavailable", "Down"));
  await assertRejects(() => down.client.request("POST", "/api/v2/jobs", { body: {} }), ApiError);
  assertEquals(down.fake.apiRequests.length, 1);

  const query = makeClient((call) =>
    call.n === 1 ? genesysError(503, "service.unavailable", "Down") : Response.json({ ok: 1 })
  );
  await query.client.request("POST", "/api/v2/query", { body: {}, idempotent: true });
  assertEquals(query.fake.apiRequests.length, 2);

  const limited = makeClient((call) =>
    call.n === 1
      ? genesysError(429, "too.many.requests.retry.after", "Busy", { "Retry-After": "1" })
      : Response.json({ jobId: "j" })
  );
  assertEquals(await limited.client.request("POST", "/api/v2/jobs", { body: {} }), { jobId: "j" });
  assertEquals(limited.fake.apiRequests.length, 2);
});

Deno.test("GenesysClient retries network errors and throws NetworkError when they persist", async () => {
  const flaky = makeClient((call) => {
    if (call.n === 1) throw new TypeError("connection reset");
    return Response.json({ ok: 1 });
  });
  assertEquals(await flaky.client.request("GET", "/api/v2/users"), { ok: 1 });
  assertEquals(flaky.client.stats.retries.network, 1);

  const dead = makeClient(() => {
    throw new TypeError("connection refused");
  }, { retry: { maxAttempts: 3 } });
  const error = await assertRejects(
    () => dead.client.request("GET", "/api/v2/users"),
    NetworkError,
  );
  assertEquals(error.kind, "network");
  assertEquals(error.request, "GET /api/v2/users");
  assert.match(error.message, /connection refused/);
  assertEquals(dead.fake.apiRequests.length, 3);
});

Deno.test("GenesysClient retries a malformed or truncated 2xx body", async () => {
  const { client, fake } = makeClient((call) =>
    call.n === 1
      ? new Response('{"entities":[{"id":"u1"', { headers: { "content-type": "application/json" } })
      : Response.json({ entities: [] })
  );
  assertEquals(await client.request("GET", "/api/v2/users"), { entities: [] });
  assertEquals(fake.apiRequests.length, 2);
  assertEquals(client.stats.retries.network, 1);
});

Deno.test("GenesysClient times out a hanging attempt and retries it", async () => {
  let calls = 0;
  const { client } = clientOnFetch(
    (init) => ++calls === 1 ? hang(init) : Promise.resolve(Response.json({ ok: 2 })),
    { clock: { random: () => 0 }, timeoutMs: 20 },
  );
  assertEquals(await client.request("GET", "/api/v2/users"), { ok: 2 });
  assertEquals(calls, 2);
  assertEquals(client.stats.retries.timeout, 1);
});

Deno.test("GenesysClient ends a wait at once when the caller aborts", async () => {
  const controller = new AbortController();
  const { client, fake } = makeClient(
    () => genesysError(429, "too.many.requests.retry.after", "Busy", { "Retry-After": "120" }),
    {
      clock: { sleep: undefined },
      onEvent: (event) => event.type === "retry" && controller.abort(new Error("Stopped by user")),
    },
  );
  await assertRejects(
    () => client.request("GET", "/api/v2/users", { signal: controller.signal }),
    Error,
    "Stopped by user",
  );
  assertEquals(fake.apiRequests.length, 1);
});

Deno.test("GenesysClient accepts full URLs only on its own API origin", async () => {
  const { client, fake } = makeClient((call) => Response.json({ path: call.path }));
  assertEquals(
    await client.request("GET", `${BASE}/api/v2/users?pageNumber=3`),
    { path: "/api/v2/users?pageNumber=3" },
  );
  for (
    const bad of ["https://evil.example/api/v2/users", "//evil.example/x", "http://127.0.0.1:10/x"]
  ) {
    await assertRejects(() => client.request("GET", bad), UsageError, "Refusing to send the token");
  }
  assertEquals(fake.apiRequests.length, 1);
});

Deno.test("GenesysClient sends every path where the URL parser puts it, and no path off its origin", async () => {
  const urls: string[] = [];
  const client = new GenesysClient({
    region: BASE,
    clientId: "id",
    clientSecret: SECRET,
    fetch: (input) => {
      const url = String(input instanceof Request ? input.url : input);
      if (new URL(url).pathname === "/oauth/token") {
        return Promise.resolve(Response.json({ access_token: "tok-raw", expires_in: 3600 }));
      }
      urls.push(url);
      return Promise.resolve(Response.json({}));
    },
  });
  // Paths taken as they are (the usual ones) and paths the parser rewrites: both must reach
  // exactly what `new URL(path, origin)` names, without a fragment.
  const paths = [
    "/api/v2/users?pageSize=100&pageNumber=2",
    "/api/v2/analytics/conversations/details/query",
    "/",
    "/api/v2/users?",
    "/api//v2/users?a=1&&b=%41%zz",
    "/api/v2/./users?x=/../y",
    "/api/v2/a/../users",
    "/api/v2/%2e%2E/users",
    "/api/v2/users?name=O'Brien&q=a b",
    "/api/v2/users#top",
    '/api/v2/{x}/^`/users?q="<>"',
    "/api/v2/\tusers",
    "/api/v2/usérs?q=é",
    "api/v2/users?pageNumber=1",
  ];
  for (const path of paths) {
    await client.request("GET", path);
    const expected = new URL(path.startsWith("/") ? path : `/${path}`, BASE);
    expected.hash = "";
    assertEquals(urls.at(-1), expected.href, path);
  }
  for (const bad of ["/\\evil.example/x", "/\t/evil.example/x", "/\n/evil.example/x"]) {
    await assertRejects(() => client.request("GET", bad), UsageError, "Refusing to send the token");
  }
  assertEquals(urls.length, paths.length);
});

Deno.test("GenesysClient records the last 429: its wait and the limit its body names", async () => {
  let n = 0;
  const { client } = makeClient(() =>
    ++n === 1
      ? Response.json({
        message: "Rate limit exceeded the maximum. Retry the request in [3] seconds",
        code: "too.many.requests.retry.after",
        status: 429,
        limit: { key: "user.rate.per.minute", namespace: "directory", value: 180 },
      }, { status: 429 })
      : Response.json({})
  );
  await client.request("GET", "/api/v2/users/0d9ef7a3-ff2c-4a4e-8d5c-2f1b5c2a8d11");
  const last = client.stats.rateLimit;
  assertEquals(last?.request, "GET /api/v2/users/0d9ef7a3-ff2c-4a4e-8d5c-2f1b5c2a8d11");
  assertEquals(last?.retryAfterMs, 3000);
  assertEquals(last?.limit, { key: "user.rate.per.minute", namespace: "directory", value: 180 });
  // The named limit is kept for the route that met it, at the stated 180 per minute.
  const limits = client.stats.pacer?.limits ?? [];
  assertEquals(limits.map((l) => [l.key, l.statedPerMinute]), [
    ["token", undefined],
    ["directory/user.rate.per.minute", 180],
  ]);
});

Deno.test("GenesysClient calls beforeRequest before every HTTP request", async () => {
  const seen: string[] = [];
  const { client } = makeClient(
    (call) => call.n === 1 ? genesysError(503, "x", "Down") : Response.json({}),
    { beforeRequest: (r) => void seen.push(`${r.method} ${r.path} #${r.attempt}`) },
  );
  await client.request("GET", "/api/v2/users");
  assertEquals(seen, ["GET /api/v2/users #1", "GET /api/v2/users #2"]);
});

Deno.test("GenesysClient never follows a redirect with the token", async () => {
  const { client, inits } = clientOnFetch(() =>
    Promise.resolve(
      new Response(null, { status: 302, headers: { Location: "https://elsewhere.example/x" } }),
    )
  );
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), ApiError);
  assertEquals(error.status, 302);
  assertEquals(inits.map((init) => init?.redirect), ["manual", "manual"]);
});

Deno.test("GenesysClient ends an attempt still in flight at the deadline with a DeadlineError", async () => {
  const { client, clock } = clientOnFetch(hang);
  const error = await assertRejects(
    () => client.request("GET", "/api/v2/users", { deadline: clock.now() + 20 }),
    DeadlineError,
  );
  assert.match(error.message, /Deadline reached while GET \/api\/v2\/users was in flight/);
  assertEquals(client.stats.requests, 1);
});
