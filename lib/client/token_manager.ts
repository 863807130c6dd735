/**
 * OAuth client-credentials tokens for Genesys Cloud: asked for once and shared, renewed at a
 * fraction of their lifetime and after a 401, one token request in flight at a time.
 *
 * @module
 */

import type { ClientEvent } from "./events.ts";
import { NetworkError, UsageError } from "../errors.ts";
import { emit, retryEvent } from "./_events.ts";
import { exchange } from "./_exchange.ts";
import { retryAfterHint, retryCause } from "./_retry_cause.ts";
import { Redactor } from "../redact.ts";
import { type ResolvedRegion, resolveRegion } from "./region.ts";
import { retry, type RetryPolicy } from "../retry/retry.ts";
import type { Clock } from "../types.ts";
import { type Grant, parseGrant, tokenRefusal } from "./_token_response.ts";

/** Options of a {@link TokenManager}. */
export interface TokenManagerOptions {
  /** A region or environment name (`eu-west-1`, `mypurecloud.ie`), a base URL, or a resolved region. */
  region: string | ResolvedRegion;
  /** The OAuth client id. */
  clientId: string;
  /** The OAuth client secret. Kept private: never printed, serialized or put in a message. */
  clientSecret: string;
  /**
   * Which fraction of a token's lifetime may pass before it is renewed, between 0.1 and 1: at
   * 0.8, a 300 s token is renewed after 240 s, a 2 s token after 1.6 s.
   *
   * @default {0.8}
   */
  refreshRatio?: number;
  /**
   * The per-attempt timeout of a token request, in milliseconds (`--timeout`).
   *
   * @default {30000}
   */
  timeoutMs?: number;
  /**
   * How token requests are retried (429, 408, 5xx and network errors are). The defaults ride out
   * about a minute and a half of token endpoint outage.
   *
   * @default {maxAttempts 8, minTimeout 1000, maxTimeout 30000, multiplier 2, jitter 1,
   * maxRetryAfter 180000}
   */
  retry?: RetryPolicy;
  /** An absolute deadline (epoch ms by the clock) that no wait crosses. */
  deadline?: number;
  /**
   * The fetch implementation.
   *
   * @default {fetch}
   */
  fetch?: typeof fetch;
  /** The time, waits and jitter randomness (see {@link Clock}). Default the real ones. */
  clock?: Clock;
  /** Receives a `token` event per token request and a `retry` event per retry (never the token). */
  onEvent?: (event: ClientEvent) => void;
  /** The `User-Agent` header. */
  userAgent?: string;
  /**
   * The redactor to register the client secret, the Basic credentials and every token issued in
   * (share it with the logger so that logs know them too). Default: one of its own.
   */
  redactor?: Redactor;
}

interface Refresh {
  promise: Promise<Grant>;
  controller: AbortController;
  waiters: number;
}

const TOKEN_PATH = "/oauth/token";
/** Tries of a token request whose 2xx answer is no token. */
const MAX_BAD_ANSWERS = 2;

/**
 * Gets and keeps a client-credentials token (`POST {login}/oauth/token`, Basic auth, form body
 * `grant_type=client_credentials`).
 *
 * - The lifetime is read from `expires_in` (never assumed). A token is renewed once
 *   `refreshRatio` of it has passed, so a 2 s, a 300 s and a 172,800 s token all work; a token
 *   is never handed out past its expiry. Without a usable `expires_in` the token is kept until
 *   a 401 invalidates it.
 * - However many callers wait, one token request is in flight; each caller's signal only ends
 *   its own wait (the request is cancelled when every waiter has gone).
 * - {@link TokenManager.invalidate} discards a token only while it is still the current one;
 *   {@link TokenManager.confirm} records that the API accepted it, so a client can tell a token
 *   that died (expiry, idle timeout) from one the API never took.
 * - `invalid_client` (400 or 401) is an {@link AuthError} that names the region; 429, 408, 5xx
 *   and network errors are retried within the deadline; a 2xx that is no token (not JSON, HTML,
 *   no `access_token`) is tried twice at most, then a {@link NetworkError} says what came.
 *
 * @example
 * ```ts
 * import { TokenManager } from "./token_manager.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let issued = 0;
 * let clock = 0;
 * const tokens = new TokenManager({
 *   region: "http://127.0.0.1:9",
 *   clientId: "my-client",
 *   clientSecret: "my-secret",
 *   clock: { now: () => clock },
 *   fetch: () =>
 *     Promise.resolve(Response.json({ access_token: `token-${++issued}`, expires_in: 300 })),
 * });
 * strictEqual(await tokens.getToken(), "token-1");
 * clock = 200_000; // 200 s of 300 s: still fresh
 * strictEqual(await tokens.getToken(), "token-1");
 * clock = 250_000; // past 80 % of the lifetime: renewed
 * strictEqual(await tokens.getToken(), "token-2");
 * strictEqual(tokens.tokenRequests, 2);
 * ```
 */
