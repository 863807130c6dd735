/**
 * What an extraction says when it ends, and its exit code: after a failure or a stop, what is
 * saved and how to resume; for a job found complete, that there is nothing to do; otherwise the
 * summary line and the outcome's warnings and notices.
 *
 * @module
 */

import type { ExtractResult } from "../extract/extract.ts";
import { formatCount, formatCounted, formatDuration } from "./progress.ts";
import type { Reporter } from "./reporter.ts";
import type { RunEnding } from "./run_control.ts";
import { outcomeOf } from "./outcome.ts";

/** What is durable at the end of a run. */
export interface SavedCounts {
  /** Records saved, those of earlier runs included. */
  records: number;
  /** Pages saved, those of earlier runs included. */
  pages: number;
  /** How many records the whole extraction gives, when known. */
  total?: number;
}

/** How an extraction ended. */
export interface ExtractionEnd {
  /** How a run that did not complete ended (see `RunControl.outcome`); none when it completed. */
  ended?: RunEnding;
  /** What `extract()` returned; always there when the run completed. */
  result?: ExtractResult;
  /** What is durable: this run's last progress report, else the checkpoint it resumed. */
  saved: SavedCounts;
  /** Whether a checkpoint of this job exists: a page was durable, this run or an earlier one. */
  checkpointed: boolean;
}

/** Where the report goes and what it names. */
export interface ExtractionReportContext {
  /** What was extracted, plural: `conversations`. */
  label: string;
  /** Where messages go. */
  reporter: Reporter;
  /** The checkpoint file; none for stdout. */
  checkpointPath?: string;
  /** The command that resumes the run. */
  resume: string;
  /**
   * The summary's request counts (see `RunClient.summary`).
   *
   * @returns Phrases such as `12 requests`.
   */
  requests(): string[];
  /**
   * The client's counters, added to the summary line's log fields.
   *
   * @returns The counters.
   */
  stats(): object;
}

/**
 * Reports how an extraction ended and gives its exit code. A failed run (whose error line
 * `RunControl.outcome` printed) says what is saved and how to resume, when a checkpoint exists; a
 * stopped one says why it stopped, what is saved and how to go on; a complete one prints its
 * summary (or that it was already complete) and the outcome's warnings and notices.
 *
 * @param end How the run ended and what is saved.
 * @param context Where the report goes and what it names.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { reportExtraction } from "./extraction_report.ts";
 * import { createReporter } from "./reporter.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const io = { stdout: () => {}, stderr: (text: string) => void lines.push(text), stderrIsTerminal: false };
 * const reporter = createReporter(io, { level: "info", format: "text", quiet: false });
 * const code = reportExtraction(
 *   {
 *     ended: { code: 130, failed: false, why: "Interrupted by SIGINT" },
 *     saved: { records: 200, pages: 2 },
 *     checkpointed: true,
 *   },
 *   {
 *     label: "users", reporter, checkpointPath: "users.jsonl.checkpoint.json",
 *     resume: "deno task extract users", requests: () => [], stats: () => ({}),
 *   },
 * );
 * strictEqual(code, 130);
 * strictEqual(lines[0].startsWith("Interrupted by SIGINT: 200 users saved (2 pages)"), true);
 * ```
 */
export function reportExtraction(end: ExtractionEnd, context: ExtractionReportContext): number {
  if (end.ended) return reportEnding(end.ended, end, context);
  return reportComplete(end.result!, context);
}

/** A failed or stopped run: what is saved, and how to resume when a checkpoint exists. */
function reportEnding(
  ended: RunEnding,
  end: ExtractionEnd,
  context: ExtractionReportContext,
): number {
  const { reporter, checkpointPath, resume, label } = context;
  const { saved, checkpointed } = end;
  const savedText = `${formatCount(saved.records)}${
    saved.total !== undefined ? ` of ${formatCount(saved.total)}` : ""
  } ${label} saved (${formatCounted(saved.pages, "page")})`;
  const resumable = checkpointPath !== undefined && checkpointed;
  if (ended.failed) {
    if (resumable) {
      reporter.important(
        `${savedText}; checkpoint ${checkpointPath}. Fix the cause, then resume with:\n  ${resume}`,
        { checkpoint: checkpointPath, resume },
      );
    }
    return ended.code;
  }
  const { code, why } = ended;
  const text = resumable
    ? `${savedText}; checkpoint ${checkpointPath}. Resume with:\n  ${resume}`
    : checkpointPath === undefined
    ? `${savedText}; there is no checkpoint (stdout output), so a new run starts over`
    : `nothing was saved yet (no checkpoint written). Run again with:\n  ${resume}`;
  reporter.important(`${why}: ${text}`, {
    exitCode: code,
    checkpoint: checkpointPath,
    resume,
  });
  return code;
}

/** A complete run: its summary (or that it was already complete), warnings and notices. */
function reportComplete(done: ExtractResult, context: ExtractionReportContext): number {
  const { reporter, label } = context;
  const outcome = outcomeOf(done, label);
  if (done.alreadyComplete) {
    reporter.say(
      `Nothing to do: ${done.output ?? "the output"} is already complete (${
        formatCount(done.records)
      } ${label}, checkpoint ${context.checkpointPath}); use --restart to extract again`,
    );
  } else {
    reporter.say(summaryLine(done, label, context.requests()), {
      records: done.records,
      pages: done.pages,
      output: done.output,
      elapsedMs: done.elapsedMs,
      dropped: done.dropped,
      ...(done.total !== undefined ? { total: done.total } : {}),
      ...(done.capped ? { capped: done.capped.limit } : {}),
      ...(done.openUntil !== undefined ? { openUntil: done.openUntil } : {}),
      ...context.stats(),
    });
  }
  for (const warning of outcome.warnings) reporter.warn(warning, { exitCode: outcome.code });
  for (const notice of outcome.notices) reporter.say(notice);
  return outcome.code;
}

/** The end-of-run line: records, pages, time, output, requests, refreshes, retries. */
function summaryLine(result: ExtractResult, label: string, requests: string[]): string {
  const parts = [
    `${formatCount(result.records)} ${label} (${formatCounted(result.pages, "page")}) in ${
      formatDuration(result.elapsedMs)
    }`,
    ...requests,
  ];
  const resumed = result.resumed
    ? ` (resumed; ${formatCount(result.recordsThisRun)} this run)`
    : "";
  const where = result.output ? ` → ${result.output}` : "";
  return `Done${resumed}: ${parts.join(" · ")}${where}`;
}
