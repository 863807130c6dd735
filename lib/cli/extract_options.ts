/**
 * Reading and checking the options every extraction command shares (output, format, page size,
 * concurrency, deadline, checkpoint, restart, logging), before anything is touched.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import {
  formatFromPath,
  OUTPUT_EXTENSIONS,
  OUTPUT_FORMATS,
  type OutputFormat,
  parseOutputFormat,
} from "../extract/format.ts";
import { parseDuration } from "../analytics/interval.ts";
import { DEFAULT_MAX_RETRY_AFTER } from "../retry/retry.ts";
import { DEFAULT_RATE_LIMIT_BUDGET } from "../client/_client_response.ts";
import type { ParsedCommand } from "./spec.ts";

/** Log levels the CLI accepts. */
export type CliLogLevel = "debug" | "info" | "warn" | "error";

/** Logging options: level, format, quiet. */
export interface LogSettings {
  /** The level. */
  level: CliLogLevel;
  /** `text` or `json`. */
  format: "text" | "json";
  /** No progress, no info logs, no summary on success. */
  quiet: boolean;
}

/** The checked `--rate`, `--rate-limit-budget` and `--timeout`. */
export interface RequestSettings {
  /** The rate to pace at from the first request, requests per minute, when given. */
  ratePerMinute?: number;
  /** How long one request may meet 429s, in ms. */
  rateLimitBudgetMs: number;
  /** The per-attempt timeout, in ms, when given. */
  timeoutMs?: number;
}

/**
 * Reads `--rate`, `--rate-limit-budget` and `--timeout`.
 *
 * @param parsed The parsed command.
 * @returns The settings.
 * @throws {UsageError} For a rate that is not a positive number or a bad duration.
 *
 * @example
 * ```ts
 * import { readRequestSettings } from "./extract_options.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(
 *   readRequestSettings({
 *     positionals: [],
 *     strings: { rate: "600", "rate-limit-budget": "30m", timeout: "20s" },
 *     lists: {},
 *     flags: {},
 *   }),
 *   { ratePerMinute: 600, rateLimitBudgetMs: 1_800_000, timeoutMs: 20_000 },
 * );
 * ```
 */
export function readRequestSettings(parsed: ParsedCommand): RequestSettings {
  const s = parsed.strings;
  const settings: RequestSettings = { rateLimitBudgetMs: DEFAULT_RATE_LIMIT_BUDGET };
  if (s.rate !== undefined) {
    const rate = Number(s.rate.trim());
    if (s.rate.trim() === "" || !Number.isFinite(rate) || rate <= 0 || rate > 1_000_000) {
      throw new UsageError(
        `Option '--rate' must be a number of requests per minute above 0, such as '300', got '${s.rate}'`,
      );
    }
    settings.ratePerMinute = rate;
  }
  if (s["rate-limit-budget"] !== undefined) {
    settings.rateLimitBudgetMs = parseDuration(s["rate-limit-budget"]);
  }
  if (s.timeout !== undefined) {
    const timeoutMs = parseDuration(s.timeout);
    if (!(timeoutMs > 0)) {
      throw new UsageError(`Option '--timeout' must be longer than zero, such as '30s'`);
    }
    settings.timeoutMs = timeoutMs;
  }
  return settings;
}

/** The checked options of every command that runs requests: paging, time, logging. */
export interface RunSettings extends LogSettings, RequestSettings {
  /** Records per request. */
  pageSize: number;
  /** Most requests in flight. */
  concurrency: number;
  /** The deadline as a duration in ms, when given. */
  deadlineMs?: number;
  /** The deadline as the user wrote it. */
  deadlineText?: string;
  /** The longest Retry-After to honour, in ms. */
  maxRetryAfterMs: number;
}

/** The checked shared options of an extraction command. */
export interface ExtractSettings extends RunSettings {
  /** The output file, or `-` for stdout. */
  output: string;
  /** The output format. */
  outputFormat: OutputFormat;
  /** The checkpoint file, or `undefined` for none (stdout). */
  checkpoint?: string;
  /** Start over. */
  restart: boolean;
  /** Replace an existing output file. */
  force: boolean;
}

