/**
 * The Genesys Cloud API client: authenticated requests that survive token expiry, 401s, 429s,
 * 5xx and dropped connections, within a deadline.
 *
 * @module
 */

import type { Pacer, PacerOptions, PacerStats } from "./pacer.ts";
import type { Redactor } from "./redact.ts";
import type { TokenManager } from "./token.ts";

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
  /** Query parameters, appended to the path (`undefined` values are skipped). */
  query?: Record<string, string | number | boolean | undefined>;
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

/** Why the client retried: the counters of {@link ClientStats.retries} and the `cause` of events. */
export type RetryCause = "rateLimit" | "serverError" | "network" | "timeout" | "unauthorized";

/**
 * A debug event about one HTTP exchange, for logging and tests. It never holds a token, a secret,
 * a request body or a response body.
 */
export interface ClientEvent {
  /**
   * `request` before a request is sent, `response` when its status is known, `retry` before the
   * client retries (after a wait of `delayMs`), `token` when a token request is sent.
   */
  type: "request" | "response" | "retry" | "token";
  /** The HTTP method. */
  method: string;
  /** The path with its query (for `token`: `/oauth/token`). */
  path: string;
  /** The attempt number, from 1. */
  attempt: number;
  /** The response status (`response`, and `token` once answered). */
  status?: number;
  /** The wait before the next attempt, in milliseconds (`retry`). */
  delayMs?: number;
  /** Why it retries (`retry`). */
  cause?: RetryCause;
  /** How long the exchange took, by the client's clock (`response`). */
  durationMs?: number;
  /** A short description of the failure (`retry`), never holding a secret. */
  error?: string;
}

/** The last `inin-ratelimit-*` headers seen. */
export interface RateLimitHeaders {
  /** `inin-ratelimit-count`: requests counted in the current window. */
  count?: number;
  /** `inin-ratelimit-allowed`: requests allowed in the window. */
  allowed?: number;
  /** `inin-ratelimit-reset`: seconds until the window resets. */
  reset?: number;
  /** When they were seen, in epoch ms by the client's clock. */
  at: number;
}

/** Counters kept by a client, as a snapshot. */
export interface ClientStats {
  /** API requests sent (every attempt and every 401 retry counts; token requests do not). */
  requests: number;
  /** Retries by cause. */
  retries: Record<RetryCause, number>;
  /** Token requests sent (every attempt counts). */
  tokenRequests: number;
  /** API responses by status, such as `{ "200": 40, "429": 2 }`. */
  statuses: Record<string, number>;
  /** The last rate-limit headers seen, if any. */
  rateLimit?: RateLimitHeaders;
  /** The pacer's state (current rate, waits, 429s seen), unless pacing is off. */
  pacer?: PacerStats;
}

/** What {@link GenesysClientOptions.beforeRequest} is told about the request about to be sent. */
export interface PendingRequest {
  /** The HTTP method. */
  method: string;
  /** The path with its query. */
  path: string;
  /** The attempt number, from 1. */
  attempt: number;
  /** The request's signal: a hook that waits should stop waiting when it aborts. */
  signal: AbortSignal;
}

/** Options of a {@link GenesysClient}. */
export interface GenesysClientOptions {
  /**
   * A region or environment name (`eu-west-1`, `mypurecloud.ie`) or a base URL (the simulator's
   * `http://127.0.0.1:port`). Optional with `tokenManager` (its region is used).
   */
  region?: string;
  /** The OAuth client id (with `clientSecret`, unless `tokenManager` is given). */
  clientId?: string;
  /** The OAuth client secret. Handed to the token manager; never printed or serialized. */
  clientSecret?: string;
  /** A token manager to share between clients; replaces `clientId` and `clientSecret`. */
  tokenManager?: TokenManager;
  /**
   * The redactor the client's own token manager registers the secret and every token in (pass
   * the logger's, so that logs know them too). Ignored with `tokenManager` (it has its own).
   */
  redactor?: Redactor;
  /**
   * The fetch implementation. Also used for token requests, except with `tokenManager` (which
   * has its own). Default the global `fetch`.
   */
  fetch?: typeof fetch;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** How to wait between attempts. Default a timer that an abort ends. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Randomness for the backoff jitter. Default `Math.random`. */
  random?: () => number;
  /**
   * The per-attempt timeout in milliseconds, covering the response headers and the whole body.
   * Default 60000: generous, since a heavy analytics page can take tens of seconds.
   */
  timeoutMs?: number;
  /** Attempts per request (the immediate retry after a 401 does not count). Default 10. */
  maxAttempts?: number;
  /** The first backoff, in milliseconds. Default 1000. */
  minTimeout?: number;
  /** The longest backoff, in milliseconds. Default 60000. */
  maxTimeout?: number;
  /** The longest `Retry-After` waited, in milliseconds; longer fails at once. Default 180000. */
  maxRetryAfter?: number;
  /** An absolute deadline (epoch ms by `now`) for every request: no wait crosses it. */
  deadline?: number;
  /**
   * Receives request, response, retry and token events (never a token or a body); the token
   * events only when the client builds its own token manager. What it throws is ignored.
   */
  onEvent?: (event: ClientEvent) => void;
  /** The `User-Agent` header. Default `genesys-batch-toolkit/0.1.0`. */
  userAgent?: string;
  /**
   * Called before every HTTP request is sent (retries included) and awaited, before the pacer's
   * wait: the place for a caller's own throttling or bookkeeping (pacing by the
   * `inin-ratelimit-*` headers is built in: see `pacing`). A rejection ends the request with that
   * error.
   */
  beforeRequest?: (request: PendingRequest) => void | Promise<void>;
  /**
   * Client-side pacing from the `inin-ratelimit-*` headers and 429s (see {@link Pacer}), on by
   * default: `true` (default) shares one pacer per token manager (= per token) across clients
   * and concurrent requests; `false` turns it off; {@link PacerOptions} configure a pacer of
   * this client's own (its clock and sleep default to the client's); a {@link Pacer} is used as
   * given (to share it). Its waits honour the request's signal and deadline.
   */
  pacing?: boolean | PacerOptions | Pacer;
}

export { GenesysClient } from "./genesys_client.ts";
export { Pacer, sharedPacer } from "./pacer.ts";
export type {
  PacerAcquireOptions,
  PacerMode,
  PacerOptions,
  PacerResponse,
  PacerStats,
  PacerTicket,
} from "./pacer.ts";
