/**
 * Test helpers for the core: a fake clock whose sleep advances time at once, and a scripted fake
 * `fetch` that plays the Genesys token endpoint and API in memory.
 *
 * @module
 */

import type { Clock } from "../lib/types.ts";

/**
 * A {@link Clock} that only moves when told to (or when something sleeps on it), with
 * `random()` at 0 (the full backoff).
 */
export interface FakeClock extends Clock {
  /** The current time, in epoch ms. */
  now: () => number;
  /** Advances the time by `ms` at once and records the wait. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Always 0: every backoff is waited in full. */
  random: () => number;
  /** Moves the time forward. */
  advance: (ms: number) => void;
  /** Every wait asked for, in order. */
  sleeps: number[];
}

/**
 * Creates a fake clock starting at `start`.
 *
 * @param start The starting time in epoch ms.
 * @returns The clock.
 */
export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let time = start;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(signal.reason);
      sleeps.push(ms);
      time += ms;
      return Promise.resolve();
    },
    random: () => 0,
    advance: (ms) => {
      time += ms;
    },
    sleeps,
  };
}

/** One request the fake saw. */
export interface SeenRequest {
  /** Method. */
  method: string;
  /** Path with query. */
  path: string;
  /** Request headers. */
  headers: Headers;
  /** Request body text. */
  body: string;
}

/** What an API handler gets. */
export interface ApiCall extends SeenRequest {
  /** The bearer token sent (or `undefined`). */
  token?: string;
  /** 1-based index of this API call. */
  n: number;
}

/** Options of {@link fakeGenesys}. */
export interface FakeGenesysOptions {
  /** Answers token requests; default: a new token `tok-N` living `expiresIn` seconds. */
  token?: (n: number, request: SeenRequest) => Response | Promise<Response>;
  /** Token lifetime (seconds) for the default token handler. */
  expiresIn?: number;
  /** Answers API calls. Throwing simulates a network error. */
  api: (call: ApiCall) => Response | Promise<Response>;
}

/** The fake and what it saw. */
export interface FakeGenesys {
  /** The fetch to inject. */
  fetch: typeof fetch;
  /** Token requests seen. */
  tokenRequests: SeenRequest[];
  /** API requests seen. */
  apiRequests: ApiCall[];
  /** Tokens issued by the default handler, in order. */
  issued: string[];
}

/**
 * Creates a scripted fake of the token endpoint and the API.
 *
 * @param options The handlers.
 * @returns The fake fetch and its records.
 */
export function fakeGenesys(options: FakeGenesysOptions): FakeGenesys {
  const tokenRequests: SeenRequest[] = [];
  const apiRequests: ApiCall[] = [];
  const issued: string[] = [];
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    init?.signal?.throwIfAborted();
    const url = new URL(request.url);
    const seen: SeenRequest = {
      method: request.method,
      path: url.pathname + url.search,
      headers: request.headers,
      body: await request.text(),
    };
    if (url.pathname === "/oauth/token") {
      tokenRequests.push(seen);
      if (options.token) return await options.token(tokenRequests.length, seen);
      const token = `tok-${tokenRequests.length}-${crypto.randomUUID()}`;
      issued.push(token);
      return Response.json({
        access_token: token,
        token_type: "bearer",
        expires_in: options.expiresIn ?? 86400,
      });
    }
    const auth = request.headers.get("authorization") ?? "";
    const call: ApiCall = {
      ...seen,
      token: auth.startsWith("Bearer ") ? auth.slice(7) : undefined,
      n: apiRequests.length + 1,
    };
    apiRequests.push(call);
    return await options.api(call);
  };
  return { fetch: fetchFn as typeof fetch, tokenRequests, apiRequests, issued };
}

/**
 * A Genesys-style JSON error response.
 *
 * @param status The status.
 * @param code The error code.
 * @param message The message.
 * @param headers Extra headers.
 * @returns The response.
 */
export function genesysError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const correlationId = headers["ININ-Correlation-Id"] ?? `corr-${status}`;
  return Response.json(
    { message, code, status, contextId: correlationId, details: [], errors: [] },
    { status, headers: { "ININ-Correlation-Id": correlationId, ...headers } },
  );
}
