import { assert, assertEquals, assertRejects } from "../../tests/_assert.ts";
import { fakeClock } from "../../tests/_fake_genesys.ts";
import { GenesysClient } from "./genesys_client.ts";
import { TokenManager, type TokenManagerOptions } from "./token_manager.ts";
import { ApiError, AuthError, DeadlineError, NetworkError, UsageError } from "../errors.ts";
import type { ClientEvent } from "./events.ts";

const SECRET = "Very-Secret-Value-42";

interface TokenCall {
  url: string;
  headers: Headers;
  body: string;
  signal?: AbortSignal | null;
}

/** A token endpoint answering from a script; the default issues `tok-N` for `expiresIn` s. */
function endpoint(answer?: (n: number) => Response | Promise<Response>, expiresIn = 300) {
  const calls: TokenCall[] = [];
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    calls.push({
      url: request.url,
      headers: request.headers,
      body: await request.text(),
      signal: init?.signal,
    });
    const n = calls.length;
    if (answer) return await answer(n);
    return Response.json({ access_token: `tok-${n}`, token_type: "bearer", expires_in: expiresIn });
  };
  return { fetch: fetchFn as typeof fetch, calls };
}

function manager(fetchFn: typeof fetch, extra: Partial<TokenManagerOptions> = {}) {
  const clock = fakeClock();
  const events: ClientEvent[] = [];
  const tokens = new TokenManager({
    region: "mypurecloud.ie",
    clientId: "the-client",
    clientSecret: SECRET,
    fetch: fetchFn,
    onEvent: (e) => events.push(e),
    ...extra,
    clock: { now: clock.now, sleep: clock.sleep, random: () => 0, ...extra.clock },
  });
  return { tokens, clock, events };
}

Deno.test("TokenManager sends the client-credentials grant as Genesys documents it", async () => {
  const server = endpoint();
  const { tokens, events } = manager(server.fetch);
  assertEquals(await tokens.getToken(), "tok-1");
  const call = server.calls[0];
  assertEquals(call.url, "https://login.mypurecloud.ie/oauth/token");
  assertEquals(call.headers.get("authorization"), `Basic ${btoa(`the-client:${SECRET}`)}`);
  assertEquals(call.headers.get("content-type"), "application/x-www-form-urlencoded");
  assertEquals(call.body, "grant_type=client_credentials");
  assertEquals(tokens.tokenRequests, 1);
  assertEquals(events.map((e) => [e.type, e.status]), [["token", undefined], ["token", 200]]);
});

for (const seconds of [2, 300, 86_400, 172_800]) {
  Deno.test(`TokenManager renews a ${seconds} s token at 80 % of its lifetime, once`, async () => {
    const server = endpoint(undefined, seconds);
    const { tokens, clock } = manager(server.fetch);
    const start = clock.now();
    assertEquals(await tokens.getToken(), "tok-1");
    assertEquals(tokens.expiresAt, start + seconds * 1000);
    clock.advance(seconds * 1000 * 0.79);
    for (let i = 0; i < 5; i++) assertEquals(await tokens.getToken(), "tok-1");
    clock.advance(seconds * 1000 * 0.02);
    for (let i = 0; i < 5; i++) assertEquals(await tokens.getToken(), "tok-2");
    assertEquals(tokens.tokenRequests, 2);
  });
}

Deno.test("TokenManager measures the lifetime from when the token was asked for", async () => {
  // The token endpoint takes 1 s to answer a 10 s token: renewal is due 8 s after the request.
  const clock = fakeClock();
  let n = 0;
  const tokens = new TokenManager({
    region: "mypurecloud.ie",
    clientId: "c",
    clientSecret: SECRET,
    clock: { now: clock.now },
    fetch: () => {
      clock.advance(1000);
      return Promise.resolve(Response.json({ access_token: `tok-${++n}`, expires_in: 10 }));
    },
  });
  const start = clock.now();
  await tokens.getToken();
  assertEquals(tokens.expiresAt, start + 10_000);
  clock.advance(6_999); // 7.999 s after the request
  assertEquals(await tokens.getToken(), "tok-1");
  clock.advance(1);
  assertEquals(await tokens.getToken(), "tok-2");
});

