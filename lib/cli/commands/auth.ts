/**
 * The `auth` command: checks the credentials and the region with one token request and one cheap
 * call, and reports the token's lifetime, the call's correlation id, the rate the client will
 * start from and the org's rate limits where the API lets the client read them (never the token).
 *
 * @module
 */

import { ApiError } from "../../errors.ts";
import { GenesysClient } from "../../client/genesys_client.ts";
import { clientRequestOptions, type CommandContext, resolveConnection } from "../context.ts";
import { ExitCode } from "../exit.ts";
import { readLogSettings, readRequestSettings } from "../extract_options.ts";
import { CONNECTION_OPTIONS, LOG_OPTIONS, REQUEST_OPTIONS } from "../options.ts";
import { formatCount, formatDuration } from "../progress.ts";
import { createReporter } from "../reporter.ts";
import type { CommandSpec, ParsedCommand } from "../spec.ts";
import type { Command } from "./command.ts";

/** The cheap call that proves the token works. */
export const AUTH_CHECK_PATH = "/api/v2/users";
/** Where the org's own limits of the platform API are (needs `limits:organization:view`). */
export const LIMITS_PATH = "/api/v2/organizations/limits/namespaces/platform.api";

/** The `auth` command's spec. */
export const authSpec: CommandSpec = {
  name: "auth",
  summary: "Check credentials and region: token lifetime, start rate and the org's rate limits",
  description: [
    `Asks for a token with the client-credentials grant, then makes one cheap call (GET ${AUTH_CHECK_PATH}?pageSize=1) and prints the region, where the credentials came from, the token's lifetime, the call's status and correlation id, the rate the client will start from (see --rate), and the org's per-minute limits of the platform API (GET ${LIMITS_PATH}) where the OAuth client may read them (permission limits:organization:view; otherwise it says so). The token itself is never printed.`,
    "Exit code 0 when both work, 3 when the credentials are refused (a wrong region answers 'invalid_client' too) or the client lacks the permission for the call, 2 for a usage error.",
  ],
  options: [
    ...CONNECTION_OPTIONS,
    ...REQUEST_OPTIONS.filter((o) => o.name !== "rate-limit-budget"),
    {
      name: "json",
      type: "boolean",
      description: "Print the result as one JSON object on stdout.",
    },
    ...LOG_OPTIONS,
  ],
  examples: [
    { command: "auth --region eu-west-1", note: "Check credentials from the environment" },
    {
      command: "auth --env-file prod.env --json",
      note: "Check an env file's credentials; JSON for scripts",
    },
  ],
};

/** What the org's limits call gave. */
interface OrgLimits {
  /** `ok`, `not permitted` (401/403) or `unavailable` (any other answer). */
  status: "ok" | "not permitted" | "unavailable";
  /** The per-minute rate limits it listed, `key` and `value`. */
  rates?: { key: string; value: number }[];
  /** Why not, when not `ok`. */
  reason?: string;
}

async function readOrgLimits(client: GenesysClient): Promise<OrgLimits> {
  try {
    const body = await client.request<{ entities?: unknown[] }>("GET", LIMITS_PATH);
    const rates = (Array.isArray(body?.entities) ? body.entities : [])
      .map((e) => e as { key?: unknown; value?: unknown })
      .filter((e) => typeof e.key === "string" && /rate\.per\.minute$/.test(e.key))
      .map((e) => ({ key: e.key as string, value: Number(e.value) }))
      .filter((e) => Number.isFinite(e.value));
    return { status: "ok", rates };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const said = `${error.status}${error.code ? ` '${error.code}'` : ""}`;
    return error.status === 401 || error.status === 403
      ? { status: "not permitted", reason: `answered ${said}` }
      : { status: "unavailable", reason: `answered ${said}` };
  }
}

