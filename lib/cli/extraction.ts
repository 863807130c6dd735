/**
 * Runs one extraction for a command: checks everything first (options, connection, permissions,
 * the source's own checks), then streams pages to the output with a checkpoint after each one,
 * shows progress, stops cleanly on SIGINT/SIGTERM or the deadline and says how to resume. What a
 * command gives it is in `extraction_plan.ts`, what it says at the end in `extraction_report.ts`.
 *
 * @module
 */

import type { PageSource } from "../types.ts";
import type { Checkpoint } from "../extract/checkpoint.ts";
import { type CheckpointLock, tookOverNotice } from "../extract/lock.ts";
import { FileCheckpointStore } from "../extract/checkpoint_file.ts";
import {
  extract,
  type ExtractOptions,
  type ExtractProgress,
  type ExtractResult,
} from "../extract/extract.ts";
import { extractJob, extractJobKey } from "../extract/_job_key.ts";
import { FileSink, type Sink } from "../extract/sink.ts";
import { StreamSink } from "../extract/sink_stream.ts";
import type { CommandContext, Connection } from "./context.ts";
import { type ExtractSettings, readExtractSettings } from "./extract_options.ts";
import {
  nameCachePath,
  removeNameCache,
  type TableSinkOptions,
  tableSinkOptions,
  withNames,
} from "./names.ts";
import { exists, type JobFiles, openJobFiles } from "./job_files.ts";
import { fileNeeds, writeRoot } from "./permissions.ts";
import { formatCount, type ProgressSnapshot } from "./progress.ts";
import { type StartedRun, startRun } from "./run_client.ts";
import { requireRunPermissions } from "./invocation.ts";
import { otherJobError } from "./job_change.ts";
import { type Invocation, resumeArgs, resumeCommand } from "./resume.ts";
import { RunControl } from "./run_control.ts";
import type { ParsedCommand } from "./spec.ts";
import { reportExtraction, type SavedCounts } from "./extraction_report.ts";
import type { ExtractionPlan } from "./extraction_plan.ts";

export type { ExtractionPlan } from "./extraction_plan.ts";

/**
 * Runs an extraction command end to end and returns its exit code. Errors that happen before
 * the first page are thrown (the CLI maps them); later ones are reported here with the resume
 * command, since progress is saved.
 *
 * @param parsed The parsed command.
 * @param plan What to extract.
 * @param ctx Output channels and the original arguments.
 * @returns The exit code.
 * @throws {UsageError} For bad options (nothing is created).
 * @throws {AuthError} For missing credentials.
 */
export async function runExtraction(
  parsed: ParsedCommand,
  plan: ExtractionPlan,
  ctx: CommandContext,
): Promise<number> {
  const setup = await prepareExtraction(parsed, plan, ctx);
  // Listening from before the lock is taken: a signal at any moment after it releases the lock.
  using control = watchForStop(setup);
  // One run per job: the lock beside the checkpoint is taken before any file of the job is read
  // or written and released however this function ends (a second run stops here, exit code 6).
  const files = await openJobFiles(
    setup.settings,
    setup.checkpoint,
    `${plan.defaultName}.${setup.settings.outputFormat}`,
    (taken) => control.lock = taken,
  );
  await using _locked = files.lock;
  const job = await resumeOrStart(setup, files);
  const pages = new ExtractionPages(setup, job);
  await pages.run(control);
  await pages.removeUnusedPartial();
  return reportEnd(setup, pages, control);
}

/** What a run knows once it started, before the job's files are opened. */
interface ExtractionSetup extends StartedRun {
  /** What to extract. */
  plan: ExtractionPlan;
  /** Output channels and the original arguments. */
  ctx: CommandContext;
  /** The checked options. */
  settings: ExtractSettings;
  /** `--table` and `--resolve-names` as sink options. */
  shape: TableSinkOptions;
  /** The source, its query checked. */
  source: PageSource;
  /** The checkpoint's store and key; none for stdout. */
  checkpoint?: { store: FileCheckpointStore; key: string };
  /** The checkpoint file. */
  checkpointPath?: string;
  /** The name cache beside the checkpoint, with `--resolve-names`. */
  namesCache?: string;
  /** Where the run connects, part of the job's identity. */
  identity: { api: string };
  /** The command that resumes the run. */
  resume: string;
}

/**
 * Checks and builds what the run needs before any file exists: the settings, the connection and
 * its client, the source (a bad query fails here), the permissions, the checkpoint's place and
 * the resume command.
 */
