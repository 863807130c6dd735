import { assert, assertEquals, assertRejects } from "../../tests/_assert.ts";
import { genesysError } from "../../tests/_fake_genesys.ts";
import { BASE, makeClient, SECRET } from "../../tests/_client_fixture.ts";
import { GenesysClient } from "./genesys_client.ts";
import type { GenesysClientOptions } from "./client_options.ts";
import { ApiError, AuthError, UsageError } from "../errors.ts";

Deno.test("GenesysClient retries a 401 once at once with a fresh token", async () => {
  const { client, fake, clock } = makeClient((call) =>
    call.n === 1
      ? genesysError(401, "authentication.required", "No auth")
      : Response.json({ ok: 1 })
  );
  assertEquals(await client.request("GET", "/api/v2/users"), { ok: 1 });
  assertEquals(fake.tokenRequests.length, 2);
  assertEquals(fake.apiRequests.map((c) => c.token), fake.issued);
  assertEquals(clock.sleeps, []);
  assertEquals(client.stats.retries.unauthorized, 1);
});

Deno.test("GenesysClient turns a 401 for a fresh token into an AuthError naming the cause", async () => {
  const { client, fake } = makeClient(() =>
    genesysError(401, "bad.credentials", "Invalid login credentials", {
      "ININ-Correlation-Id": "corr-401",
    })
  );
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), AuthError);
  assertEquals(fake.apiRequests.length, 2);
  assertEquals(fake.tokenRequests.length, 2);
  assertEquals(error.status, 401);
  assertEquals(error.code, "bad.credentials");
  assertEquals(error.correlationId, "corr-401");
  assert.match(error.message, /again with a newly issued token/);
  assert.match(error.message, /same region/);
});

Deno.test("GenesysClient refreshes again when a token that worked dies later in the same request", async () => {
  // Token 1 is refused (revoked); token 2 answers 503, then dies before the retry (HIPAA idle
  // timeout): a token that worked is not "refused", so the request gets a third token.
  const { client, fake, clock } = makeClient((call) => {
    if (call.n === 1) return genesysError(401, "credentials.expired", "Expired");
    if (call.n === 2) return genesysError(503, "service.unavailable", "Down");
    if (call.n === 3) return genesysError(401, "credentials.expired", "Expired");
    return Response.json({ n: call.n });
  });
  assertEquals(await client.request("GET", "/api/v2/users"), { n: 4 });
  assertEquals(fake.tokenRequests.length, 3);
  assertEquals(fake.apiRequests.map((c) => c.token), [
    fake.issued[0],
    fake.issued[1],
    fake.issued[1],
    fake.issued[2],
  ]);
  assertEquals(client.stats.retries.unauthorized, 2);
  assertEquals(clock.sleeps, [1000]);
});

Deno.test("GenesysClient needs a region and credentials", () => {
  assert.throws(
    () => new GenesysClient({ clientId: "a", clientSecret: "b" }),
    (e: unknown) => e instanceof UsageError && /Region is missing/.test(e.message),
  );
  assert.throws(
    () => new GenesysClient({ region: "mypurecloud.ie", clientId: "a" }),
    (e: unknown) => e instanceof UsageError && /Client secret is empty/.test(e.message),
  );
});

Deno.test("GenesysClient: 50 concurrent requests meeting a revoked token share one token request", async () => {
  let revoked = "";
  const { client, fake } = makeClient((call) =>
    call.token === revoked
      ? genesysError(401, "bad.credentials", "Invalid login credentials.")
      : Response.json({ n: call.n })
  );
  await client.request("GET", "/api/v2/users");
  revoked = fake.issued[0];
  const results = await Promise.all(
    Array.from({ length: 50 }, () => client.request("GET", "/api/v2/users")),
  );
  assertEquals(results.length, 50);
  assertEquals(fake.tokenRequests.length, 2);
  assertEquals(client.stats.retries.unauthorized, 50);
});

