/**
 * Internal helpers shared by the page sources: option checks, the `maxPages` guard, and the
 * signal that lets a loop abort its own requests.
 *
 * @module
 */
import { GenesysError, UsageError } from "../errors.ts";

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
 * import { checkPositiveInt } from "./_page_loop.ts";
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
 * Ends a listing that would go past `maxPages`: called when page number `pages` has a next page.
 *
 * @param path The listing's path, for the message.
 * @param pages How many pages were read so far.
 * @param maxPages The most pages allowed, or `undefined` (no limit).
 * @throws {GenesysError} When `pages` already reached `maxPages`.
 *
 * @example
 * ```ts
 * import { checkMaxPages } from "./_page_loop.ts";
 * import { throws } from "node:assert/strict";
 *
 * checkMaxPages("/api/v2/users", 1, 2);
 * throws(() => checkMaxPages("/api/v2/users", 2, 2), /more than 2 pages/);
 * ```
 */
export function checkMaxPages(path: string, pages: number, maxPages: number | undefined): void {
  if (maxPages !== undefined && pages >= maxPages) {
    throw new GenesysError(
      `The listing '${path}' has more than ${maxPages} pages (maxPages); raise maxPages or narrow the query`,
    );
  }
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
 * import { linkSignal } from "./_page_loop.ts";
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
 * The records of a page: `field` must be an array of JSON objects (absent means none). A listing
 * of records never holds anything else; a path that is not a listing often does.
 *
 * @typeParam T The record type.
 * @param value The response's field (`entities`, `conversations`).
 * @param field Its name, for the message.
 * @param where What answered, for the message (`The listing '/api/v2/users' (page 3)`).
 * @returns The records.
 * @throws {GenesysError} When the field is not an array or holds something that is not an object.
 *
 * @example
 * ```ts
 * import { recordsOf } from "./_page_loop.ts";
 * import { deepStrictEqual, throws } from "node:assert/strict";
 *
 * deepStrictEqual(recordsOf(undefined, "entities", "The listing"), []);
 * throws(() => recordsOf(["u1"], "entities", "The listing"), /entities that are not records \("u1"\)/);
 * ```
 */
export function recordsOf<T>(value: unknown, field: string, where: string): T[] {
  if (value === undefined || value === null) return [];
  const bad = !Array.isArray(value)
    ? value
    : value.find((e) => typeof e !== "object" || e === null || Array.isArray(e));
  if (Array.isArray(value) && bad === undefined) return value as T[];
  const shown = JSON.stringify(bad)?.slice(0, 60) ?? String(bad);
  throw new GenesysError(
    `${where} answered ${field} that are not records (${
      Array.isArray(value) ? "" : `'${field}' is `
    }${shown}): check that it is a listing of objects`,
  );
}
