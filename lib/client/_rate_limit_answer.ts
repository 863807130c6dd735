/**
 * Reading a 429: the wait it asks for (`Retry-After`, else the body's message, else
 * `inin-ratelimit-reset`) and the `limit` object its body may carry.
 *
 * @module
 */

import type { RateLimitInfo } from "./pacer_options.ts";
import { parseRetryAfter } from "../retry/retry_after.ts";

/**
 * How long a 429 asks to wait, in milliseconds: its `Retry-After` header (seconds or an HTTP
 * date), else the wait its Genesys body names ("Retry the request in [42] seconds"), else its
 * `inin-ratelimit-reset` header (seconds).
 *
 * @param headers The 429's headers.
 * @param message The message of its body, if any.
 * @param now The current time (epoch ms), for HTTP dates.
 * @returns The wait, or `undefined` when the 429 gives none.
 *
 * @example
 * ```ts
 * import { rateLimitWait } from "./_rate_limit_answer.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const message = "Rate limit exceeded the maximum. Retry the request in [42] seconds";
 * strictEqual(rateLimitWait(new Headers({ "Retry-After": "3" }), message, 0), 3000);
 * strictEqual(rateLimitWait(new Headers(), message, 0), 42_000);
 * strictEqual(rateLimitWait(new Headers({ "inin-ratelimit-reset": "5" }), undefined, 0), 5000);
 * ```
 */
export function rateLimitWait(
  headers: Headers,
  message: string | undefined,
  now: number,
): number | undefined {
  const header = parseRetryAfter(headers.get("retry-after"), now);
  if (header !== undefined) return header;
  const said = /retry the request in \[(\d+(?:\.\d+)?)\] seconds?/i.exec(message ?? "");
  if (said) return Math.round(Number(said[1]) * 1000);
  return parseRetryAfter(headers, now);
}

/** What a 429 says about the limit it hit: how long to wait, and the body's `limit` object. */
export interface RateLimitAnswer {
  /** The wait it asked for (see {@link rateLimitWait}), in milliseconds. */
  retryAfterMs?: number;
  /** The `limit` object of its body (`key`, `namespace`, `value`), when it has one. */
  limit?: RateLimitInfo;
}

/**
 * Reads a 429: its wait (header, else body message, else `inin-ratelimit-reset`) and the
 * `limit: {key, namespace, value}` a Genesys 429 body may carry (since 2023; not guaranteed).
 *
 * @param headers The 429's headers.
 * @param text Its body.
 * @param now The current time (epoch ms), for HTTP dates.
 * @returns The wait and the limit, each when present.
 *
 * @example
 * ```ts
 * import { readRateLimitAnswer } from "./_rate_limit_answer.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const body = JSON.stringify({
 *   message: "Rate limit exceeded the maximum. Retry the request in [42] seconds",
 *   limit: { key: "user.rate.per.minute", namespace: "directory", value: 180 },
 * });
 * deepStrictEqual(readRateLimitAnswer(new Headers(), body, 0), {
 *   retryAfterMs: 42_000,
 *   limit: { key: "user.rate.per.minute", namespace: "directory", value: 180 },
 * });
 * ```
 */
export function readRateLimitAnswer(headers: Headers, text: string, now: number): RateLimitAnswer {
  let record: Record<string, unknown> = {};
  try {
    const body = JSON.parse(text);
    if (body !== null && typeof body === "object") record = body;
  } catch {
    // not JSON: the headers alone
  }
  const message = typeof record.message === "string" ? record.message : undefined;
  const answer: RateLimitAnswer = {};
  const wait = rateLimitWait(headers, message, now);
  if (wait !== undefined) answer.retryAfterMs = wait;
  const raw = record.limit;
  if (raw !== null && typeof raw === "object") {
    const { key, namespace, value } = raw as Record<string, unknown>;
    const limit: RateLimitInfo = {};
    if (typeof key === "string") limit.key = key;
    if (typeof namespace === "string") limit.namespace = namespace;
    if (typeof value === "number" && Number.isFinite(value) && value > 0) limit.value = value;
    if (Object.keys(limit).length > 0) answer.limit = limit;
  }
  return answer;
}
