/**
 * Runs `sync`: checks everything first (options, connection, permissions, the folder), takes the
 * sync's lock (`<dir>/manifest.json.lock`), then writes the missing days through the library's
 * `syncDays` (or `syncSnapshot` for users and queues) with progress across days, stops cleanly on
 * SIGINT/SIGTERM or the deadline, and ends with a table of the days it wrote.
 *
 * @module
 */

import { FileCheckpointStore } from "../extract/checkpoint_file.ts";
import { UsageError } from "../errors.ts";
import { type CheckpointLock, tookOverNotice } from "../extract/lock.ts";
import { listingSource } from "../paginate/listing_source.ts";
import { fileFailure, refuseSymlinks } from "../extract/_safe_files.ts";
import { syncDays } from "../extract/sync.ts";
import {
  formatSyncDay,
  planSyncDays,
  type SyncPlan,
  type SyncPlanOptions,
} from "../extract/sync_plan.ts";
import { FileSyncOutput } from "../extract/sync_output.ts";
import type {
  SyncCommonOptions,
  SyncDayResult,
  SyncDayStart,
  SyncProgress,
} from "../extract/sync_types.ts";
import { syncSnapshot } from "../extract/sync_snapshot.ts";
import type { CommandContext, Connection } from "./context.ts";
import { requireRunPermissions } from "./invocation.ts";
import { tableSinkOptions } from "./names.ts";
import { fileNeeds, type PermissionNeed, writeRoot } from "./permissions.ts";
import { formatCount, formatCounted, formatDuration, type ProgressSnapshot } from "./progress.ts";
import { type StartedRun, startRun } from "./run_client.ts";
import { RunControl } from "./run_control.ts";
import type { ParsedCommand } from "./spec.ts";
import { SYNC_KINDS, type SyncSettings } from "./sync_settings.ts";
import { reportSync } from "./sync_report.ts";

/**
 * The days `--since`, `--until`, `--settle` and `--provisional` ask for, as both the plan and the
 * library's `syncDays` take them; its messages name the options as the command line does.
 */
function dayRange(settings: SyncSettings): SyncPlanOptions {
  return {
    since: settings.since!,
    until: settings.until,
    settle: settings.settleMs,
    provisional: settings.provisional,
    names: { since: "--since", until: "--until", settle: "--settle" },
  };
}

/** The manifest's file name in the sync's folder. */
export const MANIFEST_FILE = "manifest.json";

/** How a refused manifest names a differing setting: as the options do. */
function settingName(path: readonly string[]): string {
  const [first, second, ...rest] = path;
  if (first === "filter") {
    return second ? `the filter's '${[second, ...rest].join(".")}'` : "the filter";
  }
  if (first === "output") return second === "table" ? "--table" : "--format";
  if (first === "identity") return "the region";
  if (first === "query") return second ? `--query ${second}` : "--query";
  return path.join(".");
}

/** Creates the sync's folder (after refusing links on the way) or says what is in the way. */
async function prepareFolder(dir: string, root: string): Promise<void> {
  await refuseSymlinks(`${dir}/${MANIFEST_FILE}`, { root, label: "manifest" });
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists || error instanceof Deno.errors.NotADirectory) {
      throw new UsageError(`Cannot use '${dir}' as the sync's folder: a file is in the way`);
    }
    throw fileFailure(error, "create the folder", dir);
  }
}

/**
 * Runs `sync <what>` end to end and returns its exit code. Errors before the first day starts
 * (options, permissions, the lock: exit 6) are thrown for the CLI to report; later ones are
 * reported here with what is saved.
 *
 * @param parsed The parsed command (for the connection options).
 * @param settings The checked `sync` options.
 * @param ctx Output channels and the redactor.
 * @returns The exit code: 0 done, 1 failed, 2 usage, 3 auth, 4 deadline, 5 a capped listing,
 * 6 another run holds the lock, 130 interrupted.
 * @throws {UsageError} For bad options or a folder that cannot be used.
 * @throws {LockError} When another run of this sync holds its lock.
 */
export async function runSync(
  parsed: ParsedCommand,
  settings: SyncSettings,
  ctx: CommandContext,
): Promise<number> {
  const setup = await prepareSync(parsed, settings, ctx);
  using control = watchForStop(setup);
  // One run per sync: a second one stops here (exit 6) before it reads or writes anything.
  const lock = await setup.store.lock(MANIFEST_FILE);
  control.lock = lock;
  if (lock.tookOver) setup.reporter.warn(tookOverNotice(lock.location, lock.tookOver));
  await using _locked = lock;
  announce(setup);
  const days = new SyncDays(setup, lock);
  await days.run(control);
  return reportEnd(setup, days, control);
}

