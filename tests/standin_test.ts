/**
 * The client against an independent Genesys Cloud stand-in (tests/_standin.ts) that follows
 * genesys-api.md, not our simulator: token, auth, rate limit, error-body and transport
 * variations. The sources' variations are in standin_sources_test.ts.
 */
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import {
  Clock,
  errorBody,
  errorResponse,
  RAW,
  serveStandIn,
  StandIn,
  standInClient,
  type StandInOptions,
  tooManyRequests,
} from "./_standin.ts";
import { GenesysClient } from "../lib/client/genesys_client.ts";
import type { GenesysClientOptions } from "../lib/client/client_options.ts";
import { ApiError, AuthError, RateLimitError } from "../lib/errors.ts";

const SECRET = "st+cl/ient=se:cret-42";

function setup(options: StandInOptions = {}, extra: Partial<GenesysClientOptions> = {}) {
  return standInClient({ clientSecret: SECRET, ...options }, extra);
}

const ok = (body: unknown = { ok: true }) => () => Response.json(body);

/** A route answering the scripted responses in turn, then 200 `{ok: true}`. */
function script(...responses: (() => Response)[]) {
  let n = 0;
  return () => (responses[n++] ?? ok())();
}

// ---------------------------------------------------------------------------------------------
// Token requests and hosts

const regionNames = ["eu-west-1", "mypurecloud.ie", "eu_west_1", "api.mypurecloud.ie"];
// URLs of the environment too (before 11: the token request went to the URL's own host).
const regionUrls = [
  "https://api.mypurecloud.ie",
  "https://login.mypurecloud.ie/",
  "https://mypurecloud.ie",
];
for (const region of [...regionNames, ...regionUrls]) {
  Deno.test(`Stand-in: region '${region}' sends the documented token request to login.mypurecloud.ie and API calls to api.mypurecloud.ie`, async () => {
    const { standIn, client } = setup({}, { region });
    standIn.on("GET", "/api/v2/users", ok({ entities: [] }));
    assertEquals(await client.request("GET", "/api/v2/users", { query: { pageSize: 2 } }), {
      entities: [],
    });
    const [token] = standIn.tokenRequests;
    assertEquals(token.url.href, "https://login.mypurecloud.ie/oauth/token");
    assertEquals(token.method, "POST");
    assertEquals(token.headers.get("authorization"), `Basic ${btoa(`standin-client:${SECRET}`)}`);
    assertEquals(token.headers.get("content-type"), "application/x-www-form-urlencoded");
    assertEquals(token.body, "grant_type=client_credentials");
    const [api] = standIn.apiRequests;
    assertEquals(api.url.href, "https://api.mypurecloud.ie/api/v2/users?pageSize=2");
    assertEquals(api.headers.get("authorization"), `Bearer ${standIn.issued[0]}`);
    assert.match(api.headers.get("accept-encoding") ?? "", /gzip/);
    assertEquals(api.status, 200);
  });
}

const tokenVariants: [string, Record<string, unknown>][] = [
  ["token_type 'bearer'", { token_type: "bearer" }],
  ["token_type 'Bearer'", { token_type: "Bearer" }],
  ["no token_type", { token_type: undefined }],
  ["extra fields", { scope: "analytics:readonly", org_id: "o-1", issued_at: 1, nested: { a: 1 } }],
];
for (const [name, fields] of tokenVariants) {
  Deno.test(`Stand-in: a token response with ${name} gives 'Authorization: Bearer <token>'`, async () => {
    const { standIn, client } = setup({ tokenFields: fields });
    standIn.on("GET", "/api/v2/users/me", ok());
    await client.request("GET", "/api/v2/users/me");
    assertEquals(
      standIn.apiRequests[0].headers.get("authorization"),
      `Bearer ${standIn.issued[0]}`,
    );
    assertEquals(standIn.tokenRequests.length, 1);
  });
}

for (const expiresIn of [300, "300"]) {
  Deno.test(`Stand-in: expires_in ${JSON.stringify(expiresIn)} s is read, and tokens are renewed before they expire (no 401 over 20 minutes)`, async () => {
    const { standIn, client, clock } = setup({
      expiresIn: 300,
      tokenFields: { expires_in: expiresIn },
    });
    standIn.on("GET", "/api/v2/users/me", ok());
    for (let minute = 0; minute <= 20; minute++) {
      await client.request("GET", "/api/v2/users/me");
      clock.advance(60_000);
    }
    assertEquals(standIn.apiRequests.filter((r) => r.status === 401).length, 0);
    // Renewed at 80 % (240 s): at minutes 0, 4, 8, 12, 16, 20.
    assertEquals(standIn.tokenRequests.length, 6);
  });
}

