/**
 * The shapes every area shares: JSON values, query parameters, what a client must offer
 * ({@link ApiClient}) and the contract between record sources and the extraction engine
 * ({@link PageSource}). Output code imports these types, never the client.
 *
 * @module
 */

/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Options of one API request. */
export interface RequestOptions {
  /**
   * Query parameters set on the path: each replaces the path's own values for its key; a list
   * sends every value (`{ id: ["a", "b"] }` is `id=a&id=b`); `undefined` values are skipped.
   */
  query?: Query;
  /** A JSON body (sent with `Content-Type: application/json`). */
  body?: unknown;
  /** Extra request headers. `Authorization` is always set by the client. */
  headers?: Record<string, string>;
  /** Aborts the request and any wait between its attempts. */
  signal?: AbortSignal;
  /**
   * Whether a retry is safe. GET, HEAD, PUT, DELETE and OPTIONS are; a POST is retried only when
   * this is `true` (read-only queries such as the analytics details query pass `true`).
   */
  idempotent?: boolean;
  /** Per-attempt timeout in milliseconds, overriding the client's. */
  timeoutMs?: number;
  /** An absolute deadline (epoch ms by the client's clock) for this request and its retries. */
  deadline?: number;
}

/**
 * Injected time and randomness: what a test passes to drive waits, expiry and jitter exactly,
 * without patched globals. Each field is optional; a missing one is the real thing.
 *
 * @example
 * ```ts
 * import type { Clock } from "./types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let time = 0;
 * const clock: Clock = {
 *   now: () => time,
 *   sleep: (ms) => {
 *     time += ms;
 *     return Promise.resolve();
 *   },
 *   random: () => 0,
 * };
 * await clock.sleep?.(1_500);
 * strictEqual(clock.now?.(), 1_500);
 * ```
 */
export interface Clock {
  /**
   * The current time, in epoch milliseconds.
   *
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Waits `ms` milliseconds, rejecting with the signal's reason when it aborts.
   *
   * @default {sleep} a timer that an abort ends
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * A random number in [0, 1), for the backoff jitter.
   *
   * @default {Math.random}
   */
  random?: () => number;
}

/** A parsed response with its status and headers. */
export interface ApiResponse<T> {
  /** HTTP status (2xx). */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** The parsed JSON body (`undefined` for an empty body such as a 204). */
  data: T;
}

/**
 * What paginators and the extraction engine need from a client. {@link GenesysClient} implements
 * it; a test can pass any object that does.
 */
export interface ApiClient {
  /**
   * Sends one request (retrying as the client's policy says) and returns the parsed JSON body.
   *
   * @param method The HTTP method.
   * @param path An absolute path such as `/api/v2/users`, optionally with a query string.
   * @param options Query, body, headers, signal and retry settings.
   */
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<T>;
  /**
   * Like {@link ApiClient.request}, but also gives the status and headers.
   *
   * @param method The HTTP method.
   * @param path An absolute path such as `/api/v2/users`.
   * @param options Query, body, headers, signal and retry settings.
   */
  requestWithResponse<T = unknown>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<ApiResponse<T>>;
}

/** One query parameter value. */
export type QueryValue = string | number | boolean;

/**
 * Query parameters by name: a value, a list of values (each sent as its own `key=value`, in
 * order), or `undefined` (skipped).
 */
export type Query = Record<string, QueryValue | readonly QueryValue[] | undefined>;

/** A documented limit on how much a source can read (see `SourcePage.capped`). */
export interface SourceCap {
  /** The most records the server gives. */
  limit: number;
  /** What the cap is and where it is documented, for messages. */
  description: string;
}

/** One page of records and where to resume once it is durable. */
export interface SourcePage<T = unknown> {
  /** The page's records, in output order. */
  records: T[];
  /**
   * The resume position after this page: passing it to {@link PageSource.pages} continues with
   * the next page. JSON-serializable; never holds a token or a secret.
   */
  position: JsonValue;
  /** How many records the whole extraction will give, when known (an estimate for some sources). */
  total?: number;
  /**
   * Records read for this page but not kept because another window owns them (a conversation
   * that started outside the window it was read for): counted for the run's statistics, never
   * written.
   */
  dropped?: number;
  /**
   * Set on the last page when the source ended at a documented server cap rather than at the
   * end of the data: the output holds what could be read, and a rerun cannot read more.
   */
  capped?: SourceCap;
  /**
   * Set on the last page when the source covered its range only up to an instant (an interval
   * reaching past now is clamped to now): that instant, ISO-8601. A later run of the same job
   * continues from this page's position and extracts the rest.
   */
  openUntil?: string;
}

/** A resumable, paged stream of records. */
export interface PageSource<T = unknown> {
  /**
   * What this source reads, for the checkpoint's job key: endpoint, query and options that change
   * the output. Two sources with equal descriptions produce the same records.
   */
  readonly description: JsonValue;
  /** The record type, such as `user`, `queue` or `conversation` (CSV columns depend on it). */
  readonly recordType: string;
  /**
   * Yields pages in order, starting after `resumeFrom` (from the beginning when `undefined`).
   * Leaving the loop early cleans up (no pending request or timer; an analytics job is cancelled
   * unless it will be resumed). A source that ends short of its range yields at least one page,
   * its last, with `capped` or `openUntil`.
   *
   * @param resumeFrom A position from an earlier page of the same source.
   * @param signal Aborts the current request.
   */
  pages(resumeFrom?: JsonValue, signal?: AbortSignal): AsyncIterable<SourcePage<T>>;
}