Deno.test("TokenManager never hands out a token past its expiry", async () => {
  let n = 0;
  const server = endpoint(() =>
    ++n === 1
      ? Response.json({ access_token: "tok-1", expires_in: 300 })
      : Response.json({ message: "down" }, { status: 503 })
  );
  const { tokens, clock } = manager(server.fetch, { retry: { maxAttempts: 2 } });
  assertEquals(await tokens.getToken(), "tok-1");
  clock.advance(300_000);
  const error = await assertRejects(() => tokens.getToken(), ApiError);
  assertEquals(error.status, 503);
  assertEquals(error.path, "/oauth/token");
  assertEquals(tokens.tokenRequests, 3);
});

Deno.test("TokenManager shares one refresh between concurrent callers", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const server = endpoint(async (n) => {
    await gate;
    return Response.json({ access_token: `tok-${n}`, expires_in: 300 });
  });
  const { tokens } = manager(server.fetch);
  const waiting = Array.from({ length: 50 }, () => tokens.getToken());
  release();
  const got = await Promise.all(waiting);
  assertEquals(new Set(got), new Set(["tok-1"]));
  assertEquals(server.calls.length, 1);
});

Deno.test("TokenManager shares one refresh when 50 callers meet an expired token", async () => {
  const server = endpoint(undefined, 2);
  const { tokens, clock } = manager(server.fetch);
  await tokens.getToken();
  clock.advance(5000);
  const got = await Promise.all(Array.from({ length: 50 }, () => tokens.getToken()));
  assertEquals(new Set(got), new Set(["tok-2"]));
  assertEquals(tokens.tokenRequests, 2);
});

Deno.test("TokenManager invalidate discards only a token that is still current", async () => {
  const server = endpoint();
  const { tokens } = manager(server.fetch);
  const first = await tokens.getToken();
  assertEquals(tokens.invalidate(first), true);
  const second = await tokens.getToken();
  assertEquals(second, "tok-2");
  // A late 401 for the older token leaves the newer one alone.
  assertEquals(tokens.invalidate(first), false);
  assertEquals(await tokens.getToken(), "tok-2");
  assertEquals(tokens.invalidate("never-issued"), false);
  assertEquals(tokens.tokenRequests, 2);
});

Deno.test("TokenManager keeps a token without a usable expires_in until it is invalidated", async () => {
  for (const expires of [undefined, 0, -5, "soon"]) {
    const server = endpoint((n) =>
      Response.json({ access_token: `tok-${n}`, expires_in: expires })
    );
    const { tokens, clock } = manager(server.fetch);
    assertEquals(await tokens.getToken(), "tok-1");
    clock.advance(10 * 86_400_000);
    assertEquals(await tokens.getToken(), "tok-1");
    assertEquals(tokens.expiresAt, undefined);
    tokens.invalidate("tok-1");
    assertEquals(await tokens.getToken(), "tok-2");
  }
});

for (const status of [400, 401]) {
  Deno.test(`TokenManager reports invalid_client (${status}) as an AuthError naming the region`, async () => {
    const server = endpoint(() =>
      Response.json(
        {
          error: "invalid_client",
          description: "authentication failed",
          error_description: "authentication failed",
        },
        { status, headers: { "ININ-Correlation-Id": "corr-auth" } },
      )
    );
    const { tokens, clock } = manager(server.fetch);
    const error = await assertRejects(() => tokens.getToken(), AuthError);
    assertEquals(server.calls.length, 1);
    assertEquals(clock.sleeps, []);
    assertEquals(error.status, status);
    assertEquals(error.code, "invalid_client");
    assertEquals(error.region, "mypurecloud.ie");
    assertEquals(error.correlationId, "corr-auth");
    assertEquals(
      error.message,
      `Cannot get a token for region 'mypurecloud.ie': the token request answered ${status} 'invalid_client' (authentication failed); check the client id and secret: these credentials may belong to another region than 'mypurecloud.ie'`,
    );
  });
}

