/**
 * Progress of a running extraction: one updating line with a bar on a terminal, a log line every
 * few seconds otherwise, nothing with `--quiet`; and the formatting helpers the summary shares.
 *
 * @module
 */

import type { ClientStats } from "../client/client_options.ts";
import type { PacerStats } from "../client/pacer_options.ts";
import type { ProgressPart } from "./progress_estimate.ts";

/** What the progress line shows. */
export interface ProgressSnapshot {
  /** What is extracted: `conversations`, `users`. */
  label: string;
  /** Records written so far (including those of a resumed run). */
  records: number;
  /** Records written by this run only (the rate uses these). */
  recordsThisRun: number;
  /** Pages written so far by this run. */
  pages: number;
  /** How many records the whole extraction gives, when known. */
  total?: number;
  /** Milliseconds since this run started. */
  elapsedMs: number;
  /** Token requests after the first. */
  tokenRefreshes: number;
  /** Retries by cause (`429`, `503`, `network`, `timeout`, `401`). */
  retries: Record<string, number>;
  /** What the run waits for right now and how long is left, such as `429, retrying in 42s`. */
  waiting?: string;
  /** How long the current wait still lasts, in ms (the ETA includes it). */
  waitLeftMs?: number;
  /** Records per second over the recent past, waits left out (default: this run's average). */
  rate?: number;
  /** All records, estimated, while `total` is unknown (shown with a `~`). */
  estimate?: number;
  /** Which part of the work the run is in, such as day 3 of 7. */
  part?: ProgressPart;
}

/**
 * Formats a duration for people: `850ms`, `12s`, `3m05s`, `1h02m`.
 *
 * @param ms Milliseconds.
 * @returns The short form.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(formatDuration(850), "850ms");
 * strictEqual(formatDuration(185_000), "3m05s");
 * strictEqual(formatDuration(3_720_000), "1h02m");
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h${String(minutes % 60).padStart(2, "0")}m`;
}

/**
 * Formats a count with thousands separators: `12,345`.
 *
 * @param n The count.
 * @returns The formatted count.
 *
 * @example
 * ```ts
 * import { formatCount } from "./progress.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(formatCount(1234567), "1,234,567");
 * ```
 */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Formats a count and its noun, plural unless the count is 1: `1 page`, `1,000 pages`.
 *
 * @param n The count.
 * @param word The noun in the singular (its plural adds an `s`).
 * @returns The count and the noun.
 *
 * @example
 * ```ts
 * import { formatCounted } from "./progress.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(formatCounted(1, "day"), "1 day");
 * strictEqual(formatCounted(1000, "page"), "1,000 pages");
 * ```
 */
export function formatCounted(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Formats retries by cause: `5 retries (429: 3, 503: 2)`, or `0 retries`.
 *
 * @param retries Counts by cause.
 * @returns The phrase.
 *
 * @example
 * ```ts
 * import { formatRetries } from "./progress.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(formatRetries({ "429": 3, "503": 2, network: 0 }), "5 retries (429: 3, 503: 2)");
 * strictEqual(formatRetries({}), "0 retries");
 * ```
 */
export function formatRetries(retries: Record<string, number>): string {
  const entries = Object.entries(retries).filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const word = total === 1 ? "retry" : "retries";
  if (total === 0) return "0 retries";
  return `${total} ${word} (${entries.map(([cause, n]) => `${cause}: ${n}`).join(", ")})`;
}

/** Retry causes as people read them. */
const CAUSE_LABELS: Record<string, string> = {
  rateLimit: "429",
  serverError: "5xx",
  network: "network",
  timeout: "timeout",
  unauthorized: "401",
};

/**
 * The label of a retry cause as people read it: `429`, `5xx`, `network`, `timeout`, `401`.
 *
 * @param cause The client's cause (`rateLimit`, ...), if it gave one.
 * @returns The label; an unknown cause as it is, a missing one as `error`.
 *
 * @example
 * ```ts
 * import { retryLabel } from "./progress.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(retryLabel("rateLimit"), "429");
 * strictEqual(retryLabel(undefined), "error");
 * ```
 */
export function retryLabel(cause: string | undefined): string {
  return cause === undefined ? "error" : CAUSE_LABELS[cause] ?? cause;
}

/**
 * Retries by cause with readable labels: `{ "429": 3, "5xx": 1 }`.
 *
 * @param stats The client's counters.
 * @returns Counts by label, zero counts dropped.
 *
 * @example
 * ```ts
 * import { retriesByLabel } from "./progress.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(
 *   retriesByLabel({ requests: 9, tokenRequests: 1, statuses: {}, retries: { rateLimit: 2, serverError: 0, network: 1, timeout: 0, unauthorized: 0 } }),
 *   { "429": 2, network: 1 },
 * );
 * ```
 */
export function retriesByLabel(stats: ClientStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cause, n] of Object.entries(stats.retries)) {
    if (n > 0) out[retryLabel(cause)] = n;
  }
  return out;
}

