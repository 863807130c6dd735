/**
 * A leveled logger writing text or JSON lines (to stderr by default) that never lets a secret
 * through: registered secrets, bearer/basic credentials, `Authorization` headers and
 * `access_token` / `client_secret` values are replaced with `[redacted]`.
 *
 * @module
 */
import { Redactor } from "./redact.ts";
import type { Clock } from "./types.ts";

/** Log levels, from the most verbose. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Structured fields of a log line. */
export type LogFields = Record<string, unknown>;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /**
   * The least severe level written; `silent` writes nothing.
   *
   * @default {"info"}
   */
  level?: LogLevel | "silent";
  /**
   * `text` (`<time> INFO message key=value`) or `json` (one object per line).
   *
   * @default {"text"}
   */
  format?: "text" | "json";
  /** Receives each line, without the newline. Default: written to stderr. */
  write?: (line: string) => void;
  /** The clock of the line times (only its `now` is used). Default `Date.now`. */
  clock?: Clock;
  /** Strings never to write (client secret, tokens); more can be added with `addSecret`. */
  secrets?: Iterable<string>;
  /**
   * The redactor to share (the one a `TokenManager` registers its secret and every token in), so
   * that the log knows every secret the client knows. `secrets` are added to it.
   */
  redactor?: Redactor;
}

/** A leveled, redacting logger. */
export interface Logger {
  /** The least severe level written. */
  readonly level: LogLevel | "silent";
  /**
   * Writes a debug line.
   *
   * @param message What happened.
   * @param fields Structured details.
   */
  debug(message: string, fields?: LogFields): void;
  /**
   * Writes an info line.
   *
   * @param message What happened.
   * @param fields Structured details.
   */
  info(message: string, fields?: LogFields): void;
  /**
   * Writes a warning line.
   *
   * @param message What happened.
   * @param fields Structured details.
   */
  warn(message: string, fields?: LogFields): void;
  /**
   * Writes an error line.
   *
   * @param message What happened.
   * @param fields Structured details.
   */
  error(message: string, fields?: LogFields): void;
  /**
   * Whether a level would be written (to skip building costly fields).
   *
   * @param level The level.
   * @returns True when lines of that level are written.
   */
  enabled(level: LogLevel): boolean;
  /**
   * Registers one more string never to write (ignored when shorter than 4 characters).
   *
   * @param secret The secret.
   */
  addSecret(secret: string): void;
}

const LEVELS: Record<LogLevel | "silent", number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 100,
};

function textValue(value: unknown): string {
  if (typeof value === "string") {
    return value !== "" && !/[\s"=\\]/.test(value) ? value : JSON.stringify(value);
  }
  if (value === undefined) return "undefined";
  return JSON.stringify(value) ?? String(value);
}

function writeStderr(line: string): void {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (!deno?.stderr) {
    console.error(line);
    return;
  }
  const bytes = new TextEncoder().encode(`${line}\n`);
  let offset = 0;
  while (offset < bytes.length) offset += deno.stderr.writeSync(bytes.subarray(offset));
}

/**
 * Creates a logger. Every line goes through its {@link Redactor} (with the registered secrets)
 * after formatting, and fields named like credentials (`authorization`, `token`, `client_secret`,
 * `password`, ...) are replaced whole.
 *
 * @param options Level, format, output, clock and secrets.
 * @returns The logger.
 * @throws {RangeError} For an unknown level or format.
 *
 * @example Text lines, redacted
 * ```ts
 * import { createLogger } from "./log.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const log = createLogger({
 *   write: (line) => lines.push(line),
 *   clock: { now: () => Date.UTC(2024, 0, 1) },
 *   secrets: ["my-client-secret"],
 * });
 * log.debug("not written at the default level");
 * log.info("Token request failed", { status: 401, detail: "secret my-client-secret refused" });
 * strictEqual(lines.length, 1);
 * strictEqual(
 *   lines[0],
 *   '2024-01-01T00:00:00.000Z INFO Token request failed status=401 detail="secret [redacted] refused"',
 * );
 * ```
 *
 * @example JSON lines
 * ```ts
 * import { createLogger } from "./log.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const log = createLogger({
 *   format: "json",
 *   level: "debug",
 *   write: (l) => lines.push(l),
 *   clock: { now: () => 0 },
 * });
 * log.debug("retry", { cause: "rateLimit", token: "abc123" });
 * deepStrictEqual(JSON.parse(lines[0]), {
 *   time: "1970-01-01T00:00:00.000Z",
 *   level: "debug",
 *   msg: "retry",
 *   cause: "rateLimit",
 *   token: "[redacted]",
 * });
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  const format = options.format ?? "text";
  if (!(level in LEVELS)) {
    throw new RangeError(`Unknown log level '${level}': use debug, info, warn, error or silent`);
  }
  if (format !== "text" && format !== "json") {
    throw new RangeError(`Unknown log format '${format}': use text or json`);
  }
  const write = options.write ?? writeStderr;
  const now = options.clock?.now ?? Date.now;
  const redactor = options.redactor ?? new Redactor();
  const addSecret = (secret: string): void => redactor.add(secret);
  for (const secret of options.secrets ?? []) addSecret(secret);
  const threshold = LEVELS[level];

  const log = (at: LogLevel, message: string, fields?: LogFields): void => {
    if (LEVELS[at] < threshold) return;
    const time = new Date(now()).toISOString();
    const msg = redactor.redact(String(message));
    const cleaned = (fields ? redactor.redactValue(fields) : {}) as Record<string, unknown>;
    let line: string;
    if (format === "json") {
      const record: Record<string, unknown> = { time, level: at, msg };
      for (const [key, value] of Object.entries(cleaned)) {
        record[key in record ? `field.${key}` : key] = value;
      }
      line = JSON.stringify(record);
    } else {
      const parts = [time, at.toUpperCase(), msg];
      for (const [key, value] of Object.entries(cleaned)) {
        if (value !== undefined) parts.push(`${key}=${textValue(value)}`);
      }
      line = parts.join(" ");
    }
    write(redactor.redact(line));
  };

  return {
    level,
    debug: (message, fields) => log("debug", message, fields),
    info: (message, fields) => log("info", message, fields),
    warn: (message, fields) => log("warn", message, fields),
    error: (message, fields) => log("error", message, fields),
    enabled: (at) => LEVELS[at] >= threshold,
    addSecret,
  };
}
