/**
 * How {@link GenesysClient} reads API responses: a 2xx body as JSON, and any other status as a
 * typed error. Internal; the client is the public face.
 *
 * @module
 */

import type { ClientRetryPolicy, GenesysClientOptions } from "./client_options.ts";
import { ApiError, AuthError, NetworkError, RateLimitError, UsageError } from "../errors.ts";
import { parseErrorBody } from "./_error_body.ts";
import { rateLimitWait } from "./_rate_limit_answer.ts";
import { withRetryAfterHint } from "./_retry_cause.ts";
import type { Redactor } from "../redact.ts";
import { formatWait } from "../_text.ts";
import { parseRetryAfter } from "../retry/retry_after.ts";
import { DEFAULT_MAX_RETRY_AFTER } from "../retry/retry.ts";

/** The request a response answered. */
export interface RequestLabel {
  /** The method, upper case. */
  method: string;
  /** The path with its query. */
  display: string;
  /** `METHOD path`, for messages. */
  name: string;
}

/**
 * Parses a 2xx body: empty is `undefined`; anything that is not JSON is a retriable
 * {@link NetworkError} of kind `badBody` (a truncated or damaged body).
 *
 * @typeParam T The expected type (not checked).
 * @param request The request, for the message.
 * @param status The status.
 * @param text The body.
 * @returns The parsed body.
 * @throws {NetworkError} For a body that is not valid JSON.
 *
 * @example
 * ```ts
 * import { parseJsonBody } from "./_client_response.ts";
 * import { deepStrictEqual, throws } from "node:assert/strict";
 *
 * const request = { method: "GET", display: "/x", name: "GET /x" };
 * deepStrictEqual(parseJsonBody(request, 200, '{"a":1}'), { a: 1 });
 * throws(() => parseJsonBody(request, 200, '{"a":'), /not valid JSON/);
 * ```
 */
export function parseJsonBody<T>(request: RequestLabel, status: number, text: string): T {
  // Only a short body can be blank: no scan of a large page for whitespace.
  if (text.length === 0 || (text.length < 64 && text.trim() === "")) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new NetworkError(
      `${request.name} answered ${status} with a body that is not valid JSON (${text.length} characters, likely truncated)`,
      { kind: "badBody", request: request.name, cause: error },
    );
  }
}

/**
 * The typed error for a status other than 2xx and 401: a {@link RateLimitError} for 429 (with its
 * `Retry-After`, else the wait its body names, else `inin-ratelimit-reset`, recorded as the retry
 * hint), else an {@link ApiError} (for 502, 503 and 504 with the `Retry-After` it carries as the
 * retry hint). The client secret and every token are redacted from anything the server echoed
 * and from the request's path (a `nextUri` may carry a token).
 *
 * @param request The request.
 * @param response The response (body already read).
 * @param text Its body.
 * @param redactor The token manager's redactor (it knows the secret and every token).
 * @param now The current time (epoch ms), for HTTP-date `Retry-After` values.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import { failureFor } from "./_client_response.ts";
 * import { ApiError } from "../errors.ts";
 * import { Redactor } from "../redact.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 *
 * const error = failureFor(
 *   { method: "GET", display: "/x", name: "GET /x" },
 *   new Response('{"message":"Nope","code":"not.found"}', { status: 404 }),
 *   '{"message":"Nope","code":"not.found"}',
 *   new Redactor(["token-value"]),
 *   0,
 * );
 * ok(error instanceof ApiError);
 * strictEqual(error.message, "GET /x answered 404 'not.found': Nope");
 * ```
 */
export function failureFor(
  request: RequestLabel,
  response: Response,
  text: string,
  redactor: Redactor,
  now: number,
): ApiError | RateLimitError {
  const parsed = parseErrorBody(text, redactor);
  const correlationId = response.headers.get("inin-correlation-id") ?? parsed.contextId;
  if (response.status === 429) {
    const hint = rateLimitWait(response.headers, parsed.message, now);
    const parts = [`${request.name} answered 429${parsed.code ? ` '${parsed.code}'` : ""}`];
    if (parsed.message) parts.push(parsed.message);
    parts.push(
      hint === undefined ? "no Retry-After given" : `asked to wait ${formatWait(hint)}`,
    );
    if (correlationId) parts.push(`correlation id '${correlationId}'`);
    return withRetryAfterHint(
      new RateLimitError(parts.join(": "), {
        retryAfterMs: hint ?? 0,
        request: request.name,
        correlationId,
        code: parsed.code,
        serverMessage: parsed.message,
      }, { redactor }),
      hint,
    );
  }
  const error = new ApiError({
    status: response.status,
    code: parsed.code,
    serverMessage: parsed.message,
    contextId: parsed.contextId,
    correlationId,
    method: request.method,
    path: request.display,
    body: parsed.body,
  }, { redactor });
  return UNAVAILABLE.has(response.status)
    ? withRetryAfterHint(error, parseRetryAfter(response.headers.get("retry-after"), now))
    : error;
}

/** Statuses whose `Retry-After` is honoured like a 429's (RFC 9110 names 503; gateways send it too). */
const UNAVAILABLE = new Set([502, 503, 504]);

