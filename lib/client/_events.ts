/**
 * Building and sending client events: the `retry` event of a failed attempt, and a listener call
 * that a faulty listener cannot end.
 *
 * @module
 */

import type { ClientEvent } from "./events.ts";
import type { RetryInfo } from "../retry/retry.ts";
import { oneLine } from "../_text.ts";
import { retryCause } from "./_retry_cause.ts";

/**
 * The `retry` event before a wait of `retry()`: its cause, and the error cut to one line of 400
 * characters (enough to keep the cause, such as 'Connection refused').
 *
 * @param method The HTTP method.
 * @param path The path with its query.
 * @param info What `retry()`'s `onRetry` was told.
 * @returns The event.
 *
 * @example
 * ```ts
 * import { retryEvent } from "./_events.ts";
 * import { NetworkError } from "../errors.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const error = new NetworkError("GET /x failed", { kind: "network" });
 * const event = retryEvent("GET", "/x", { attempt: 1, delayMs: 500, error, reason: "backoff" });
 * strictEqual(event.cause, "network");
 * strictEqual(event.error, "GET /x failed");
 * ```
 */
export function retryEvent(method: string, path: string, info: RetryInfo): ClientEvent {
  return {
    type: "retry",
    method,
    path,
    attempt: info.attempt,
    delayMs: info.delayMs,
    cause: retryCause(info.error),
    error: info.error instanceof Error ? oneLine(info.error.message, 400) : undefined,
  };
}

/**
 * Calls an event listener, ignoring what it throws (a faulty listener must not end a job).
 *
 * @param listener The listener, if any.
 * @param event The event.
 *
 * @example
 * ```ts
 * import { emit } from "./_events.ts";
 *
 * emit(() => {
 *   throw new Error("ignored");
 * }, { type: "request", method: "GET", path: "/x", attempt: 1 });
 * ```
 */
export function emit(
  listener: ((event: ClientEvent) => void) | undefined,
  event: ClientEvent,
): void {
  if (!listener) return;
  try {
    listener(event);
  } catch {
    // A listener's failure is its own; the request goes on.
  }
}