Deno.test("GenesysClient rejects out-of-range options, naming them as they are nested", () => {
  const base = { region: BASE, clientId: "id", clientSecret: SECRET };
  const cases: [Partial<GenesysClientOptions>, string][] = [
    [{ timeoutMs: 0 }, "timeoutMs"],
    [{ retry: { maxAttempts: 0 } }, "retry.maxAttempts"],
    [{ retry: { maxAttempts: 2.5 } }, "retry.maxAttempts"],
    [{ retry: { minTimeout: -1 } }, "retry.minTimeout"],
    [{ retry: { maxTimeout: 0 } }, "retry.maxTimeout"],
    [{ retry: { minTimeout: 5000, maxTimeout: 1000 } }, "retry.minTimeout"],
    [{ retry: { multiplier: 0.5 } }, "retry.multiplier"],
    [{ retry: { jitter: 2 } }, "retry.jitter"],
    [{ retry: { maxRetryAfter: -5 } }, "retry.maxRetryAfter"],
    [{ retry: { rateLimitBudget: -1 } }, "retry.rateLimitBudget"],
  ];
  for (const [bad, name] of cases) {
    assert.throws(
      () => new GenesysClient({ ...base, ...bad }),
      (e: unknown) => e instanceof UsageError && e.message.startsWith(`Option '${name}' `),
      JSON.stringify(bad),
    );
  }
});

Deno.test("GenesysClient never shows the secret or tokens when inspected or serialized", async () => {
  const { client, fake } = makeClient(() => Response.json({}));
  await client.request("GET", "/api/v2/users");
  const token = fake.issued[0];
  for (
    const output of [
      Deno.inspect(client, { depth: 10, showHidden: true }),
      JSON.stringify(client),
      String(client),
      Deno.inspect(client.tokenManager, { depth: 10, showHidden: true }),
    ]
  ) {
    assert.ok(!output.includes(SECRET), output);
    assert.ok(!output.includes(token), output);
  }
  assert.match(Deno.inspect(client), /GenesysClient/);
});

Deno.test("GenesysClient scrubs a token the server echoes in an error body", async () => {
  const { client, fake } = makeClient((call) =>
    Response.json(
      { message: `Token ${call.token} lacks a permission`, code: "missing.permissions" },
      { status: 403 },
    )
  );
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), ApiError);
  const token = fake.issued[0];
  assertEquals(error.serverMessage, "Token [redacted] lacks a permission");
  for (
    const output of [error.message, Deno.inspect(error, { depth: 10 }), JSON.stringify(error.body)]
  ) {
    assert.ok(!output.includes(token), output);
  }
});

Deno.test("GenesysClient bounds the 401s of one request even when every token worked once", async () => {
  const uses = new Map<string, number>();
  const { client, fake } = makeClient((call) => {
    const n = (uses.get(call.token!) ?? 0) + 1;
    uses.set(call.token!, n);
    return n === 1
      ? genesysError(503, "service.unavailable", "Down")
      : genesysError(401, "credentials.expired", "Expired");
  });
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), AuthError);
  assertEquals(error.status, 401);
  assertEquals(fake.tokenRequests.length, 4);
  assertEquals(fake.apiRequests.length, 8);
});

Deno.test("GenesysClient: 50 concurrent requests against an API refusing every token end in AuthError with few token requests", async () => {
  const { client, fake } = makeClient(() =>
    genesysError(401, "bad.credentials", "Invalid login credentials.")
  );
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, () => client.request("GET", "/api/v2/users")),
  );
  assert.ok(results.every((r) => r.status === "rejected" && r.reason instanceof AuthError));
  assert.ok(fake.tokenRequests.length <= 4, `${fake.tokenRequests.length} token requests`);
  assert.ok(fake.apiRequests.length <= 50 * 4);
});

Deno.test("GenesysClient does not multiply the token manager's retries when the token endpoint is down", async () => {
  const { client, fake } = makeClient(() => Response.json({ ok: 1 }), {
    retry: { maxAttempts: 10 },
  }, {
    token: () => genesysError(503, "service.unavailable", "Down"),
  });
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), ApiError);
  assertEquals(error.status, 503);
  assertEquals(fake.tokenRequests.length, 8);
  assertEquals(fake.apiRequests.length, 0);
});