for (const status of [400, 401]) {
  Deno.test(`Stand-in: invalid_client with status ${status} is an AuthError at once, naming the region`, async () => {
    const { standIn, client } = setup({
      tokenOverride: () =>
        Response.json({
          error: "invalid_client",
          description: "authentication failed",
          error_description: "authentication failed",
        }, { status }),
    });
    const error = await assertRejects(() => client.request("GET", "/api/v2/users"), AuthError);
    assertEquals(standIn.tokenRequests.length, 1);
    assertEquals(standIn.apiRequests.length, 0);
    assertEquals(error.status, status);
    assertEquals(error.code, "invalid_client");
    assert.match(error.message, /'eu-west-1'/);
    assert.match(error.message, /authentication failed/);
    assert.match(error.message, /another region/);
    assert.ok(!error.message.includes(SECRET));
  });
}

Deno.test("Stand-in: wrong credentials against the real token endpoint are refused once", async () => {
  const { standIn, client } = setup({ clientSecret: "another-secret" }, { clientSecret: SECRET });
  await assertRejects(() => client.request("GET", "/api/v2/users"), AuthError, "another region");
  assertEquals(standIn.tokenRequests.length, 1);
});

Deno.test("Stand-in: a token endpoint 429 with Retry-After is waited, then the token comes", async () => {
  const { standIn, client, clock } = setup({
    tokenOverride: (_seen, n) =>
      n === 1
        ? Response.json(tooManyRequests(7), { status: 429, headers: { "Retry-After": "7" } })
        : undefined,
  });
  standIn.on("GET", "/api/v2/users/me", ok());
  await client.request("GET", "/api/v2/users/me");
  assertEquals(standIn.tokenRequests.length, 2);
  assertEquals(clock.slept, [7000]);
});

Deno.test("Stand-in: a token endpoint 429 asking for hours fails at once with a RateLimitError", async () => {
  const { standIn, client } = setup({
    tokenOverride: () =>
      Response.json(tooManyRequests(7200), { status: 429, headers: { "Retry-After": "7200" } }),
  });
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), RateLimitError);
  assertEquals(standIn.tokenRequests.length, 1);
  assertEquals(error.retryAfterMs, 7_200_000);
  assert.match(error.message, /7200 s/);
});

Deno.test("Stand-in: a token endpoint 5xx with an HTML body is retried with backoff", async () => {
  const html = "<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n</html>";
  const { standIn, client, clock } = setup({
    tokenOverride: (_seen, n) =>
      n <= 2
        ? new Response(html, { status: 503, headers: { "Content-Type": "text/html" } })
        : undefined,
  });
  standIn.on("GET", "/api/v2/users/me", ok());
  await client.request("GET", "/api/v2/users/me");
  assertEquals(standIn.tokenRequests.length, 3);
  assertEquals(clock.slept.length, 2);
});

Deno.test("Stand-in: a token endpoint that stays 502 ends in one ApiError after its attempts", async () => {
  const { standIn, client } = setup({
    tokenOverride: () => new Response("<html><body>Bad gateway</body></html>", { status: 502 }),
  });
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), ApiError);
  assertEquals(error.status, 502);
  assertEquals(standIn.tokenRequests.length, 8); // the token manager's attempts, not 8 × 10
  assert.ok(!error.message.includes("\n"));
});

Deno.test("Stand-in: a token killed by the HIPAA idle timeout costs exactly one refresh and one retry", async () => {
  const { standIn, client, clock } = setup({ idleMs: 15 * 60_000 });
  standIn.on("GET", "/api/v2/users/me", ok());
  await client.request("GET", "/api/v2/users/me");
  clock.advance(16 * 60_000); // idle: the token dies long before its expires_in of 24 h
  await client.request("GET", "/api/v2/users/me");
  await client.request("GET", "/api/v2/users/me");
  assertEquals(standIn.tokenRequests.length, 2);
  assertEquals(standIn.apiRequests.map((r) => r.status), [200, 401, 200, 200]);
  assertEquals(standIn.apiRequests.map((r) => r.token), [
    standIn.issued[0],
    standIn.issued[0],
    standIn.issued[1],
    standIn.issued[1],
  ]);
  assertEquals(clock.slept, []); // a 401 is retried at once
});