/**
 * The {@link AuthError} for a 401 that a fresh token did not cure.
 *
 * @param request The request.
 * @param response The second 401.
 * @param text Its body.
 * @param redactor The token manager's redactor (it knows the secret and every token).
 * @param region The region name and API origin.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import { refusedFor } from "./_client_response.ts";
 * import { Redactor } from "../redact.ts";
 * import { match } from "node:assert/strict";
 *
 * const error = refusedFor(
 *   { method: "GET", display: "/x", name: "GET /x" },
 *   new Response("", { status: 401 }),
 *   "",
 *   new Redactor(["token-value"]),
 *   { name: "mypurecloud.ie", apiBaseUrl: "https://api.mypurecloud.ie" },
 * );
 * match(error.message, /newly issued token/);
 * ```
 */
export function refusedFor(
  request: RequestLabel,
  response: Response,
  text: string,
  redactor: Redactor,
  region: { name: string; apiBaseUrl: string },
): AuthError {
  const parsed = parseErrorBody(text, redactor);
  const correlationId = response.headers.get("inin-correlation-id") ?? parsed.contextId;
  const said = `401${parsed.code ? ` '${parsed.code}'` : ""}${
    parsed.message ? ` (${parsed.message})` : ""
  }`;
  return new AuthError(
    `${request.name} answered ${said} again with a newly issued token: the API refuses this OAuth client's tokens; check that the client is still active and has access to this organization, and that '${region.apiBaseUrl}' and the login host are in the same region${
      correlationId ? `; correlation id '${correlationId}'` : ""
    }`,
    { region: region.name, status: 401, code: parsed.code, correlationId },
    { redactor },
  );
}

/**
 * Checks the numeric options of a client.
 *
 * @param options The options.
 * @throws {UsageError} For a value out of range.
 *
 * @example
 * ```ts
 * import { validateClientOptions } from "./_client_response.ts";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => validateClientOptions({ timeoutMs: 0 }), /timeoutMs/);
 * throws(() => validateClientOptions({ retry: { maxAttempts: 0 } }), /'retry\.maxAttempts'/);
 * ```
 */
export function validateClientOptions(options: GenesysClientOptions): void {
  const policy = options.retry ?? {};
  const ms = "0 or more milliseconds";
  const positiveMs = "a positive number of milliseconds";
  const checks: [string, unknown, (value: number) => boolean, string][] = [
    ["timeoutMs", options.timeoutMs, (v) => v > 0, positiveMs],
    [
      "retry.maxAttempts",
      policy.maxAttempts,
      (v) => Number.isInteger(v) && v >= 1,
      "a positive integer",
    ],
    ["retry.minTimeout", policy.minTimeout, (v) => v >= 0 && Number.isFinite(v), ms],
    ["retry.maxTimeout", policy.maxTimeout, (v) => v > 0, positiveMs],
    [
      "retry.multiplier",
      policy.multiplier,
      (v) => v >= 1 && Number.isFinite(v),
      "a finite number of at least 1",
    ],
    ["retry.jitter", policy.jitter, (v) => v >= 0 && v <= 1, "between 0 and 1"],
    ["retry.maxRetryAfter", policy.maxRetryAfter, (v) => v >= 0, ms],
    ["retry.rateLimitBudget", policy.rateLimitBudget, (v) => v >= 0, ms],
    ["deadline", options.deadline, (v) => !Number.isNaN(v), "an epoch time in milliseconds"],
  ];
  for (const [name, value, ok, what] of checks) {
    if (value !== undefined && !(typeof value === "number" && ok(value))) {
      throw new UsageError(`Option '${name}' must be ${what}, got '${String(value)}'`);
    }
  }
  const { minTimeout: min, maxTimeout: max } = clientRetryPolicy(policy);
  if (min > max) {
    throw new UsageError(
      `Option 'retry.minTimeout' ('${min}') must not exceed 'retry.maxTimeout' ('${max}')`,
    );
  }
}

/** A client's retry policy with every setting that has a client default filled in. */
export type ResolvedClientRetryPolicy =
  & ClientRetryPolicy
  & Required<
    Pick<
      ClientRetryPolicy,
      "maxAttempts" | "minTimeout" | "maxTimeout" | "maxRetryAfter" | "rateLimitBudget"
    >
  >;

/** How long one request may meet 429s by default, in ms: 15 minutes of waits. */
export const DEFAULT_RATE_LIMIT_BUDGET = 900_000;

/**
 * A client's retry policy: the settings given, and the client's defaults for those left out
 * (`multiplier` and `jitter` have none of their own: `retry()`'s apply).
 *
 * @param policy The `retry` option, if any.
 * @returns The policy with its defaults.
 *
 * @example
 * ```ts
 * import { clientRetryPolicy } from "./_client_response.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const policy = clientRetryPolicy({ maxAttempts: 3, maxTimeout: undefined });
 * strictEqual(policy.maxAttempts, 3);
 * strictEqual(policy.maxTimeout, 60_000);
 * strictEqual(policy.rateLimitBudget, 900_000);
 * ```
 */
export function clientRetryPolicy(policy: ClientRetryPolicy = {}): ResolvedClientRetryPolicy {
  return {
    ...policy,
    maxAttempts: policy.maxAttempts ?? 10,
    minTimeout: policy.minTimeout ?? 1000,
    maxTimeout: policy.maxTimeout ?? 60_000,
    maxRetryAfter: policy.maxRetryAfter ?? DEFAULT_MAX_RETRY_AFTER,
    rateLimitBudget: policy.rateLimitBudget ?? DEFAULT_RATE_LIMIT_BUDGET,
  };
}
