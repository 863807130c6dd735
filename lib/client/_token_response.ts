/**
 * How {@link TokenManager} reads the token endpoint's answers: a grant with its lifetime, or a
 * refusal as a typed error. Internal; the token manager is the public face.
 *
 * @module
 */

import { ApiError, AuthError, NetworkError, RateLimitError } from "../errors.ts";
import { formatWait, oneLine } from "../_text.ts";
import { parseErrorBody } from "./_error_body.ts";
import { rateLimitWait } from "./_rate_limit_answer.ts";
import { withRetryAfterHint } from "./_retry_cause.ts";
import { PATTERNS_ONLY, type Redactor } from "../redact.ts";

/** A token and when it was asked for, is due for renewal and expires (epoch ms). */
export interface Grant {
  /** The access token. */
  token: string;
  /** When the token request that got it was sent. */
  obtainedAt: number;
  /** When to renew it (absent when the lifetime is unknown). */
  refreshAt?: number;
  /** When it expires (absent when the lifetime is unknown). */
  expiresAt?: number;
}

/**
 * Reads a 2xx token response. The lifetime counts from when the request was sent; without a
 * usable `expires_in` the grant has no renewal time (it lives until a 401).
 *
 * @param text The body.
 * @param startedAt When the request was sent (epoch ms).
 * @param ratio The fraction of the lifetime after which the token is renewed.
 * @param request The request, for messages.
 * @param redactor Keeps the secret out of messages.
 * @returns The grant.
 * @throws {NetworkError} (`badBody`) For a body that is not JSON (HTML from a proxy, say) or
 * lacks `access_token`, saying what came.
 *
 * @example
 * ```ts
 * import { parseGrant } from "./_token_response.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const grant = parseGrant('{"access_token":"t","expires_in":300}', 0, 0.8, "POST /oauth/token");
 * strictEqual(grant.refreshAt, 240_000);
 * strictEqual(grant.expiresAt, 300_000);
 * ```
 */
export function parseGrant(
  text: string,
  startedAt: number,
  ratio: number,
  request: string,
  redactor: Redactor = PATTERNS_ONLY,
): Grant {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const start = redactor.redact(oneLine(text, 60));
    const html = /^\s*<(!doctype|html|head|body)/i.test(text);
    throw new NetworkError(
      `${request} answered 2xx with ${
        html ? "an HTML page" : text.trim() === "" ? "an empty body" : "a body that is not JSON"
      }, not a token${
        start ? ` (it starts '${start}')` : ""
      }: check the region or login URL; a proxy or captive portal may be answering instead of Genesys Cloud`,
      { kind: "badBody", request, redactor },
    );
  }
  const record = (body !== null && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const token = record.access_token;
  if (typeof token !== "string" || token === "") {
    const fields = Object.keys(record).map((k) => `'${k}'`).join(", ") || "none";
    throw new NetworkError(
      `${request} answered 2xx without an access_token (fields: ${fields}): the endpoint is not a Genesys Cloud token endpoint, or the OAuth client does not use the Client Credentials grant`,
      { kind: "badBody", request, redactor },
    );
  }
  const seconds = Number(record.expires_in);
  if (!(Number.isFinite(seconds) && seconds > 0)) return { token, obtainedAt: startedAt };
  const lifetime = seconds * 1000;
  return {
    token,
    obtainedAt: startedAt,
    refreshAt: startedAt + lifetime * ratio,
    expiresAt: startedAt + lifetime,
  };
}

/** Context of {@link tokenRefusal}. */
export interface RefusalContext {
  /** The request, for messages. */
  request: string;
  /** The region name the credentials were tried against. */
  region: string;
  /** Keeps the secret and the Basic credentials out of messages. */
  redactor?: Redactor;
  /** The current time (epoch ms), for HTTP-date `Retry-After` values. */
  now: number;
}

/**
 * The typed error for a token response that is not 2xx: 429 is a {@link RateLimitError} (with
 * its retry hint), 400/401/403 an {@link AuthError} (`invalid_client` names the region), anything
 * else an {@link ApiError}.
 *
 * @param response The response (body already read).
 * @param text Its body.
 * @param context The request, region, secrets and time.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import { tokenRefusal } from "./_token_response.ts";
 * import { AuthError } from "../errors.ts";
 * import { ok, match } from "node:assert/strict";
 *
 * const error = tokenRefusal(
 *   new Response("", { status: 400 }),
 *   '{"error":"invalid_client","error_description":"authentication failed"}',
 *   { request: "POST /oauth/token", region: "mypurecloud.de", now: 0 },
 * );
 * ok(error instanceof AuthError);
 * match(error.message, /another region than 'mypurecloud.de'/);
 * ```
 */
export function tokenRefusal(
  response: Response,
  text: string,
  context: RefusalContext,
): AuthError | RateLimitError | ApiError {
  const { request, region } = context;
  const status = response.status;
  const redactor = context.redactor ?? PATTERNS_ONLY;
  const parsed = parseErrorBody(text, redactor);
  const correlationId = response.headers.get("inin-correlation-id") ?? parsed.contextId;
  if (status === 429) {
    const hint = rateLimitWait(response.headers, parsed.message, context.now);
    return withRetryAfterHint(
      new RateLimitError(
        `${request} answered 429: rate limited${
          hint === undefined ? "" : `, asked to wait ${formatWait(hint)}`
        }`,
        { retryAfterMs: hint ?? 0, request, correlationId, code: parsed.code },
        { redactor },
      ),
      hint,
    );
  }
  if (status === 400 || status === 401 || status === 403) {
    const code = parsed.code;
    let fix = "check the client id and secret";
    if (code === "invalid_client" || (code === undefined && status === 401)) {
      fix =
        `check the client id and secret: these credentials may belong to another region than '${region}'`;
    } else if (code === "unauthorized_client" || code === "unsupported_grant_type") {
      fix = "check that the OAuth client uses the Client Credentials grant";
    }
    const said = `${status}${code ? ` '${code}'` : ""}${
      parsed.message ? ` (${parsed.message})` : ""
    }`;
    return new AuthError(
      `Cannot get a token for region '${region}': the token request answered ${said}; ${fix}`,
      { region, status, code, correlationId },
      { redactor },
    );
  }
  return new ApiError({
    status,
    code: parsed.code,
    serverMessage: parsed.message,
    contextId: parsed.contextId,
    correlationId,
    method: "POST",
    path: "/oauth/token",
    body: parsed.body,
  }, { redactor });
}
