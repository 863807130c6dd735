/**
 * The routes the simulator serves and the faults it can inject on them ({@link SimFaults}).
 *
 * @module
 */

/**
 * Route names, used to target faults and to key the counters. `unknown` (counters only) is any
 * path the simulator does not serve.
 */
export type SimRoute =
  | "token"
  | "users"
  | "queues"
  | "groups"
  | "skills"
  | "wrapupcodes"
  | "divisions"
  | "details.query"
  | "jobs.submit"
  | "jobs.status"
  | "jobs.results"
  | "jobs.delete"
  | "jobs.availability";

/**
 * Every route name, in a fixed order.
 *
 * @example
 * ```ts
 * import { SIM_ROUTES } from "./fault_options.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(SIM_ROUTES.includes("details.query"));
 * ```
 */
export const SIM_ROUTES: readonly SimRoute[] = [
  "token",
  "users",
  "queues",
  "groups",
  "skills",
  "wrapupcodes",
  "divisions",
  "details.query",
  "jobs.submit",
  "jobs.status",
  "jobs.results",
  "jobs.delete",
  "jobs.availability",
];

/**
 * When a fault rule fires. Each rule counts the requests it applies to (1, 2, 3, ...). With
 * `everyNth` it fires on every n-th; with `probability` it fires when a seeded draw for that count
 * is below p (deterministic for a given seed and request order); with both, when either says so;
 * with neither, on every request. `after` skips the first requests; `times` caps how often it
 * fires.
 */
export interface FaultTrigger {
  /** Fire on every n-th request the rule applies to (1 = every request). */
  everyNth?: number;
  /** Fire with this probability (0 to 1), drawn from the simulator's seed. */
  probability?: number;
  /** Let this many requests through before the rule may fire. */
  after?: number;
  /** Fire at most this many times. */
  times?: number;
}

/**
 * Which routes a rule applies to. Without `route`, a rule applies to every API route but not to
 * `token`; name `"token"` to target the token endpoint.
 */
export interface RouteTarget {
  /** One route or several; absent means every API route (not `token`). */
  route?: SimRoute | SimRoute[];
}

/** Answer with an error status instead of serving the request. */
export interface ErrorFault extends FaultTrigger, RouteTarget {
  /**
   * The status to answer. 429 gets `Retry-After` and the normalized 429 body; 403 the
   * `missing.permissions` body (a permission the client lacks, such as on one listing).
   */
  status: 403 | 429 | 500 | 502 | 503 | 504;
  /**
   * `Retry-After` in seconds for an injected 429; may be hours, e.g. 3600.
   *
   * @default {1}
   */
  retryAfterSeconds?: number;
}

/** Delay the response. The first rule whose route matches applies. */
export interface LatencyFault extends RouteTarget {
  /** Base delay in milliseconds. */
  ms?: number;
  /** A uniform extra delay of 0 to `jitterMs` milliseconds (seeded). */
  jitterMs?: number;
  /** Extra delay of a spike, in milliseconds. */
  spikeMs?: number;
  /** A spike on every n-th request of this rule. */
  spikeEveryNth?: number;
  /** A spike with this probability (seeded). */
  spikeProbability?: number;
}

/**
 * Damage the response body.
 * - `truncate`: `Content-Length` claims the full size but only part is sent, then the connection
 *   closes (the client sees a body read error).
 * - `cut`: a well-framed 200 whose body is the first part of the JSON (the client's JSON parse fails).
 * - `malformed`: a well-framed 200 whose body is invalid JSON of the full length.
 * - `disconnect`: a chunked body aborted after part of it (the connection is reset mid-response).
 */
export interface BodyFault extends FaultTrigger, RouteTarget {
  /** What to do to the body. */
  kind: "truncate" | "cut" | "malformed" | "disconnect";
}

/**
 * A rate limit on API routes (not `token`), answered as the real API answers it: 429 with
 * `Retry-After` and the normalized body. Either per-minute windows (`requestsPerMinute`, the real
 * semantics: once a minute's requests reach the limit, every request waits for the window to
 * reset) or a token bucket (`requestsPerSecond`, refilled by elapsed time).
 */
export interface RateLimitFault extends RouteTarget {
  /** Fixed windows: requests accepted per minute (a window starts with its first request). */
  requestsPerMinute?: number;
  /** Token bucket: sustained requests per second (tokens added per second). */
  requestsPerSecond?: number;
  /** Token bucket size: requests that may arrive at once (default `requestsPerSecond`, at least 1). */
  burst?: number;
  /**
   * The `limit` object the 429 body carries (`value` is the limit per minute), as the real API
   * does since 2023 for some limits; absent (default), the body has none.
   */
  limit?: { key: string; namespace: string };
}

/**
 * Faults, changeable while the simulator runs with {@link Simulator.setFaults}. Setting a key
 * replaces that key (its rules start counting afresh); `null` clears it; absent keys are kept.
 */
export interface SimFaults {
  /** `expires_in` of tokens issued from now on, in seconds (fractions allowed for fast tests). */
  tokenLifetimeSeconds?: number;
  /** Revoke each token once it has authorized this many API requests (the next one gets 401). */
  revokeAfterRequests?: number | null;
  /**
   * Revoke every live token when this rule fires on an API request, and answer that request
   * 401 (as when an admin revokes the client's tokens mid-run): `{ after: 6, times: 1 }` revokes
   * them at the 7th API request, whatever the timing, so a test or demo sees a 401 for certain.
   */
  revokeTokens?: (FaultTrigger & RouteTarget) | null;
  /** A rate limit (per-minute windows or a token bucket) answering 429 with `Retry-After`. */
  rateLimit?: RateLimitFault | null;
  /** Injected error statuses (the first rule that fires wins). */
  errors?: ErrorFault[] | null;
  /** Added latency, with jitter and spikes. */
  latency?: LatencyFault[] | null;
  /** Damaged bodies (the first rule that fires wins). */
  bodies?: BodyFault[] | null;
  /** Analytics jobs that end in `FAILED` instead of `FULFILLED` (counted per submitted job). */
  failJobs?: FaultTrigger | null;
}
