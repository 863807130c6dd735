/**
 * The backoff formula of {@link retry}: exponential growth from `minTimeout` by `multiplier`,
 * capped at `maxTimeout`, with a `jitter` share of it randomised; and the checks of its settings.
 *
 * @module
 */

/** The backoff settings of one {@link retry} call, defaults applied. */
export interface Backoff {
  /** How many times the operation is called at most. */
  maxAttempts: number;
  /** The backoff before the second attempt, in milliseconds. */
  minTimeout: number;
  /** The longest backoff, in milliseconds. */
  maxTimeout: number;
  /** How much the backoff grows after each attempt. */
  multiplier: number;
  /** How much of the backoff is randomised, from 0 to 1. */
  jitter: number;
  /** The longest hinted delay that is waited, in milliseconds. */
  maxRetryAfter: number;
}

/**
 * Throws a `RangeError` starting `Cannot retry:`.
 *
 * @param message What is wrong.
 * @throws Always.
 */
export function invalid(message: string): never {
  throw new RangeError(`Cannot retry: ${message}`);
}

/**
 * Checks the backoff settings. Each message is built only when its check fails: this runs before
 * every request.
 *
 * @param backoff The settings.
 * @throws {RangeError} When one is out of range.
 */
export function checkBackoff(backoff: Backoff): void {
  const { maxAttempts, minTimeout, maxTimeout, multiplier, jitter, maxRetryAfter } = backoff;
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
    invalid(`'maxAttempts' must be a positive integer, got '${maxAttempts}'`);
  }
  if (!(Number.isFinite(multiplier) && multiplier >= 1)) {
    invalid(`'multiplier' must be a finite number of at least 1, got '${multiplier}'`);
  }
  if (!(maxTimeout > 0)) invalid(`'maxTimeout' must be positive, got '${maxTimeout}'`);
  if (!(minTimeout >= 0)) invalid(`'minTimeout' must be 0 or more, got '${minTimeout}'`);
  if (!(minTimeout <= maxTimeout)) {
    invalid(`'minTimeout' ('${minTimeout}') must not exceed 'maxTimeout' ('${maxTimeout}')`);
  }
  if (!(jitter >= 0 && jitter <= 1)) {
    invalid(`'jitter' must be between 0 and 1, got '${jitter}'`);
  }
  if (!(maxRetryAfter >= 0)) {
    invalid(`'maxRetryAfter' must be 0 or more, got '${maxRetryAfter}'`);
  }
}

/**
 * The backoff before the next attempt: `min(maxTimeout, minTimeout * multiplier ** step)`, less a
 * random share of up to `jitter` of it.
 *
 * @param step How many backoffs came before this one (0 for the first).
 * @param backoff The settings.
 * @param random A random number in [0, 1).
 * @returns The delay in whole milliseconds.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./_backoff.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const backoff = { maxAttempts: 5, minTimeout: 1000, maxTimeout: 5000, multiplier: 2, jitter: 1, maxRetryAfter: 0 };
 * strictEqual(backoffDelay(2, backoff, () => 0), 4000);
 * strictEqual(backoffDelay(5, backoff, () => 0.5), 2500);
 * ```
 */
export function backoffDelay(step: number, backoff: Backoff, random: () => number): number {
  const { minTimeout, maxTimeout, multiplier, jitter } = backoff;
  return Math.round(
    Math.min(maxTimeout, minTimeout * multiplier ** step) * (1 - jitter * random()),
  );
}
