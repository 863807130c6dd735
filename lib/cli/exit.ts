/**
 * Exit codes of the CLI and the mapping from errors to them and to one-line messages.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | done |
 * | 1 | failed after retries (API, network, rate limit, analytics job, unexpected) |
 * | 2 | usage or bad input (options, files, checkpoint of another job, missing permission, a 400 from the API) |
 * | 3 | authentication or authorization (no or bad credentials, wrong region, 401, 403) |
 * | 4 | deadline reached (checkpoint saved; run again to continue) |
 * | 5 | result capped by a documented server limit: the output is finished but incomplete (inactive users past 10,000) |
 * | 6 | another run of the same job holds its lock (nothing was read or written) |
 * | 130 | interrupted by SIGINT or SIGTERM (checkpoint saved; run again to continue) |
 *
 * @module
 */

import {
  ApiError,
  AuthError,
  CheckpointError,
  DeadlineError,
  GenesysError,
  LockError,
  StorageError,
  UsageError,
} from "../errors.ts";
import { PATTERNS_ONLY, type Redactor } from "../redact.ts";

/** The CLI's exit codes, by meaning. */
export const ExitCode: {
  readonly OK: 0;
  readonly FAILED: 1;
  readonly USAGE: 2;
  readonly AUTH: 3;
  readonly DEADLINE: 4;
  readonly CAPPED: 5;
  readonly LOCKED: 6;
  readonly INTERRUPTED: 130;
} = Object.freeze(
  {
    /** Done. */
    OK: 0,
    /** Failed after retries. */
    FAILED: 1,
    /** Usage or bad input. */
    USAGE: 2,
    /** Authentication or authorization. */
    AUTH: 3,
    /** Deadline reached; the checkpoint is saved. */
    DEADLINE: 4,
    /** The result is capped by a documented server limit: the output is finished, incomplete. */
    CAPPED: 5,
    /** Another run of the same job holds its lock; nothing was read or written. */
    LOCKED: 6,
    /** Interrupted by a signal; the checkpoint is saved. */
    INTERRUPTED: 130,
  } as const,
);

/** One of the {@link ExitCode} values. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/** True for Deno's permission errors (`NotCapable`, and `PermissionDenied` from the OS). */
function isPermissionError(error: unknown): error is Error {
  return error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied;
}

/**
 * The exit code for an error that ended a command.
 *
 * @param error What was thrown.
 * @returns The exit code: 2 for usage, bad input, a checkpoint of another job, a missing
 * permission, a file that is not writable or a 400/422 answer; 3 for authentication and
 * 401/403 answers; 4 for a deadline; 6 when another run of the job holds its lock; 1 for
 * everything else.
 *
 * @example
 * ```ts
 * import { exitCodeFor } from "./exit.ts";
 * import { AuthError, DeadlineError, LockError, NetworkError, UsageError } from "../errors.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(exitCodeFor(new UsageError("Bad page size")), 2);
 * strictEqual(exitCodeFor(new LockError("Already running", { location: "x.lock" })), 6);
 * strictEqual(exitCodeFor(new AuthError("Bad credentials")), 3);
 * strictEqual(exitCodeFor(new DeadlineError("Deadline reached")), 4);
 * strictEqual(exitCodeFor(new NetworkError("Connection reset")), 1);
 * ```
 */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof LockError) return ExitCode.LOCKED;
  if (error instanceof UsageError || error instanceof CheckpointError) return ExitCode.USAGE;
  if (error instanceof StorageError) {
    return error.code === "EACCES" || error.code === "EPERM" || error.code === "EROFS"
      ? ExitCode.USAGE
      : ExitCode.FAILED;
  }
  if (isPermissionError(error)) return ExitCode.USAGE;
  if (error instanceof AuthError) return ExitCode.AUTH;
  if (error instanceof DeadlineError) return ExitCode.DEADLINE;
  if (error instanceof ApiError) {
    if (error.status === 401 || error.status === 403) return ExitCode.AUTH;
    if (error.status === 400 || error.status === 422) return ExitCode.USAGE;
  }
  return ExitCode.FAILED;
}

/** Deno's permission message, with the flag to add in the form `--allow-x=<what>`. */
function permissionMessage(error: Error): string {
  const match = error.message.match(/Requires (\w+) access to "?([^",]+)"?/);
  const kind = match?.[1];
  const what = match?.[2];
  const flag = kind && what ? `--allow-${kind === "net" ? "net" : kind}=${what}` : undefined;
  const base = error.message.split("\n")[0].replace(/, run again with.*$/, "");
  return flag
    ? `Missing permission: ${base.replace(/^Requires/, "requires")}: run again with ${flag}`
    : `Missing permission: ${base}`;
}

/**
 * The one-line message for an error, without a stack trace, through the redactor. Toolkit
 * errors already say what to fix; permission errors gain the flag to add; anything else is
 * labelled as unexpected.
 *
 * @param error What was thrown.
 * @param redactor The run's redactor (it knows the client secret and every token issued).
 * @returns One line, without a trailing newline.
 *
 * @example
 * ```ts
 * import { errorLine } from "./exit.ts";
 * import { UsageError } from "../errors.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(errorLine(new UsageError("Unknown format 'xml'")), "error: Unknown format 'xml'");
 * ```
 */
export function errorLine(error: unknown, redactor: Redactor = PATTERNS_ONLY): string {
  let message: string;
  if (error instanceof GenesysError) message = error.message;
  else if (isPermissionError(error)) message = permissionMessage(error);
  else if (error instanceof Deno.errors.NotFound) message = `File not found: ${error.message}`;
  else if (error instanceof Deno.errors.BrokenPipe) {
    message =
      "Output closed early: the program reading stdout (such as 'head') exited before every record was written (broken pipe)";
  } else if (error instanceof Error) message = `Unexpected ${error.name}: ${error.message}`;
  else message = `Unexpected failure: ${String(error)}`;
  return `error: ${redactor.redact(message).replace(/\s*\n\s*/g, " ").trim()}`;
}
