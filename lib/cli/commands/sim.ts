/**
 * The `sim` command: runs the Genesys Cloud simulator standalone on 127.0.0.1 until SIGINT or
 * SIGTERM, and prints how to point the CLI at it.
 *
 * @module
 */

import { parseSimArgs } from "../../sim/args.ts";
import { startSimulator } from "../../sim/server.ts";
import type { Simulator, SimulatorOptions } from "../../sim/types.ts";
import type { CommandContext } from "../context.ts";
import { UsageError } from "../../errors.ts";
import { ExitCode } from "../exit.ts";
import { readInteger } from "../extract_options.ts";
import { requirePermissions } from "../permissions.ts";
import { formatCount } from "../progress.ts";
import { listenForStop, type StopSignal } from "../signals.ts";
import type { CommandSpec, OptionSpec, ParsedCommand } from "../spec.ts";
import type { Command } from "./command.ts";

/**
 * The port `sim` listens on unless `--port` says otherwise: fixed, so the URL it prints (and the
 * region a checkpoint records) stays the same from one start to the next.
 */
export const DEFAULT_SIM_PORT = 8787;

function opt(name: string, value: string, description: string, def?: string): OptionSpec {
  return { name, type: "string", value, description, default: def };
}

/** The `sim` command's spec. */
export const simSpec: CommandSpec = {
  name: "sim",
  summary: "Run the Genesys Cloud simulator standalone",
  description: [
    "Serves the token endpoint, users and queues listings, the analytics details query and jobs API on 127.0.0.1, with data generated from a seed and optional faults, until Ctrl-C (exit code 0). It prints the client id and secret it accepts (by default 'sim-client-id' and 'sim-client-secret'). Point any command at it with --region http://127.0.0.1:<port>.",
    `Every start with the same options serves the same URL (port ${DEFAULT_SIM_PORT} by default), the same credentials and the same data, so the commands it prints, and their checkpoints, keep working after a restart. --port 0 picks a free port instead.`,
  ],
  options: [
    opt(
      "port",
      "<n>",
      "Port on 127.0.0.1, 1 to 65535; 0 picks a free one.",
      String(DEFAULT_SIM_PORT),
    ),
    opt("seed", "<n>", "Seed of the generated data and seeded faults.", "1"),
    opt("users", "<n>", "How many active users.", "120"),
    opt(
      "inactive-users",
      "<n>",
      "How many inactive users (GET /api/v2/users?state=inactive).",
      "users / 10",
    ),
    opt("deleted-users", "<n>", "How many deleted users (state=deleted).", "users / 40"),
    opt(
      "inactive-user-limit",
      "<n>",
      "state=inactive answers 400 for a page past this many results, as Genesys Cloud does past 10,000.",
      "10000",
    ),
    opt("queues", "<n>", "How many queues.", "12"),
    opt("conversations", "<n>", "How many conversations in the span.", "2000"),
    opt("start", "<iso>", "Start of the data span.", "2026-01-01T00:00:00Z"),
    opt("end", "<iso>", "End of the data span (exclusive).", "2026-01-31T00:00:00Z"),
    opt(
      "now",
      "<iso>",
      "The simulator's clock starts at this instant and runs on in real time: conversations that start later do not exist yet, those still going have no conversationEnd. With --now inside the data span, extract an interval that ends after it to see live calls.",
      "the real time",
    ),
    opt(
      "long-share",
      "<p>",
      "Share (0 to 1) of conversations that last hours (a quarter of --max-hours up to it); the others last 30 s to 40 min.",
      "0.02",
    ),
    opt("max-hours", "<h>", "The longest a conversation lasts, in hours.", "4"),
    opt(
      "total-hits-error",
      "<e>",
      "The details query's totalHits error: -0.1 reports 10 % fewer than match (Genesys documents totalHits as approximate).",
      "a seeded error within ±3 % per query",
    ),
    opt(
      "duplicate-share",
      "<p>",
      "Share (0 to 1) of conversations the details index holds twice; the server drops the second, so pages can be short.",
      "0.02",
    ),
    opt(
      "details-result-limit",
      "<n>",
      "The details query's paging limit (pageNumber × pageSize; Genesys Cloud's is 100,000). Lower it to see a day split: extract with the same --max-results.",
      "100000",
    ),
    opt(
      "availability-lag",
      "<seconds>",
      "How far the jobs' dataAvailabilityDate lags behind now.",
      "7200",
    ),
    opt(
      "availability-date",
      "<iso>",
      "A fixed dataAvailabilityDate instead of one that lags behind now.",
    ),
    opt("client-id", "<id>", "The client id it accepts.", "sim-client-id"),
    opt("client-secret", "<secret>", "The client secret it accepts.", "sim-client-secret"),
    opt("token-lifetime", "<seconds>", "expires_in of issued tokens.", "86400"),
    opt("max-page-size", "<n>", "Largest pageSize of users and queues listings.", "500"),
    opt("job-polls", "<n>", "Status polls an analytics job answers before FULFILLED.", "2"),
    opt("job-expiry", "<seconds>", "Seconds until an analytics job EXPIRES.", "3600"),
    opt(
      "rate-limit-per-minute",
      "<n>",
      "A rate limit on API routes as Genesys Cloud counts it: n requests per minute, then 429 with Retry-After until the minute is over.",
    ),
    opt(
      "rate-limit",
      "<rps>",
      "A token-bucket rate limit on API routes instead, in requests per second (429 with Retry-After).",
    ),
    opt("burst", "<n>", "Bucket size of --rate-limit.", "the rate"),
    opt("error-rate", "<p>", "Probability (0 to 1) of an injected error on each API request."),
    opt("error-status", "<status>", "Status of injected errors: 429, 500, 502, 503 or 504.", "503"),
    opt("retry-after", "<seconds>", "Retry-After of injected 429s.", "1"),
    opt("latency", "<ms>", "Added latency per API request."),
    opt("jitter", "<ms>", "Extra random latency, up to this much."),
    opt(
      "revoke-after",
      "<n>",
      "Revoke each token after this many API requests (the next gets 401).",
    ),
  ],
  examples: [
    { command: "sim", note: `A simulator on http://127.0.0.1:${DEFAULT_SIM_PORT}` },
    { command: "sim --port 0", note: "A second one beside it, on a free port" },
    {
      command: "sim --token-lifetime 5 --error-rate 0.1 --error-status 429",
      note: "Short tokens and 10% rate limiting, to watch the CLI cope",
    },
    {
      command: "sim --rate-limit-per-minute 300 --total-hits-error -0.1 --inactive-users 12000",
      note:
        "300 requests a minute, totalHits 10 % low, and more inactive users than Genesys Cloud lists",
    },
    {
      command: "sim --now 2026-01-10T12:00:00Z --long-share 0.1 --details-result-limit 2000",
      note:
        "Calls still live at noon on January 10, and days too big to page through with --max-results 2000",
    },
  ],
};