Deno.test("TokenManager explains a client without the client-credentials grant", async () => {
  const server = endpoint(() => Response.json({ error: "unauthorized_client" }, { status: 400 }));
  const { tokens } = manager(server.fetch);
  await assertRejects(() => tokens.getToken(), AuthError, "Client Credentials grant");
});

Deno.test("TokenManager retries 429, 5xx and network errors on the token endpoint", async () => {
  const server = endpoint((n) => {
    if (n === 1) return new Response("slow down", { status: 429, headers: { "Retry-After": "2" } });
    if (n === 2) return new Response("<html>bad gateway</html>", { status: 502 });
    if (n === 3) throw new TypeError("connection reset by peer");
    if (n === 4) return new Response('{"access_token":"tok', { status: 200 });
    return Response.json({ access_token: "tok-ok", expires_in: 300 });
  });
  const { tokens, clock, events } = manager(server.fetch);
  assertEquals(await tokens.getToken(), "tok-ok");
  assertEquals(clock.sleeps, [2000, 2000, 4000, 8000]);
  assertEquals(tokens.tokenRequests, 5);
  assertEquals(
    events.filter((e) => e.type === "retry").map((e) => e.cause),
    ["rateLimit", "serverError", "network", "network"],
  );
});

Deno.test("TokenManager gives up on the token endpoint within its deadline", async () => {
  const server = endpoint(() =>
    new Response("", { status: 429, headers: { "Retry-After": "30" } })
  );
  const clock = fakeClock();
  const tokens = new TokenManager({
    region: "mypurecloud.ie",
    clientId: "c",
    clientSecret: SECRET,
    fetch: server.fetch,
    clock: { now: clock.now, sleep: clock.sleep },
    deadline: clock.now() + 10_000,
  });
  const error = await assertRejects(() => tokens.getToken(), DeadlineError);
  assertEquals(clock.sleeps, []);
  assertEquals(server.calls.length, 1);
  assert.match(error.message, /oauth\/token would wait 30 s \(as the server asked\)/);
});

Deno.test("TokenManager fails after 2 tries on a 2xx without an access_token, saying so", async () => {
  const server = endpoint(() => Response.json({ token_type: "bearer" }));
  const { tokens, clock } = manager(server.fetch);
  const error = await assertRejects(
    () => tokens.getToken(),
    NetworkError,
    "answered 2xx without an access_token (fields: 'token_type')",
  );
  assertEquals(error.kind, "badBody");
  assertEquals(server.calls.length, 2);
  assertEquals(clock.sleeps, [1000]);
});

Deno.test("TokenManager fails after 2 tries on an HTML or non-JSON 2xx, naming what came", async () => {
  for (
    const [body, said] of [
      ["<!DOCTYPE html><html><body>Sign in to the Wi-Fi</body></html>", "an HTML page"],
      ["token=abc", "a body that is not JSON"],
      ["", "an empty body"],
    ]
  ) {
    const server = endpoint(() => new Response(body, { status: 200 }));
    const { tokens } = manager(server.fetch);
    const error = await assertRejects(() => tokens.getToken(), NetworkError);
    assertEquals(server.calls.length, 2, body);
    assert.match(error.message, new RegExp(`answered 2xx with ${said}, not a token`));
    assert.match(error.message, /check the region or login URL; a proxy or captive portal/);
  }
});