async function prepareExtraction(
  parsed: ParsedCommand,
  plan: ExtractionPlan,
  ctx: CommandContext,
): Promise<ExtractionSetup> {
  const settings: ExtractSettings = readExtractSettings(parsed, {
    defaultName: plan.defaultName,
    pageSize: plan.pageSize.default,
    maxPageSize: plan.pageSize.max,
  });
  const shape: TableSinkOptions = plan.table
    ? tableSinkOptions(plan.table, settings.outputFormat)
    : {};
  const begun = await startRun(parsed, settings, ctx);
  const { connection, reporter, deadlineAt, run } = begun;
  const { client } = run;

  // The source checks its query at once: a bad filter fails here, before any file exists.
  const source = plan.source(client, {
    pageSize: settings.pageSize,
    prefetch: settings.concurrency > 1,
    concurrency: settings.concurrency,
    deadline: deadlineAt,
    reporter,
    onJob: run.jobEvent,
  });

  const started = requireExtractionPermissions(plan, settings, connection);
  const checkpoint = settings.checkpoint !== undefined
    ? FileCheckpointStore.forFile(settings.checkpoint, { root: writeRoot(settings.checkpoint) })
    : undefined;
  const checkpointPath = checkpoint ? checkpoint.store.pathFor(checkpoint.key) : undefined;
  return {
    ...begun,
    plan,
    ctx,
    settings,
    shape,
    source,
    checkpoint,
    checkpointPath,
    namesCache: shape.names && checkpointPath ? nameCachePath(checkpointPath) : undefined,
    identity: { api: connection.region.apiBaseUrl },
    resume: resumeCommand(resumeArgs(ctx.argv, { interval: plan.interval }), started),
  };
}

/**
 * Requires what the run reads and writes (the connection, the plan's files, the output and the
 * checkpoint).
 *
 * @returns The invocation, for the resume command.
 */
function requireExtractionPermissions(
  plan: ExtractionPlan,
  settings: ExtractSettings,
  connection: Connection,
): Invocation {
  const needs = [
    ...connection.needs,
    ...(plan.needs ?? []),
    ...fileNeeds(settings.output, settings.checkpoint),
  ];
  return requireRunPermissions(needs, "an output");
}

/** Listens for SIGINT/SIGTERM and the deadline; a second signal prints the resume command. */
function watchForStop(setup: ExtractionSetup): RunControl {
  return new RunControl({
    ...setup,
    saving: "the checkpoint",
    quitting: (signal) =>
      `${signal} again: quitting now; the checkpoint of the last saved page is intact. Resume with:\n  ${setup.resume}`,
  });
}

/** The job under its lock: its output, its key, and the checkpoint it goes on from. */
interface ExtractionJob {
  /** The job's lock; none without a checkpoint. */
  lock?: CheckpointLock;
  /** Where the records go. */
  sink: Sink;
  /** The job's key. */
  jobKey: string;
  /** The checkpoint this run goes on from; none when it starts from the beginning. */
  previous?: Checkpoint;
  /** The `.partial` file of a file output. */
  partial?: string;
  /** Whether the `.partial` file was there before this run. */
  partialExisted: boolean;
}

/**
 * Works out the job once its files are open: warns when the lock was taken over from a dead run,
 * opens the output, refuses a running checkpoint of another job, says whether the run resumes,
 * continues an open end or starts, and notes whether a `.partial` output was there before.
 *
 * @throws {CheckpointError} When the checkpoint belongs to another job that is not finished.
 */
async function resumeOrStart(setup: ExtractionSetup, files: JobFiles): Promise<ExtractionJob> {
  const { lock, loaded } = files;
  const { settings, source, identity } = setup;
  if (lock?.tookOver) setup.reporter.warn(tookOverNotice(lock.location, lock.tookOver));
  const sink = outputSink(setup, files);
  const jobKey = await extractJobKey({ source, sink, identity });
  if (!settings.restart && loaded?.status === "running" && loaded.jobKey !== jobKey) {
    throw otherJobError(setup.checkpointPath!, loaded, extractJob({ source, sink, identity }));
  }
  const previous = !settings.restart && loaded?.jobKey === jobKey ? loaded : undefined;
  announce(setup, sink, previous);

  // A run that fails before its first durable page leaves no partial output behind.
  const partial = sink instanceof FileSink ? sink.partialPath : undefined;
  const partialExisted = partial !== undefined && await exists(partial);
  return { lock, sink, jobKey, previous, partial, partialExisted };
}

/** Standard output as a stream, else the output file (replaced only where that is allowed). */
function outputSink(setup: ExtractionSetup, files: JobFiles): Sink {
  const { settings, shape } = setup;
  return settings.output === "-"
    ? new StreamSink(Deno.stdout.writable, { format: settings.outputFormat, ...shape })
    : new FileSink(settings.output, {
      format: settings.outputFormat,
      overwrite: files.overwrite,
      root: files.outputRoot,
      ...shape,
    });
}

/** Says whether the run resumes, continues a finished output's open end, or starts. */
function announce(setup: ExtractionSetup, sink: Sink, previous: Checkpoint | undefined): void {
  const { reporter, checkpointPath, plan, connection } = setup;
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
}

