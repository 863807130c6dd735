/**
 * Rate limiting as Genesys Cloud does it, and as a token bucket: fixed per-minute windows (a
 * limit counts the requests it accepts per minute; once they reach it, every request is answered
 * 429 with a `Retry-After` of the seconds until the window resets), a token bucket refilled by
 * elapsed time, and the request count behind the old `inin-ratelimit-*` headers (sent only when
 * asked for: the real API dropped them in June 2021).
 *
 * @module
 */

/** A limit that answers how long a request must wait: 0 to accept it, else milliseconds. */
export interface Limit {
  /** Requests allowed per minute (what a 429 body's `limit.value` states). */
  readonly perMinute: number;
  /**
   * Counts one request when it is accepted.
   *
   * @returns 0 when accepted, else milliseconds until one would be.
   */
  take(): number;
}

/**
 * Fixed windows: `limit` requests per `windowMs`; a window starts with the first request after
 * the last one ended. Requests answered 429 do not count.
 *
 * @example
 * ```ts
 * import { FixedWindow } from "./ratelimit.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let now = 0;
 * const window = new FixedWindow(2, 60_000, () => now);
 * strictEqual(window.take(), 0);
 * strictEqual(window.take(), 0);
 * now = 15_000;
 * strictEqual(window.take(), 45_000); // spent until the window resets
 * now = 60_000;
 * strictEqual(window.take(), 0);
 * ```
 */
export class FixedWindow implements Limit {
  /** Requests per window. */
  readonly limit: number;
  /** The window, ms. */
  readonly windowMs: number;
  readonly #now: () => number;
  #start = -Infinity;
  #count = 0;

  /**
   * Creates the window.
   *
   * @param limit Requests accepted per window (at least 1).
   * @param windowMs The window's length, ms.
   * @param now The clock, ms.
   */
  constructor(limit: number, windowMs: number, now: () => number) {
    this.limit = Math.max(1, Math.floor(limit));
    this.windowMs = windowMs;
    this.#now = now;
  }

  /** Requests allowed per minute. */
  get perMinute(): number {
    return Math.round(this.limit * 60_000 / this.windowMs);
  }

  /**
   * Counts one request when the window has room.
   *
   * @returns 0 when accepted, else milliseconds until the window resets.
   */
  take(): number {
    const now = this.#now();
    if (now - this.#start >= this.windowMs) {
      this.#start = now;
      this.#count = 0;
    }
    if (this.#count < this.limit) {
      this.#count++;
      return 0;
    }
    return this.#start + this.windowMs - now;
  }
}

/**
 * A token bucket: `burst` requests at once, `ratePerSecond` sustained.
 *
 * @example
 * ```ts
 * import { TokenBucket } from "./ratelimit.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let now = 0;
 * const bucket = new TokenBucket(2, 1, () => now);
 * strictEqual(bucket.take(), 0);
 * strictEqual(bucket.take(), 500);
 * now = 500;
 * strictEqual(bucket.take(), 0);
 * ```
 */
export class TokenBucket implements Limit {
  /** Sustained rate. */
  readonly ratePerSecond: number;
  /** Bucket size. */
  readonly burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  /**
   * Creates a full bucket.
   *
   * @param ratePerSecond Tokens added per second.
   * @param burst Bucket size (at least 1).
   * @param now The clock, ms.
   */
  constructor(ratePerSecond: number, burst: number, now: () => number) {
    this.ratePerSecond = ratePerSecond;
    this.burst = Math.max(1, burst);
    this.#now = now;
    this.#tokens = this.burst;
    this.#last = now();
  }

  /** Requests allowed per minute. */
  get perMinute(): number {
    return Math.round(this.ratePerSecond * 60);
  }

  /**
   * Takes one token.
   *
   * @returns 0 when taken, else milliseconds until one is available.
   */
  take(): number {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.ratePerSecond) / 1000);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return ((1 - this.#tokens) * 1000) / this.ratePerSecond;
  }
}

/**
 * Counts every request in fixed one-minute windows, for the old `inin-ratelimit-count` and
 * `-reset` headers.
 *
 * @example
 * ```ts
 * import { MinuteWindow } from "./ratelimit.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * let now = 0;
 * const w = new MinuteWindow(() => now);
 * w.hit();
 * now = 1000;
 * deepStrictEqual(w.hit(), { count: 2, resetSeconds: 59 });
 * ```
 */
export class MinuteWindow {
  readonly #now: () => number;
  #start = -Infinity;
  #count = 0;

  /**
   * Creates the window.
   *
   * @param now The clock, ms.
   */
  constructor(now: () => number) {
    this.#now = now;
  }

  /**
   * Counts one request.
   *
   * @returns The count in this window and the seconds until it resets.
   */
  hit(): { count: number; resetSeconds: number } {
    const now = this.#now();
    if (now - this.#start >= 60_000) {
      this.#start = now;
      this.#count = 0;
    }
    this.#count++;
    return {
      count: this.#count,
      resetSeconds: Math.max(1, Math.ceil((this.#start + 60_000 - now) / 1000)),
    };
  }
}