/**
 * What the client's pacer holds requests for, for the progress line: a 429 paused every request
 * of the token and requests wait for its `Retry-After`, which otherwise looks like a stall.
 * Nothing when no request waits.
 *
 * @param pacer The pacer's snapshot (`client.stats.pacer`), if pacing is on.
 * @param now The current time, epoch ms.
 * @returns Such as `rate limit, waiting 35s (server asked, 2 requests queued)`, or `undefined`.
 *
 * @example
 * ```ts
 * import { formatPacerWait } from "./progress.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const pacer = {
 *   spacing: true, ratePerSecond: 5, startRatePerMinute: 300, limits: [], acquired: 300,
 *   waits: 1, waitedMs: 0, rateLimited: 1, slowdowns: 1, queued: 2, inFlight: 0,
 *   pausedUntil: 35_000,
 * };
 * strictEqual(formatPacerWait(pacer, 0), "rate limit, waiting 35s (server asked, 2 requests queued)");
 * strictEqual(formatPacerWait({ ...pacer, queued: 0 }, 0), undefined);
 * ```
 */
export function formatPacerWait(pacer: PacerStats | undefined, now: number): string | undefined {
  if (pacer === undefined || pacer.queued === 0) return undefined;
  if (pacer.pausedUntil === undefined || pacer.pausedUntil <= now) return undefined;
  const queued = `${formatCounted(pacer.queued, "request")} queued`;
  return `rate limit, waiting ${formatDuration(pacer.pausedUntil - now)} (server asked, ${queued})`;
}

/**
 * A bar of `width` cells, `fraction` of them full: `█████░░░░░`.
 *
 * @param fraction From 0 to 1 (clamped).
 * @param width Cells.
 * @returns The bar.
 *
 * @example
 * ```ts
 * import { formatBar } from "./progress.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(formatBar(0.4, 10), "████░░░░░░");
 * ```
 */