async function run(parsed: ParsedCommand, ctx: CommandContext): Promise<number> {
  const log = readLogSettings(parsed);
  const requests = readRequestSettings(parsed);
  const connection = await resolveConnection(parsed);
  const { clientId, clientSecret } = connection.credentials;
  ctx.redactor.addBasic(clientId, clientSecret);
  const reporter = createReporter(ctx.io, log, ctx.redactor);
  const client = new GenesysClient({
    region: connection.region.name,
    clientId,
    clientSecret,
    redactor: ctx.redactor,
    ...clientRequestOptions(requests, { maxAttempts: 3 }),
    onEvent: (event) =>
      reporter.log.debug(`${event.type} ${event.method} ${event.path}`, {
        status: event.status,
        attempt: event.attempt,
      }),
  });
  const tokenStarted = Date.now();
  await client.tokenManager.getToken();
  const tokenMs = Date.now() - tokenStarted;
  const expiresAt = client.tokenManager.expiresAt;
  const lifetimeSeconds = expiresAt !== undefined
    ? Math.round((expiresAt - tokenStarted) / 1000)
    : undefined;
  const callStarted = Date.now();
  const response = await client.requestWithResponse<{ total?: number }>("GET", AUTH_CHECK_PATH, {
    query: { pageSize: 1, pageNumber: 1 },
  });
  const callMs = Date.now() - callStarted;
  const limits = await readOrgLimits(client);
  const pacer = client.stats.pacer;
  const result = {
    region: connection.region.env,
    apiBaseUrl: connection.region.apiBaseUrl,
    loginBaseUrl: connection.region.loginBaseUrl,
    regionSource: connection.regionSource,
    clientId: connection.credentials.clientId,
    credentialsSource: connection.credentials.source,
    token: { ok: true, lifetimeSeconds, requestMs: tokenMs },
    call: {
      request: `GET ${AUTH_CHECK_PATH}?pageSize=1`,
      status: response.status,
      ms: callMs,
      correlationId: response.headers.get("inin-correlation-id") ?? undefined,
      total: typeof response.data?.total === "number" ? response.data.total : undefined,
    },
    pacing: {
      startRatePerMinute: pacer?.startRatePerMinute,
      fromFirstRequest: requests.ratePerMinute !== undefined,
    },
    limits,
  };
  if (parsed.flags.json) {
    ctx.io.stdout(JSON.stringify(result) + "\n");
    return ExitCode.OK;
  }
  if (log.quiet) return ExitCode.OK;
  const lifetime = lifetimeSeconds !== undefined
    ? `${formatCount(lifetimeSeconds)} s (${formatDuration(lifetimeSeconds * 1000)})`
    : "not stated";
  const start = `${formatCount(result.pacing.startRatePerMinute ?? 0)} requests/min`;
  const pacing = result.pacing.fromFirstRequest
    ? `${start} from the first request (--rate), then adapts to 429s`
    : `nothing held back until the first 429; then the limit it names, the rate the server accepted, or ${start}`;
  const orgLimits = limits.status === "ok"
    ? limits.rates && limits.rates.length > 0
      ? limits.rates.map((r) => `${r.key} ${formatCount(r.value)}`).join(", ")
      : "none listed"
    : limits.status === "not permitted"
    ? `not permitted to read them (${limits.reason}; needs limits:organization:view)`
    : `not available (${limits.reason})`;
  const lines = [
    `Region:       ${result.region} (${result.apiBaseUrl}, from ${result.regionSource})`,
    `Client id:    ${result.clientId} (from ${result.credentialsSource})`,
    `Token:        granted in ${formatDuration(tokenMs)}, lifetime ${lifetime}`,
    `Test call:    ${result.call.request} answered ${result.call.status} in ${
      formatDuration(callMs)
    }${result.call.total !== undefined ? ` (${formatCount(result.call.total)} users)` : ""}`,
    `Correlation:  ${result.call.correlationId ?? "(no ININ-Correlation-Id header)"}`,
    `Pacing:       ${pacing}`,
    `Org limits:   ${orgLimits}`,
    `OK: these credentials work in ${result.region}`,
  ];
  reporter.say(lines.join("\n"), result);
  return ExitCode.OK;
}

/** `auth`: check credentials and region. */
export const authCommand: Command = { spec: authSpec, run };
