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
import { tookOverNotice } from "../extract/lock.ts";
import { listingSource } from "../paginate/listing_source.ts";
import { fileFailure, refuseSymlinks } from "../extract/_safe_files.ts";
import { syncDays } from "../extract/sync.ts";
import { formatSyncDay, planSyncDays, type SyncPlan } from "../extract/sync_plan.ts";
import { FileSyncOutput } from "../extract/sync_output.ts";
import type { SyncDayResult, SyncDayStart, SyncProgress } from "../extract/sync_types.ts";
import { syncSnapshot } from "../extract/sync_snapshot.ts";
import { formatInstant } from "../analytics/interval.ts";
import type { CommandContext } from "./context.ts";
import { ExitCode } from "./exit.ts";
import { requireRunPermissions } from "./invocation.ts";
import { tableSinkOptions } from "./names.ts";
import { fileNeeds, type PermissionNeed, writeRoot } from "./permissions.ts";
import { formatCount, formatDuration } from "./progress.ts";
import { startRun } from "./run_client.ts";
import { RunControl } from "./run_control.ts";
import type { ParsedCommand } from "./spec.ts";
import { SYNC_KINDS, type SyncSettings } from "./sync_settings.ts";
import { syncTable } from "./sync_table.ts";

/** How the library's messages name the day options: as the command line does. */
const SYNC_FLAG_NAMES = { since: "--since", until: "--until", settle: "--settle" };

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