Deno.test("Stand-in: 20 concurrent requests meeting a revoked token share one refresh", async () => {
  const { standIn, client } = setup();
  standIn.on("GET", "/api/v2/users/me", ok());
  await client.request("GET", "/api/v2/users/me");
  standIn.revoke(standIn.issued[0]);
  await Promise.all(Array.from({ length: 20 }, () => client.request("GET", "/api/v2/users/me")));
  assertEquals(standIn.tokenRequests.length, 2);
  assertEquals(standIn.apiRequests.filter((r) => r.status === 200).length, 21);
});

Deno.test("Stand-in: an OAuth client deleted mid-run ends the run at the next refresh with one AuthError", async () => {
  let deleted = false;
  const { standIn, client } = setup({
    tokenOverride: () =>
      deleted
        ? Response.json({
          error: "invalid_client",
          description: "authentication failed",
          error_description: "authentication failed",
        }, { status: 401 })
        : undefined,
  });
  standIn.on("GET", "/api/v2/users/me", ok());
  await client.request("GET", "/api/v2/users/me");
  deleted = true;
  standIn.revoke(standIn.issued[0]);
  await assertRejects(() => client.request("GET", "/api/v2/users/me"), AuthError, "invalid_client");
  assertEquals(standIn.apiRequests.map((r) => r.status), [200, 401]);
  assertEquals(standIn.tokenRequests.length, 2);
});

// ---------------------------------------------------------------------------------------------
// 429 and Retry-After

function limited(headers: Record<string, string>, body: unknown = tooManyRequests(3)) {
  return () => Response.json(body, { status: 429, headers: { [RAW]: "1", ...headers } });
}

Deno.test("Stand-in: 429 with only Retry-After (seconds) waits that long", async () => {
  const { standIn, client, clock } = setup();
  standIn.on("GET", "/api/v2/users", script(limited({ "Retry-After": "3" })));
  await client.request("GET", "/api/v2/users");
  assertEquals(clock.slept, [3000]);
  assertEquals(standIn.apiRequests.map((r) => r.status), [429, 200]);
});

Deno.test("Stand-in: Retry-After wins over inin-ratelimit-reset on a 429", async () => {
  const { standIn, client, clock } = setup();
  standIn.on(
    "GET",
    "/api/v2/users",
    script(limited({ "Retry-After": "2", "inin-ratelimit-reset": "50" })),
  );
  await client.request("GET", "/api/v2/users");
  assertEquals(clock.slept, [2000]);
});

Deno.test("Stand-in: 429 with an HTTP-date Retry-After waits until that date", async () => {
  const { standIn, client, clock } = setup();
  const at = new Date(clock.now() + 5000).toUTCString();
  standIn.on("GET", "/api/v2/users", script(limited({ "Retry-After": at })));
  await client.request("GET", "/api/v2/users");
  assertEquals(clock.slept, [5000]);
});

Deno.test("Stand-in: 429 without Retry-After but with inin-ratelimit-reset waits the reset", async () => {
  const { standIn, client, clock } = setup();
  standIn.on(
    "GET",
    "/api/v2/users",
    script(limited({ "inin-ratelimit-reset": "4" }, { status: 429 })),
  );
  await client.request("GET", "/api/v2/users");
  assertEquals(clock.slept, [4000]);
});

Deno.test("Stand-in: 429 with no hint at all backs off and retries", async () => {
  const { standIn, client, clock } = setup();
  standIn.on("GET", "/api/v2/users", script(limited({}, { status: 429 })));
  await client.request("GET", "/api/v2/users");
  assertEquals(standIn.apiRequests.map((r) => r.status), [429, 200]);
  const waited = clock.slept.reduce((a, b) => a + b, 0);
  assert.ok(waited > 0 && waited <= 2000, `waited ${waited} ms`);
});

Deno.test("Stand-in: 429 whose only hint is the documented body message waits what it says", async () => {
  const { standIn, client, clock } = setup();
  standIn.on("GET", "/api/v2/users", script(limited({}, tooManyRequests(42))));
  await client.request("GET", "/api/v2/users");
  assertEquals(clock.slept, [42_000]);
});

