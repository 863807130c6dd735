/**
 * The error classes callers catch. Each carries the context needed to act on it, and none ever
 * carries a token or a client secret: messages, fields and bodies are redacted when the error is
 * built (by the {@link Redactor} the thrower passes, which knows the client secret and every
 * token issued, and otherwise by the credential patterns), and the `toJSON()` and
 * `Deno.inspect` forms redact again, causes included.
 *
 * @module
 */
import { clean, GenesysError, type GenesysErrorOptions, redactorOf } from "./_error_base.ts";

export { GenesysError, type GenesysErrorOptions } from "./_error_base.ts";

/**
 * Bad input from the caller: an unknown region, a malformed interval, a bad option value.
 * The CLI maps it to exit code 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./errors.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(new UsageError("Unknown format 'xml'").name, "UsageError");
 * ```
 */
export class UsageError extends GenesysError {}

/** What an {@link ApiError} knows about the failed call. */
export interface ApiErrorDetails {
  /** HTTP status. */
  status: number;
  /** The Genesys error `code`, such as `bad.request`, when the body had one. */
  code?: string;
  /** The server's own message, when the body had one. */
  serverMessage?: string;
  /** The error body's `contextId`. */
  contextId?: string;
  /** The `ININ-Correlation-Id` response header. */
  correlationId?: string;
  /** The request method. */
  method: string;
  /** The request path (with query), never a full URL with credentials. */
  path: string;
  /** The parsed error body, when it was JSON. */
  body?: unknown;
}

/**
 * The API answered with a status that is not retried (400, 403, 404, 409, 422, ...), or a
 * retried status that kept failing until the attempts ran out.
 *
 * @example
 * ```ts
 * import { ApiError } from "./errors.ts";
 * import { match } from "node:assert/strict";
 *
 * const error = new ApiError({
 *   status: 404,
 *   code: "not.found",
 *   serverMessage: "The requested resource was not found",
 *   correlationId: "abc-123",
 *   method: "GET",
 *   path: "/api/v2/users/x",
 * });
 * match(error.message, /404/);
 * match(error.message, /abc-123/);
 * ```
 */
export class ApiError extends GenesysError {
  /** HTTP status. */
  readonly status: number;
  /** The Genesys error code, such as `bad.request`. */
  readonly code?: string;
  /** The server's message. */
  readonly serverMessage?: string;
  /** The error body's `contextId`. */
  readonly contextId?: string;
  /** The `ININ-Correlation-Id` response header (or the `contextId` when the header was absent). */
  readonly correlationId?: string;
  /** The request method. */
  readonly method: string;
  /** The request path. */
  readonly path: string;
  /** The parsed error body, with every string in it redacted. */
  readonly body?: unknown;

  /**
   * Creates the error; the message is built from the details.
   *
   * @param details What is known about the failed call.
   * @param options Standard error options (`cause`) and the redactor to apply.
   */
  constructor(details: ApiErrorDetails, options?: GenesysErrorOptions) {
    const correlationId = details.correlationId ?? details.contextId;
    const parts = [`${details.method} ${details.path} answered ${details.status}`];
    if (details.code) parts[0] += ` '${details.code}'`;
    if (details.serverMessage) parts.push(details.serverMessage);
    if (correlationId) parts.push(`correlation id '${correlationId}'`);
    super(parts.join(": "), options);
    this.status = details.status;
    this.code = clean(this, details.code);
    this.serverMessage = clean(this, details.serverMessage);
    this.contextId = clean(this, details.contextId);
    this.correlationId = clean(this, correlationId);
    this.method = details.method;
    this.path = clean(this, details.path)!;
    this.body = details.body === undefined ? undefined : redactorOf(this).redactValue(details.body);
  }
}

/**
 * Authentication failed: bad credentials (`invalid_client`), credentials from another region, or
 * a fresh token refused with 401. The CLI maps it to exit code 3.
 *
 * @example
 * ```ts
 * import { AuthError } from "./errors.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const error = new AuthError("Token request refused", { region: "mypurecloud.ie", status: 400 });
 * strictEqual(error.region, "mypurecloud.ie");
 * ```
 */
export class AuthError extends GenesysError {
  /** The region (or base URL host) the credentials were tried against. */
  readonly region?: string;
  /** The HTTP status that refused them. */
  readonly status?: number;
  /** The OAuth `error` or Genesys `code`, such as `invalid_client`. */
  readonly code?: string;
  /** The correlation id of the refusing response, when it had one. */
  readonly correlationId?: string;

