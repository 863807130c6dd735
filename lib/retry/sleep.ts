/**
 * Waiting that an abort ends at once: the default `sleep` of every clock in the toolkit.
 *
 * @module
 */

/**
 * Waits `ms` milliseconds. An abort ends the wait at once, rejecting with the signal's reason, and
 * clears the timer.
 *
 * @param ms How long to wait, in milliseconds (0 or less resolves without a timer).
 * @param signal Ends the wait early.
 * @returns A promise that resolves after the wait.
 * @throws The signal's reason when it is aborted.
 *
 * @example
 * ```ts
 * import { sleep } from "./sleep.ts";
 * import { rejects } from "node:assert/strict";
 *
 * await sleep(1);
 * const controller = new AbortController();
 * const waiting = sleep(60_000, controller.signal);
 * controller.abort(new Error("Stopped"));
 * await rejects(waiting, /Stopped/);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (!(ms > 0)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort);
  });
}