/** What a sync knows once it started, before it takes its lock. */
interface SyncSetup extends StartedRun {
  /** The checked `sync` options. */
  settings: SyncSettings;
  /** Output channels and the redactor. */
  ctx: CommandContext;
  /** Whether conversations are synced by day (else a listing's snapshot). */
  conversations: boolean;
  /** Conversations: the days of the range, settled or not. */
  plan?: SyncPlan;
  /** The manifest and the days' checkpoints, in the sync's folder. */
  store: FileCheckpointStore;
  /** Where the days go. */
  output: FileSyncOutput;
}

/**
 * Checks and builds what the sync needs before it takes its lock: the table and the days (bad
 * options fail here), the connection and its client, the permissions, the folder, the store and
 * the output.
 */
async function prepareSync(
  parsed: ParsedCommand,
  settings: SyncSettings,
  ctx: CommandContext,
): Promise<SyncSetup> {
  const conversations = settings.what === "conversations";
  const shape = conversations
    ? tableSinkOptions({ shape: settings.table, resolveNames: false }, settings.outputFormat)
    : {};
  const plan = conversations ? planSyncDays(dayRange(settings)) : undefined;
  const begun = await startRun(parsed, settings, ctx);
  const { dir } = settings;
  const root = requireSyncPermissions(parsed, `${dir}/${MANIFEST_FILE}`, begun.connection);
  await prepareFolder(dir, root);
  const store = new FileCheckpointStore(dir, { suffix: "", encodeKeys: false, root });
  const output = new FileSyncOutput(dir, {
    format: settings.outputFormat,
    ...shape,
    root,
    overwrite: settings.force,
    prefix: conversations ? undefined : `${settings.what}-`,
  });
  return { ...begun, settings, ctx, conversations, plan, store, output };
}

/**
 * Requires what the sync reads and writes (the connection, a filter file, the folder).
 *
 * @returns The granted folder the sync's files stay within.
 */
function requireSyncPermissions(
  parsed: ParsedCommand,
  manifestPath: string,
  connection: Connection,
): string {
  const filterFile = parsed.strings["filter-file"];
  const needs: PermissionNeed[] = [
    ...connection.needs,
    ...(filterFile !== undefined
      ? [{ name: "read" as const, target: filterFile, why: "the filter file" }]
      : []),
    ...fileNeeds(manifestPath),
  ];
  requireRunPermissions(needs, "a --dir");
  return writeRoot(manifestPath);
}

/** Listens for SIGINT/SIGTERM and the deadline; a second signal says how to continue. */
function watchForStop(setup: SyncSetup): RunControl {
  return new RunControl({
    ...setup,
    saving: "the day's checkpoint",
    quitting: (signal) =>
      `${signal} again: quitting now; finished days are final and the day in progress is saved. Run the same command again to continue`,
  });
}

/** Says what the run syncs: the settled days from the first, or today's snapshot. */
function announce(setup: SyncSetup): void {
  const { conversations, plan, settings, connection, reporter } = setup;
  const finals = plan?.final.length ?? 1;
  reporter.say(
    conversations
      ? `Syncing conversations from ${connection.region.env} into ${settings.dir}: ${
        formatCounted(finals, "settled day")
      } from ${
        plan!.final[0] ?? formatSyncDay(settings.since!)
      } (days are final once they ended ${settings.settleText} ago)`
      : `Syncing today's ${settings.what} snapshot from ${connection.region.env} into ${settings.dir}`,
  );
}

/**
 * The sync itself: the library's `syncDays` (or `syncSnapshot` for a listing) with progress
 * across days, and what it wrote.
 */
class SyncDays {
  /** Every day of the run as the library gave them back (none after a failure). */
  days: SyncDayResult[] = [];
  /** How the library's run ended, when it returned. */
  status?: "complete" | "stopped";
  /** What it threw. */
  failure: unknown;
  /** The days this run wrote, in the order they were written. */
  readonly written: SyncDayResult[] = [];
  /** The last progress report. */
  current?: SyncProgress;
  /** Which day of how many the run is in. */
  #part?: { index: number; of: number };
  readonly #setup: SyncSetup;
  readonly #lock: CheckpointLock;

  constructor(setup: SyncSetup, lock: CheckpointLock) {
    this.#setup = setup;
    this.#lock = lock;
  }

