/**
 * The standalone simulator: `deno task sim [flags]`. Prints its URL and the credentials it
 * accepts, then serves until Ctrl-C.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { startSimulator } from "./server.ts";
import type { ErrorFault, SimFaults, SimulatorOptions } from "./types.ts";

const HELP = `Genesys Cloud simulator

Usage: deno task sim [flags]

Data and server:
  --port N               port on 127.0.0.1 (default 0: any free port)
  --seed N               data seed (default 1)
  --users N              users (default 120)
  --queues N             queues (default 12)
  --conversations N      conversations (default 2000)
  --start ISO --end ISO  data span (default 2026-01-01T00:00:00Z .. 2026-01-31T00:00:00Z)
  --client-id S          accepted client id (default sim-client-id)
  --client-secret S      accepted client secret (default sim-client-secret)
  --token-lifetime S     token expires_in in seconds (default 86400)
  --max-page-size N      largest users/queues pageSize (default 500)
  --job-polls N          job status polls before FULFILLED (default 2)
  --job-expiry S         seconds until a job EXPIRES (default 3600)

Faults:
  --rate-limit RPS       token-bucket rate limit, requests per second (429 + Retry-After)
  --burst N              bucket size (default: RPS)
  --error-rate P         probability 0..1 of an injected error on API routes
  --error-status N       status of injected errors: 429, 500, 502, 503 or 504 (default 503)
  --retry-after S        Retry-After of injected 429s (default 1)
  --latency MS           added latency per API request
  --jitter MS            extra random latency up to MS
  --revoke-after N       revoke each token after N API requests
  --help                 this text
`;

const NUMERIC: Record<string, string> = {
  "--port": "port",
  "--seed": "seed",
  "--users": "users",
  "--queues": "queues",
  "--conversations": "conversations",
  "--token-lifetime": "tokenLifetimeSeconds",
  "--max-page-size": "maxPageSize",
  "--job-polls": "jobPolls",
  "--job-expiry": "jobExpirySeconds",
};
const STRING: Record<string, string> = {
  "--start": "start",
  "--end": "end",
  "--client-id": "clientId",
  "--client-secret": "clientSecret",
};
const FAULT_FLAGS = [
  "--rate-limit",
  "--burst",
  "--error-rate",
  "--error-status",
  "--retry-after",
  "--latency",
  "--jitter",
  "--revoke-after",
];

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Parses the command line into simulator options.
 *
 * @param args The arguments, such as `Deno.args`.
 * @returns The options, or `"help"` when `--help` was given.
 * @throws {UsageError} For an unknown flag or a bad value.
 *
 * @example
 * ```ts
 * import { parseSimArgs } from "./main.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const options = parseSimArgs(["--users", "10", "--rate-limit=5"]);
 * strictEqual(options !== "help" && options.users, 10);
 * ```
 */
export function parseSimArgs(args: string[]): SimulatorOptions | "help" {
  const options: Record<string, unknown> = {};
  const f: Record<string, number> = {};
  for (let i = 0; i < args.length; i++) {
    let flag = args[i];
    let value: string | undefined;
    const eq = flag.indexOf("=");
    if (eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (flag === "--help" || flag === "-h") return "help";
    const known = flag in NUMERIC || flag in STRING || FAULT_FLAGS.includes(flag);
    if (!known) throw new UsageError(`Unknown flag '${flag}': see --help`);
    value ??= args[++i];
    if (value === undefined) throw new UsageError(`Flag '${flag}' needs a value`);
    if (flag in STRING) {
      options[STRING[flag]] = value;
      continue;
    }
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) {
      throw new UsageError(`Flag '${flag}' needs a number, got '${value}'`);
    }
    if (flag in NUMERIC) options[NUMERIC[flag]] = n;
    else f[flag] = n;
  }
  const faults: SimFaults = {};
  if (f["--rate-limit"] !== undefined) {
    faults.rateLimit = defined({ requestsPerSecond: f["--rate-limit"], burst: f["--burst"] });
  }
  if (f["--error-rate"] !== undefined) {
    faults.errors = [defined({
      status: (f["--error-status"] ?? 503) as ErrorFault["status"],
      probability: f["--error-rate"],
      retryAfterSeconds: f["--retry-after"],
    })];
  }
  if (f["--latency"] !== undefined || f["--jitter"] !== undefined) {
    faults.latency = [defined({ ms: f["--latency"], jitterMs: f["--jitter"] })];
  }
  if (f["--revoke-after"] !== undefined) faults.revokeAfterRequests = f["--revoke-after"];
  options.faults = faults;
  return options as SimulatorOptions;
}

async function main(): Promise<void> {
  let options: SimulatorOptions | "help";
  try {
    options = parseSimArgs(Deno.args);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(2);
  }
  if (options === "help") {
    console.log(HELP);
    return;
  }
  let sim;
  try {
    sim = await startSimulator(options);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(2);
  }
  console.log(`Genesys Cloud simulator listening on ${sim.url}`);
  console.log(`  client id:     ${sim.clientId}`);
  console.log(`  client secret: ${sim.clientSecret}`);
  console.log(
    `  data: ${sim.ids.users.length} users, ${sim.ids.queues.length} queues, ${sim.conversationCount} conversations from ${sim.start} to ${sim.end}`,
  );
  console.log(`  faults: ${JSON.stringify(sim.faults)}`);
  console.log("Press Ctrl-C to stop.");
  const stop = () => {
    Deno.removeSignalListener("SIGINT", stop);
    console.log(`\nServed ${sim.stats.requests} requests. Stopping.`);
    sim.close();
  };
  Deno.addSignalListener("SIGINT", stop);
}

if (import.meta.main) await main();
