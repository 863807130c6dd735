/**
 * Internal HTTP helpers shared by the token manager and the API client: one bounded exchange
 * (fetch plus body read under a per-attempt timeout), error-body parsing, retry classification
 * and redaction of secrets from server text (with the one {@link Redactor}). Not part of the
 * public API.
 *
 * @module
 */

import type { ClientEvent, RetryCause } from "./client.ts";
import { ApiError, DeadlineError, GenesysError, NetworkError, RateLimitError } from "./errors.ts";
import type { RateLimitInfo } from "./pacer.ts";
import { Redactor } from "./redact.ts";
import { parseRetryAfter } from "./retry/retry_after.ts";
import type { RetryInfo } from "./retry/retry.ts";
import { oneLine } from "./_text.ts";

/** Removes credential patterns where no redactor was given. */
const PATTERNS_ONLY = new Redactor();

/** Options of {@link exchange}. */
export interface ExchangeOptions {
  /** The fetch implementation. */
  fetch: typeof fetch;
  /** The per-attempt timeout, in real milliseconds (covers the headers and the body). */
  timeoutMs: number;
  /** True when the timeout is the caller's deadline, not the per-attempt timeout. */
  timeoutIsDeadline: boolean;
  /** The caller's signal; its abort rejects with its reason. */
  signal?: AbortSignal;
  /** The request for messages, such as `GET /api/v2/users`. */
  request: string;
  /** Keeps secrets out of error messages (it knows the client secret and every token). */
  redactor?: Redactor;
}

/** A response whose body has been read in full. */
export interface Exchange {
  /** The response (its body already consumed). */
  response: Response;
  /** The whole body as text. */
  text: string;
}

/**
 * Sends one request and reads the whole body, under a per-attempt timeout combined with the
 * caller's signal. Failures come out typed: {@link NetworkError} (`network` or `timeout`),
 * {@link DeadlineError} when the timeout was the deadline, or the signal's reason.
 *
 * @param url The full URL.
 * @param init The request (its `signal` is replaced).
 * @param options Timeout, signal, fetch and the request's name.
 * @returns The response and its body text.
 * @throws {NetworkError} On a network failure or a timeout.
 * @throws {DeadlineError} When the timeout was the deadline.
 *
 * @example
 * ```ts
 * import { exchange } from "./http.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const result = await exchange("http://127.0.0.1/x", {}, {
 *   fetch: () => Promise.resolve(new Response("{}")),
 *   timeoutMs: 1000,
 *   timeoutIsDeadline: false,
 *   request: "GET /x",
 * });
 * strictEqual(result.text, "{}");
 * ```
 */
export async function exchange(
  url: string,
  init: RequestInit,
  options: ExchangeOptions,
): Promise<Exchange> {
  const { signal } = options;
  signal?.throwIfAborted();
  // One controller for the attempt: the timeout aborts it, and so does the caller's signal
  // (forwarded by a listener removed at the end: cheaper than AbortSignal.any per request).
  const attempt = new AbortController();
  let timedOut = false;
  const expire = (): void => {
    timedOut = true;
    attempt.abort();
  };
  const timer = watchTimeout(options.timeoutMs, expire);
  const forward = (): void => attempt.abort(signal?.reason);
  // No `once` option: a signal aborts once anyway, and the options dictionary costs more than
  // the listener itself.
  signal?.addEventListener("abort", forward);
  const fail = (error: unknown, phase: string): unknown => {
    if (signal?.aborted) return signal.reason;
    if (timedOut) {
      if (options.timeoutIsDeadline) {
        return new DeadlineError(
          `Deadline reached while ${options.request} was in flight (${phase})`,
          { request: options.request, remainingMs: 0 },
        );
      }
      return new NetworkError(
        `${options.request} timed out after ${options.timeoutMs} ms (${phase}); raise the timeout (timeoutMs; --timeout in the CLI) if the server is slow`,
        { kind: "timeout", request: options.request },
      );
    }
    if (error instanceof GenesysError) return error;
    // Deno's fetch says only "fetch failed"; the reason (connection refused, reset, DNS) is in
    // its cause, and without it the message does not say what went wrong.
    const reason = error instanceof Error && error.cause instanceof Error
      ? `: ${error.cause.message}`
      : "";
    const raw = (error instanceof Error ? error.message : String(error)) + reason;
    const detail = (options.redactor ?? PATTERNS_ONLY).redact(raw);
    return new NetworkError(`${options.request} failed (${phase}): ${oneLine(detail, 300)}`, {
      kind: "network",
      request: options.request,
      // A cause that mentions a secret stays out: inspecting the error would print it.
      cause: detail === raw ? error : undefined,
    });
  };
  try {
    let response: Response;
    try {
      // Redirects are not followed: a credential must never travel to another origin.
      response = await options.fetch(url, { ...init, redirect: "manual", signal: attempt.signal });
    } catch (error) {
      throw fail(error, "sending the request");
    }
    try {
      return { response, text: await response.text() };
    } catch (error) {
      throw fail(error, "reading the response body");
    }
  } finally {
    timer.clear();
    signal?.removeEventListener("abort", forward);
  }
}