  /**
   * Syncs until every day is written, a signal or the deadline stops the run, or it fails; the
   * progress display runs meanwhile and the control is ended however it ends.
   */
  async run(control: RunControl): Promise<void> {
    control.start(() => this.#snapshot());
    const common = this.#commonOptions(control);
    try {
      if (this.#setup.conversations) await this.#syncDays(common);
      else await this.#syncSnapshot(common);
    } catch (error) {
      this.failure = error;
    } finally {
      control.end();
    }
  }

  /** The conversations' days, one file each, through the details query or jobs. */
  async #syncDays(common: SyncCommonOptions): Promise<void> {
    const { settings, run, deadlineAt, plan } = this.#setup;
    const { client } = run;
    const result = await syncDays({
      ...common,
      ...dayRange(settings),
      plan,
      client,
      query: settings.filter,
      via: settings.via,
      pageSize: settings.pageSize,
      jobPageSize: settings.jobPageSize,
      concurrency: settings.concurrency,
      prefetch: settings.concurrency > 1,
      deadline: deadlineAt,
      jobs: { ...settings.jobOptions, onJob: run.jobEvent },
    });
    this.days = [...result.days, ...result.provisional];
    this.status = result.status;
  }

  /** Today's snapshot of a listing (users, queues). */
  async #syncSnapshot(common: SyncCommonOptions): Promise<void> {
    const { settings, run, deadlineAt } = this.#setup;
    const { client } = run;
    const label = settings.what;
    const path = SYNC_KINDS[settings.what]!;
    const result = await syncSnapshot({
      ...common,
      kind: label,
      job: { path, query: settings.query },
      source: listingSource(client, path, {
        pageSize: settings.pageSize,
        query: settings.query,
        prefetch: settings.concurrency > 1,
        concurrency: settings.concurrency,
        deadline: deadlineAt,
      }),
    });
    this.days = [result.day];
    this.status = result.status;
  }

  /** What every sync takes: the store, the output, the lock, the signal and the callbacks. */
  #commonOptions(control: RunControl): SyncCommonOptions {
    const { store, output, connection, run, reporter } = this.#setup;
    return {
      store,
      output,
      lock: this.#lock,
      manifestKey: MANIFEST_FILE,
      checkpointKey: (day: string) => `${output.name(day, "final")}.checkpoint.json`,
      identity: { api: connection.region.apiBaseUrl },
      signal: control.signal,
      stats: () => run.client.stats,
      settingName,
      onNotice: (message: string) => reporter.say(message),
      onDayStart: (start: SyncDayStart) => this.#onDayStart(start),
      onProgress: (p: SyncProgress) => {
        this.current = p;
        run.pageSaved(p.recordsThisRun);
        control.flush();
      },
      onDay: (day: SyncDayResult) => this.#onDay(day),
    };
  }

  /** A day starts: a resumed one says what is saved, a new one is logged at debug level. */
  #onDayStart(start: SyncDayStart): void {
    const { reporter, settings: { what: label } } = this.#setup;
    this.#part = { index: start.index, of: start.of };
    const how = start.estimate
      ? ` (auto: about ${formatCount(start.estimate.conversations)}, ${start.via} costs ${
        start.via === "jobs" ? start.estimate.jobs : start.estimate.query
      } requests where ${start.via === "jobs" ? "the query" : "a job"} costs ${
        start.via === "jobs" ? start.estimate.query : start.estimate.jobs
      })`
      : "";
    const which = `${
      start.kind === "final" ? "" : "provisional "
    }${start.day} (day ${start.index}/${start.of}) via ${start.via}`;
    if (start.resumed) {
      reporter.say(
        `Resuming ${which} from its checkpoint: ${
          formatCount(start.saved ?? 0)
        } ${label} already saved`,
      );
    } else reporter.log.debug(`Syncing ${which}${how}`);
  }

  /** A day is written: it joins the table and gets its line. */
  #onDay(day: SyncDayResult): void {
    const { reporter, settings: { what: label, dir } } = this.#setup;
    if (day.status !== "written") return;
    this.written.push(day);
    reporter.say(
      `${day.kind === "final" ? "" : "Provisional "}${day.day}: ${
        formatCount(day.records)
      } ${label} via ${day.via} in ${formatDuration(day.elapsedMs)} → ${dir}/${day.file}`,
      { day: day.day, kind: day.kind, records: day.records, bytes: day.bytes, via: day.via },
    );
  }

  /** Progress across days: the day, the records of this run, an estimate from the days done. */
  #snapshot(): ProgressSnapshot {
    const { conversations, startedAt, run, settings: { what: label } } = this.#setup;
    const { current, written } = this;
    const part = this.#part;
    const now = Date.now();
    const doneRecords = written.reduce((n, d) => n + d.recordsThisRun, 0);
    const estimate = conversations && written.length > 0 && part
      ? Math.round((doneRecords / written.length) * part.of)
      : undefined;
    return {
      label,
      records: conversations ? (current?.recordsThisRun ?? 0) : (current?.extract.records ?? 0),
      recordsThisRun: current?.recordsThisRun ?? 0,
      pages: current?.pagesThisRun ?? 0,
      total: conversations ? undefined : current?.extract.total,
      elapsedMs: now - startedAt,
      ...run.progress(now),
      ...(estimate !== undefined ? { estimate } : {}),
      ...(part && conversations ? { part: { unit: "day", ...part } } : {}),
    };
  }
}

/** Says how the sync ended (a failure's error line first) and gives the exit code. */
function reportEnd(setup: SyncSetup, days: SyncDays, control: RunControl): number {
  const { settings, plan, reporter, startedAt, run } = setup;
  const ended = control.outcome(days.status === "complete", days.failure, run.retrying());
  return reportSync(
    { ended, days: days.days, written: days.written, current: days.current },
    { settings, plan, reporter, startedAt, requests: () => run.summary() },
  );
}
