/**
 * {@link GenesysClient}: authenticated Genesys Cloud API requests that survive token expiry,
 * 401s, 429s, 5xx and dropped connections, within a deadline. Import it from `mod.ts`.
 *
 * @module
 */

import type { ApiClient, ApiResponse, RequestOptions } from "../types.ts";
import type { ClientStats, GenesysClientOptions, LastRateLimit } from "./client_options.ts";
import type { ClientEvent, RetryCause } from "./events.ts";
import {
  clientRetryPolicy,
  failureFor,
  parseJsonBody,
  refusedFor,
  type ResolvedClientRetryPolicy,
  validateClientOptions,
} from "./_client_response.ts";
import { DeadlineError, RateLimitError, UsageError } from "../errors.ts";
import { emit, retryEvent } from "./_events.ts";
import { type Exchange, exchange } from "./_exchange.ts";
import { readRateLimitAnswer } from "./_rate_limit_answer.ts";
import { retryAfterHint, retryCause } from "./_retry_cause.ts";
import { formatSpan } from "../_text.ts";
import { Pacer, sharedPacer } from "./pacer.ts";
import type { PacerResponse } from "./pacer_options.ts";
import { type ResolvedRegion, resolveRegion } from "./region.ts";
import { retry, type TimeBudget } from "../retry/retry.ts";
import { TokenManager } from "./token_manager.ts";
import { routeOf, targetOf } from "./_target.ts";

const DEFAULT_USER_AGENT = "genesys-batch-toolkit/0.1.0";
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);
/** Errors from the token manager, which retries on its own: the request loop does not retry them. */
const TOKEN_FAILURES = new WeakSet<object>();
/** 401s one request may meet before it is an auth error, whatever the tokens did. */
const MAX_UNAUTHORIZED = 3;

interface Call {
  method: string;
  /** The full URL. */
  href: string;
  display: string;
  name: string;
  /** The endpoint, for limits of its own: `GET /api/v2/users/{id}`. */
  route: string;
  headers: Record<string, string>;
  body?: string;
  deadline?: number;
  timeoutMs: number;
  unauthorized: number;
}

/**
 * The Genesys Cloud API client.
 *
 * - Tokens come from a shared {@link TokenManager} (renewed early, one request in flight).
 * - 401: the token is invalidated and the request retried at once with a fresh one; a 401 for a
 *   brand-new token is an {@link AuthError} naming the likely cause.
 * - 429: waits `Retry-After` (else the body's "Retry the request in [N] seconds", else
 *   backoff), each wait up to `retry.maxRetryAfter` (longer: a {@link RateLimitError} at once),
 *   for as long as `retry.rateLimitBudget` (default 15 minutes of 429s per request) and the
 *   deadline allow: 429s use up no attempt. 408, 500, 502, 503, 504, network errors, per-attempt timeouts and
 *   unreadable 2xx bodies: exponential backoff with full jitter, or the `Retry-After` a 502, 503
 *   or 504 carries (capped the same way). Other statuses: an {@link ApiError} at once.
 * - GET, HEAD, PUT, DELETE and OPTIONS are retried; POST and PATCH only when `idempotent: true`
 *   (except 429 and 401, which the server did not process, so they are always retried).
 * - No wait crosses the deadline: a longer one fails at once with a {@link DeadlineError}.
 * - Pacing (on by default; the `pacing` option turns it off or configures it): one {@link Pacer}
 *   per token learns the limit from 429s (their `Retry-After`, the `limit` their bodies name)
 *   and holds each attempt back, so a long job settles at the allowed rate; its state is in
 *   `stats.pacer`.
 * - When attempts run out, the last error is thrown: {@link ApiError} for a status,
 *   {@link NetworkError} for a network failure, timeout or bad body; when the rate-limit budget
 *   is spent, a {@link RateLimitError} saying for how long 429s came.
 *
 * @example
 * ```ts
 * import { GenesysClient } from "./genesys_client.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const fake: typeof fetch = (input) => {
 *   const url = new URL(input instanceof Request ? input.url : String(input));
 *   if (url.pathname === "/oauth/token") {
 *     return Promise.resolve(Response.json({ access_token: "t", expires_in: 86400 }));
 *   }
 *   return Promise.resolve(Response.json({ entities: [{ id: "u1" }], pageNumber: 1 }));
 * };
 * const client = new GenesysClient({
 *   region: "http://127.0.0.1:9",
 *   clientId: "id",
 *   clientSecret: "secret",
 *   fetch: fake,
 * });
 * const page = await client.request<{ entities: { id: string }[] }>("GET", "/api/v2/users", {
 *   query: { pageSize: 100, pageNumber: 1 },
 * });
 * strictEqual(page.entities[0].id, "u1");
 * strictEqual(client.stats.requests, 1);
 * strictEqual(client.stats.tokenRequests, 1);
 * ```
 */