/**
 * Reads `--log-level`, `--log-format` and `--quiet`.
 *
 * @param parsed The parsed command.
 * @returns The settings.
 * @throws {UsageError} For an unknown level or format.
 *
 * @example
 * ```ts
 * import { readLogSettings } from "./extract_options.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(
 *   readLogSettings({ positionals: [], strings: { "log-format": "json" }, lists: {}, flags: { quiet: true } }),
 *   { level: "info", format: "json", quiet: true },
 * );
 * ```
 */
export function readLogSettings(parsed: ParsedCommand): LogSettings {
  const level = (parsed.strings["log-level"] ?? "info").toLowerCase();
  if (!["debug", "info", "warn", "error"].includes(level)) {
    throw new UsageError(
      `Unknown log level '${parsed.strings["log-level"]}': use debug, info, warn or error`,
    );
  }
  const format = (parsed.strings["log-format"] ?? "text").toLowerCase();
  if (format !== "text" && format !== "json") {
    throw new UsageError(`Unknown log format '${parsed.strings["log-format"]}': use text or json`);
  }
  return { level: level as CliLogLevel, format, quiet: parsed.flags.quiet === true };
}

/**
 * Reads a whole number option within bounds.
 *
 * @param text The value as given.
 * @param flag The option, for messages (`--page-size`).
 * @param min The smallest value.
 * @param max The largest value.
 * @returns The number.
 * @throws {UsageError} When it is not a whole number in `[min, max]`.
 *
 * @example
 * ```ts
 * import { readInteger } from "./extract_options.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * strictEqual(readInteger("100", "--page-size", 1, 500), 100);
 * throws(() => readInteger("1000", "--page-size", 1, 500), /between 1 and 500/);
 * ```
 */
export function readInteger(text: string, flag: string, min: number, max: number): number {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      `Option '${flag}' must be a whole number between ${min} and ${max}, got '${text}'`,
    );
  }
  return value;
}

/**
 * Reads and checks the options of every command that runs requests: `--page-size` (within the
 * command's bounds), `--concurrency`, `--deadline`, `--max-retry-after`, the request options and
 * the logging options.
 *
 * @param parsed The parsed command.
 * @param defaults The page-size default and bounds.
 * @returns The settings.
 * @throws {UsageError} For any bad value.
 *
 * @example
 * ```ts
 * import { readRunSettings } from "./extract_options.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const settings = readRunSettings(
 *   { positionals: [], strings: { deadline: "2h", concurrency: "4" }, lists: {}, flags: {} },
 *   { pageSize: 100, maxPageSize: 100 },
 * );
 * strictEqual(settings.deadlineMs, 7_200_000);
 * strictEqual(settings.concurrency, 4);
 * ```
 */
export function readRunSettings(
  parsed: ParsedCommand,
  defaults: { pageSize: number; maxPageSize: number },
): RunSettings {
  const s = parsed.strings;
  const pageSize = s["page-size"] === undefined
    ? defaults.pageSize
    : readInteger(s["page-size"], "--page-size", 1, defaults.maxPageSize);
  const concurrency = s.concurrency === undefined
    ? 2
    : readInteger(s.concurrency, "--concurrency", 1, 16);
  let deadlineMs: number | undefined;
  if (s.deadline !== undefined) {
    deadlineMs = parseDuration(s.deadline);
    if (!(deadlineMs > 0)) {
      throw new UsageError(`Deadline '${s.deadline}' must be longer than zero, such as '90m'`);
    }
  }
  const maxRetryAfterMs = s["max-retry-after"] === undefined
    ? DEFAULT_MAX_RETRY_AFTER
    : parseDuration(s["max-retry-after"]);
  return {
    ...readLogSettings(parsed),
    ...readRequestSettings(parsed),
    pageSize,
    concurrency,
    deadlineMs,
    deadlineText: s.deadline,
    maxRetryAfterMs,
  };
}