/**
 * Starts the simulator, turning a port that cannot be bound into one line with the fix.
 *
 * @param options The simulator's options, `port` included.
 * @returns The running simulator.
 * @throws {UsageError} When the port is taken or needs privileges.
 */
async function listen(options: SimulatorOptions & { port: number }): Promise<Simulator> {
  try {
    return await startSimulator(options);
  } catch (error) {
    const fix = options.port === DEFAULT_SIM_PORT
      ? `stop the other program (an earlier 'sim' still running?), or pass --port <n> (0 picks a free one)`
      : `stop the other program, or pass another --port (0 picks a free one)`;
    if (error instanceof Deno.errors.AddrInUse) {
      throw new UsageError(`Port ${options.port} on 127.0.0.1 is already in use: ${fix}`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new UsageError(
        `Port ${options.port} on 127.0.0.1 needs privileges this process lacks: pass a port from 1024 up, or --port 0`,
      );
    }
    throw error;
  }
}

async function run(parsed: ParsedCommand, ctx: CommandContext): Promise<number> {
  const args: string[] = [];
  for (const option of simSpec.options) {
    const value = parsed.strings[option.name];
    if (value !== undefined && option.name !== "port") args.push(`--${option.name}=${value}`);
  }
  const port = readInteger(parsed.strings.port ?? String(DEFAULT_SIM_PORT), "--port", 0, 65_535);
  const options = { ...parseSimArgs(args), port };
  requirePermissions([{ name: "net", target: "127.0.0.1", why: "the simulator's server" }]);
  const sim = await listen(options);
  const faults = Object.keys(sim.faults).length > 0 ? JSON.stringify(sim.faults) : "none";
  const start = sim.start.replace(/\.000Z$/, "Z");
  ctx.io.stdout(
    [
      `Genesys Cloud simulator listening on ${sim.url} (seed ${sim.seed})`,
      `  data: ${formatCount(sim.ids.users.length)} users (and ${
        formatCount(sim.ids.inactiveUsers.length)
      } inactive), ${formatCount(sim.ids.queues.length)} queues, ${
        formatCount(sim.conversationCount)
      } conversations from ${start} to ${sim.end.replace(/\.000Z$/, "Z")}`,
      ...(options.now
        ? [`  clock: now is ${new Date(options.now()).toISOString().replace(/\.\d+Z$/, "Z")}`]
        : []),
      `  faults: ${faults}`,
      "Point the CLI at it from another terminal (the same URL and credentials every start):",
      `  export GENESYSCLOUD_REGION=${sim.url}`,
      `  export GENESYSCLOUD_OAUTHCLIENT_ID=${sim.clientId}`,
      `  export GENESYSCLOUD_OAUTHCLIENT_SECRET=${sim.clientSecret}`,
      "  deno task -q extract users",
      `  deno task -q extract conversations --interval ${start}/P7D`,
      "  deno task -q extract get /api/v2/groups",
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );
  const { promise, resolve } = Promise.withResolvers<StopSignal>();
  const stopListening = listenForStop({ onStop: resolve, onForce: resolve });
  const signal = await promise;
  stopListening();
  ctx.io.stdout(`\n${signal}: served ${formatCount(sim.stats.requests)} requests; stopping\n`);
  await sim.close();
  return ExitCode.OK;
}

/** `sim`: the simulator, standalone. */
export const simCommand: Command = { spec: simSpec, run };