export class TokenManager {
  /** Where tokens (and, for a client built from this manager, API calls) go. */
  readonly region: ResolvedRegion;
  /** The OAuth client id (not a secret). */
  readonly clientId: string;
  /**
   * Knows the client secret, the Basic credentials and every token this manager was issued; its
   * errors are redacted with it, and so are a client's built on this manager.
   */
  readonly redactor: Redactor;
  #secret: string;
  #options: TokenManagerOptions;
  #now: () => number;
  #ratio: number;
  #current?: Grant;
  /** The token the API accepted; it counts only while it is still the current one. */
  #confirmed?: string;
  #refresh?: Refresh;
  #tokenRequests = 0;

  /**
   * Creates the manager; no request is sent until {@link TokenManager.getToken}.
   *
   * @param options Region, credentials, timing and injected dependencies.
   * @throws {UsageError} For a missing client id or secret, an unknown region or a bad option.
   */
  constructor(options: TokenManagerOptions) {
    this.region = typeof options.region === "string"
      ? resolveRegion(options.region)
      : options.region;
    if (!options.clientId?.trim()) {
      throw new UsageError(
        "Client id is empty: set GENESYSCLOUD_OAUTHCLIENT_ID or pass clientId",
      );
    }
    if (!options.clientSecret) {
      throw new UsageError(
        "Client secret is empty: set GENESYSCLOUD_OAUTHCLIENT_SECRET or pass clientSecret",
      );
    }
    const ratio = options.refreshRatio ?? 0.8;
    if (!(ratio >= 0.1 && ratio <= 1)) {
      throw new UsageError(`Option 'refreshRatio' must be between 0.1 and 1, got '${ratio}'`);
    }
    this.clientId = options.clientId.trim();
    this.#secret = options.clientSecret;
    this.redactor = options.redactor ?? new Redactor();
    this.redactor.addBasic(this.clientId, this.#secret);
    this.#options = options;
    this.#now = options.clock?.now ?? Date.now;
    this.#ratio = ratio;
  }

  /** How many token requests were sent (every attempt counts). */
  get tokenRequests(): number {
    return this.#tokenRequests;
  }

  /** When the current token expires (epoch ms by the manager's clock), if there is one. */
  get expiresAt(): number | undefined {
    return this.#current?.expiresAt;
  }

  /**
   * Returns a token that is fresh: the current one, or a new one when there is none, it was
   * invalidated, or it reached its renewal point. Concurrent callers share one token request.
   *
   * @param signal Ends this caller's wait (the shared request goes on for the other waiters).
   * @returns The access token (send it as `Authorization: Bearer <token>`).
   * @throws {AuthError} When the credentials are refused (`invalid_client` and the like).
   * @throws {NetworkError} When the token endpoint stayed unreachable or answered garbage.
   * @throws {RateLimitError} When the token endpoint asked to wait longer than allowed.
   * @throws {DeadlineError} When the deadline came first.
   * @throws {ApiError} When the token endpoint answered another status.
   */
  getToken(signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const current = this.#current;
    if (current && (current.refreshAt === undefined || this.#now() < current.refreshAt)) {
      return Promise.resolve(current.token);
    }
    return this.#join(signal);
  }

  /**
   * Discards `token` after the API refused it (401), but only while it is still the current
   * token: a late 401 for an older token leaves a newer one alone.
   *
   * @param token The token the API refused.
   * @returns Whether it was the current token (and was discarded).
   */
  invalidate(token: string): boolean {
    if (this.#current?.token !== token) return false;
    this.#current = undefined;
    return true;
  }

  /**
   * Records that the API accepted `token` (answered anything but 401). A later 401 for it then
   * means the token died (expiry, idle timeout), not that the API refuses this client's tokens.
   * Only the current token is recorded; clients that share this manager share what it learns.
   *
   * @param token The token the API accepted.
   *
   * @example
   * ```ts
   * import { TokenManager } from "./token_manager.ts";
   * import { strictEqual } from "node:assert/strict";
   *
   * const tokens = new TokenManager({
   *   region: "http://127.0.0.1:9",
   *   clientId: "my-client",
   *   clientSecret: "my-secret",
   *   fetch: () => Promise.resolve(Response.json({ access_token: "token-1", expires_in: 300 })),
   * });
   * const token = await tokens.getToken();
   * strictEqual(tokens.confirmed(token), false);
   * tokens.confirm(token);
   * strictEqual(tokens.confirmed(token), true);
   * tokens.invalidate(token);
   * strictEqual(tokens.confirmed(token), false);
   * ```
   */
  confirm(token: string): void {
    if (this.#current?.token === token) this.#confirmed = token;
  }

  /**
   * Whether `token` is the current token and the API has accepted it (see
   * {@link TokenManager.confirm}).
   *
   * @param token A token this manager handed out.
   * @returns True when it is current and was accepted.
   */
  confirmed(token: string): boolean {
    return this.#current?.token === token && this.#confirmed === token;
  }

  /**
   * What is safe to serialize: no token, no secret.
   *
   * @returns The login origin, the client id, the counter and the expiry.
   */
  toJSON(): Record<string, unknown> {
    return {
      loginBaseUrl: this.region.loginBaseUrl,
      clientId: this.clientId,
      tokenRequests: this.#tokenRequests,
      hasToken: this.#current !== undefined,
      expiresAt: this.#current?.expiresAt,
    };
  }

  /**
   * The `String()` form: no token, no secret.
   *
   * @returns A short description.
   */
  toString(): string {
    return `TokenManager(${this.region.loginBaseUrl}, client '${this.clientId}')`;
  }

  /**
   * `Deno.inspect` / `console.log` form: the same fields as {@link TokenManager.toJSON}.
   *
   * @param inspect Deno's inspect function.
   * @param options Deno's inspect options.
   * @returns The description.
   */
  [Symbol.for("Deno.customInspect")](
    inspect: (value: unknown, options?: unknown) => string,
    options?: unknown,
  ): string {
    return `TokenManager ${inspect(this.toJSON(), options)}`;
  }

  /**
   * Node's `util.inspect` form, the same as Deno's.
   *
   * @returns The description.
   */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `TokenManager ${JSON.stringify(this.toJSON())}`;
  }

  #join(signal?: AbortSignal): Promise<string> {
    let refresh = this.#refresh;
    if (!refresh) {
      const controller = new AbortController();
      const created: Refresh = {
        controller,
        waiters: 0,
        promise: this.#request(controller.signal).then((grant) => {
          const current = this.#current;
          if (!current || current.obtainedAt <= grant.obtainedAt) this.#current = grant;
          return grant;
        }).finally(() => {
          if (this.#refresh === created) this.#refresh = undefined;
        }),
      };
      created.promise.catch(() => {}); // every waiter gets the rejection; nothing is unhandled
      this.#refresh = refresh = created;
    }
    const joined = refresh;
    joined.waiters++;
    return new Promise<string>((resolve, reject) => {
      let done = false;
      const leave = (): void => {
        done = true;
        joined.waiters--;
        signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = (): void => {
        if (done) return;
        leave();
        if (joined.waiters === 0) {
          if (this.#refresh === joined) this.#refresh = undefined;
          joined.controller.abort(signal?.reason);
        }
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      joined.promise.then(
        (grant) => {
          if (done) return;
          leave();
          resolve(grant.token);
        },
        (error) => {
          if (done) return;
          leave();
          reject(error);
        },
      );
    });
  }

  #request(signal: AbortSignal): Promise<Grant> {
    const o = this.#options;
    const url = `${this.region.loginBaseUrl}${TOKEN_PATH}`;
    const name = `POST ${url}`;
    const basic = base64(`${this.clientId}:${this.#secret}`);
    const redactor = this.redactor;
    const headers: Record<string, string> = {
      "Authorization": `Basic ${basic}`,
      "Content-Type": "application/x-www-form-urlencoded",
      "Accept": "application/json",
    };
    if (o.userAgent) headers["User-Agent"] = o.userAgent;
    const timeoutMs = o.timeoutMs ?? 30_000;
    let badAnswers = 0;
    return retry(async (attempt, attemptSignal) => {
      this.#tokenRequests++;
      emit(o.onEvent, { type: "token", method: "POST", path: TOKEN_PATH, attempt });
      const startedAt = this.#now();
      const remaining = o.deadline === undefined ? Infinity : o.deadline - startedAt;
      const { response, text } = await exchange(url, {
        method: "POST",
        headers,
        body: "grant_type=client_credentials",
      }, {
        fetch: o.fetch ?? fetch,
        timeoutMs: Math.min(timeoutMs, remaining),
        timeoutIsDeadline: remaining < timeoutMs,
        signal: attemptSignal,
        request: name,
        redactor,
      });
      emit(o.onEvent, {
        type: "token",
        method: "POST",
        path: TOKEN_PATH,
        attempt,
        status: response.status,
        durationMs: this.#now() - startedAt,
      });
      if (response.ok) {
        const grant = parseGrant(text, startedAt, this.#ratio, name, redactor);
        redactor.add(grant.token);
        return grant;
      }
      throw tokenRefusal(response, text, {
        request: name,
        region: this.region.name,
        redactor,
        now: this.#now(),
      });
    }, {
      maxAttempts: o.retry?.maxAttempts ?? 8,
      minTimeout: o.retry?.minTimeout ?? 1000,
      maxTimeout: o.retry?.maxTimeout ?? 30_000,
      multiplier: o.retry?.multiplier,
      jitter: o.retry?.jitter,
      maxRetryAfter: o.retry?.maxRetryAfter,
      deadline: o.deadline,
      signal,
      name,
      clock: o.clock,
      // A 2xx that is no token (HTML from a proxy, JSON without access_token) is asked once more
      // (a body cut in transit heals), then it is what the endpoint says: retrying does not help.
      isRetriable: (error) =>
        error instanceof NetworkError && error.kind === "badBody"
          ? ++badAnswers < MAX_BAD_ANSWERS
          : retryCause(error) !== undefined,
      retryAfter: retryAfterHint,
      onRetry: (info) => emit(o.onEvent, retryEvent("POST", TOKEN_PATH, info)),
    });
  }
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
