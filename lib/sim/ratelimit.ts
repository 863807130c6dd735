/**
 * Rate limiting: a token bucket refilled by elapsed time, and the per-minute window behind the
 * `inin-ratelimit-*` headers.
 *
 * @module
 */

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
export class TokenBucket {
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
 * Counts requests in fixed one-minute windows, for `inin-ratelimit-count` and `-reset`.
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