Deno.test("Stand-in: 429s that outlast the rate-limit budget give a RateLimitError with the body's code and correlation id", async () => {
  const { standIn, client } = setup({}, { retry: { rateLimitBudget: 2000 } });
  standIn.on(
    "GET",
    "/api/v2/users",
    () =>
      Response.json(tooManyRequests(1, "ctx-9"), {
        status: 429,
        headers: { "Retry-After": "1", "inin-correlation-id": "corr-429" },
      }),
  );
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), RateLimitError);
  assertEquals(standIn.apiRequests.length, 3);
  assertEquals(error.code, "too.many.requests.retry.after");
  assertEquals(error.correlationId, "corr-429");
  assert.match(error.serverMessage ?? "", /Retry the request in \[1\] seconds/);
});

Deno.test("Stand-in: a 429 asking for hours (a daily quota) fails at once saying how long", async () => {
  const { standIn, client, clock } = setup();
  standIn.on("GET", "/api/v2/users", limited({ "Retry-After": "10800" }, tooManyRequests(10800)));
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), RateLimitError);
  assertEquals(standIn.apiRequests.length, 1);
  assertEquals(error.retryAfterMs, 10_800_000);
  assert.match(error.message, /10800 s/);
  assert.match(error.message, /maxRetryAfter/);
  assertEquals(clock.slept, []);
});

Deno.test("Stand-in: the pacer learns a window limit of 10 from its first 429: 35 requests, at most 3 429s", async () => {
  const { standIn, client } = setup({ allowed: 10, enforceLimit: true });
  standIn.on("GET", "/api/v2/users/me", ok());
  for (let i = 0; i < 35; i++) await client.request("GET", "/api/v2/users/me");
  const limited = standIn.apiRequests.filter((r) => r.status === 429).length;
  assert.ok(limited >= 1 && limited <= 3, `${limited} 429s`);
  assertEquals(standIn.apiRequests.length, 35 + limited);
});

// ---------------------------------------------------------------------------------------------
// Error bodies and empty bodies

Deno.test("Stand-in: a 400 with every documented error field becomes an ApiError that keeps them", async () => {
  const body = errorBody(400, "invalid.value", "Value [x] is not valid for field [pageSize]", {
    contextId: "ctx-abc",
    messageWithParams: "Value [{value}] is not valid for field [{field}]",
    messageParams: { value: "x", field: "pageSize" },
    details: [{ errorCode: "invalid.value", fieldName: "pageSize", entityId: "e1" }],
    errors: [{ message: "nested", code: "nested.code", status: 400 }],
    limit: { key: "k", namespace: "ns", value: 10 },
  });
  const { standIn, client } = setup();
  standIn.on("GET", "/api/v2/users", () => Response.json(body, { status: 400 }));
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), ApiError);
  assertEquals(standIn.apiRequests.length, 1);
  assertEquals(error.status, 400);
  assertEquals(error.code, "invalid.value");
  assertEquals(error.serverMessage, "Value [x] is not valid for field [pageSize]");
  assertEquals(error.contextId, "ctx-abc");
  assertEquals(error.correlationId, "corr-1"); // the inin-correlation-id header
  assertEquals(error.body, body);
  assert.match(error.message, /GET \/api\/v2\/users answered 400 'invalid.value'/);
  assert.match(error.message, /correlation id 'corr-1'/);
});

for (const name of ["ININ-Correlation-Id", "inin-correlation-id", "Inin-Correlation-ID"]) {
  Deno.test(`Stand-in: the correlation id is read from '${name}'`, async () => {
    const { standIn, client } = setup();
    standIn.on(
      "GET",
      "/api/v2/users",
      () => errorResponse(404, "not.found", "Not found", { [RAW]: "1", [name]: "corr-xyz" }),
    );
    const error = await assertRejects(() => client.request("GET", "/api/v2/users"), ApiError);
    assertEquals(error.correlationId, "corr-xyz");
    assertEquals(error.contextId, "ctx-404-not.found");
  });
}

Deno.test("Stand-in: without the header, the correlation id is the body's contextId", async () => {
  const { standIn, client } = setup();
  standIn.on(
    "GET",
    "/api/v2/users",
    () => errorResponse(403, "missing.permissions", "Missing permission", { [RAW]: "1" }),
  );
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), ApiError);
  assertEquals(standIn.apiRequests.length, 1); // 403 is not retried
  assertEquals(error.correlationId, "ctx-403-missing.permissions");
});

