/**
 * An independent Genesys Cloud stand-in for tests/standin_test.ts, written from
 * `genesys-api.md` alone (it shares no code with lib/sim or the other test fakes).
 *
 * It answers on the real region host names (`login.<env>` for `/oauth/token`, `api.<env>` for
 * `/api/v2/...`) through an in-process `fetch`, or over loopback HTTP with {@link serveStandIn}.
 * Tokens are checked for real: issued by this stand-in, not expired by `expires_in`, not idle
 * longer than `idleMs` (the HIPAA timeout), not revoked. Every API response carries the
 * `inin-ratelimit-*` and `inin-correlation-id` headers; a per-token window limit can be enforced
 * with documented 429s. Routes are plain handlers that tests register.
 *
 * @module
 */

import { GenesysClient } from "../lib/client/genesys_client.ts";
import type { GenesysClientOptions } from "../lib/client/client_options.ts";

/** A response header a route sets to get no `inin-*` headers added (removed before sending). */
export const RAW = "x-standin-raw";

/** A clock that moves only when something sleeps on it or a test advances it. */
export class Clock {
  /** The current time, epoch ms. */
  time: number;
  /** Every sleep asked for, in order. */
  readonly slept: number[] = [];
  /** @param start The start time, epoch ms. */
  constructor(start = Date.UTC(2026, 0, 20, 9, 0, 0)) {
    this.time = start;
  }
  /** The clock function to inject. */
  now = (): number => this.time;
  /** The sleep function to inject: records the wait and moves the time at once. */
  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.slept.push(ms);
    this.time += Math.max(0, ms);
    return Promise.resolve();
  };
  /** Moves the time forward without a sleep. */
  advance(ms: number): void {
    this.time += ms;
  }
}

/** One request the stand-in received. */
export interface Seen {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
  /** The bearer token it carried (API requests). */
  token?: string;
  /** When it arrived, by the stand-in's clock. */
  at: number;
  /** The status answered. */
  status?: number;
}

/** What a route handler gets besides the request. */
export interface RouteContext {
  /** The path parameters captured by the route's pattern. */
  match: RegExpMatchArray;
  /** The parsed JSON body, when there was one. */
  json: unknown;
  /** The stand-in. */
  standIn: StandIn;
}

/** A route handler. */
export type Route = (seen: Seen, ctx: RouteContext) => Response | Promise<Response>;

/** Options of a {@link StandIn}. */
export interface StandInOptions {
  /** The environment (default `mypurecloud.ie`). */
  env?: string;
  /** The clock (default a new {@link Clock}). */
  clock?: Clock;
  /** The only credentials accepted. */
  clientId?: string;
  clientSecret?: string;
  /** `expires_in` of issued tokens, in seconds (default 86400). */
  expiresIn?: number;
  /** Extra fields of the token response (`token_type`, `scope`, ...). */
  tokenFields?: Record<string, unknown>;
  /** A token unused for this long dies (HIPAA idle timeout). Default none. */
  idleMs?: number;
  /** `inin-ratelimit-allowed` per 60 s window and token. Default 300. */
  allowed?: number;
  /** Answer 429 once the window's count passes `allowed`. Default false. */
  enforceLimit?: boolean;
  /**
   * Answers token requests before the built-in endpoint does (return `undefined` to let it):
   * for scripted refusals, 429s and 5xx.
   */
  tokenOverride?: (seen: Seen, n: number) => Response | undefined;
}

interface Issued {
  token: string;
  issuedAt: number;
  expiresAt: number;
  lastUsed: number;
  revoked: boolean;
  window: { start: number; count: number };
}

/**
 * A documented Genesys error body with every field the doc lists.
 *
 * @param status The HTTP status.
 * @param code The Genesys code.
 * @param message The message.
 * @param extra More fields (`details`, `limit`, `messageParams`, ...).
 * @returns The body object.
 */
export function errorBody(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    message,
    code,
    status,
    contextId: `ctx-${status}-${code}`,
    messageWithParams: message,
    messageParams: {},
    details: [],
    errors: [],
    ...extra,
  };
}

/**
 * A JSON error response in the documented shape.
 *
 * @param status The HTTP status.
 * @param code The Genesys code.
 * @param message The message.
 * @param headers Extra headers.
 * @param extra More body fields.
 * @returns The response.
 */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): Response {
  return Response.json(errorBody(status, code, message, extra), { status, headers });
}

