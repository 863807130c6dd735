/**
 * Retrying and time limits for any async operation: {@link retry} with exponential backoff and
 * jitter (options named like `@std/async`'s), a deadline no wait crosses, per-error delay hints
 * such as `Retry-After` ({@link parseRetryAfter}); {@link deadline} for a time limit; and
 * {@link sleep}, which an abort ends at once.
 *
 * @example Retry a flaky call, waiting what the server asks
 * ```ts
 * import { deadline, parseRetryAfter, retry } from "./mod.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let calls = 0;
 * const value = await deadline(
 *   retry(() => {
 *     if (++calls < 3) throw new Error("Busy");
 *     return "done";
 *   }, {
 *     minTimeout: 1,
 *     retryAfter: () => parseRetryAfter("0"),
 *   }),
 *   5_000,
 * );
 * strictEqual(value, "done");
 * strictEqual(calls, 3);
 * ```
 *
 * @module
 */

export { DEFAULT_MAX_RETRY_AFTER, retry } from "./retry.ts";
export type { RetryInfo, RetryOptions, RetryPolicy, RetryReason, TimeBudget } from "./retry.ts";
export { sleep } from "./sleep.ts";
export { deadline } from "./deadline.ts";
export type { DeadlineOptions } from "./deadline.ts";
export { parseRetryAfter } from "./retry_after.ts";
