/**
 * What handlers return, the Genesys error body, and the error handlers throw for a 4xx.
 *
 * @module
 */

/** A handler's answer before headers and faults are applied. */
export interface Reply {
  /** HTTP status. */
  status: number;
  /** A JSON body, or `undefined` for none. */
  json?: unknown;
  /** Extra headers. */
  headers?: Record<string, string>;
}

/** One entry of an error body's `details`. */
export interface ErrorDetail {
  /** A machine-readable code. */
  errorCode?: string;
  /** The request field concerned. */
  fieldName?: string;
  /** Explanation. */
  message?: string;
}

/**
 * An error a handler throws to answer with a Genesys error body.
 *
 * @example
 * ```ts
 * import { HttpError } from "./reply.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(new HttpError(400, "bad.request", "Bad").status, 400);
 * ```
 */
export class HttpError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** The Genesys `code`. */
  readonly code: string;
  /** The body's `details`. */
  readonly details: ErrorDetail[];

  /**
   * Creates the error.
   *
   * @param status HTTP status.
   * @param code The Genesys `code`, such as `bad.request`.
   * @param message The body's `message`.
   * @param details The body's `details`.
   */
  constructor(status: number, code: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/**
 * A 400 `bad.request` error.
 *
 * @param message The body's `message`.
 * @param fieldName The request field at fault, if one.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import { badRequest } from "./reply.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(badRequest("No interval", "interval").details[0].fieldName, "interval");
 * ```
 */
export function badRequest(message: string, fieldName?: string): HttpError {
  return new HttpError(
    400,
    "bad.request",
    message,
    fieldName ? [{ errorCode: "bad.request", fieldName, message }] : [],
  );
}

/**
 * The Genesys error body.
 *
 * @param status HTTP status.
 * @param code The Genesys `code`.
 * @param message The message.
 * @param contextId The correlation id.
 * @param details The `details` entries.
 * @returns The body object.
 *
 * @example
 * ```ts
 * import { errorBody } from "./reply.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(errorBody(404, "not.found", "Gone", "c1"), {
 *   message: "Gone", code: "not.found", status: 404, contextId: "c1", details: [], errors: [],
 * });
 * ```
 */
export function errorBody(
  status: number,
  code: string,
  message: string,
  contextId: string,
  details: ErrorDetail[] = [],
): Record<string, unknown> {
  return { message, code, status, contextId, details, errors: [] };
}

/**
 * A reply carrying a Genesys error body.
 *
 * @param error The error.
 * @param contextId The correlation id.
 * @returns The reply.
 *
 * @example
 * ```ts
 * import { errorReply, HttpError } from "./reply.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(errorReply(new HttpError(404, "not.found", "Gone"), "c1").status, 404);
 * ```
 */
export function errorReply(error: HttpError, contextId: string): Reply {
  return {
    status: error.status,
    json: errorBody(error.status, error.code, error.message, contextId, error.details),
  };
}

/**
 * The normalized 429 reply with `Retry-After`, as the real API sends it since November 2021 (and
 * with the `limit` that was hit, as some limits say since 2023).
 *
 * @param seconds Seconds to wait (rounded up, at least 1).
 * @param contextId The correlation id.
 * @param limit The limit that was hit (`value` per minute), for the body, if it names one.
 * @returns The reply.
 *
 * @example
 * ```ts
 * import { tooManyRequests } from "./reply.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(tooManyRequests(0.2, "c").headers?.["Retry-After"], "1");
 * ```
 */
export function tooManyRequests(
  seconds: number,
  contextId: string,
  limit?: { key: string; namespace: string; value: number },
): Reply {
  const wait = Math.max(1, Math.ceil(seconds));
  const json = errorBody(
    429,
    "too.many.requests.retry.after",
    `Rate limit exceeded the maximum. Retry the request in [${wait}] seconds`,
    contextId,
  );
  if (limit) json.limit = { ...limit };
  return { status: 429, json, headers: { "Retry-After": String(wait) } };
}

const STATUS_TEXT: Record<number, [string, string]> = {
  500: ["internal.server.error", "The server encountered an unexpected condition"],
  502: ["bad.gateway", "The upstream service answered with an invalid response"],
  503: ["service.unavailable", "The service is currently unavailable"],
  504: ["request.timeout", "The request timed out"],
};

/**
 * A 403 naming the permission the request needs, as Genesys answers a client without it.
 *
 * @param permission Such as `routing:wrapupCode:view`.
 * @param contextId The correlation id.
 * @returns The reply.
 *
 * @example
 * ```ts
 * import { missingPermission } from "./reply.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const body = missingPermission("routing:queue:view", "c").json as { code: string; message: string };
 * strictEqual(body.code, "missing.permissions");
 * strictEqual(body.message.endsWith("routing:queue:view"), true);
 * ```
 */
export function missingPermission(permission: string, contextId: string): Reply {
  return {
    status: 403,
    json: errorBody(
      403,
      "missing.permissions",
      `You are missing the following permission: ${permission}`,
      contextId,
    ),
  };
}

/**
 * A 5xx reply with the Genesys body for that status.
 *
 * @param status 500, 502, 503 or 504.
 * @param contextId The correlation id.
 * @returns The reply.
 *
 * @example
 * ```ts
 * import { serverError } from "./reply.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual((serverError(503, "c").json as { code: string }).code, "service.unavailable");
 * ```
 */
export function serverError(status: number, contextId: string): Reply {
  const [code, message] = STATUS_TEXT[status] ?? STATUS_TEXT[500];
  return { status, json: errorBody(status, code, message, contextId) };
}
