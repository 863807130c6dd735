/**
 * A time limit on any async operation, ended early by an abort signal.
 *
 * @module
 */

import { DeadlineError } from "../errors.ts";
import { formatWait } from "../_text.ts";

/** Options of {@link deadline}. */
export interface DeadlineOptions {
  /** Aborting it rejects at once with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Makes a promise reject with a {@link DeadlineError} if it has not settled within `ms`
 * milliseconds (like `@std/async`'s `deadline`). The timer is cleared as soon as it settles.
 *
 * @typeParam T What the promise resolves to.
 * @param promise The promise to bound.
 * @param ms How long to wait, in milliseconds.
 * @param options A signal that also ends the wait.
 * @returns A promise settling like `promise`, or rejecting at the deadline.
 * @throws {DeadlineError} When `ms` passes first.
 * @throws The signal's reason when it aborts first.
 *
 * @example
 * ```ts
 * import { deadline } from "./deadline.ts";
 * import { DeadlineError } from "../errors.ts";
 * import { rejects, strictEqual } from "node:assert/strict";
 *
 * strictEqual(await deadline(Promise.resolve(42), 1000), 42);
 * await rejects(deadline(new Promise(() => {}), 1), DeadlineError);
 * ```
 */
export function deadline<T>(
  promise: Promise<T>,
  ms: number,
  options: DeadlineOptions = {},
): Promise<T> {
  const { signal } = options;
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      promise.catch(() => {});
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new DeadlineError(
          `Deadline of ${formatWait(ms)} reached before the operation finished`,
          { waitMs: ms },
        ),
      );
    }, ms);
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = (): void => {
      cleanup();
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error) => {
        cleanup();
        reject(error);
      },
    );
  });
}
