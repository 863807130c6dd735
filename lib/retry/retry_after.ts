/**
 * Reading how long a server asks to wait: the `Retry-After` header, in seconds or as an HTTP date.
 *
 * @module
 */

/**
 * Reads how long the server asked to wait, in milliseconds: a `Retry-After` value (seconds, or an
 * HTTP date measured from `now`), or, given headers, `Retry-After` and else Genesys'
 * `inin-ratelimit-reset` (seconds). Only meaningful on a 429 or 503: every Genesys response
 * carries `inin-ratelimit-reset`.
 *
 * @param input Response headers, or one `Retry-After` value.
 * @param now The current time in epoch milliseconds, for HTTP dates. Default `Date.now()`.
 * @returns The wait in milliseconds (0 for a date in the past), or `undefined` when absent or
 * unreadable.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from "./retry_after.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(parseRetryAfter("2"), 2000);
 * strictEqual(parseRetryAfter(new Headers({ "inin-ratelimit-reset": "7" })), 7000);
 * const now = Date.parse("2024-01-01T00:00:00Z");
 * strictEqual(parseRetryAfter("Mon, 01 Jan 2024 00:00:30 GMT", now), 30_000);
 * strictEqual(parseRetryAfter("soon"), undefined);
 * ```
 */
export function parseRetryAfter(
  input: Headers | string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (input instanceof Headers) {
    return parseValue(input.get("retry-after"), now) ??
      parseSeconds(input.get("inin-ratelimit-reset"));
  }
  return parseValue(input, now);
}

function parseSeconds(value: string | null | undefined): number | undefined {
  const text = value?.trim() ?? "";
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  return Math.round(Number(text) * 1000);
}

function parseValue(value: string | null | undefined, now: number): number | undefined {
  const seconds = parseSeconds(value);
  if (seconds !== undefined) return seconds;
  const text = value?.trim() ?? "";
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
