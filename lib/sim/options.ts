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
  /** Active users. */
  users: number;
  /** Inactive users. */
  inactiveUsers: number;
  /** Deleted users. */
  deletedUsers: number;
  /** Results `state=inactive` may page through. */
  inactiveUserLimit: number;
  /** Queues. */
  queues: number;
  /** Groups. */
  groups: number;
  /** Routing skills. */
  skills: number;
  /** Wrap-up codes. */
  wrapUpCodes: number;
  /** Conversations. */
  conversations: number;
  /** Span start, epoch ms. */
  startMs: number;
  /** Span end, epoch ms. */
  endMs: number;
  /** Share of conversations lasting hours. */
  longShare: number;
  /** The longest conversation, ms. */
  maxDurationMs: number;
  /** Share of conversations the details index holds twice. */
  duplicateShare: number;
  /** Fixed `totalHits` error, or `undefined` for a seeded one per query. */
  totalHitsError: number | undefined;
  /** Results the details query pages through (`pageNumber × pageSize`). */
  detailsResultLimit: number;
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
  /** How far data availability lags behind now, ms. */
  availabilityLagMs: number;
  /** A fixed data availability date, epoch ms. */
  availabilityMs: number | undefined;
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

function fraction(v: number | undefined, fallback: number, name: string, min = 0): number {
  const n = v ?? fallback;
  if (!Number.isFinite(n) || n < min || n > 1) {
    throw new UsageError(`Simulator option '${name}' must be between ${min} and 1, got '${v}'`);
  }
  return n;
}

function positive(v: number | undefined, fallback: number, name: string): number {
  const n = v ?? fallback;
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`Simulator option '${name}' must be > 0, got '${v}'`);
  }
  return n;
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
  const lifetime = positive(o.tokenLifetimeSeconds, 86_400, "tokenLifetimeSeconds");
  const status = o.invalidClientStatus ?? 401;
  if (status !== 400 && status !== 401) {
    throw new UsageError(
      `Simulator option 'invalidClientStatus' must be 400 or 401, got '${status}'`,
    );
  }
  const expiry = positive(o.jobExpirySeconds, 3600, "jobExpirySeconds");
  const lag = o.dataAvailabilityLagSeconds ?? 7200;
  if (!Number.isFinite(lag) || lag < 0) {
    throw new UsageError(
      `Simulator option 'dataAvailabilityLagSeconds' must be >= 0, got '${lag}'`,
    );
  }
  const users = int(o.users, 120, "users", 0);
  const seed = o.seed ?? 1;
  if (!Number.isSafeInteger(seed)) {
    throw new UsageError(`Simulator option 'seed' must be an integer, got '${seed}'`);
  }
  return {
    port: int(o.port, 0, "port", 0),
    seed,
    users,
    inactiveUsers: int(o.inactiveUsers, Math.floor(users / 10), "inactiveUsers", 0),
    deletedUsers: int(o.deletedUsers, Math.floor(users / 40), "deletedUsers", 0),
    inactiveUserLimit: int(o.inactiveUserLimit, 10_000, "inactiveUserLimit", 1),
    queues: int(o.queues, 12, "queues", 0),
    groups: int(o.groups, 6, "groups", 0),
    skills: int(o.skills, 10, "skills", 0),
    wrapUpCodes: int(o.wrapUpCodes, 8, "wrapUpCodes", 1),
    conversations,
    startMs,
    endMs,
    longShare: fraction(o.longConversationShare, 0.02, "longConversationShare"),
    maxDurationMs: Math.round(
      positive(o.maxConversationHours, 4, "maxConversationHours") * 3_600_000,
    ),
    duplicateShare: fraction(o.duplicateShare, 0.02, "duplicateShare"),
    totalHitsError: o.totalHitsError === undefined
      ? undefined
      : fraction(o.totalHitsError, 0, "totalHitsError", -0.99),
    detailsResultLimit: int(o.detailsResultLimit, 100_000, "detailsResultLimit", 1),
    clientId: o.clientId ?? "sim-client-id",
    clientSecret: o.clientSecret ?? "sim-client-secret",
    tokenLifetimeSeconds: lifetime,
    invalidClientStatus: status,
    maxPageSize: int(o.maxPageSize, 500, "maxPageSize", 1),
    jobResultsPageSize: int(o.jobResultsPageSize, 1000, "jobResultsPageSize", 1),
    maxJobResultsPageSize: int(o.maxJobResultsPageSize, 10_000, "maxJobResultsPageSize", 1),
    jobPolls: int(o.jobPolls, 2, "jobPolls", 0),
    jobExpirySeconds: expiry,
    availabilityLagMs: lag * 1000,
    availabilityMs: o.dataAvailabilityDate === undefined
      ? undefined
      : date(o.dataAvailabilityDate, DEFAULT_END, "dataAvailabilityDate"),
    rateLimitHeaders: o.rateLimitHeaders === true,
    rateLimitAllowed: int(o.rateLimitAllowed, 300, "rateLimitAllowed", 1),
    now: o.now ?? (() => performance.timeOrigin + performance.now()),
  };
}
