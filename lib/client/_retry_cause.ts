/**
 * Why a request is retried: the cause of an error for events and statistics, and the delay hint a
 * 429 or 5xx answer attached to its error.
 *
 * @module
 */

import { ApiError, NetworkError, RateLimitError } from "../errors.ts";
import type { RetryCause } from "./events.ts";

const hints = new WeakMap<object, number>();

/**
 * Remembers the delay a 429 asked for (a `RateLimitError` always carries a number, so a 429
 * without any hint is recorded as having none here and then backs off).
 *
 * @param error The error thrown for the 429.
 * @param ms The hinted delay, or `undefined` when the response had none.
 * @returns The error.
 *
 * @example
 * ```ts
 * import { retryAfterHint, withRetryAfterHint } from "./_retry_cause.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const error = withRetryAfterHint(new Error("429"), 2000);
 * strictEqual(retryAfterHint(error), 2000);
 * ```
 */
export function withRetryAfterHint<E extends object>(error: E, ms: number | undefined): E {
  if (ms !== undefined) hints.set(error, ms);
  return error;
}

/**
 * The delay recorded by {@link withRetryAfterHint}.
 *
 * @param error Any thrown value.
 * @returns The hinted delay in milliseconds, or `undefined`.
 *
 * @example
 * ```ts
 * import { retryAfterHint } from "./_retry_cause.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(retryAfterHint(new Error("x")), undefined);
 * ```
 */
export function retryAfterHint(error: unknown): number | undefined {
  return typeof error === "object" && error !== null ? hints.get(error) : undefined;
}

/** Statuses retried with backoff. */
const RETRIED_STATUSES = new Set([408, 500, 502, 503, 504]);

/**
 * Why an error is worth another attempt, or `undefined` when it is not.
 *
 * @param error Any thrown value.
 * @returns The retry cause, or `undefined`.
 *
 * @example
 * ```ts
 * import { retryCause } from "./_retry_cause.ts";
 * import { NetworkError } from "../errors.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(retryCause(new NetworkError("x", { kind: "timeout" })), "timeout");
 * ```
 */
export function retryCause(error: unknown): RetryCause | undefined {
  if (error instanceof RateLimitError) return "rateLimit";
  if (error instanceof NetworkError) return error.kind === "timeout" ? "timeout" : "network";
  if (error instanceof ApiError && RETRIED_STATUSES.has(error.status)) return "serverError";
  return undefined;
}