/** The documented 429 body for a `Retry-After` of `seconds`. */
export function tooManyRequests(seconds: number, contextId = "ctx-429"): Record<string, unknown> {
  return {
    message: `Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`,
    code: "too.many.requests.retry.after",
    status: 429,
    contextId,
    details: [],
    errors: [],
  };
}

/** A Genesys Cloud stand-in: token endpoint, token checks, headers, and registered routes. */
export class StandIn {
  readonly env: string;
  readonly clock: Clock;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Every request, token requests included, in order. */
  readonly requests: Seen[] = [];
  readonly #options: StandInOptions;
  readonly #issued = new Map<string, Issued>();
  readonly #routes: { method: string; pattern: RegExp; route: Route }[] = [];
  #tokenCount = 0;
  #correlation = 0;

  /** @param options Environment, clock, credentials, token lifetime and limits. */
  constructor(options: StandInOptions = {}) {
    this.#options = options;
    this.env = options.env ?? "mypurecloud.ie";
    this.clock = options.clock ?? new Clock();
    this.clientId = options.clientId ?? "standin-client";
    this.clientSecret = options.clientSecret ?? "standin-secret-9f8e7d";
  }

  /** Token requests received (every attempt). */
  get tokenRequests(): Seen[] {
    return this.requests.filter((r) => r.url.pathname === "/oauth/token");
  }

  /** API requests received (every attempt). */
  get apiRequests(): Seen[] {
    return this.requests.filter((r) => r.url.pathname.startsWith("/api/"));
  }

  /** The tokens issued so far, in order. */
  get issued(): string[] {
    return [...this.#issued.keys()];
  }

  /** Revokes a token (the next request with it answers 401). */
  revoke(token: string): void {
    const issued = this.#issued.get(token);
    if (issued) issued.revoked = true;
  }

  /**
   * Registers a route.
   *
   * @param method The HTTP method.
   * @param pattern A path such as `/api/v2/users`, or a pattern matched against the whole path.
   * @param route The handler.
   * @returns The stand-in, for chaining.
   */
  on(method: string, pattern: string | RegExp, route: Route): this {
    const regex = typeof pattern === "string"
      ? new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`)
      : pattern;
    this.#routes.push({ method, pattern: regex, route });
    return this;
  }

  /**
   * The in-process `fetch`: only `https://login.<env>` and `https://api.<env>` exist; any other
   * host fails like an unreachable one.
   */
  fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (request.signal.aborted) throw request.signal.reason;
    const url = new URL(request.url);
    if (url.protocol !== "https:") throw new TypeError(`stand-in: plain http to '${url.host}'`);
    if (url.host === `login.${this.env}`) {
      if (url.pathname !== "/oauth/token") return new Response("Not found", { status: 404 });
      return await this.handle(request);
    }
    if (url.host === `api.${this.env}`) {
      if (!url.pathname.startsWith("/api/")) return new Response("Not found", { status: 404 });
      return await this.handle(request);
    }
    throw new TypeError(`stand-in: no such host '${url.host}'`);
  };

  /**
   * Answers one request by its path (`/oauth/token` or `/api/...`), whatever the host.
   *
   * @param request The request.
   * @returns The response.
   */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const seen: Seen = {
      method: request.method,
      url,
      headers: new Headers(request.headers),
      body: request.method === "GET" || request.method === "HEAD" ? "" : await request.text(),
      at: this.clock.now(),
    };
    this.requests.push(seen);
    const response = url.pathname === "/oauth/token" ? this.#token(seen) : await this.#api(seen);
    seen.status = response.status;
    return response;
  }

