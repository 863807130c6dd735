/**
 * What `sync` says when it ends, and its exit code: after a failure or a stop, what this run
 * wrote and saved; otherwise the table of the days, what was synced (or that there was nothing
 * to do), the days not settled yet, and a capped listing (exit code 5).
 *
 * @module
 */

import { formatInstant } from "../analytics/interval.ts";
import { formatSyncDay, type SyncPlan } from "../extract/sync_plan.ts";
import type { SyncDayResult, SyncProgress } from "../extract/sync_types.ts";
import { ExitCode } from "./exit.ts";
import { formatCount, formatCounted, formatDuration } from "./progress.ts";
import type { Reporter } from "./reporter.ts";
import type { RunEnding } from "./run_control.ts";
import type { SyncSettings } from "./sync_settings.ts";
import { syncTable } from "./sync_table.ts";

/** How a sync ended. */
export interface SyncEnd {
  /** How a run that did not complete ended (see `RunControl.outcome`); none when it completed. */
  ended?: RunEnding;
  /** Every day of the run as the library gave them back (none after a failure). */
  days: SyncDayResult[];
  /** The days this run wrote, in the order they were written. */
  written: SyncDayResult[];
  /** The last progress report: the day in progress when the run ended. */
  current?: SyncProgress;
}

/** Where the report goes and what it names. */
export interface SyncReportContext {
  /** The `sync` options: what, the folder, the log format, `--provisional`, `--settle`, `--until`. */
  settings: Pick<
    SyncSettings,
    "what" | "dir" | "format" | "provisional" | "settleText" | "settleMs" | "until"
  >;
  /** Conversations: the days of the range, settled or not. */
  plan?: SyncPlan;
  /** Where messages go. */
  reporter: Reporter;
  /** When the run started, epoch ms. */
  startedAt: number;
  /**
   * The summary's request counts (see `RunClient.summary`).
   *
   * @returns Phrases such as `12 requests`.
   */
  requests(): string[];
}

/**
 * Reports how a sync ended and gives its exit code. A failed run (whose error line
 * `RunControl.outcome` printed) says what it wrote and saved; otherwise the table of the days
 * comes first (text logs only), then why a stopped run stopped, or what a complete one synced,
 * the days not settled yet and a capped listing.
 *
 * @param end How the run ended and its days.
 * @param context Where the report goes and what it names.
 * @returns The exit code: that of the ending, 5 for a capped listing, else 0.
 *
 * @example
 * ```ts
 * import { reportSync } from "./sync_report.ts";
 * import { createReporter } from "./reporter.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const io = { stdout: () => {}, stderr: (text: string) => void lines.push(text), stderrIsTerminal: false };
 * const reporter = createReporter(io, { level: "info", format: "json", quiet: false });
 * const settings = {
 *   what: "users" as const, dir: "output/users", format: "json" as const, provisional: false,
 *   settleText: "1h", settleMs: 3_600_000,
 * };
 * const code = reportSync(
 *   { ended: { code: 130, failed: false, why: "Interrupted by SIGINT" }, days: [], written: [] },
 *   { settings, reporter, startedAt: 0, requests: () => [] },
 * );
 * strictEqual(code, 130);
 * strictEqual(JSON.parse(lines[0]).msg.startsWith("Interrupted by SIGINT: 0 snapshots written"), true);
 * ```
 */
export function reportSync(end: SyncEnd, context: SyncReportContext): number {
  const { ended, days, written } = end;
  const { reporter, settings } = context;
  if (ended?.failed) {
    if (written.length > 0 || stoppedDay(end)) {
      reporter.important(
        `${
          savedText(end, context)
        }. Fix the cause, then run the same command again: it goes on from there`,
      );
    }
    return ended.code;
  }
  // The table is for people; JSON logs have a line with the fields of each day. After a failure
  // only the days reported so far are known.
  if (settings.format === "text") {
    for (
      const line of syncTable({ days: days.length > 0 ? days : written, label: settings.what })
    ) {
      reporter.say(line);
    }
  }
  if (ended) {
    reporter.important(
      `${ended.why}: ${savedText(end, context)}. Run the same command again to continue`,
      { exitCode: ended.code },
    );
    return ended.code;
  }
  saySynced(end, context);
  sayUnsettled(context);
  return warnCapped(days, context);
}