/** `a … b` for a list of days (`a` alone for one). */
function daySpan(days: readonly string[]): string {
  return days.length === 1 ? days[0] : `${days[0]} … ${days.at(-1)}`;
}

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;
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
  const conversations = settings.what === "conversations";
  const label = settings.what;
  const shape = conversations
    ? tableSinkOptions({ shape: settings.table, resolveNames: false }, settings.outputFormat)
    : {};
  const plan: SyncPlan | undefined = conversations
    ? planSyncDays({
      since: settings.since!,
      until: settings.until,
      settle: settings.settleMs,
      provisional: settings.provisional,
      names: SYNC_FLAG_NAMES,
    })
    : undefined;
  const begun = await startRun(
    parsed,
    settings,
    ctx,
  );
  const { connection, reporter, startedAt, deadlineAt, run } = begun;
  const { client } = run;

  const { dir } = settings;
  const manifestPath = `${dir}/${MANIFEST_FILE}`;
  const filterFile = parsed.strings["filter-file"];
  const needs: PermissionNeed[] = [
    ...connection.needs,
    ...(filterFile !== undefined
      ? [{ name: "read" as const, target: filterFile, why: "the filter file" }]
      : []),
    ...fileNeeds(manifestPath),
  ];
  requireRunPermissions(needs, "a --dir");
  const root = writeRoot(manifestPath);
  await prepareFolder(dir, root);
  const store = new FileCheckpointStore(dir, { suffix: "", encodeKeys: false, root });
  const output = new FileSyncOutput(dir, {
    format: settings.outputFormat,
    ...shape,
    root,
    overwrite: settings.force,
    prefix: conversations ? undefined : `${label}-`,
  });
  const checkpointKey = (day: string) => `${output.name(day, "final")}.checkpoint.json`;

  using control = new RunControl({
    ...begun,
    ctx,
    settings,
    saving: "the day's checkpoint",
    quitting: (signal) =>
      `${signal} again: quitting now; finished days are final and the day in progress is saved. Run the same command again to continue`,
  });
  // One run per sync: a second one stops here (exit 6) before it reads or writes anything.
  const lock = await store.lock(MANIFEST_FILE);
  control.lock = lock;
  if (lock.tookOver) reporter.warn(tookOverNotice(lock.location, lock.tookOver));
  await using _locked = lock;

  const finals = plan?.final.length ?? 1;
  reporter.say(
    conversations
      ? `Syncing conversations from ${connection.region.env} into ${dir}: ${
        plural(finals, "settled day")
      } from ${
        plan!.final[0] ?? formatSyncDay(settings.since!)
      } (days are final once they ended ${settings.settleText} ago)`
      : `Syncing today's ${label} snapshot from ${connection.region.env} into ${dir}`,
  );

  // Progress across days: the day, the records of this run, an estimate from the days done.
  let current: SyncProgress | undefined;
  let part: { index: number; of: number } | undefined;
  const written: SyncDayResult[] = [];
  const common = {
    store,
    output,
    lock,
    manifestKey: MANIFEST_FILE,
    checkpointKey,
    identity: { api: connection.region.apiBaseUrl },
    signal: control.signal,
    stats: () => client.stats,
    settingName,
    onNotice: (message: string) => reporter.say(message),
    onDayStart: (start: SyncDayStart) => {
      part = { index: start.index, of: start.of };
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
    },
    onProgress: (p: SyncProgress) => {
      current = p;
      run.setWaiting(undefined);
      run.rate.sample(Date.now(), p.recordsThisRun);
      if (control.progressLine) progress.flush();
    },
    onDay: (day: SyncDayResult) => {
      if (day.status !== "written") return;
      written.push(day);
      reporter.say(
        `${day.kind === "final" ? "" : "Provisional "}${day.day}: ${
          formatCount(day.records)
        } ${label} via ${day.via} in ${formatDuration(day.elapsedMs)} → ${dir}/${day.file}`,
        { day: day.day, kind: day.kind, records: day.records, bytes: day.bytes, via: day.via },
      );
    },
  };

  let days: SyncDayResult[] = [];
  let status: "complete" | "stopped" | undefined;
  let failure: unknown;
  const progress = control.start(() => {
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
  });
  try {
    if (conversations) {
      const result = await syncDays({
        ...common,
        client,
        since: settings.since!,
        until: settings.until,
        settle: settings.settleMs,
        provisional: settings.provisional,
        names: SYNC_FLAG_NAMES,
        query: settings.filter,
        via: settings.via,
        pageSize: settings.pageSize,
        jobPageSize: settings.jobPageSize,
        concurrency: settings.concurrency,
        prefetch: settings.concurrency > 1,
        deadline: deadlineAt,
        jobs: {
          ...settings.jobOptions,
          onJob: (event) => {
            if (event.type === "state") run.setWaiting(`job ${event.state}`);
            else {reporter.log.info(
                `${
                  event.type === "submitted" ? "Submitted" : "Resuming"
                } analytics job ${event.jobId}`,
              );}
          },
        },
      });
      days = [...result.days, ...result.provisional];
      status = result.status;
    } else {
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
      days = [result.day];
      status = result.status;
    }
  } catch (error) {
    failure = error;
  } finally {
    control.end();
  }

  // After a failure only the days reported so far are known.
  const table = syncTable({ days: days.length > 0 ? days : written, label });
  const stoppedDay = days.find((d) => d.status === "stopped") ??
    (current && !written.some((w) => w.day === current!.day && w.kind === current!.kind)
      ? { day: current.day, records: current.extract.records }
      : undefined);
  const saved = `${plural(written.length, conversations ? "day" : "snapshot")} written this run${
    stoppedDay
      ? `; ${stoppedDay.day} is saved up to ${formatCount(stoppedDay.records)} ${label}`
      : ""
  }`;
  const ended = control.outcome(status === "complete", failure, run.retrying());
  if (ended?.failed) {
    if (written.length > 0 || stoppedDay) {
      reporter.important(
        `${saved}. Fix the cause, then run the same command again: it goes on from there`,
      );
    }
    return ended.code;
  }
  // The table is for people; JSON logs have a line with the fields of each day.
  if (settings.format === "text") { for (const line of table) reporter.say(line); }
  if (ended) {
    reporter.important(`${ended.why}: ${saved}. Run the same command again to continue`, {
      exitCode: ended.code,
    });
    return ended.code;
  }
  const capped = days.find((d) => d.capped);
  const finalDays = days.filter((d) => d.kind === "final");
  const present = finalDays.filter((d) => d.status === "present").length;
  const writtenFinal = written.filter((d) => d.kind === "final");
  const provisional = written.length - writtenFinal.length;
  const records = writtenFinal.reduce((n, d) => n + d.records, 0);
  const unit = conversations ? "day" : "snapshot";
  const parts = [
    `${plural(writtenFinal.length, unit)} written (${formatCount(records)} ${label})`,
    ...(provisional > 0 ? [`${provisional} provisional`] : []),
    ...(present > 0 ? [`${plural(present, "day")} already final`] : []),
    `in ${formatDuration(Date.now() - startedAt)}`,
    ...run.summary(),
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
  if (plan && plan.unsettled.length > 0 && !settings.provisional) {
    reporter.say(
      `${plural(plan.unsettled.length, "day")} of the range (${
        daySpan(plan.unsettled)
      }) not settled yet: a later run writes them once they ended ${settings.settleText} ago; --provisional writes them to ${dir}/provisional/ meanwhile`,
    );
  }
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