  #token(seen: Seen): Response {
    const n = ++this.#tokenCount;
    const scripted = this.#options.tokenOverride?.(seen, n);
    if (scripted) return scripted;
    const refuse = () =>
      Response.json({
        error: "invalid_client",
        description: "authentication failed",
        error_description: "authentication failed",
      }, { status: 401 });
    const expected = `Basic ${btoa(`${this.clientId}:${this.clientSecret}`)}`;
    if (seen.method !== "POST" || seen.headers.get("authorization") !== expected) return refuse();
    if (seen.headers.get("content-type") !== "application/x-www-form-urlencoded") {
      return Response.json({ error: "invalid_request" }, { status: 400 });
    }
    if (seen.body !== "grant_type=client_credentials") {
      return Response.json({ error: "unsupported_grant_type" }, { status: 400 });
    }
    const now = this.clock.now();
    const expiresIn = this.#options.expiresIn ?? 86_400;
    const token = `st-${n}-${crypto.randomUUID().slice(0, 8)}`;
    this.#issued.set(token, {
      token,
      issuedAt: now,
      expiresAt: now + expiresIn * 1000,
      lastUsed: now,
      revoked: false,
      window: { start: now, count: 0 },
    });
    return Response.json({
      access_token: token,
      token_type: "bearer",
      expires_in: expiresIn,
      ...this.#options.tokenFields,
    });
  }

  async #api(seen: Seen): Promise<Response> {
    const now = this.clock.now();
    const correlation = `corr-${++this.#correlation}`;
    const auth = seen.headers.get("authorization") ?? "";
    const bearer = /^Bearer (\S+)$/.exec(auth)?.[1];
    seen.token = bearer;
    const issued = bearer === undefined ? undefined : this.#issued.get(bearer);
    const idle = this.#options.idleMs;
    if (
      !issued || issued.revoked || now >= issued.expiresAt ||
      (idle !== undefined && now - issued.lastUsed >= idle)
    ) {
      return errorResponse(
        401,
        issued ? "credentials.expired" : "authentication.required",
        issued ? "Credentials expired" : "Authentication required",
        { "inin-correlation-id": correlation },
      );
    }
    issued.lastUsed = now;
    const allowed = this.#options.allowed ?? 300;
    if (now - issued.window.start >= 60_000) issued.window = { start: now, count: 0 };
    issued.window.count++;
    const reset = Math.ceil((issued.window.start + 60_000 - now) / 1000);
    const limitHeaders: Record<string, string> = {
      "inin-ratelimit-count": String(issued.window.count),
      "inin-ratelimit-allowed": String(allowed),
      "inin-ratelimit-reset": String(reset),
      "inin-correlation-id": correlation,
    };
    if (this.#options.enforceLimit && issued.window.count > allowed) {
      return Response.json(tooManyRequests(reset, correlation), {
        status: 429,
        headers: { ...limitHeaders, "Retry-After": String(reset) },
      });
    }
    let response: Response | undefined;
    for (const { method, pattern, route } of this.#routes) {
      if (method !== seen.method) continue;
      const match = seen.url.pathname.match(pattern);
      if (!match) continue;
      let json: unknown;
      if (seen.body !== "") {
        try {
          json = JSON.parse(seen.body);
        } catch {
          return errorResponse(400, "bad.request", "Malformed JSON", limitHeaders);
        }
      }
      response = await route(seen, { match, json, standIn: this });
      break;
    }
    response ??= errorResponse(404, "not.found", "The requested resource was not found");
    const headers = new Headers(response.headers);
    if (headers.has(RAW)) {
      headers.delete(RAW); // the route wants exactly its own headers
    } else {
      for (const [key, value] of Object.entries(limitHeaders)) {
        if (!headers.has(key)) headers.set(key, value);
      }
    }
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
}

/**
 * A stand-in and a {@link GenesysClient} for region `eu-west-1` that reaches it through the
 * in-process fetch, on the stand-in's clock, with `random() = 0.5`.
 *
 * @param options The stand-in's options.
 * @param extra Client options that replace the defaults (a clock only the parts it gives).
 * @returns The stand-in, its clock and the client.
 */
export function standInClient(
  options: StandInOptions = {},
  extra: Partial<GenesysClientOptions> = {},
): { standIn: StandIn; clock: Clock; client: GenesysClient } {
  const clock = options.clock ?? new Clock();
  const standIn = new StandIn({ ...options, clock });
  const client = new GenesysClient({
    region: "eu-west-1",
    clientId: standIn.clientId,
    clientSecret: standIn.clientSecret,
    fetch: standIn.fetch,
    ...extra,
    clock: { now: clock.now, sleep: clock.sleep, random: () => 0.5, ...extra.clock },
  });
  return { standIn, clock, client };
}