  /**
   * Creates the error.
   *
   * @param message What failed and what to check.
   * @param context Where and how it failed.
   * @param options Standard error options (`cause`) and the redactor to apply.
   */
  constructor(
    message: string,
    context: { region?: string; status?: number; code?: string; correlationId?: string } = {},
    options?: GenesysErrorOptions,
  ) {
    super(message, options);
    this.region = context.region;
    this.status = context.status;
    this.code = clean(this, context.code);
    this.correlationId = clean(this, context.correlationId);
  }
}

/**
 * The server asked to wait longer than the caller allows (`maxRetryAfter`), or 429s outlasted the
 * attempts.
 *
 * @example
 * ```ts
 * import { RateLimitError } from "./errors.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const error = new RateLimitError("Rate limited for 3600 s", { retryAfterMs: 3_600_000 });
 * strictEqual(error.retryAfterMs, 3_600_000);
 * ```
 */
export class RateLimitError extends GenesysError {
  /** How long the server asked to wait, in milliseconds. */
  readonly retryAfterMs: number;
  /** The request this concerns, such as `GET /api/v2/users`. */
  readonly request?: string;
  /** The correlation id of the 429 response. */
  readonly correlationId?: string;
  /** The Genesys error code of the 429 body, such as `too.many.requests.retry.after`. */
  readonly code?: string;
  /** The server's message from the 429 body. */
  readonly serverMessage?: string;
  /** The longest wait the caller allowed (`maxRetryAfter`), when that is why this was thrown. */
  readonly maxRetryAfterMs?: number;

  /**
   * Creates the error.
   *
   * @param message What the server asked for and what the limit is.
   * @param context The wait asked for and the request.
   * @param options Standard error options (`cause`) and the redactor to apply.
   */
  constructor(
    message: string,
    context: {
      retryAfterMs: number;
      request?: string;
      correlationId?: string;
      code?: string;
      serverMessage?: string;
      maxRetryAfterMs?: number;
    },
    options?: GenesysErrorOptions,
  ) {
    super(message, options);
    this.retryAfterMs = context.retryAfterMs;
    this.request = clean(this, context.request);
    this.correlationId = clean(this, context.correlationId);
    this.code = clean(this, context.code);
    this.serverMessage = clean(this, context.serverMessage);
    this.maxRetryAfterMs = context.maxRetryAfterMs;
  }
}

/**
 * The job's deadline came, or would have come during the next wait. The CLI maps it to exit
 * code 4 (checkpoint saved).
 *
 * @example
 * ```ts
 * import { DeadlineError } from "./errors.ts";
 * import { match } from "node:assert/strict";
 *
 * match(new DeadlineError("Deadline reached while waiting 2 s to retry GET /api/v2/users").message, /Deadline/);
 * ```
 */
export class DeadlineError extends GenesysError {
  /** The request or operation that was waiting, such as `GET /api/v2/users`. */
  readonly request?: string;
  /** How long the wait that would have crossed the deadline was, in milliseconds. */
  readonly waitMs?: number;
  /** How much time was left before the deadline, in milliseconds. */
  readonly remainingMs?: number;

  /**
   * Creates the error.
   *
   * @param message What was waiting and for how long.
   * @param options Standard error options (`cause`) plus what was waiting.
   */
  constructor(message: string, options?: DeadlineErrorOptions) {
    super(message, options);
    this.request = clean(this, options?.request);
    this.waitMs = options?.waitMs;
    this.remainingMs = options?.remainingMs;
  }
}

/** Options of a {@link DeadlineError}: standard error options plus what was waiting. */
export interface DeadlineErrorOptions extends GenesysErrorOptions {
  /** The request or operation that was waiting, such as `GET /api/v2/users`. */
  request?: string;
  /** How long the wait that would have crossed the deadline was, in milliseconds. */
  waitMs?: number;
  /** How much time was left before the deadline, in milliseconds. */
  remainingMs?: number;
}

/**
 * A network failure (connection refused or dropped, malformed or truncated body, per-attempt
 * timeout) that outlasted the retries.
 *
 * @example
 * ```ts
 * import { NetworkError } from "./errors.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(new NetworkError("Connection reset").name, "NetworkError");
 * ```
 */
export class NetworkError extends GenesysError {
  /**
   * What failed: `network` (connection refused, reset or dropped), `timeout` (the per-attempt
   * timeout fired) or `badBody` (a 2xx body that was truncated or not valid JSON).
   */
  readonly kind?: NetworkErrorKind;
  /** The request this concerns, such as `GET /api/v2/users`. */
  readonly request?: string;