/** Timeouts at least this long share one watchdog timer; shorter ones get their own. */
const SHARED_FROM_MS = 5_000;
/** How often the shared watchdog looks, in milliseconds: how late a long timeout may fire. */
const WATCH_EVERY_MS = 250;
const watched = new Set<{ at: number; expire: () => void }>();
let watchdog: ReturnType<typeof setInterval> | undefined;

function watch(): void {
  if (watched.size === 0) {
    clearInterval(watchdog);
    watchdog = undefined;
    return;
  }
  const now = performance.now();
  for (const entry of watched) {
    if (entry.at <= now) {
      watched.delete(entry);
      entry.expire();
    }
  }
}

/**
 * Calls `expire` after `ms` (a timeout beyond what timers hold, about 24.8 days, means none).
 * Long timeouts (5 s and more: the per-attempt timeouts of API and token requests) share one
 * interval timer, so a request costs no timer of its own: starting and clearing a timer around
 * every request costs more than the rest of the client's work on it. The watchdog stops on the
 * first tick that finds nothing to watch (so sequential requests keep one timer) and is unref'd:
 * it never holds a process open (a request in flight does that by itself). Shorter timeouts get
 * their own timer, to the millisecond.
 */
function watchTimeout(ms: number, expire: () => void): { clear(): void } {
  if (!(ms < 2_147_483_647)) return { clear() {} };
  if (ms < SHARED_FROM_MS) {
    const id = setTimeout(expire, Math.max(0, ms));
    return { clear: () => clearTimeout(id) };
  }
  const entry = { at: performance.now() + ms, expire };
  watched.add(entry);
  if (watchdog === undefined) {
    watchdog = setInterval(watch, WATCH_EVERY_MS);
    Deno.unrefTimer(watchdog);
  }
  return { clear: () => watched.delete(entry) };
}

/** What a Genesys (or OAuth) error body says. */
export interface ErrorBody {
  /** `code`, or the OAuth `error`. */
  code?: string;
  /** `message`, or the OAuth `error_description` / `description`, or the start of a text body. */
  message?: string;
  /** `contextId`. */
  contextId?: string;
  /** The parsed body, when it was JSON. */
  body?: unknown;
}

/**
 * Reads an error body, JSON or not. JSON is parsed first and its decoded strings redacted (a
 * token the server echoed with JSON escapes is still found), then cut short.
 *
 * @param text The body text.
 * @param redactor Knows the secrets to remove (the client secret, every token issued).
 * @returns The code, message and context id it holds, and the body with its strings redacted.
 *
 * @example
 * ```ts
 * import { parseErrorBody } from "./http.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(parseErrorBody('{"code":"bad.request","message":"No"}').code, "bad.request");
 * strictEqual(parseErrorBody("<html>Bad gateway</html>").message, "<html>Bad gateway</html>");
 * ```
 */
export function parseErrorBody(text: string, redactor: Redactor = PATTERNS_ONLY): ErrorBody {
  const trimmed = text.trim();
  if (trimmed === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { message: oneLine(redactor.redact(trimmed), 200) };
  }
  const body = redactor.redactValue(parsed);
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { message: oneLine(JSON.stringify(body), 200), body };
  }
  const record = parsed as Record<string, unknown>;
  const str = (value: unknown): string | undefined =>
    typeof value === "string" && value.trim() !== ""
      ? oneLine(redactor.redact(value), 500)
      : undefined;
  return {
    code: str(record.code) ?? str(record.error),
    message: str(record.message) ?? str(withParams(record)) ?? str(record.error_description) ??
      str(record.description),
    contextId: str(record.contextId),
    body,
  };
}

/** `messageWithParams` with its `{name}` placeholders filled from `messageParams`. */
function withParams(record: Record<string, unknown>): string | undefined {
  const template = record.messageWithParams;
  if (typeof template !== "string") return undefined;
  const params = record.messageParams;
  const values = params !== null && typeof params === "object"
    ? params as Record<string, unknown>
    : {};
  return template.replace(
    /\{(\w+)\}/g,
    (whole, name: string) =>
      Object.hasOwn(values, name) && values[name] !== null && typeof values[name] !== "object"
        ? String(values[name])
        : whole,
  );
}

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
 * import { rateLimitWait } from "./http.ts";
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
 * import { readRateLimitAnswer } from "./http.ts";
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
 * import { retryAfterHint, withRetryAfterHint } from "./http.ts";
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
 * import { retryAfterHint } from "./http.ts";
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
 * import { retryCause } from "./http.ts";
 * import { NetworkError } from "./errors.ts";
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
 * import { retryEvent } from "./http.ts";
 * import { NetworkError } from "./errors.ts";
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
 * import { emit } from "./http.ts";
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