/** `a … b` for a list of days (`a` alone for one). */
function daySpan(days: readonly string[]): string {
  return days.length === 1 ? days[0] : `${days[0]} … ${days.at(-1)}`;
}

/** The day a stopped or failed run left saved but unfinished, and its records. */
function stoppedDay(end: SyncEnd): { day: string; records: number } | undefined {
  const { days, written, current } = end;
  return days.find((d) => d.status === "stopped") ??
    (current && !written.some((w) => w.day === current.day && w.kind === current.kind)
      ? { day: current.day, records: current.extract.records }
      : undefined);
}

/** What a run that did not complete wrote, and up to where the day in progress is saved. */
function savedText(end: SyncEnd, context: SyncReportContext): string {
  const { what: label } = context.settings;
  const stopped = stoppedDay(end);
  return `${
    formatCounted(end.written.length, label === "conversations" ? "day" : "snapshot")
  } written this run${
    stopped ? `; ${stopped.day} is saved up to ${formatCount(stopped.records)} ${label}` : ""
  }`;
}

/** A complete run: what it synced, or that there was nothing to do and, for days, until when. */
function saySynced(end: SyncEnd, context: SyncReportContext): void {
  const { days, written } = end;
  const { reporter, settings, plan } = context;
  const { what: label, dir } = settings;
  const conversations = label === "conversations";
  const finalDays = days.filter((d) => d.kind === "final");
  const present = finalDays.filter((d) => d.status === "present").length;
  const writtenFinal = written.filter((d) => d.kind === "final");
  const provisional = written.length - writtenFinal.length;
  const records = writtenFinal.reduce((n, d) => n + d.records, 0);
  const unit = conversations ? "day" : "snapshot";
  const parts = [
    `${formatCounted(writtenFinal.length, unit)} written (${formatCount(records)} ${label})`,
    ...(provisional > 0 ? [`${provisional} provisional`] : []),
    ...(present > 0 ? [`${formatCounted(present, "day")} already final`] : []),
    `in ${formatDuration(Date.now() - context.startedAt)}`,
    ...context.requests(),
  ];
  if (written.length === 0 && conversations) {
    const held = finalDays.length ? `from ${daySpan(finalDays.map((d) => d.day))}` : "of the range";
    // With --until before the first unsettled day, no later day belongs to this sync.
    reporter.say(
      settings.until !== undefined && plan!.unsettled.length === 0
        ? `Nothing to do: ${dir} holds every day ${held}, up to --until (${
          formatSyncDay(settings.until)
        }): the range is complete`
        : `Nothing to do: ${dir} holds every settled day ${held}; the next day (${
          plan!.settledUntil
        }) is final from ${
          formatInstant(
            Date.parse(`${plan!.settledUntil}T00:00:00Z`) + 86_400_000 + settings.settleMs,
          )
        }`,
    );
  } else if (written.length === 0) {
    reporter.say(`Nothing to do: ${dir} holds today's ${label} snapshot (${finalDays[0]?.file})`);
  } else {
    reporter.say(`Synced: ${parts.join(" · ")} → ${dir}`, { records, written: written.length });
  }
}

/** Days of the range not settled yet (without `--provisional`): when a later run writes them. */
function sayUnsettled(context: SyncReportContext): void {
  const { plan, settings, reporter } = context;
  if (plan && plan.unsettled.length > 0 && !settings.provisional) {
    reporter.say(
      `${formatCounted(plan.unsettled.length, "day")} of the range (${
        daySpan(plan.unsettled)
      }) not settled yet: a later run writes them once they ended ${settings.settleText} ago; --provisional writes them to ${settings.dir}/provisional/ meanwhile`,
    );
  }
}

/** Warns of a capped listing (exit code 5); otherwise the exit code is 0. */
function warnCapped(days: readonly SyncDayResult[], context: SyncReportContext): number {
  const { settings: { dir, what: label }, reporter } = context;
  const capped = days.find((d) => d.capped);
  if (capped?.capped) {
    reporter.warn(
      `Capped: ${capped.capped.description}. ${dir}/${capped.file} is finished with the ${
        formatCount(capped.records)
      } ${label} read before the cap, so it is incomplete (exit code 5)`,
      { exitCode: ExitCode.CAPPED },
    );
    return ExitCode.CAPPED;
  }
  return ExitCode.OK;
}