export function formatBar(fraction: number, width: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

/** Options of {@link formatProgressLine}. */
export interface ProgressLineOptions {
  /** Draw a bar of this many cells once the total (or an estimate) is known (a terminal). */
  bar?: number;
}

/**
 * The progress line: records of the total (or of an estimate, with `~`) and, on a terminal, a
 * bar; the part of the work (`day 3/7`), pages, the recent rate, the ETA (from the recent rate,
 * plus what is left of a wait), what the run waits for, token refreshes and retries.
 *
 * @param s The snapshot.
 * @param options A bar, for a terminal.
 * @returns One line, without a newline.
 *
 * @example
 * ```ts
 * import { formatProgressLine } from "./progress.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const snapshot = {
 *   label: "conversations", records: 400, recordsThisRun: 400, pages: 4, total: 1000,
 *   elapsedMs: 4000, tokenRefreshes: 1, retries: { "429": 2 },
 * };
 * strictEqual(
 *   formatProgressLine(snapshot),
 *   "conversations 400/1,000 (40%) · 4 pages · 100/s · ETA 6.0s · 1 token refresh · 2 retries (429: 2)",
 * );
 * strictEqual(
 *   formatProgressLine({ ...snapshot, total: undefined, estimate: 2000, part: { unit: "day", index: 2, of: 7 } }, { bar: 10 }),
 *   "conversations ██░░░░░░░░ ~20% 400/~2,000 · day 2/7 · 4 pages · 100/s · ETA ~16s · 1 token refresh · 2 retries (429: 2)",
 * );
 * ```
 */
export function formatProgressLine(s: ProgressSnapshot, options: ProgressLineOptions = {}): string {
  const parts: string[] = [];
  const exact = s.total !== undefined && s.total > 0;
  const target = exact
    ? s.total
    : s.estimate !== undefined && s.estimate > 0
    ? Math.max(s.estimate, s.records)
    : undefined;
  if (target !== undefined) {
    const approx = exact ? "" : "~";
    const percent = Math.min(100, Math.floor((s.records / target) * 100));
    const counts = `${formatCount(s.records)}/${approx}${formatCount(target)}`;
    parts.push(
      options.bar
        ? `${s.label} ${formatBar(s.records / target, options.bar)} ${approx}${percent}% ${counts}`
        : `${s.label} ${counts} (${approx}${percent}%)`,
    );
  } else {
    parts.push(`${s.label} ${formatCount(s.records)}`);
  }
  if (s.part) parts.push(`${s.part.unit} ${s.part.index}/${s.part.of}`);
  parts.push(formatCounted(s.pages, "page"));
  const rate = s.rate ?? (s.elapsedMs > 0 ? s.recordsThisRun / (s.elapsedMs / 1000) : 0);
  if (s.recordsThisRun > 0 && rate > 0) parts.push(`${formatCount(rate)}/s`);
  if (target !== undefined && rate > 0 && s.records < target) {
    const eta = ((target - s.records) / rate) * 1000 + (s.waitLeftMs ?? 0);
    parts.push(`ETA ${eta < 1000 ? "<1s" : `${exact ? "" : "~"}${formatDuration(eta)}`}`);
  }
  // Before the counters: a wait is what a person most needs to see, and a narrow terminal cuts
  // the line's end.
  if (s.waiting) parts.push(s.waiting);
  const refreshes = s.tokenRefreshes;
  parts.push(`${refreshes} token refresh${refreshes === 1 ? "" : "es"}`);
  parts.push(formatRetries(s.retries));
  return parts.join(" · ");
}

/** Options of {@link ProgressReporter}. */
export interface ProgressReporterOptions {
  /** Reads the current state. */
  snapshot: () => ProgressSnapshot;
  /** Writes raw text to stderr (the terminal line). */
  write: (text: string) => void;
  /** Writes one log line (non-terminal mode). */
  log: (line: string) => void;
  /** Whether stderr is a terminal: an updating line instead of log lines. */
  isTerminal: boolean;
  /** Nothing at all. */
  quiet?: boolean;
  /** Log line interval when not a terminal, in ms (default 5000). */
  logIntervalMs?: number;
  /** Redraw interval on a terminal, in ms (default 250). */
  redrawIntervalMs?: number;
  /** Terminal width (default 120); the line is cut to fit. */
  columns?: number;
}

/**
 * Shows progress while a run lasts. Call {@link ProgressReporter.start} before, and
 * {@link ProgressReporter.stop} after (it clears the terminal line and its timer).
 *
 * @example
 * ```ts
 * import { ProgressReporter } from "./progress.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const reporter = new ProgressReporter({
 *   snapshot: () => ({ label: "users", records: 5, recordsThisRun: 5, pages: 1, elapsedMs: 1000, tokenRefreshes: 0, retries: {} }),
 *   write: () => {},
 *   log: (line) => lines.push(line),
 *   isTerminal: false,
 * });
 * reporter.start();
 * reporter.flush();
 * reporter.stop();
 * strictEqual(lines[0], "users 5 · 1 page · 5/s · 0 token refreshes · 0 retries");
 * ```
 */
export class ProgressReporter {
  #options: ProgressReporterOptions;
  #timer?: ReturnType<typeof setInterval>;
  #drawn = false;

  /**
   * Creates the reporter; nothing is shown until {@link ProgressReporter.start}.
   *
   * @param options Where and how to show progress.
   */
  constructor(options: ProgressReporterOptions) {
    this.#options = options;
  }

  /** Starts the redraw (terminal) or log (otherwise) timer. */
  start(): void {
    const o = this.#options;
    if (o.quiet || this.#timer !== undefined) return;
    const every = o.isTerminal ? (o.redrawIntervalMs ?? 250) : (o.logIntervalMs ?? 5000);
    this.#timer = setInterval(() => this.flush(), every);
  }

  /** Shows the current state now (redraws the line, or writes a log line). */
  flush(): void {
    const o = this.#options;
    if (o.quiet) return;
    const columns = o.columns ?? 120;
    const line = formatProgressLine(
      o.snapshot(),
      o.isTerminal ? { bar: columns >= 100 ? 20 : 10 } : {},
    );
    if (o.isTerminal) {
      const width = Math.max(20, columns - 1);
      const cut = line.length > width ? line.slice(0, width - 1) + "…" : line;
      o.write(`\r\x1b[2K${cut}`);
      this.#drawn = true;
    } else {
      o.log(line);
    }
  }

  /** Clears the terminal line so other output starts on a clean line. */
  clear(): void {
    if (this.#drawn) {
      this.#options.write("\r\x1b[2K");
      this.#drawn = false;
    }
  }

  /** Stops the timer and clears the terminal line. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.clear();
  }
}
