/**
 * The simulator's command-line flags (`genesys-batch sim`, `deno task sim`) as
 * {@link SimulatorOptions}.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { ErrorFault, SimFaults } from "./fault_options.ts";
import type { SimulatorOptions } from "./types.ts";

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
  "--inactive-users": "inactiveUsers",
  "--deleted-users": "deletedUsers",
  "--inactive-user-limit": "inactiveUserLimit",
  "--long-share": "longConversationShare",
  "--max-hours": "maxConversationHours",
  "--duplicate-share": "duplicateShare",
  "--total-hits-error": "totalHitsError",
  "--details-result-limit": "detailsResultLimit",
  "--availability-lag": "dataAvailabilityLagSeconds",
};
const STRING: Record<string, string> = {
  "--start": "start",
  "--end": "end",
  "--client-id": "clientId",
  "--client-secret": "clientSecret",
  "--availability-date": "dataAvailabilityDate",
};
const FAULT_FLAGS = [
  "--rate-limit",
  "--rate-limit-per-minute",
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
 * A clock that starts at `at` and runs in real time from the moment it is made.
 *
 * @param at The instant it reads now.
 * @param real The real clock, epoch ms (default `Date.now`).
 * @returns The clock.
 *
 * @example
 * ```ts
 * import { clockFrom } from "./args.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let real = 1_000;
 * const now = clockFrom(Date.parse("2026-01-15T12:00:00Z"), () => real);
 * real += 1_500;
 * strictEqual(new Date(now()).toISOString(), "2026-01-15T12:00:01.500Z");
 * ```
 */
export function clockFrom(at: number, real: () => number = Date.now): () => number {
  const offset = at - real();
  return () => real() + offset;
}

/**
 * Parses simulator flags (`--users 10`, `--rate-limit=5`) into simulator options. `--now <iso>`
 * starts the simulator's clock at that instant (it then runs in real time).
 *
 * @param args The flags and their values.
 * @returns The options.
 * @throws {UsageError} For an unknown flag or a bad value.
 *
 * @example
 * ```ts
 * import { parseSimArgs } from "./args.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const options = parseSimArgs(["--users", "10", "--rate-limit=5"]);
 * strictEqual(options.users, 10);
 * strictEqual(options.faults?.rateLimit?.requestsPerSecond, 5);
 * ```
 */
export function parseSimArgs(args: readonly string[]): SimulatorOptions {
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
    const known = flag in NUMERIC || flag in STRING || FAULT_FLAGS.includes(flag) ||
      flag === "--now";
    if (!known) throw new UsageError(`Unknown flag '${flag}': see --help`);
    value ??= args[++i];
    if (value === undefined) throw new UsageError(`Flag '${flag}' needs a value`);
    if (flag === "--now") {
      const at = Date.parse(value);
      if (Number.isNaN(at)) {
        throw new UsageError(
          `Flag '--now' needs an instant such as '2026-01-15T12:00:00Z', got '${value}'`,
        );
      }
      options.now = clockFrom(at);
      continue;
    }
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
  if (f["--rate-limit"] !== undefined && f["--rate-limit-per-minute"] !== undefined) {
    throw new UsageError("Give --rate-limit or --rate-limit-per-minute, not both");
  }
  if (f["--rate-limit"] !== undefined) {
    faults.rateLimit = defined({ requestsPerSecond: f["--rate-limit"], burst: f["--burst"] });
  }
  if (f["--rate-limit-per-minute"] !== undefined) {
    faults.rateLimit = { requestsPerMinute: f["--rate-limit-per-minute"] };
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
