/**
 * Where a command's messages go: plain lines for people (text mode) or JSON lines through the
 * logger (`--log-format json`), with the progress line cleared before anything is written.
 *
 * @module
 */

import { createLogger, type Logger } from "../log.ts";
import { Redactor } from "../redact.ts";
import type { CliIo } from "./context.ts";
import type { LogSettings } from "./extract_options.ts";
import type { ProgressReporter } from "./progress.ts";

/** Messages of a running command. */
export interface Reporter {
  /** The leveled, redacting logger (debug events, progress log lines). */
  log: Logger;
  /** A line for people: a notice at the start, the summary. Suppressed by `--quiet` and levels above info. */
  say(message: string, fields?: Record<string, unknown>): void;
  /** A warning, printed even with `--quiet`. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** An error line, always printed. */
  error(message: string, fields?: Record<string, unknown>): void;
  /** Lines that must reach the user even with `--quiet` (the resume command). */
  important(message: string, fields?: Record<string, unknown>): void;
  /** The progress display, once there is one (cleared before each message). */
  progress?: ProgressReporter;
}

/**
 * Creates the reporter of a command.
 *
 * @param io Where text goes.
 * @param settings Level, format and quiet.
 * @param redactor Knows what never to write (the client secret, every token issued).
 * @returns The reporter.
 *
 * @example
 * ```ts
 * import { createReporter } from "./reporter.ts";
 * import { Redactor } from "../redact.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let err = "";
 * const reporter = createReporter(
 *   { stdout: () => {}, stderr: (t) => err += t, stderrIsTerminal: false },
 *   { level: "info", format: "text", quiet: false },
 *   new Redactor(["s3cr3t-value"]),
 * );
 * reporter.say("Using s3cr3t-value");
 * strictEqual(err.includes("s3cr3t-value"), false);
 * ```
 */
export function createReporter(
  io: CliIo,
  settings: LogSettings,
  redactor: Redactor = new Redactor(),
): Reporter {
  const reporter: Reporter = {} as Reporter;
  const write = (line: string) => {
    reporter.progress?.clear();
    io.stderr(`${line}\n`);
  };
  const level = settings.quiet && settings.level !== "debug" ? "warn" : settings.level;
  const log = createLogger({ level, format: settings.format, write, redactor });
  // A second logger without a level threshold carries what must always be said.
  const always = createLogger({ level: "debug", format: settings.format, write, redactor });
  const plain = (message: string) => write(redactor.redact(message));
  reporter.log = log;
  const chatty = !settings.quiet && (settings.level === "debug" || settings.level === "info");
  reporter.say = (message, fields) => {
    if (!chatty) return;
    if (settings.format === "json") always.info(message, fields);
    else plain(message);
  };
  reporter.warn = (message, fields) => {
    if (settings.format === "json") always.warn(message, fields);
    else plain(`warning: ${message}`);
  };
  reporter.error = (message, fields) => {
    if (settings.format === "json") always.error(message, fields);
    else plain(message);
  };
  reporter.important = (message, fields) => {
    if (settings.format === "json") always.info(message, fields);
    else plain(message);
  };
  return reporter;
}
