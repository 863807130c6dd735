import { type Simulator, startSimulator } from "../testing.ts";
import { assert, assertEquals } from "./_assert.ts";
import { simCall } from "./_sim_fetch.ts";

const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`;

async function tokenRequest(
  sim: Simulator,
  init: { authorization?: string; body?: string } = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = {
    "Content-Type": "application/x-www-form-urlencoded",
  };
  const authorization = init.authorization ?? basic(sim.clientId, sim.clientSecret);
  if (authorization) headers.Authorization = authorization;
  const res = await fetch(`${sim.url}/oauth/token`, {
    method: "POST",
    headers,
    body: init.body ?? "grant_type=client_credentials",
  });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

async function getUsers(sim: Simulator, token?: string): Promise<Response> {
  const res = await fetch(`${sim.url}/api/v2/users?pageSize=1`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  await res.body?.cancel();
  return res;
}

function getUsersError(sim: Simulator, token?: string) {
  return simCall(sim, token, "GET", "/api/v2/users");
}

Deno.test("startSimulator token endpoint issues a bearer token with expires_in from options", async () => {
  await using sim = await startSimulator({ conversations: 10, tokenLifetimeSeconds: 300 });
  const { status, json, headers } = await tokenRequest(sim);
  assertEquals(status, 200);
  assertEquals(json.token_type, "bearer");
  assertEquals(json.expires_in, 300);
  assert(typeof json.access_token === "string" && json.access_token.length > 20);
  assert(headers.get("ININ-Correlation-Id"));
  assertEquals((await getUsers(sim, json.access_token as string)).status, 200);
  assertEquals(sim.stats.tokensIssued, 1);
});

Deno.test("startSimulator token endpoint accepts credentials as form fields", async () => {
  await using sim = await startSimulator({ conversations: 10 });
  const body = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: sim.clientId,
    client_secret: sim.clientSecret,
  }).toString();
  const { status } = await tokenRequest(sim, { authorization: "", body });
  assertEquals(status, 200);
});

Deno.test("startSimulator token endpoint answers invalid_client with 401 by default and 400 when configured", async () => {
  await using sim = await startSimulator({ conversations: 10 });
  const bad = await tokenRequest(sim, { authorization: basic(sim.clientId, "wrong") });
  assertEquals(bad.status, 401);
  assertEquals(bad.json, {
    error: "invalid_client",
    description: "authentication failed",
    error_description: "authentication failed",
  });
  await using sim400 = await startSimulator({ conversations: 10, invalidClientStatus: 400 });
  const bad400 = await tokenRequest(sim400, { authorization: basic("other", "x") });
  assertEquals(bad400.status, 400);
  assertEquals(bad400.json.error, "invalid_client");
  const none = await tokenRequest(sim400, { authorization: "" });
  assertEquals(none.json.error, "invalid_client");
  assertEquals(sim.stats.tokensIssued + sim400.stats.tokensIssued, 0);
});

Deno.test("startSimulator token endpoint rejects a missing or unsupported grant type", async () => {
  await using sim = await startSimulator({ conversations: 10 });
  assertEquals((await tokenRequest(sim, { body: "" })).json.error, "invalid_request");
  const pw = await tokenRequest(sim, { body: "grant_type=password" });
  assertEquals(pw.status, 400);
  assertEquals(pw.json.error, "unsupported_grant_type");
});

Deno.test("startSimulator answers 401 authentication.required, bad.credentials and credentials.expired", async () => {
  let now = Date.UTC(2026, 1, 1);
  await using sim = await startSimulator({
    conversations: 10,
    tokenLifetimeSeconds: 300,
    now: () => now,
  });
  const missing = await getUsersError(sim);
  assertEquals(missing.status, 401);
  assertEquals(missing.json.code, "authentication.required");
  assertEquals(missing.json.contextId, missing.headers.get("ININ-Correlation-Id"));
  assertEquals(missing.json.details, []);
  assertEquals(missing.json.errors, []);
  assertEquals((await getUsersError(sim, "made-up")).json.code, "bad.credentials");

  const token = (await tokenRequest(sim)).json.access_token as string;
  now += 299_000;
  assertEquals((await getUsers(sim, token)).status, 200);
  now += 1_000;
  const expired = await getUsersError(sim, token);
  assertEquals(expired.status, 401);
  assertEquals(expired.json.code, "credentials.expired");
  assertEquals(sim.stats.unauthorized, 3);
});

Deno.test("Simulator.revokeTokens revokes every live token at once", async () => {
  await using sim = await startSimulator({ conversations: 10 });
  const a = (await tokenRequest(sim)).json.access_token as string;
  const b = (await tokenRequest(sim)).json.access_token as string;
  assert(a !== b);
  assertEquals(sim.revokeTokens(), 2);
  assertEquals((await getUsersError(sim, a)).json.code, "bad.credentials");
  assertEquals((await getUsers(sim, b)).status, 401);
  const c = (await tokenRequest(sim)).json.access_token as string;
  assertEquals((await getUsers(sim, c)).status, 200);
  assertEquals(sim.stats.tokensRevoked, 2);
  assertEquals(sim.stats.tokensIssued, 3);
});

Deno.test("startSimulator revokeAfterRequests revokes each token after N API requests", async () => {
  await using sim = await startSimulator({ conversations: 10, faults: { revokeAfterRequests: 3 } });
  const token = (await tokenRequest(sim)).json.access_token as string;
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await getUsers(sim, token)).status);
  assertEquals(statuses, [200, 200, 200, 401]);
  assertEquals(sim.stats.tokensRevoked, 1);
  sim.setFaults({ revokeAfterRequests: null });
  const fresh = (await tokenRequest(sim)).json.access_token as string;
  for (let i = 0; i < 5; i++) assertEquals((await getUsers(sim, fresh)).status, 200);
});

Deno.test("startSimulator revokeTokens fault revokes every live token as the Nth API request arrives and answers it 401", async () => {
  await using sim = await startSimulator({
    conversations: 10,
    faults: { revokeTokens: { after: 2, times: 1 } },
  });
  const a = (await tokenRequest(sim)).json.access_token as string;
  const b = (await tokenRequest(sim)).json.access_token as string;
  assertEquals([(await getUsers(sim, a)).status, (await getUsers(sim, b)).status], [200, 200]);
  const third = await getUsersError(sim, a);
  assertEquals([third.status, third.json.code], [401, "bad.credentials"]);
  assertEquals((await getUsers(sim, b)).status, 401); // revoked too
  assertEquals(sim.stats.tokensRevoked, 2);
  const c = (await tokenRequest(sim)).json.access_token as string;
  for (let i = 0; i < 3; i++) assertEquals((await getUsers(sim, c)).status, 200); // once only
  assertEquals(sim.stats.faults["tokens.revoked"], 1);
});

Deno.test("startSimulator tokenLifetimeSeconds fault changes expires_in of new tokens mid-run", async () => {
  let now = 0;
  await using sim = await startSimulator({ conversations: 10, now: () => now });
  assertEquals((await tokenRequest(sim)).json.expires_in, 86400);
  sim.setFaults({ tokenLifetimeSeconds: 2 });
  const short = await tokenRequest(sim);
  assertEquals(short.json.expires_in, 2);
  now += 2_000;
  assertEquals((await getUsers(sim, short.json.access_token as string)).status, 401);
});

Deno.test("startSimulator token route faults: 5xx and latency apply to the token endpoint only when targeted", async () => {
  await using sim = await startSimulator({
    conversations: 10,
    faults: {
      errors: [{ status: 503 }],
      latency: [{ route: "token", ms: 5 }],
    },
  });
  // An untargeted error rule spares the token endpoint.
  const ok = await tokenRequest(sim);
  assertEquals(ok.status, 200);
  assertEquals((await getUsers(sim, ok.json.access_token as string)).status, 503);
  sim.setFaults({ errors: [{ route: "token", status: 502, times: 1 }] });
  const failed = await tokenRequest(sim);
  assertEquals(failed.status, 502);
  assertEquals(failed.json.code, "bad.gateway");
  assertEquals((await tokenRequest(sim)).status, 200);
  assertEquals(sim.stats.byRouteStatus.token, { "200": 2, "502": 1 });
  assertEquals(sim.stats.faults.latency, 3);
});