/** The extraction itself: `extract()` with progress shown, and what is durable so far. */
class ExtractionPages {
  /** What `extract()` returned, once it returned. */
  result?: ExtractResult;
  /** What it threw. */
  failure?: unknown;
  readonly #setup: ExtractionSetup;
  readonly #job: ExtractionJob;
  /** This run's last progress report. */
  #progress?: ExtractProgress;

  constructor(setup: ExtractionSetup, job: ExtractionJob) {
    this.#setup = setup;
    this.#job = job;
  }

  /**
   * Extracts until the source ends, a signal or the deadline stops the run, or it fails; the
   * progress display runs meanwhile and the control is ended however it ends.
   */
  async run(control: RunControl): Promise<void> {
    const { namesCache } = this.#setup;
    control.start(() => this.#snapshot());
    try {
      this.result = await extract(this.#extractOptions(control));
      // Nothing reads the name cache of a complete job again.
      if (this.result.status === "complete" && namesCache) await removeNameCache(namesCache);
    } catch (error) {
      this.failure = error;
    } finally {
      control.end();
    }
  }

  /** What is durable so far: this run's last progress report, else the checkpoint it resumes. */
  durable(): SavedCounts {
    const { previous } = this.#job;
    return {
      records: this.#progress?.records ?? previous?.records ?? 0,
      pages: this.#progress?.pages ?? previous?.pages ?? 0,
      total: this.#progress?.total ?? previous?.total,
    };
  }

  /**
   * Whether a checkpoint of this job exists: once any page was durable, this run or an earlier
   * one; a page without records (an analytics job announcing its id) counts: it saved one.
   */
  get checkpointed(): boolean {
    return this.#progress !== undefined || this.#job.previous !== undefined;
  }

  /** Removes the `.partial` output of a run that ended before its first durable page. */
  async removeUnusedPartial(): Promise<void> {
    const { partial, partialExisted } = this.#job;
    if (
      this.result?.status !== "complete" && partial !== undefined && !partialExisted &&
      !this.checkpointed
    ) {
      await Deno.remove(partial).catch(() => {});
    }
  }

  /** The options of `extract()`: the source (with names), the sink, the checkpoint and lock. */
  #extractOptions(control: RunControl): ExtractOptions<unknown> {
    const { settings, checkpoint, identity, run } = this.#setup;
    const { sink, lock } = this.#job;
    return {
      source: this.#source(),
      sink,
      checkpoint: checkpoint && { ...checkpoint, lock },
      identity,
      restart: settings.restart,
      signal: control.signal,
      stats: () => run.client.stats,
      onProgress: (p) => this.#onProgress(p, control),
    };
  }

  /** The plan's source; with `--resolve-names`, the listings are read (or taken from the cache) before the first page. */
  #source(): PageSource {
    const { shape, source, run, namesCache, settings, deadlineAt, reporter } = this.#setup;
    if (!shape.names) return source;
    return withNames(source, {
      client: run.client,
      names: shape.names,
      cache: namesCache,
      jobKey: this.#job.jobKey,
      restart: settings.restart,
      deadline: deadlineAt,
      onRead: (listing) => reporter.say(`Reading names from ${listing} (--resolve-names)`),
      onStale: () =>
        reporter.warn(
          `The name cache '${namesCache}' was missing: names were read again and may differ from those in rows already saved`,
        ),
    });
  }

  /** After each durable page: logs what another window owns, samples the rate, shows progress. */
  #onProgress(p: ExtractProgress, control: RunControl): void {
    const { reporter, plan, run } = this.#setup;
    const skipped = p.dropped - (this.#progress?.dropped ?? this.#job.previous?.dropped ?? 0);
    if (skipped > 0) {
      reporter.log.debug(
        `Skipped ${skipped} ${plan.label} that another window owns (they started outside the window read)`,
        { dropped: p.dropped },
      );
    }
    this.#progress = p;
    run.pageSaved(p.recordsThisRun);
    control.flush();
  }

  /** The progress line now: saved counts, this run's records and rate, the client's waits. */
  #snapshot(): ProgressSnapshot {
    const { plan, startedAt, run } = this.#setup;
    const now = Date.now();
    return {
      label: plan.label,
      ...this.durable(),
      recordsThisRun: this.#progress?.recordsThisRun ?? 0,
      elapsedMs: now - startedAt,
      ...run.progress(now),
      ...plan.progress?.(),
    };
  }
}

/** Says how the run ended (a failure's error line first) and gives the exit code. */
function reportEnd(setup: ExtractionSetup, pages: ExtractionPages, control: RunControl): number {
  const { plan, reporter, checkpointPath, resume, run } = setup;
  const ended = control.outcome(pages.result?.status === "complete", pages.failure, run.retrying());
  return reportExtraction(
    { ended, result: pages.result, saved: pages.durable(), checkpointed: pages.checkpointed },
    {
      label: plan.label,
      reporter,
      checkpointPath,
      resume,
      requests: () => run.summary(),
      stats: () => run.client.stats,
    },
  );
}