export class GenesysClient implements ApiClient {
  /** Where API calls go. */
  readonly region: ResolvedRegion;
  /** The token manager (shared with any client built from it). */
  readonly tokenManager: TokenManager;
  #o: GenesysClientOptions;
  /** `options.retry` with the client's defaults, resolved once. */
  #policy: ResolvedClientRetryPolicy;
  #now: () => number;
  #origin: string;
  #requests = 0;
  #retries: Record<RetryCause, number> = {
    rateLimit: 0,
    serverError: 0,
    network: 0,
    timeout: 0,
    unauthorized: 0,
  };
  #statuses: Record<string, number> = {};
  #rateLimit?: LastRateLimit;
  #pacer?: Pacer;

  /**
   * Creates the client; nothing is sent until the first request.
   *
   * @param options Region and credentials (or a token manager), retry policy, clock.
   * @throws {UsageError} For a missing region or credentials, or an unknown region.
   */
  constructor(options: GenesysClientOptions) {
    validateClientOptions(options);
    this.#o = options;
    this.#policy = clientRetryPolicy(options.retry);
    this.#now = options.clock?.now ?? Date.now;
    if (options.tokenManager) {
      this.tokenManager = options.tokenManager;
      this.region = options.region ? resolveRegion(options.region) : options.tokenManager.region;
    } else {
      if (!options.region) {
        throw new UsageError("Region is missing: set GENESYSCLOUD_REGION or pass region");
      }
      this.region = resolveRegion(options.region);
      this.tokenManager = new TokenManager({
        region: this.region,
        clientId: options.clientId ?? "",
        clientSecret: options.clientSecret ?? "",
        fetch: options.fetch,
        clock: options.clock,
        retry: { maxRetryAfter: options.retry?.maxRetryAfter },
        timeoutMs: options.timeoutMs,
        deadline: options.deadline,
        onEvent: options.onEvent,
        userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
        redactor: options.redactor,
      });
    }
    this.#origin = new URL(this.region.apiBaseUrl).origin;
    const pacing = options.pacing ?? true;
    if (pacing !== false) {
      const own = {
        clock: options.clock,
        maxPauseMs: this.#policy.maxRetryAfter,
      };
      this.#pacer = pacing instanceof Pacer
        ? pacing
        : pacing === true
        ? sharedPacer(this.tokenManager, own)
        : new Pacer({ ...own, ...pacing, clock: { ...options.clock, ...pacing.clock } });
    }
  }

  /** A snapshot of the counters: requests, retries by cause, token requests, statuses, rate limit. */
  get stats(): ClientStats {
    return {
      requests: this.#requests,
      retries: { ...this.#retries },
      tokenRequests: this.tokenManager.tokenRequests,
      statuses: { ...this.#statuses },
      rateLimit: this.#rateLimit ? { ...this.#rateLimit } : undefined,
      pacer: this.#pacer?.stats,
    };
  }

  /**
   * Sends a request (retrying as the class description says) and returns the parsed JSON body.
   *
   * @typeParam T The expected body type (not checked).
   * @param method The HTTP method.
   * @param path A path such as `/api/v2/users?pageNumber=2` (a full URL only on the API origin).
   * @param options Query, body, headers, signal, idempotency, timeout and deadline.
   * @returns The parsed body (`undefined` for an empty body).
   * @throws {ApiError} For a status that is not retried, or one that outlasted the attempts.
   * @throws {AuthError} When the credentials or a fresh token are refused.
   * @throws {RateLimitError} When the server asked to wait too long, or 429s outlasted the attempts.
   * @throws {NetworkError} For network failures, timeouts or bad bodies that outlasted the attempts.
   * @throws {DeadlineError} When the deadline came, or the next wait would cross it.
   * @throws {UsageError} For a URL outside the API origin.
   */
  async request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<T> {
    return (await this.requestWithResponse<T>(method, path, options)).data;
  }

  /**
   * Like {@link GenesysClient.request}, but also gives the status and headers.
   *
   * @typeParam T The expected body type (not checked).
   * @param method The HTTP method.
   * @param path A path such as `/api/v2/users` (a full URL only on the API origin).
   * @param options Query, body, headers, signal, idempotency, timeout and deadline.
   * @returns The status, the headers and the parsed body.
   * @throws {ApiError} As {@link GenesysClient.request} does, and the same other errors.
   */
  requestWithResponse<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const call = this.#prepare(method, path, options);
    const idempotent = options.idempotent ?? IDEMPOTENT.has(call.method);
    const policy = this.#policy;
    return retry((attempt, signal) => this.#attempt<T>(call, attempt, signal), {
      maxAttempts: policy.maxAttempts,
      timeBudget: this.#rateLimitBudget(call),
      minTimeout: policy.minTimeout,
      maxTimeout: policy.maxTimeout,
      multiplier: policy.multiplier,
      jitter: policy.jitter,
      maxRetryAfter: policy.maxRetryAfter,
      deadline: call.deadline,
      signal: options.signal,
      name: call.name,
      clock: this.#o.clock,
      isRetriable: (error) => {
        if (error !== null && typeof error === "object" && TOKEN_FAILURES.has(error)) return false;
        const cause = retryCause(error);
        return cause !== undefined && (idempotent || cause === "rateLimit");
      },
      retryAfter: retryAfterHint,
      onRetry: (info) => {
        const event = retryEvent(call.method, call.display, info);
        if (event.cause) this.#retries[event.cause]++;
        emit(this.#o.onEvent, event);
      },
    });
  }

  /**
   * What is safe to serialize: the API origin and the counters (no token, no secret).
   *
   * @returns The origin, the client id and the stats.
   */
  toJSON(): Record<string, unknown> {
    return {
      apiBaseUrl: this.region.apiBaseUrl,
      clientId: this.tokenManager.clientId,
      stats: this.stats,
    };
  }

  /**
   * The `String()` form: no token, no secret.
   *
   * @returns A short description.
   */
  toString(): string {
    return `GenesysClient(${this.region.apiBaseUrl})`;
  }

  /**
   * `Deno.inspect` / `console.log` form: the same fields as {@link GenesysClient.toJSON}.
   *
   * @param inspect Deno's inspect function.
   * @param options Deno's inspect options.
   * @returns The description.
   */
  [Symbol.for("Deno.customInspect")](
    inspect: (value: unknown, options?: unknown) => string,
    options?: unknown,
  ): string {
    return `GenesysClient ${inspect(this.toJSON(), options)}`;
  }

  /** 429s are retried by time, not attempts: the request's rate-limit budget. */
  #rateLimitBudget(call: Call): TimeBudget {
    const ms = this.#policy.rateLimitBudget;
    return {
      applies: (error) => error instanceof RateLimitError && error.maxRetryAfterMs === undefined,
      ms,
      exceeded: (error, spentMs, times) => {
        const last = error as RateLimitError;
        return new RateLimitError(
          `${call.name} met 429s for ${
            formatSpan(spentMs)
          } (${times} in a row, the last asking to wait ${
            formatSpan(last.retryAfterMs)
          }): the rate-limit budget of ${
            formatSpan(ms)
          } per request is spent; run again later, share the token with fewer jobs, or raise the budget (retry.rateLimitBudget; --rate-limit-budget in the CLI)${
            last.correlationId ? `; correlation id '${last.correlationId}'` : ""
          }`,
          {
            retryAfterMs: last.retryAfterMs,
            request: call.name,
            correlationId: last.correlationId,
            code: last.code,
            serverMessage: last.serverMessage,
          },
          { cause: error, redactor: this.tokenManager.redactor },
        );
      },
    };
  }

  #prepare(method: string, path: string, options: RequestOptions): Call {
    const verb = String(method).toUpperCase();
    const raw = String(path);
    const { href, pathname, search } = targetOf(this.#origin, raw, options.query);
    // A nextUri may carry a token: what messages and events show of the path is redacted.
    const display = this.tokenManager.redactor.redact(`${pathname}${search}`);
    // A plain record: the fetch reads it once; a Headers object per attempt costs more.
    const headers: Record<string, string> = {};
    let accept = false;
    let contentType = false;
    for (const [key, value] of Object.entries(options.headers ?? {})) {
      const lower = key.toLowerCase();
      if (lower === "authorization" || lower === "accept-encoding" || lower === "user-agent") {
        continue;
      }
      headers[key] = value;
      if (lower === "accept") accept = true;
      if (lower === "content-type") contentType = true;
    }
    if (!accept) headers["Accept"] = "application/json";
    headers["Accept-Encoding"] = "gzip";
    headers["User-Agent"] = this.#o.userAgent ?? DEFAULT_USER_AGENT;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      if (!contentType) headers["Content-Type"] = "application/json";
    }
    const own = this.#o.deadline;
    const deadline = options.deadline === undefined
      ? own
      : own === undefined
      ? options.deadline
      : Math.min(options.deadline, own);
    return {
      method: verb,
      href,
      display,
      name: `${verb} ${display}`,
      route: this.#pacer ? routeOf(verb, pathname) : "",
      headers,
      body,
      deadline,
      timeoutMs: options.timeoutMs ?? this.#o.timeoutMs ?? 60_000,
      unauthorized: 0,
    };
  }

  #pacerResponse(call: Call, exchanged: Exchange): PacerResponse {
    const { response, text } = exchanged;
    if (response.status !== 429) return response;
    const at = this.#now();
    const answer = readRateLimitAnswer(response.headers, text, at);
    this.#rateLimit = { request: call.name, ...answer, at };
    return { status: 429, headers: response.headers, ...answer };
  }

  /** Tells the listener, if any, of an attempt's `request`, `response` or 401 `retry`. */
  #tell(
    type: ClientEvent["type"],
    call: Call,
    attempt: number,
    more?: Pick<ClientEvent, "status" | "durationMs" | "delayMs" | "cause" | "error">,
  ): void {
    emit(this.#o.onEvent, { type, method: call.method, path: call.display, attempt, ...more });
  }

  async #attempt<T>(call: Call, attempt: number, signal: AbortSignal): Promise<ApiResponse<T>> {
    for (;;) {
      if (this.#o.beforeRequest) {
        await this.#o.beforeRequest({ method: call.method, path: call.display, attempt, signal });
      }
      const ticket = await this.#pacer?.acquire({
        signal,
        deadline: call.deadline,
        name: call.name,
        route: call.route,
      });
      let token: string;
      let startedAt: number;
      let exchanged: Exchange | undefined;
      try {
        // The token is taken after any pacing wait, so it cannot expire while the request waits
        // (a pause after a 429 may outlast what is left of it).
        try {
          token = await this.tokenManager.getToken(signal);
        } catch (error) {
          // The token manager has already retried within its own budget: retrying here too
          // would multiply token requests (attempts × attempts) against an endpoint that is down.
          if (error !== null && typeof error === "object") TOKEN_FAILURES.add(error);
          throw error;
        }
        startedAt = this.#now();
        const remaining = call.deadline === undefined ? Infinity : call.deadline - startedAt;
        if (remaining <= 0) {
          throw new DeadlineError(
            `Deadline reached before ${call.name} could be sent (attempt ${attempt})`,
            {
              request: call.name,
              remainingMs: remaining,
            },
          );
        }
        const headers = { ...call.headers, Authorization: `Bearer ${token}` };
        this.#requests++;
        // Events are built only for a listener (the clock too): most clients have none.
        if (this.#o.onEvent) this.#tell("request", call, attempt);
        exchanged = await exchange(call.href, {
          method: call.method,
          headers,
          body: call.body,
        }, {
          fetch: this.#o.fetch ?? fetch,
          timeoutMs: Math.min(call.timeoutMs, remaining),
          timeoutIsDeadline: remaining < call.timeoutMs,
          signal,
          request: call.name,
          redactor: this.tokenManager.redactor,
        });
      } finally {
        // The pacer hears how every ticket ended: with the response, or without one. A 429 comes
        // with the same wait the retry will honour (the body may be its only hint) and the limit
        // its body names.
        ticket?.done(exchanged && this.#pacerResponse(call, exchanged));
      }
      const { response, text } = exchanged;
      const status = response.status;
      this.#statuses[status] = (this.#statuses[status] ?? 0) + 1;
      if (this.#o.onEvent) {
        this.#tell("response", call, attempt, { status, durationMs: this.#now() - startedAt });
      }
      if (status === 401) {
        call.unauthorized++;
        // The first 401 of a request always gets a fresh token. A later one is an auth error
        // when the refused token was still the current one and never worked: a token that
        // worked has died (expiry, idle timeout), and a stale one has a newer successor.
        const worked = this.tokenManager.confirmed(token);
        const current = this.tokenManager.invalidate(token);
        if (call.unauthorized > MAX_UNAUTHORIZED || (call.unauthorized > 1 && current && !worked)) {
          throw refusedFor(call, response, text, this.tokenManager.redactor, this.region);
        }
        this.#retries.unauthorized++;
        this.#tell("retry", call, attempt, {
          delayMs: 0,
          cause: "unauthorized",
          error: `${call.name} answered 401`,
        });
        continue;
      }
      this.tokenManager.confirm(token);
      if (response.ok) {
        return { status, headers: response.headers, data: parseJsonBody<T>(call, status, text) };
      }
      throw failureFor(call, response, text, this.tokenManager.redactor, this.#now());
    }
  }
}
