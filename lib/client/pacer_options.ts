/**
 * The options and shapes of a {@link Pacer}: its settings, what it is told of each answer, the
 * ticket a request holds, and its statistics.
 *
 * @module
 */

import type { Clock } from "../types.ts";

/** Options of a {@link Pacer}. */
export interface PacerOptions {
  /**
   * The rate to start from, requests per minute: used from the first request when given, else
   * from the first 429 that says nothing better.
   *
   * @default {300} Genesys' default per token
   */
  rate?: number;
  /**
   * Whether requests are spaced from the first one on. Default: `true` when `rate` is given,
   * else `false` (nothing is held back until the first 429).
   */
  paceFromStart?: boolean;
  /**
   * The window limits are counted in, in milliseconds.
   *
   * @default {60000} Genesys: per minute
   */
  windowMs?: number;
  /**
   * The share of a stated or measured limit to aim for, above 0 and at most 1.
   *
   * @default {0.98}
   */
  utilization?: number;
  /**
   * The most of the rate a 429 leaves (multiplicative decrease), above 0 and below 1: at 0.9, a
   * 429 always slows down by at least a tenth, and by more when the server accepted less.
   *
   * @default {0.9}
   */
  decrease?: number;
  /**
   * How fast the rate climbs while requests are held back and no 429 comes (additive increase):
   * this share of the rate the last 429 met, per minute.
   *
   * @default {0.1}
   */
  increasePerMinute?: number;
  /**
   * The slowest rate, requests per minute.
   *
   * @default {6}
   */
  minRate?: number;
  /**
   * The longest pause a 429's `Retry-After` imposes on every request, in milliseconds; a longer
   * one (a daily quota) pauses no one, since the client fails such a request at once.
   *
   * @default {180000} the client's `retry.maxRetryAfter`
   */
  maxPauseMs?: number;
  /** The time and waits (see {@link Clock}; `random` is not used). Default the real ones. */
  clock?: Clock;
}

/** Options of {@link Pacer.acquire}. */
export interface PacerAcquireOptions {
  /** Ends the wait at once, rejecting with the signal's reason. */
  signal?: AbortSignal;
  /** An absolute deadline (epoch ms by the pacer's clock): a wait that would cross it fails at once. */
  deadline?: number;
  /** What is waiting, for the deadline message (such as `GET /api/v2/users`). */
  name?: string;
  /**
   * The route the request belongs to (such as `GET /api/v2/users`): requests of a route that met
   * a limit of its own (a 429 naming a `limit.key`) also wait for that limit.
   */
  route?: string;
}

/** The `limit` object of a Genesys 429 body: which per-minute limit was hit. */
export interface RateLimitInfo {
  /** The limit's key, such as `client.credentials.token.rate.per.minute`. */
  key?: string;
  /** Its namespace, such as `platform.api` or `directory`. */
  namespace?: string;
  /** The limit, requests per minute. */
  value?: number;
}

/** The parts of a response a pacer reads. */
export interface PacerResponse {
  /** The HTTP status. */
  status: number;
  /** The response headers (`Retry-After`; `inin-ratelimit-allowed` as a hint). */
  headers?: Headers;
  /**
   * For a 429: the wait it asked for (header or body), in milliseconds. Default its `Retry-After`
   * header, else 1 s.
   */
  retryAfterMs?: number;
  /** For a 429: the `limit` its body named, if any. */
  limit?: RateLimitInfo;
}

/** The permission to send one request; report its outcome with {@link PacerTicket.done}. */
export interface PacerTicket {
  /**
   * Reports that the request ended: with its response, or without one after a network failure.
   * Only the first call counts.
   *
   * @param response The response, when there was one.
   */
  done(response?: PacerResponse): void;
}

/** One limit the pacer keeps, as a snapshot. */
export interface PacerLimitStats {
  /** The limit's key (`token` for the token's own limit). */
  key: string;
  /** Whether requests are spaced now. */
  paced: boolean;
  /** The rate requests are spaced at, requests per minute (when `paced`). */
  ratePerMinute: number;
  /** The limit a 429 body or header stated, requests per minute, if any. */
  statedPerMinute?: number;
  /** 429s that lowered this limit's rate. */
  slowdowns: number;
}

/** What a pacer is doing, as a snapshot. */
export interface PacerStats {
  /** Whether the token's requests are spaced now (from the start, or since a 429). */
  spacing: boolean;
  /** The token's current rate, requests per second (what spacing uses). */
  ratePerSecond: number;
  /** The rate it started from, requests per minute. */
  startRatePerMinute: number;
  /** The token's limit as a 429 body or an old header stated it, requests per minute. */
  allowed?: number;
  /** Every limit kept: the token's, and one per `limit.key` a 429 named. */
  limits: PacerLimitStats[];
  /** Requests let through. */
  acquired: number;
  /** Requests that had to wait. */
  waits: number;
  /** Milliseconds spent waiting, all requests together. */
  waitedMs: number;
  /** 429 responses seen. */
  rateLimited: number;
  /** Times a 429 lowered a rate. */
  slowdowns: number;
  /** Requests waiting now. */
  queued: number;
  /** Requests let through whose outcome is not reported yet. */
  inFlight: number;
  /** Until when (epoch ms) a 429 holds every request, if that is in the future. */
  pausedUntil?: number;
}
