/**
 * Defaults and validation of {@link SimulatorOptions}.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { SimulatorOptions } from "./types.ts";

/** Options with every default filled in. */
export interface ResolvedOptions {
  /** Port. */
  port: number;
  /** Seed. */
  seed: number;
  /** Users. */
  users: number;
  /** Queues. */
  queues: number;
  /** Conversations. */
  conversations: number;
  /** Span start, epoch ms. */
  startMs: number;
  /** Span end, epoch ms. */
  endMs: number;
  /** Client id. */
  clientId: string;
  /** Client secret. */
  clientSecret: string;
  /** Token lifetime, seconds. */
  tokenLifetimeSeconds: number;
  /** Status of `invalid_client`. */
  invalidClientStatus: 400 | 401;
  /** Listing page size limit. */
  maxPageSize: number;
  /** Jobs results default page size. */
  jobResultsPageSize: number;
  /** Jobs results page size limit. */
  maxJobResultsPageSize: number;
  /** Polls before FULFILLED. */
  jobPolls: number;
  /** Job expiry, seconds. */
  jobExpirySeconds: number;
  /** Data availability, epoch ms. */
  availabilityMs: number;
  /** Whether the old `inin-ratelimit-*` headers are sent. */
  rateLimitHeaders: boolean;
  /** `inin-ratelimit-allowed` without a bucket. */
  rateLimitAllowed: number;
  /** The clock. */
  now: () => number;
}

/**
 * Default start of the data span.
 *
 * @example
 * ```ts
 * import { DEFAULT_START, resolveOptions } from "./options.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(resolveOptions({}).startMs, Date.parse(DEFAULT_START));
 * ```
 */
export const DEFAULT_START = "2026-01-01T00:00:00.000Z";
/**
 * Default end of the data span (exclusive).
 *
 * @example
 * ```ts
 * import { DEFAULT_END, resolveOptions } from "./options.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(resolveOptions({}).endMs, Date.parse(DEFAULT_END));
 * ```
 */
export const DEFAULT_END = "2026-01-31T00:00:00.000Z";

function date(v: string | Date | undefined, fallback: string, name: string): number {
  const ms = v instanceof Date ? v.getTime() : Date.parse(v ?? fallback);
  if (Number.isNaN(ms)) {
    throw new UsageError(`Simulator option '${name}' is not a valid date: '${String(v)}'`);
  }
  return ms;
}

function int(v: number | undefined, fallback: number, name: string, min: number): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`Simulator option '${name}' must be an integer >= ${min}, got '${v}'`);
  }
  return n;
}

/**
 * Fills in defaults and checks values.
 *
 * @param o The options.
 * @returns The resolved options.
 * @throws {UsageError} For an invalid value.
 *
 * @example
 * ```ts
 * import { resolveOptions } from "./options.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * strictEqual(resolveOptions({}).conversations, 2000);
 * throws(() => resolveOptions({ users: -1 }), /users/);
 * ```
 */
export function resolveOptions(o: SimulatorOptions): ResolvedOptions {
  const startMs = date(o.start, DEFAULT_START, "start");
  const endMs = date(o.end, DEFAULT_END, "end");
  if (endMs <= startMs) throw new UsageError("Simulator option 'end' must be after 'start'");
  const conversations = int(o.conversations, 2000, "conversations", 0);
  if (conversations > endMs - startMs) {
    throw new UsageError(
      `Simulator option 'conversations' (${conversations}) exceeds the milliseconds in the span: widen 'start'..'end'`,
    );
  }
  const lifetime = o.tokenLifetimeSeconds ?? 86_400;
  if (!Number.isFinite(lifetime) || lifetime <= 0) {
    throw new UsageError(`Simulator option 'tokenLifetimeSeconds' must be > 0, got '${lifetime}'`);
  }
  const status = o.invalidClientStatus ?? 401;
  if (status !== 400 && status !== 401) {
    throw new UsageError(
      `Simulator option 'invalidClientStatus' must be 400 or 401, got '${status}'`,
    );
  }
  const expiry = o.jobExpirySeconds ?? 3600;
  if (!Number.isFinite(expiry) || expiry <= 0) {
    throw new UsageError(`Simulator option 'jobExpirySeconds' must be > 0, got '${expiry}'`);
  }
  const seed = o.seed ?? 1;
  if (!Number.isSafeInteger(seed)) {
    throw new UsageError(`Simulator option 'seed' must be an integer, got '${seed}'`);
  }
  return {
    port: int(o.port, 0, "port", 0),
    seed,
    users: int(o.users, 120, "users", 0),
    queues: int(o.queues, 12, "queues", 0),
    conversations,
    startMs,
    endMs,
    clientId: o.clientId ?? "sim-client-id",
    clientSecret: o.clientSecret ?? "sim-client-secret",
    tokenLifetimeSeconds: lifetime,
    invalidClientStatus: status,
    maxPageSize: int(o.maxPageSize, 500, "maxPageSize", 1),
    jobResultsPageSize: int(o.jobResultsPageSize, 1000, "jobResultsPageSize", 1),
    maxJobResultsPageSize: int(o.maxJobResultsPageSize, 10_000, "maxJobResultsPageSize", 1),
    jobPolls: int(o.jobPolls, 2, "jobPolls", 0),
    jobExpirySeconds: expiry,
    availabilityMs: o.dataAvailabilityDate === undefined
      ? endMs
      : date(o.dataAvailabilityDate, DEFAULT_END, "dataAvailabilityDate"),
    rateLimitHeaders: o.rateLimitHeaders === true,
    rateLimitAllowed: int(o.rateLimitAllowed, 300, "rateLimitAllowed", 1),
    now: o.now ?? (() => performance.timeOrigin + performance.now()),
  };
}
