/**
 * The `auth` command: checks the credentials and the region with one token request and one cheap
 * call, and prints the token's lifetime and the rate-limit headers (never the token).
 *
 * @module
 */

import { GenesysClient } from "../../genesys_client.ts";
import type { CommandContext } from "../context.ts";
import { resolveConnection } from "../context.ts";
import { ExitCode } from "../exit.ts";
import { readLogSettings } from "../extract_options.ts";
import { CONNECTION_OPTIONS, LOG_OPTIONS } from "../options.ts";
import { formatCount, formatDuration } from "../progress.ts";
import { createReporter } from "../reporter.ts";
import type { CommandSpec, ParsedCommand } from "../spec.ts";
import type { Command } from "./command.ts";

/** The cheap call that proves the token works and shows the rate-limit headers. */
export const AUTH_CHECK_PATH = "/api/v2/users";

/** The `auth` command's spec. */
export const authSpec: CommandSpec = {
  name: "auth",
  summary: "Check credentials and region: token lifetime and rate-limit headers",
  description: [
    `Asks for a token with the client-credentials grant, then makes one cheap call (GET ${AUTH_CHECK_PATH}?pageSize=1) and prints the region, where the credentials came from, the token's lifetime, the call's status and correlation id, and the inin-ratelimit-* headers. The token itself is never printed.`,
    "Exit code 0 when both work, 3 when the credentials are refused (a wrong region answers 'invalid_client' too) or the client lacks the permission for the call, 2 for a usage error.",
  ],
  options: [
    ...CONNECTION_OPTIONS,
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

function header(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

async function run(parsed: ParsedCommand, ctx: CommandContext): Promise<number> {
  const log = readLogSettings(parsed);
  const connection = await resolveConnection(parsed);
  const { clientId, clientSecret } = connection.credentials;
  ctx.redactor.addBasic(clientId, clientSecret);
  const reporter = createReporter(ctx.io, log, ctx.redactor);
  const client = new GenesysClient({
    region: connection.region.name,
    clientId,
    clientSecret,
    redactor: ctx.redactor,
    maxAttempts: 3,
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
  const h = response.headers;
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
      correlationId: h.get("inin-correlation-id") ?? undefined,
      total: typeof response.data?.total === "number" ? response.data.total : undefined,
    },
    rateLimit: {
      allowed: header(h, "inin-ratelimit-allowed"),
      count: header(h, "inin-ratelimit-count"),
      resetSeconds: header(h, "inin-ratelimit-reset"),
    },
  };
  if (parsed.flags.json) {
    ctx.io.stdout(JSON.stringify(result) + "\n");
    return ExitCode.OK;
  }
  if (log.quiet) return ExitCode.OK;
  const rl = result.rateLimit;
  const lifetime = lifetimeSeconds !== undefined
    ? `${formatCount(lifetimeSeconds)} s (${formatDuration(lifetimeSeconds * 1000)})`
    : "not stated";
  const limit = rl.allowed === undefined && rl.count === undefined
    ? "no inin-ratelimit-* headers in the answer"
    : `${rl.count ?? "?"} of ${rl.allowed ?? "?"} requests used, window resets in ${
      rl.resetSeconds ?? "?"
    } s (inin-ratelimit-count/allowed/reset)`;
  const lines = [
    `Region:       ${result.region} (${result.apiBaseUrl}, from ${result.regionSource})`,
    `Client id:    ${result.clientId} (from ${result.credentialsSource})`,
    `Token:        granted in ${formatDuration(tokenMs)}, lifetime ${lifetime}`,
    `Test call:    ${result.call.request} answered ${result.call.status} in ${
      formatDuration(callMs)
    }${result.call.total !== undefined ? ` (${formatCount(result.call.total)} users)` : ""}`,
    `Rate limit:   ${limit}`,
    `Correlation:  ${result.call.correlationId ?? "(no ININ-Correlation-Id header)"}`,
    `OK: these credentials work in ${result.region}`,
  ];
  reporter.say(lines.join("\n"), result);
  return ExitCode.OK;
}

/** `auth`: check credentials and region. */
export const authCommand: Command = { spec: authSpec, run };
