/**
 * Runs one extraction for a command: checks everything first (options, connection, permissions,
 * the source's own checks), then streams pages to the output with a checkpoint after each one,
 * shows progress, stops cleanly on SIGINT/SIGTERM or the deadline and says how to resume.
 *
 * @module
 */

import type { ApiClient, PageSource } from "../types.ts";
import { tookOverNotice } from "../extract/lock.ts";
import { FileCheckpointStore } from "../extract/checkpoint_file.ts";
import { extract, type ExtractProgress, type ExtractResult } from "../extract/extract.ts";
import { extractJob, extractJobKey } from "../extract/_job_key.ts";
import type { GenesysClient } from "../client/genesys_client.ts";
import { FileSink, type Sink } from "../extract/sink.ts";
import { StreamSink } from "../extract/sink_stream.ts";
import type { CommandContext, Connection } from "./context.ts";
import { type ExtractSettings, readExtractSettings } from "./extract_options.ts";
import {
  nameCachePath,
  removeNameCache,
  type TableRequest,
  tableSinkOptions,
  withNames,
} from "./names.ts";
import { exists, openJobFiles } from "./job_files.ts";
import { fileNeeds, type PermissionNeed, writeRoot } from "./permissions.ts";
import { formatCount, formatDuration } from "./progress.ts";
import type { ChunkEstimate } from "./progress_estimate.ts";
import type { Reporter } from "./reporter.ts";
import { type RunClient, startRun } from "./run_client.ts";
import { requireRunPermissions } from "./invocation.ts";
import { otherJobError } from "./job_change.ts";
import { resumeArgs, resumeCommand } from "./resume.ts";
import { RunControl } from "./run_control.ts";
import type { ParsedCommand } from "./spec.ts";
import { outcomeOf } from "./outcome.ts";

/** What a command extracts and how to build its source. */
export interface ExtractionPlan {
  /** The plural label for progress and summary: `conversations`. */
  label: string;
  /** The default output file name, without directory and extension. */
  defaultName: string;
  /** The default and largest page size. */
  pageSize: { default: number; max: number };
  /** The interval the run covers, pinned in the resume command. */
  interval?: string;
  /** Permissions beyond the connection and the output (a filter file). */
  needs?: PermissionNeed[];
  /** Conversation details: `--table` and `--resolve-names`. */
  table?: TableRequest;
  /**
   * What the source tells about the run's size before its total is known: the part of the work it
   * is in and an estimate of all records (a details query's day, from each chunk's first page).
   */
  progress?: () => ChunkEstimate;
  /**
   * Builds the source; may throw a `UsageError` for a bad query (before anything is written).
   *
   * @param client The API client.
   * @param settings The page size, prefetch, deadline and the reporter.
   */
  source(client: ApiClient, settings: SourceSettings): PageSource;
}

/** What a plan's source builder gets. */
export interface SourceSettings {
  /** Records per request. */
  pageSize: number;
  /** Fetch the next page while the current one is written. */
  prefetch: boolean;
  /** Most requests in flight at once (`--concurrency`), for sources that fetch ahead. */
  concurrency: number;
  /** The absolute deadline, epoch ms. */
  deadline?: number;
  /** Messages. */
  reporter: Reporter;
  /** Shows what the run waits for on the progress line (`undefined` clears it). */
  setWaiting: (text?: string) => void;
}

/** Options for tests and the demo: a client or checks to replace. */
export interface RunExtractionOverrides {
  /** Use this connection instead of resolving options and environment. */
  connection?: Connection;
  /** Called with the client once built (the demo reads its counters). */
  onClient?: (client: GenesysClient) => void;
  /** Sends the client's requests (the demo revokes a token on the way). Default `fetch`. */
  fetch?: typeof fetch;
  /** Aborts the run as a signal would (the demo's simulated crash). */
  signal?: AbortSignal;
  /** Called after each durable page. */
  onProgress?: (progress: ExtractProgress) => void;
  /** Do not print the summary (the demo prints its own). */
  silentSummary?: boolean;
  /** On a stop, print only a short note, not the resume command (the demo resumes itself). */
  quietStop?: boolean;
}

/** `1 page`, `2 pages`, `1,000 pages`. */
function counted(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;
}

/** The end-of-run line: records, pages, time, output, requests, refreshes, retries. */
function summaryLine(result: ExtractResult, label: string, run: RunClient): string {
  const parts = [
    `${formatCount(result.records)} ${label} (${counted(result.pages, "page")}) in ${
      formatDuration(result.elapsedMs)
    }`,
    ...run.summary(),
  ];
  const resumed = result.resumed
    ? ` (resumed; ${formatCount(result.recordsThisRun)} this run)`
    : "";
  const where = result.output ? ` → ${result.output}` : "";
  return `Done${resumed}: ${parts.join(" · ")}${where}`;
}