  /**
   * Creates the error.
   *
   * @param message What failed.
   * @param options Standard error options (`cause`) plus the kind of failure and the request.
   */
  constructor(message: string, options?: NetworkErrorOptions) {
    super(message, options);
    this.kind = options?.kind;
    this.request = clean(this, options?.request);
  }
}

/** The kinds of {@link NetworkError}. */
export type NetworkErrorKind = "network" | "timeout" | "badBody";

/** Options of a {@link NetworkError}: standard error options plus the kind and the request. */
export interface NetworkErrorOptions extends GenesysErrorOptions {
  /** What failed: `network`, `timeout` or `badBody`. */
  kind?: NetworkErrorKind;
  /** The request this concerns, such as `GET /api/v2/users`. */
  request?: string;
}

/**
 * A checkpoint cannot be used: it is corrupt, or it belongs to a job run with other arguments.
 * The CLI maps it to exit code 2.
 *
 * @example
 * ```ts
 * import { CheckpointError } from "./errors.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(new CheckpointError("Checkpoint is corrupt").name, "CheckpointError");
 * ```
 */
export class CheckpointError extends GenesysError {}

/**
 * An analytics details job ended in `FAILED`, `CANCELLED` or `EXPIRED`.
 *
 * @example
 * ```ts
 * import { JobError } from "./errors.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(new JobError("Job 'x' FAILED", { jobId: "x", state: "FAILED" }).state, "FAILED");
 * ```
 */
export class JobError extends GenesysError {
  /** The job id. */
  readonly jobId: string;
  /** The job's final state. */
  readonly state: string;

  /**
   * Creates the error.
   *
   * @param message What happened to the job.
   * @param context The job id and state.
   * @param options Standard error options (`cause`).
   */
  constructor(
    message: string,
    context: { jobId: string; state: string },
    options?: GenesysErrorOptions,
  ) {
    super(message, options);
    this.jobId = context.jobId;
    this.state = context.state;
  }
}

/** Who holds a job's lock, as far as its lock says. */
export interface LockOwner {
  /** The holder's process id. */
  pid?: number;
  /** The holder's host name, when it could read it. */
  host?: string;
  /** When the holder took the lock (ISO 8601). */
  startedAt?: string;
}

/**
 * Another run of the same job holds its lock (a lock beside the checkpoint), or this run lost
 * its lock. The CLI maps it to exit code 6; nothing was read or written.
 *
 * @example
 * ```ts
 * import { LockError } from "./errors.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const error = new LockError("Another run of this job is already running", {
 *   location: "output/users.jsonl.checkpoint.json.lock",
 *   owner: { pid: 4242, host: "batch-1", startedAt: "2026-01-01T00:00:00.000Z" },
 * });
 * strictEqual(error.owner?.pid, 4242);
 * ```
 */
export class LockError extends GenesysError {
  /** Where the lock lives: a file path or a KV key. */
  readonly location: string;
  /** Who holds it, as far as the lock says. */
  readonly owner?: LockOwner;

  /**
   * Creates the error.
   *
   * @param message Who holds the lock and what to do.
   * @param context Where the lock is and who holds it.
   * @param options Standard error options (`cause`) and the redactor to apply.
   */
  constructor(
    message: string,
    context: { location: string; owner?: LockOwner },
    options?: GenesysErrorOptions,
  ) {
    super(message, options);
    this.location = context.location;
    this.owner = context.owner;
  }
}

/**
 * Reading or writing a file of the job failed in the operating system: the disk is full, the
 * file or its folder is not writable, the file system is read-only. The message names the file.
 *
 * @example
 * ```ts
 * import { StorageError } from "./errors.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const error = new StorageError("Cannot write 'out/users.jsonl.partial': no space left", {
 *   path: "out/users.jsonl.partial",
 *   code: "ENOSPC",
 * });
 * strictEqual(error.path, "out/users.jsonl.partial");
 * ```
 */
export class StorageError extends GenesysError {
  /** The file or folder concerned. */
  readonly path: string;
  /** The operating system's error code, such as `ENOSPC` or `EACCES`, when known. */
  readonly code?: string;

  /**
   * Creates the error.
   *
   * @param message What failed on which file, and the fix.
   * @param context The path and the operating system's error code.
   * @param options Standard error options (`cause`) and the redactor to apply.
   */
  constructor(
    message: string,
    context: { path: string; code?: string },
    options?: GenesysErrorOptions,
  ) {
    super(message, options);
    this.path = context.path;
    this.code = context.code;
  }
}
