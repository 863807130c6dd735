/**
 * Internal helpers shared by the paginators: option checks, the signal that ends a page loop,
 * and prefetched requests whose failure is handled later.
 *
 * @module
 */
import { UsageError } from "./errors.ts";
import { parseDuration } from "./interval.ts";

/** Query parameters added to every page request (`undefined` values are skipped). */
export type Query = Record<string, string | number | boolean | undefined>;

/**
 * Checks an option is a whole number from 1 to `max` (when given).
 *
 * @param name The option's name, for the message.
 * @param value The value, or `undefined` (accepted).
 * @param max The largest value allowed.
 * @throws {UsageError} When the value is out of range.
 *
 * @example
 * ```ts
 * import { checkPositiveInt } from "./page_loop.ts";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => checkPositiveInt("pageSize", 0), /'pageSize' is '0'/);
 * ```
 */
export function checkPositiveInt(name: string, value: number | undefined, max = Infinity): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    const range = max === Infinity
      ? "a whole number of at least 1"
      : `a whole number from 1 to ${max}`;
    throw new UsageError(`Option '${name}' is '${value}': it must be ${range}`);
  }
}

/**
 * Reads a duration option: milliseconds, or a duration such as `6h` (see `parseDuration`). It
 * must be positive.
 *
 * @param name The option's name, for the message.
 * @param value Milliseconds or a duration.
 * @param example A duration the message suggests, such as `1d`.
 * @returns Milliseconds.
 * @throws {UsageError} When the value is not a positive duration.
 *
 * @example
 * ```ts
 * import { durationOption } from "./page_loop.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * strictEqual(durationOption("chunk", "6h", "1d"), 21_600_000);
 * throws(() => durationOption("chunk", 0, "1d"), /'chunk' is '0'/);
 * ```
 */
export function durationOption(name: string, value: string | number, example: string): number {
  const ms = typeof value === "number" ? value : parseDuration(value);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(
      `Option '${name}' is '${value}': it must be a positive duration such as '${example}'`,
    );
  }
  return ms;
}

/**
 * Links the caller's signal with an internal controller, so that a page loop can abort its own
 * prefetched request when the consumer leaves early.
 *
 * @param signal The caller's signal, if any.
 * @returns The controller to abort on early exit and the signal to pass to requests.
 *
 * @example
 * ```ts
 * import { linkSignal } from "./page_loop.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const caller = new AbortController();
 * const { signal } = linkSignal(caller.signal);
 * caller.abort();
 * strictEqual(signal.aborted, true);
 * ```
 */
export function linkSignal(
  signal?: AbortSignal,
): { controller: AbortController; signal: AbortSignal } {
  const controller = new AbortController();
  return {
    controller,
    signal: signal ? AbortSignal.any([signal, controller.signal]) : controller.signal,
  };
}

/**
 * The abort reason of a request abandoned because its page loop ended.
 *
 * @returns An `AbortError`.
 *
 * @example
 * ```ts
 * import { stopReason } from "./page_loop.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(stopReason().name, "AbortError");
 * ```
 */
export function stopReason(): DOMException {
  return new DOMException("The page loop ended before this request finished", "AbortError");
}

/**
 * Marks a started request's rejection as handled (it is awaited later, or never when the loop
 * ends first), and returns the same promise.
 *
 * @typeParam T The result type.
 * @param promise The request.
 * @returns The same promise.
 *
 * @example
 * ```ts
 * import { pending } from "./page_loop.ts";
 * import { rejects } from "node:assert/strict";
 *
 * const request = pending(Promise.reject(new Error("later")));
 * await rejects(request, /later/);
 * ```
 */
export function pending<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