/**
 * Runs an extraction command end to end and returns its exit code. Errors that happen before
 * the first page are thrown (the CLI maps them); later ones are reported here with the resume
 * command, since progress is saved.
 *
 * @param parsed The parsed command.
 * @param plan What to extract.
 * @param ctx Output channels and the original arguments.
 * @param overrides For the demo and tests.
 * @returns The exit code.
 * @throws {UsageError} For bad options (nothing is created).
 * @throws {AuthError} For missing credentials.
 */
export async function runExtraction(
  parsed: ParsedCommand,
  plan: ExtractionPlan,
  ctx: CommandContext,
  overrides: RunExtractionOverrides = {},
): Promise<number> {
  const settings: ExtractSettings = readExtractSettings(parsed, {
    defaultName: plan.defaultName,
    pageSize: plan.pageSize.default,
    maxPageSize: plan.pageSize.max,
  });
  const shape = plan.table ? tableSinkOptions(plan.table, settings.outputFormat) : {};
  const begun = await startRun(
    parsed,
    settings,
    ctx,
    overrides,
  );
  const { connection, reporter, startedAt, deadlineAt, run } = begun;
  const { client, rate } = run;
  overrides.onClient?.(client);

  // The source checks its query at once: a bad filter fails here, before any file exists.
  const source = plan.source(client, {
    pageSize: settings.pageSize,
    prefetch: settings.concurrency > 1,
    concurrency: settings.concurrency,
    deadline: deadlineAt,
    reporter,
    setWaiting: run.setWaiting,
  });

  const needs = [
    ...connection.needs,
    ...(plan.needs ?? []),
    ...fileNeeds(settings.output, settings.checkpoint),
  ];
  const started = requireRunPermissions(needs, "an output");

  const checkpoint = settings.checkpoint !== undefined
    ? FileCheckpointStore.forFile(settings.checkpoint, { root: writeRoot(settings.checkpoint) })
    : undefined;
  const checkpointPath = checkpoint ? checkpoint.store.pathFor(checkpoint.key) : undefined;
  const namesCache = shape.names && checkpointPath ? nameCachePath(checkpointPath) : undefined;

  const identity = { api: connection.region.apiBaseUrl };
  const resume = resumeCommand(
    resumeArgs(ctx.argv, { interval: plan.interval }),
    started,
  );

  // Listening from before the lock is taken: a signal at any moment after it releases the lock.
  using control = new RunControl({
    ...begun,
    ctx,
    settings,
    saving: "the checkpoint",
    quitting: (signal) =>
      `${signal} again: quitting now; the checkpoint of the last saved page is intact. Resume with:\n  ${resume}`,
  });

  // One run per job: the lock beside the checkpoint is taken before any file of the job is read
  // or written and released however this function ends (a second run stops here, exit code 6).
  const { lock, loaded, overwrite, outputRoot } = await openJobFiles(
    settings,
    checkpoint,
    `${plan.defaultName}.${settings.outputFormat}`,
    (taken) => control.lock = taken,
  );
  await using _locked = lock;
  if (lock?.tookOver) reporter.warn(tookOverNotice(lock.location, lock.tookOver));
  const sink: Sink = settings.output === "-"
    ? new StreamSink(Deno.stdout.writable, { format: settings.outputFormat, ...shape })
    : new FileSink(settings.output, {
      format: settings.outputFormat,
      overwrite,
      root: outputRoot,
      ...shape,
    });
  const jobKey = await extractJobKey({ source, sink, identity });
  if (!settings.restart && loaded?.status === "running" && loaded.jobKey !== jobKey) {
    throw otherJobError(checkpointPath!, loaded, extractJob({ source, sink, identity }));
  }
  const previous = !settings.restart && loaded?.jobKey === jobKey ? loaded : undefined;
  if (previous?.status === "running") {
    const of = previous.total !== undefined ? ` of ${formatCount(previous.total)}` : "";
    reporter.say(
      `Resuming from ${checkpointPath}: ${
        formatCount(previous.records)
      }${of} ${plan.label} already saved`,
    );
  } else if (previous?.openEnd) {
    reporter.say(
      `Continuing ${sink.name} after '${previous.openEnd.until}' (checkpoint ${checkpointPath}): ${
        formatCount(previous.records)
      } ${plan.label} already saved`,
    );
  } else if (previous === undefined) {
    const cp = checkpointPath ? ` (checkpoint ${checkpointPath})` : " (no checkpoint)";
    reporter.say(`Extracting ${plan.label} from ${connection.region.env} to ${sink.name}${cp}`);
  }

  // A run that fails before its first durable page leaves no partial output behind.
  const partial = sink instanceof FileSink ? sink.partialPath : undefined;
  const partialExisted = partial !== undefined && await exists(partial);

  const stopSignal = overrides.signal
    ? AbortSignal.any([control.signal, overrides.signal])
    : control.signal;
  let progress: ExtractProgress | undefined;
  // What is durable so far: this run's last progress report, else the checkpoint it resumes.
  const durable = () => ({
    records: progress?.records ?? previous?.records ?? 0,
    pages: progress?.pages ?? previous?.pages ?? 0,
    total: progress?.total ?? previous?.total,
  });
  let result: ExtractResult | undefined;
  let failure: unknown;
  const progressReporter = control.start(() => {
    const now = Date.now();
    return {
      label: plan.label,
      ...durable(),
      recordsThisRun: progress?.recordsThisRun ?? 0,
      elapsedMs: now - startedAt,
      ...run.progress(now),
      ...plan.progress?.(),
    };
  });
  try {
    result = await extract({
      // --resolve-names: the listings are read (or taken from the cache) before the first page.
      source: shape.names
        ? withNames(source, {
          client,
          names: shape.names,
          cache: namesCache,
          jobKey,
          restart: settings.restart,
          deadline: deadlineAt,
          onRead: (listing) => reporter.say(`Reading names from ${listing} (--resolve-names)`),
          onStale: () =>
            reporter.warn(
              `The name cache '${namesCache}' was missing: names were read again and may differ from those in rows already saved`,
            ),
        })
        : source,
      sink,
      checkpoint: checkpoint && { ...checkpoint, lock },
      identity,
      restart: settings.restart,
      signal: stopSignal,
      stats: () => client.stats,
      onProgress: (p) => {
        const skipped = p.dropped - (progress?.dropped ?? previous?.dropped ?? 0);
        if (skipped > 0) {
          reporter.log.debug(
            `Skipped ${skipped} ${plan.label} that another window owns (they started outside the window read)`,
            { dropped: p.dropped },
          );
        }
        progress = p;
        run.setWaiting(undefined);
        rate.sample(Date.now(), p.recordsThisRun);
        overrides.onProgress?.(p);
        if (control.progressLine) progressReporter.flush();
      },
    });
    // Nothing reads the name cache of a complete job again.
    if (result.status === "complete" && namesCache) await removeNameCache(namesCache);
  } catch (error) {
    failure = error;
  } finally {
    control.end();
  }

  // A checkpoint of this job exists once any page was durable, this run or an earlier one; a page
  // without records (an analytics job announcing its id) counts: it saved a checkpoint.
  const checkpointed = progress !== undefined || previous !== undefined;
  if (result?.status !== "complete" && partial !== undefined && !partialExisted && !checkpointed) {
    await Deno.remove(partial).catch(() => {});
  }
  const saved = durable();
  const savedText = `${formatCount(saved.records)}${
    saved.total !== undefined ? ` of ${formatCount(saved.total)}` : ""
  } ${plan.label} saved (${counted(saved.pages, "page")})`;
  const resumable = checkpointPath !== undefined && checkpointed;

  const ended = control.outcome(result?.status === "complete", failure, run.retrying());
  if (ended?.failed) {
    if (resumable) {
      reporter.important(
        `${savedText}; checkpoint ${checkpointPath}. Fix the cause, then resume with:\n  ${resume}`,
        { checkpoint: checkpointPath, resume },
      );
    }
    return ended.code;
  }
  if (ended) {
    const { code, why } = ended;
    if (overrides.quietStop) {
      reporter.say(`Stopped: ${savedText}; checkpoint ${checkpointPath}`);
      return code;
    }
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
  const done = result!;
  const outcome = outcomeOf(done, plan.label);
  if (done.alreadyComplete) {
    reporter.say(
      `Nothing to do: ${done.output ?? "the output"} is already complete (${
        formatCount(done.records)
      } ${plan.label}, checkpoint ${checkpointPath}); use --restart to extract again`,
    );
  } else if (!overrides.silentSummary) {
    reporter.say(summaryLine(done, plan.label, run), {
      records: done.records,
      pages: done.pages,
      output: done.output,
      elapsedMs: done.elapsedMs,
      dropped: done.dropped,
      ...(done.total !== undefined ? { total: done.total } : {}),
      ...(done.capped ? { capped: done.capped.limit } : {}),
      ...(done.openUntil !== undefined ? { openUntil: done.openUntil } : {}),
      ...client.stats,
    });
  }
  for (const warning of outcome.warnings) reporter.warn(warning, { exitCode: outcome.code });
  for (const notice of outcome.notices) reporter.say(notice);
  return outcome.code;
}
