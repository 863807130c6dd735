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

export * from "./retry.ts";
export * from "./sleep.ts";
export * from "./deadline.ts";
export * from "./retry_after.ts";