Deno.test("Stand-in: a body with messageWithParams but no message still gives the server's words", async () => {
  const { standIn, client } = setup();
  standIn.on("GET", "/api/v2/users", () =>
    Response.json({
      code: "invalid.value",
      status: 400,
      messageWithParams: "Value [{value}] is not valid for field [{field}]",
      messageParams: { value: "-1", field: "pageNumber" },
      details: [],
      errors: [],
    }, { status: 400 }));
  const error = await assertRejects(() => client.request("GET", "/api/v2/users"), ApiError);
  assertEquals(error.serverMessage, "Value [-1] is not valid for field [pageNumber]");
});

Deno.test("Stand-in: a non-JSON 502 is retried; a non-JSON 404 is an ApiError with the text", async () => {
  const { standIn, client } = setup();
  standIn.on(
    "GET",
    "/api/v2/users",
    script(() => new Response("<html><body>502 Bad Gateway</body></html>", { status: 502 })),
  );
  standIn.on(
    "GET",
    "/api/v2/groups",
    () => new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain" } }),
  );
  assertEquals(await client.request("GET", "/api/v2/users"), { ok: true });
  const error = await assertRejects(() => client.request("GET", "/api/v2/groups"), ApiError);
  assertEquals(error.status, 404);
  assertEquals(error.serverMessage, "Not Found");
  assertEquals(error.code, undefined);
});

Deno.test("Stand-in: empty error bodies: 404 is an ApiError, 500 is retried", async () => {
  const { standIn, client } = setup();
  standIn.on("GET", "/api/v2/users", script(() => new Response(null, { status: 500 })));
  standIn.on("GET", "/api/v2/groups", () => new Response(null, { status: 404 }));
  assertEquals(await client.request("GET", "/api/v2/users"), { ok: true });
  const error = await assertRejects(() => client.request("GET", "/api/v2/groups"), ApiError);
  assertEquals(error.message, "GET /api/v2/groups answered 404: correlation id 'corr-3'");
});

for (const status of [200, 202, 204]) {
  Deno.test(`Stand-in: a ${status} with no body gives undefined`, async () => {
    const { standIn, client } = setup();
    standIn.on("DELETE", "/api/v2/users/u1", () => new Response(null, { status }));
    const response = await client.requestWithResponse("DELETE", "/api/v2/users/u1");
    assertEquals(response.status, status);
    assertEquals(response.data, undefined);
  });
}

// ---------------------------------------------------------------------------------------------
// Over the wire: gzip, exact headers

async function gzip(response: Response): Promise<Response> {
  if (response.body === null) return response;
  const compressed = await new Response(
    response.body.pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  const headers = new Headers(response.headers);
  headers.set("Content-Encoding", "gzip");
  headers.delete("Content-Length");
  return new Response(compressed, { status: response.status, headers });
}

Deno.test("Stand-in over HTTP: gzip-encoded tokens, pages and errors are read; the token request is exact on the wire", async () => {
  const clock = new Clock();
  const standIn = new StandIn({ clock, clientSecret: SECRET });
  const users = Array.from({ length: 120 }, (_, i) => ({ id: `u${i}`, name: `User ${i}` }));
  standIn.on("GET", "/api/v2/users", () => Response.json({ entities: users, pageCount: 1 }));
  standIn.on("GET", "/api/v2/groups", () => errorResponse(400, "bad.request", "Nope"));
  const server = serveStandIn(standIn, gzip);
  try {
    const client = new GenesysClient({
      region: server.base,
      clientId: standIn.clientId,
      clientSecret: SECRET,
      clock: { now: clock.now, sleep: clock.sleep },
    });
    const page = await client.request<{ entities: unknown[] }>("GET", "/api/v2/users");
    assertEquals(page.entities, users);
    const error = await assertRejects(() => client.request("GET", "/api/v2/groups"), ApiError);
    assertEquals(error.code, "bad.request");
    const [token] = standIn.tokenRequests;
    assertEquals(token.headers.get("content-type"), "application/x-www-form-urlencoded");
    assertEquals(token.body, "grant_type=client_credentials");
    assertEquals(token.headers.get("authorization"), `Basic ${btoa(`standin-client:${SECRET}`)}`);
    for (const api of standIn.apiRequests) {
      assert.match(api.headers.get("accept-encoding") ?? "", /gzip/);
    }
  } finally {
    await server.shutdown();
  }
});
