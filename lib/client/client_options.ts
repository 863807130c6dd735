/**
 * The options of {@link GenesysClient} and what it reports back: its statistics, its pending
 * requests and the last 429 it met.
 *
 * @module
 */

import type { Pacer } from "./pacer.ts";
import type { PacerOptions, PacerStats, RateLimitInfo } from "./pacer_options.ts";
import type { Redactor } from "../redact.ts";
import type { TokenManager } from "./token_manager.ts";
import type { ClientEvent, RetryCause } from "./events.ts";
import type { RetryPolicy } from "../retry/retry.ts";
import type { Clock } from "../types.ts";

/** The last 429 a client met: what it asked to wait and which limit it named. */
export interface LastRateLimit {
  /** The request that met it, such as `GET /api/v2/users`. */
  request: string;
  /** The wait it asked for (`Retry-After`, else its body's message), in milliseconds. */
  retryAfterMs?: number;
  /** The `limit` object of its body (`key`, `namespace`, `value` per minute), if any. */
  limit?: RateLimitInfo;
  /** When it came, in epoch ms by the client's clock. */
  at: number;
}

/** Counters kept by a client, as a snapshot. */
export interface ClientStats {
  /** API requests sent (every attempt and every 401 retry counts; token requests do not). */
  requests: number;
  /** Retries by cause. */
  retries: Record<RetryCause, number>;
  /** Token requests sent (every attempt counts). */
  tokenRequests: number;
  /** API responses by status, such as `{ "200": 40, "429": 2 }`. */
  statuses: Record<string, number>;
  /** The last 429 met, if any. */
  rateLimit?: LastRateLimit;
  /** The pacer's state (current rate, waits, 429s seen), unless pacing is off. */
  pacer?: PacerStats;
}

/** What {@link GenesysClientOptions.beforeRequest} is told about the request about to be sent. */
export interface PendingRequest {
  /** The HTTP method. */
  method: string;
  /** The path with its query. */
  path: string;
  /** The attempt number, from 1. */
  attempt: number;
  /** The request's signal: a hook that waits should stop waiting when it aborts. */
  signal: AbortSignal;
}

/**
 * How a {@link GenesysClient} retries its requests: 5xx, network errors and timeouts count
 * attempts (the immediate retry after a 401 does not); 429s are retried by time, within
 * `rateLimitBudget`.
 */
export interface ClientRetryPolicy extends RetryPolicy {
  /**
   * Attempts per request for 5xx, network errors and timeouts (the immediate retry after a 401
   * does not count, and neither does a 429: see `rateLimitBudget`).
   *
   * @default {10}
   */
  maxAttempts?: number;
  /**
   * How long one request may go on meeting 429s, in milliseconds from its first 429: a storm of
   * short `Retry-After`s is ridden out for this long (within the deadline), then a
   * {@link RateLimitError} says for how long ("429s for 15m20s"). Each single wait is still
   * capped by `maxRetryAfter`.
   *
   * @default {900000} 15 minutes
   */
  rateLimitBudget?: number;
}

/** Options of a {@link GenesysClient}. */
export interface GenesysClientOptions {
  /**
   * A region or environment name (`eu-west-1`, `mypurecloud.ie`) or a base URL (the simulator's
   * `http://127.0.0.1:port`). Optional with `tokenManager` (its region is used).
   */
  region?: string;
  /** The OAuth client id (with `clientSecret`, unless `tokenManager` is given). */
  clientId?: string;
  /** The OAuth client secret. Handed to the token manager; never printed or serialized. */
  clientSecret?: string;
  /** A token manager to share between clients; replaces `clientId` and `clientSecret`. */
  tokenManager?: TokenManager;
  /**
   * The redactor the client's own token manager registers the secret and every token in (pass
   * the logger's, so that logs know them too). Ignored with `tokenManager` (it has its own).
   */
  redactor?: Redactor;
  /**
   * The fetch implementation. Also used for token requests, except with `tokenManager` (which
   * has its own).
   *
   * @default {fetch}
   */
  fetch?: typeof fetch;
  /**
   * The time, waits and jitter randomness (see {@link Clock}); the client's own token manager and
   * pacer use it too. Default the real ones.
   */
  clock?: Clock;
  /**
   * The per-attempt timeout in milliseconds, covering the response headers and the whole body:
   * generous by default, since a heavy analytics page can take tens of seconds. When given, also
   * the timeout of the token requests of the client's own token manager (default 30000).
   *
   * @default {60000}
   */
  timeoutMs?: number;
  /**
   * How requests are retried (see {@link ClientRetryPolicy}). The client's own token manager
   * takes only `maxRetryAfter` of it.
   *
   * @default {maxAttempts 10, minTimeout 1000, maxTimeout 60000, multiplier 2, jitter 1,
   * maxRetryAfter 180000, rateLimitBudget 900000}
   */
  retry?: ClientRetryPolicy;
  /** An absolute deadline (epoch ms by the clock) for every request: no wait crosses it. */
  deadline?: number;
  /**
   * Receives request, response, retry and token events (never a token or a body); the token
   * events only when the client builds its own token manager. What it throws is ignored.
   */
  onEvent?: (event: ClientEvent) => void;
  /**
   * The `User-Agent` header.
   *
   * @default {"genesys-batch-toolkit/0.1.0"}
   */
  userAgent?: string;
  /**
   * Called before every HTTP request is sent (retries included) and awaited, before the pacer's
   * wait: the place for a caller's own throttling or bookkeeping (pacing by 429s is built in: see
   * `pacing`). A rejection ends the request with that error.
   */
  beforeRequest?: (request: PendingRequest) => void | Promise<void>;
  /**
   * Client-side pacing from 429s, their `Retry-After` and the `limit` their bodies name (see
   * {@link Pacer}), on by default: `true` shares one pacer per token manager (= per token)
   * across clients and concurrent requests; `false` turns it off; {@link PacerOptions} (such as
   * `{ rate: 600 }`, requests per minute from the first request on) configure a pacer of this
   * client's own (its clock defaults to the client's); a {@link Pacer} is used as given (to share
   * it). Its waits honour the request's signal and deadline.
   *
   * @default {true}
   */
  pacing?: boolean | PacerOptions | Pacer;
}