/**
 * Reads and checks the shared extraction options.
 *
 * The format comes from `--format`, else the output's extension, else `jsonl` (a name without an
 * extension); a `--format` that contradicts a known extension is refused, and so is an extension
 * that names no format (`out.xlsx`) unless `--format` says what to write. The output defaults to
 * `output/<defaultName>.<format>`; the checkpoint to `<output>.checkpoint.json` (none for stdout,
 * where `--checkpoint` is refused because a pipe cannot be rewound).
 *
 * @param parsed The parsed command.
 * @param defaults The default output name (without extension) and the page-size bounds.
 * @returns The settings.
 * @throws {UsageError} For any bad value, with what to write instead.
 *
 * @example
 * ```ts
 * import { readExtractSettings } from "./extract_options.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const settings = readExtractSettings(
 *   { positionals: [], strings: { output: "out/users.csv", deadline: "90m" }, lists: {}, flags: {} },
 *   { defaultName: "users", pageSize: 100, maxPageSize: 500 },
 * );
 * strictEqual(settings.outputFormat, "csv");
 * strictEqual(settings.checkpoint, "out/users.csv.checkpoint.json");
 * strictEqual(settings.deadlineMs, 5_400_000);
 * ```
 */
export function readExtractSettings(
  parsed: ParsedCommand,
  defaults: { defaultName: string; pageSize: number; maxPageSize: number },
): ExtractSettings {
  const s = parsed.strings;
  const explicit = s.format !== undefined ? parseOutputFormat(s.format) : undefined;
  if (s.output === "") {
    throw new UsageError("Option '--output' is empty: give a file path, or '-' for stdout");
  }
  const inferred = s.output !== undefined && s.output !== "-"
    ? formatFromPath(s.output)
    : undefined;
  const extension = s.output !== undefined && s.output !== "-"
    ? /^.+\.([A-Za-z0-9]+)$/.exec(s.output.split(/[\\/]/).pop() ?? "")?.[1]
    : undefined;
  if (extension !== undefined && inferred === undefined && explicit === undefined) {
    const or = (items: string[]) => `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
    throw new UsageError(
      `Output '${s.output}' ends in '.${extension}', which is not an output format: end the name in ${
        or(Object.keys(OUTPUT_EXTENSIONS).map((e) => `.${e}`))
      }, or keep it and choose the format with --format ${or([...OUTPUT_FORMATS])}`,
    );
  }
  if (explicit && inferred && explicit !== inferred) {
    throw new UsageError(
      `Format '${explicit}' contradicts the extension of '${s.output}': drop --format or name the file '.${explicit}'`,
    );
  }
  const outputFormat = explicit ?? inferred ?? "jsonl";
  const output = s.output ?? `output/${defaults.defaultName}.${outputFormat}`;
  if (output !== "-" && /[\\/]$/.test(output)) {
    throw new UsageError(
      `Output '${output}' is a directory: give a file name such as '${output}${defaults.defaultName}.${outputFormat}'`,
    );
  }
  let checkpoint: string | undefined;
  if (s.checkpoint !== undefined) {
    if (output === "-") {
      throw new UsageError(
        "Option '--checkpoint' needs a file output: stdout cannot be rewound to resume; pass -o <file>",
      );
    }
    if (s.checkpoint === "" || /[\\/]$/.test(s.checkpoint)) {
      throw new UsageError(
        `Checkpoint '${s.checkpoint}' must be a file path, such as 'state/job.checkpoint.json'`,
      );
    }
    checkpoint = s.checkpoint;
  } else if (output !== "-") {
    checkpoint = `${output}.checkpoint.json`;
  }
  return {
    ...readRunSettings(parsed, defaults),
    output,
    outputFormat,
    checkpoint,
    restart: parsed.flags.restart === true,
    force: parsed.flags.force === true,
  };
}
