/**
 * Retrying with exponential backoff and full jitter (options named like `@std/async`'s
 * `retry`), plus what long batch jobs need on top: a deadline no wait may cross, per-error delay
 * hints such as `Retry-After`, an abort signal that ends a wait at once, and injectable time.
 *
 * @module
 */

import { ApiError, DeadlineError, RateLimitError } from "../errors.ts";
import { formatWait, oneLine } from "../_text.ts";
import { type Backoff, backoffDelay, checkBackoff, invalid } from "./_backoff.ts";
import { sleep } from "./sleep.ts";
import type { Clock } from "../types.ts";

/** Why {@link retry} waits before the next attempt. */
export type RetryReason = "backoff" | "retryAfter";

/** What {@link RetryOptions.onRetry} is told before each wait. */
export interface RetryInfo {
  /** The attempt that just failed (1 for the first call). */
  attempt: number;
  /** How long {@link retry} is about to wait, in milliseconds. */
  delayMs: number;
  /** What the failed attempt threw. */
  error: unknown;
  /** `retryAfter` when the delay came from {@link RetryOptions.retryAfter}, else `backoff`. */
  reason: RetryReason;
}

/**
 * How {@link retry} backs off: the settings named and behaving like `@std/async`'s, plus the
 * longest `Retry-After` waited. The defaults are `retry`'s; a client and a token manager take
 * these under their `retry` option, with defaults of their own.
 */
export interface RetryPolicy {
  /**
   * How many times `fn` is called at most (a positive integer).
   *
   * @default {5}
   */
  maxAttempts?: number;
  /**
   * The backoff before the second attempt, in milliseconds (before jitter).
   *
   * @default {1000}
   */
  minTimeout?: number;
  /**
   * The longest backoff, in milliseconds (before jitter).
   *
   * @default {60000}
   */
  maxTimeout?: number;
  /**
   * How much the backoff grows after each attempt (at least 1).
   *
   * @default {2}
   */
  multiplier?: number;
  /**
   * How much of the backoff is randomised, from 0 (none: wait the full backoff) to 1 (full
   * jitter: wait anywhere between 0 and the backoff).
   *
   * @default {1}
   */
  jitter?: number;
  /**
   * The longest hinted delay that is waited, in milliseconds; a longer one fails at once with a
   * {@link RateLimitError} that says how long was asked for.
   *
   * @default {180000} 3 minutes
   */
  maxRetryAfter?: number;
}

/** Options of {@link retry}: its {@link RetryPolicy}, what to retry, limits and injected time. */
export interface RetryOptions extends RetryPolicy {
  /** Whether an error is worth another attempt. Default: every error is. */
  isRetriable?: (error: unknown) => boolean;
  /** Aborts the retrying: a wait ends at once and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * An absolute deadline, in epoch milliseconds by the clock's `now`. No wait crosses it: when
   * the next wait would, {@link retry} fails at once with a {@link DeadlineError}.
   */
  deadline?: number;
  /**
   * A per-error delay hint in milliseconds (such as a parsed `Retry-After`) that replaces the
   * backoff; `undefined` means "use the backoff".
   */
  retryAfter?: (error: unknown) => number | undefined;
  /** Called before each wait, with the failed attempt, the delay, the error and the reason. */
  onRetry?: (info: RetryInfo) => void;
  /**
   * Errors retried by time instead of by attempts (such as 429s: the server did not process the
   * request, so another attempt costs nothing but the wait). They use up no attempt; they are
   * retried while the time since the first of them, plus the next wait, stays within `ms`.
   */
  timeBudget?: TimeBudget;
  /** What is being retried, for error messages (such as `GET /api/v2/users`). */
  name?: string;
  /** The time, waits and jitter randomness (see {@link Clock}). Default the real ones. */
  clock?: Clock;
}

/** See {@link RetryOptions.timeBudget}. */
export interface TimeBudget {
  /** Whether an error is retried by time. */
  applies: (error: unknown) => boolean;
  /** How long such errors may go on, in milliseconds, counted from the first of them. */
  ms: number;
  /**
   * The error to throw once the budget is spent. Default: the last error.
   *
   * @param error The last error.
   * @param spentMs The time since the first such error.
   * @param times How many such errors there were.
   */
  exceeded?: (error: unknown, spentMs: number, times: number) => unknown;
}

/** The signal of calls without one: never aborted, shared (listeners on it are removed by their owners). */
const NEVER_ABORTED = new AbortController().signal;

/** The default longest `Retry-After` wait: 180 s, like the official `gc` CLI. */
export const DEFAULT_MAX_RETRY_AFTER = 180_000;