/**
 * Serves a stand-in over loopback HTTP (`Deno.serve` on 127.0.0.1, port 0); pass `base` as the
 * client's region. Close it with `shutdown()`.
 *
 * @param standIn The stand-in.
 * @param wrap Optionally changes each response on its way out (to compress it, say).
 * @returns The base URL and a shutdown function.
 */
export function serveStandIn(
  standIn: StandIn,
  wrap?: (response: Response, request: Request) => Response | Promise<Response>,
): { base: string; shutdown: () => Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const response = await standIn.handle(request);
    return wrap ? await wrap(response, request) : response;
  });
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    shutdown: () => server.shutdown(),
  };
}

/** Options of {@link pageListing}. */
export interface PageListingOptions {
  /** The default page size (25 in Genesys). */
  defaultPageSize?: number;
  /** The largest page size the server honours (bigger requests are capped, not refused). */
  maxPageSize?: number;
  /** How the URIs are written for page `n` (default `?pageSize=S&pageNumber=n`). */
  uri?: (path: string, size: number, n: number, url: URL) => string;
  /** Fields left out of every page (`pageCount`, `total`, `nextUri`, ...). */
  omit?: string[];
}

/**
 * A documented page-number listing page over `all`: `entities`, `pageSize`, `pageNumber`,
 * `total`, `pageCount`, `firstUri`, `selfUri`, `lastUri`, and `nextUri` / `previousUri` where
 * they apply.
 *
 * @param url The request URL.
 * @param all Every entity of the listing.
 * @param options Page sizes, URI style, omitted fields.
 * @returns The response.
 */
export function pageListing(url: URL, all: unknown[], options: PageListingOptions = {}): Response {
  const askedSize = Number(url.searchParams.get("pageSize") ?? options.defaultPageSize ?? 25);
  const size = Math.min(askedSize, options.maxPageSize ?? Infinity);
  const n = Number(url.searchParams.get("pageNumber") ?? 1);
  if (!Number.isInteger(size) || size < 1 || !Number.isInteger(n) || n < 1) {
    return errorResponse(400, "invalid.value", "Invalid paging parameters");
  }
  const uri = options.uri ??
    ((path: string, s: number, p: number) => `${path}?pageSize=${s}&pageNumber=${p}`);
  const pageCount = Math.ceil(all.length / size);
  const body: Record<string, unknown> = {
    entities: all.slice((n - 1) * size, n * size),
    pageSize: size,
    pageNumber: n,
    total: all.length,
    pageCount,
    firstUri: uri(url.pathname, size, 1, url),
    selfUri: uri(url.pathname, size, n, url),
    lastUri: uri(url.pathname, size, Math.max(1, pageCount), url),
  };
  if (n < pageCount) body.nextUri = uri(url.pathname, size, n + 1, url);
  if (n > 1) body.previousUri = uri(url.pathname, size, n - 1, url);
  for (const key of options.omit ?? []) delete body[key];
  return Response.json(body);
}

/** A user of {@link usersRoute}: an id and a `state`. */
export interface StandInUser {
  id: string;
  state: "active" | "inactive" | "deleted";
  [key: string]: unknown;
}

/**
 * `GET /api/v2/users` as genesys-api.md documents it: `state` filters (default `active`; `any`
 * is every state), repeatable `id`, page-number paging, and for `state=inactive` (also `deleted`
 * and `any`, which include them) a 400 for a page that reaches past 10,000 results
 * (DEVTOOLING-862).
 *
 * @param all Every user of the org.
 * @param options Listing options (URI style, page sizes).
 * @returns The route.
 */
export function usersRoute(all: readonly StandInUser[], options: PageListingOptions = {}): Route {
  return (seen) => {
    const state = seen.url.searchParams.get("state") ?? "active";
    const ids = seen.url.searchParams.getAll("id");
    const selected = all.filter((u) =>
      (state === "any" || u.state === state) && (ids.length === 0 || ids.includes(u.id))
    );
    const size = Number(seen.url.searchParams.get("pageSize") ?? options.defaultPageSize ?? 25);
    const n = Number(seen.url.searchParams.get("pageNumber") ?? 1);
    if (state !== "active" && n * size > 10_000) {
      return errorResponse(
        400,
        "bad.request",
        "The requested page exceeds the maximum of 10000 results",
      );
    }
    return pageListing(seen.url, selected, options);
  };
}
