/**
 * One bounded HTTP exchange: fetch plus body read under a per-attempt timeout (long timeouts share
 * one unref'd watchdog timer), with network failures and timeouts as a {@link NetworkError}.
 *
 * @module
 */

import { DeadlineError, NetworkError } from "../errors.ts";
import { GenesysError } from "../_error_base.ts";
import { PATTERNS_ONLY, type Redactor } from "../redact.ts";
import { oneLine } from "../_text.ts";

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
 * import { exchange } from "./_exchange.ts";
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