/**
 * Calls `fn` until it succeeds, an error is not retriable, the attempts run out, the deadline
 * would be crossed or the signal aborts.
 *
 * Between attempts it waits like `@std/async`'s `retry`: after attempt `n` (1-based) the backoff
 * is `min(maxTimeout, minTimeout * multiplier ** (n - 1))`, of which a random part
 * (`jitter * random()`) is taken off. When {@link RetryOptions.retryAfter} gives a hint for the
 * error, the hint replaces the backoff (no jitter), but a hint above `maxRetryAfter` fails at once.
 *
 * Unlike `@std/async`, running out of attempts rethrows the last error itself (not a wrapper),
 * so callers catch the typed error they know.
 *
 * @typeParam T What `fn` returns.
 * @param fn The operation; it receives the attempt number (from 1) and the signal to pass on.
 * @param options Backoff, deadline, hints, signal and clock.
 * @returns What `fn` returned on its first success.
 * @throws The last error, when it is not retriable or the attempts ran out.
 * @throws {RateLimitError} When a hinted delay is longer than `maxRetryAfter`.
 * @throws {DeadlineError} When the deadline has passed or the next wait would cross it
 * (its `cause` is the last error).
 * @throws {RangeError} For invalid options.
 * @throws The signal's reason when the signal aborts.
 *
 * @example Retry a flaky operation without real waiting
 * ```ts
 * import { retry } from "./retry.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const waits: number[] = [];
 * const result = await retry((attempt) => {
 *   if (attempt < 3) throw new Error(`Failure ${attempt}`);
 *   return "done";
 * }, {
 *   minTimeout: 100,
 *   jitter: 0,
 *   clock: {
 *     sleep: (ms) => {
 *       waits.push(ms);
 *       return Promise.resolve();
 *     },
 *   },
 * });
 * strictEqual(result, "done");
 * deepStrictEqual(waits, [100, 200]);
 * ```
 *
 * @example A hint longer than the time left fails at once
 * ```ts
 * import { retry } from "./retry.ts";
 * import { DeadlineError } from "../errors.ts";
 * import { rejects } from "node:assert/strict";
 *
 * await rejects(
 *   retry(() => Promise.reject(new Error("Busy")), {
 *     clock: { now: () => 0 },
 *     deadline: 5_000,
 *     retryAfter: () => 10_000,
 *     name: "GET /api/v2/users",
 *   }),
 *   DeadlineError,
 * );
 * ```
 */
export async function retry<T>(
  fn: (attempt: number, signal: AbortSignal) => Promise<T> | T,
  options: RetryOptions = {},
): Promise<T> {
  const {
    maxAttempts = 5,
    minTimeout = 1000,
    maxTimeout = 60_000,
    multiplier = 2,
    jitter = 1,
    isRetriable = () => true,
    deadline,
    retryAfter,
    maxRetryAfter = DEFAULT_MAX_RETRY_AFTER,
    onRetry,
    name = "The operation",
  } = options;
  const now = options.clock?.now ?? Date.now;
  const wait = options.clock?.sleep ?? sleep;
  const random = options.clock?.random ?? Math.random;
  const backoff: Backoff = {
    maxAttempts,
    minTimeout,
    maxTimeout,
    multiplier,
    jitter,
    maxRetryAfter,
  };
  checkBackoff(backoff);
  if (deadline !== undefined && Number.isNaN(deadline)) {
    invalid(`'deadline' must be a number, got 'NaN'`);
  }
  const signal = options.signal ?? NEVER_ABORTED;
  const budget = options.timeBudget;
  let budgetStart: number | undefined;
  let budgetTimes = 0;
  let counted = 0;

  for (let attempt = 1;; attempt++) {
    signal.throwIfAborted();
    if (deadline !== undefined && now() >= deadline) {
      throw new DeadlineError(
        `Deadline reached before attempt ${attempt} of ${name} could start`,
        { request: options.name, remainingMs: deadline - now() },
      );
    }
    try {
      return await fn(attempt, signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (!isRetriable(error)) throw error;
      const hint = retryAfter?.(error);
      const hinted = hint !== undefined && Number.isFinite(hint) && hint >= 0;
      if (hinted && hint > maxRetryAfter) {
        const correlationId = (error as { correlationId?: unknown })?.correlationId;
        const said = error instanceof ApiError
          ? `${name} answered ${error.status}`
          : `${name} was rate limited`;
        throw new RateLimitError(
          `${said}: the server asked to wait ${formatWait(hint)}, longer than the ${
            formatWait(maxRetryAfter)
          } allowed (maxRetryAfter); try again later or raise maxRetryAfter`,
          {
            retryAfterMs: hint,
            request: options.name,
            correlationId: typeof correlationId === "string" ? correlationId : undefined,
            maxRetryAfterMs: maxRetryAfter,
          },
          { cause: error },
        );
      }
      const timed = budget !== undefined && budget.applies(error);
      if (!timed && ++counted >= maxAttempts) throw error;
      const reason: RetryReason = hinted ? "retryAfter" : "backoff";
      const step = timed ? budgetTimes : counted - 1;
      const delayMs = hinted ? hint : backoffDelay(step, backoff, random);
      if (timed) {
        budgetTimes++;
        budgetStart ??= now();
        const spentMs = now() - budgetStart;
        if (spentMs + delayMs > budget.ms) {
          throw budget.exceeded ? budget.exceeded(error, spentMs, budgetTimes) : error;
        }
      }
      if (deadline !== undefined) {
        const remainingMs = deadline - now();
        if (delayMs >= remainingMs) {
          throw new DeadlineError(
            `Deadline reached: ${name} would wait ${formatWait(delayMs)} (${
              reason === "retryAfter" ? "as the server asked" : "backoff"
            }) before attempt ${attempt + 1}, but only ${
              formatWait(Math.max(0, remainingMs))
            } remain; last error: ${
              oneLine(error instanceof Error ? error.message : String(error), 300)
            }`,
            { cause: error, request: options.name, waitMs: delayMs, remainingMs },
          );
        }
      }
      onRetry?.({ attempt, delayMs, error, reason });
      await wait(delayMs, signal);
    }
  }
}