Deno.test("TokenManager's timeout comes from the client's timeoutMs and names --timeout", async () => {
  const hang = (_input: RequestInfo | URL, init?: RequestInit) =>
    new Promise<Response>((_, reject) =>
      init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true })
    );
  const client = new GenesysClient({
    region: "mypurecloud.ie",
    clientId: "the-client",
    clientSecret: SECRET,
    fetch: hang,
    timeoutMs: 30,
    clock: { sleep: () => Promise.resolve() },
  });
  const error = await assertRejects(() => client.tokenManager.getToken(), NetworkError);
  assert.match(error.message, /timed out after 30 ms .*--timeout in the CLI/);
});

Deno.test("TokenManager does not retry another status on the token endpoint", async () => {
  const server = endpoint(() => new Response("Not Found", { status: 404 }));
  const { tokens } = manager(server.fetch);
  const error = await assertRejects(() => tokens.getToken(), ApiError);
  assertEquals(error.status, 404);
  assertEquals(server.calls.length, 1);
});

Deno.test("TokenManager lets a caller stop waiting without cancelling the shared request", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const server = endpoint(async () => {
    await gate;
    return Response.json({ access_token: "tok-shared", expires_in: 300 });
  });
  const { tokens } = manager(server.fetch);
  const impatient = new AbortController();
  const first = tokens.getToken(impatient.signal);
  const second = tokens.getToken();
  impatient.abort(new Error("Gave up"));
  await assertRejects(() => first, Error, "Gave up");
  assertEquals(server.calls[0].signal?.aborted, false);
  release();
  assertEquals(await second, "tok-shared");
  assertEquals(server.calls.length, 1);
});

Deno.test("TokenManager cancels the token request when every waiter has gone", async () => {
  const server = endpoint((n) => {
    if (n > 1) return Response.json({ access_token: `tok-${n}`, expires_in: 300 });
    const signal = server.calls[0].signal!;
    return new Promise<Response>((_, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  });
  const { tokens } = manager(server.fetch);
  const controller = new AbortController();
  const waiting = tokens.getToken(controller.signal);
  await Promise.resolve();
  controller.abort(new Error("Stopped"));
  await assertRejects(() => waiting, Error, "Stopped");
  // A new caller does not join the cancelled request: it gets a new one.
  assertEquals(await tokens.getToken(), "tok-2");
  assertEquals(server.calls[0].signal?.aborted, true);
});

Deno.test("TokenManager keeps the secret and the token out of inspect, JSON, String and errors", async () => {
  const server = endpoint((n) =>
    n === 1
      ? Response.json({ access_token: "tok-visible-nowhere", expires_in: 300 })
      : Response.json(
        { error: "invalid_client", error_description: `bad secret ${SECRET}` },
        { status: 401 },
      )
  );
  const { tokens, events } = manager(server.fetch);
  const token = await tokens.getToken();
  tokens.invalidate(token);
  const error = await assertRejects(() => tokens.getToken(), AuthError);
  const basic = btoa(`the-client:${SECRET}`);
  const outputs = [
    Deno.inspect(tokens, { depth: 10, showHidden: true }),
    JSON.stringify(tokens),
    String(tokens),
    `${tokens}`,
    error.message,
    String(error),
    Deno.inspect(error, { depth: 10 }),
    JSON.stringify(error),
    JSON.stringify(events),
  ];
  for (const output of outputs) {
    assert.ok(!output.includes(SECRET), output);
    assert.ok(!output.includes(basic), output);
    assert.ok(!output.includes(token), output);
  }
  assert.match(Deno.inspect(tokens), /login\.mypurecloud\.ie/);
  assert.match(error.message, /bad secret \[redacted\]/);
});

Deno.test("TokenManager validates its options", () => {
  const base = { region: "mypurecloud.ie", clientId: "a", clientSecret: "b" };
  assert.throws(() => new TokenManager({ ...base, clientId: " " }), UsageError);
  assert.throws(() => new TokenManager({ ...base, clientSecret: "" }), UsageError);
  assert.throws(() => new TokenManager({ ...base, refreshRatio: 0 }), UsageError);
  assert.throws(() => new TokenManager({ ...base, region: "mars-1" }), UsageError);
});
