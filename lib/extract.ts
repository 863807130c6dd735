/**
 * The extraction engine: pages flow from a {@link PageSource} into a {@link Sink} one at a time;
 * each page is made durable, then checkpointed, so a stopped, failed or killed run resumes
 * exactly after its last durable page and the output equals one clean run's, byte for byte.
 *
 * @module
 */
import type { JsonValue, PageSource, SourceCap, SourcePage } from "./types.ts";
import type { Sink, SinkMark } from "./sink.ts";
import {
  type Checkpoint,
  CHECKPOINT_VERSION,
  type CheckpointStore,
  computeJobKey,
  otherJobMessage,
} from "./checkpoint.ts";
import { type CheckpointLock, tookOverNotice } from "./lock.ts";
import { CheckpointError, UsageError } from "./errors.ts";

/** Request counters the progress events report, read from the client (all optional). */
export interface ExtractCounters {
  /** Requests sent so far (attempts included). */
  requests?: number;
  /**
   * Retries so far: a total, or counts by cause (as in `GenesysClient.stats`), which are summed.
   */
  retries?: number | Readonly<Record<string, number>>;
  /** Token requests so far (the first one and every refresh). */
  tokenRequests?: number;
}

function totalRetries(retries: ExtractCounters["retries"]): number | undefined {
  if (retries === undefined || typeof retries === "number") return retries;
  return Object.values(retries).reduce((sum, n) => sum + n, 0);
}

/** Where the engine keeps its checkpoint. */
export interface ExtractCheckpointOptions {
  /** The store. */
  store: CheckpointStore;
  /** The checkpoint's key in the store: the caller's name for this job's slot. */
  key: string;
  /**
   * The job's lock, when the caller took it already (the CLI does, before its own checks): the
   * run then neither takes nor releases one. Without it, the run takes the store's lock (when
   * the store has `lock`) before reading the checkpoint and releases it when it ends.
   */
  lock?: CheckpointLock;
}

/** A progress report, sent after each durable page. */
export interface ExtractProgress {
  /** Pages of records durable, this run and earlier ones (pages without records not counted). */
  pages: number;
  /** Records durable, this run and earlier ones. */
  records: number;
  /** Records the whole extraction gives, when the source knows. */
  total?: number;
  /** Records read but not kept because another window owns them, this run and earlier ones. */
  dropped: number;
  /** Durable output bytes. */
  bytes: number;
  /** Pages of records written by this run. */
  pagesThisRun: number;
  /** Records written by this run. */
  recordsThisRun: number;
  /** Requests so far (from `stats`). */
  requests?: number;
  /** Retries so far (from `stats`). */
  retries?: number;
  /** Token requests so far (from `stats`). */
  tokenRequests?: number;
  /** Milliseconds since this run started (by `now`). */
  elapsedMs: number;
  /** Records per second written by this run (0 before any time has passed). */
  recordsPerSecond: number;
  /** Whether this run continued an earlier one. */
  resumed: boolean;
}

/** What {@link extract} needs. */
export interface ExtractOptions<T = unknown> {
  /** Where the records come from. */
  source: PageSource<T>;
  /** Where they go. */
  sink: Sink;
  /** Where to keep the checkpoint; without it the run cannot resume. */
  checkpoint?: ExtractCheckpointOptions;
  /**
   * What else identifies the job besides the source's description and the sink's identity, such
   * as the region or org. It is kept in the checkpoint (to say what differs when a resume is
   * refused): never pass a secret here.
   */
  identity?: JsonValue;
  /** Delete any existing checkpoint first and start over (the CLI's `--restart`). */
  restart?: boolean;
  /** Stops the run after the current page (a page still being fetched is abandoned). */
  signal?: AbortSignal;
  /** Called after each durable page. Exceptions thrown here propagate. */
  onProgress?: (progress: ExtractProgress) => void;
  /** Called with notices, such as the stale lock of a killed run taken over. */
  onNotice?: (message: string) => void;
  /** Reads the client's counters for the progress events. */
  stats?: () => ExtractCounters;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
}

/** How a run ended. */
export interface ExtractResult {
  /** `complete`: the output is finished; `stopped`: the signal stopped the run. */
  status: "complete" | "stopped";
  /** The checkpoint said the job was already complete: nothing was read or written. */
  alreadyComplete: boolean;
  /** Whether this run continued an earlier one. */
  resumed: boolean;
  /** Whether a stopped run can be resumed (it has a checkpoint). */
  resumable: boolean;
  /** Pages of records durable, this run and earlier ones (pages without records not counted). */
  pages: number;
  /** Records durable, this run and earlier ones. */
  records: number;
  /** Output bytes. */
  bytes: number;
  /** Pages of records written by this run. */
  pagesThisRun: number;
  /** Records written by this run. */
  recordsThisRun: number;
  /** Records the whole extraction gives, when the source said. */
  total?: number;
  /** Records read but not kept because another window owns them, this run and earlier ones. */
  dropped: number;
  /**
   * Set when the source ended at a documented server cap (see `SourcePage.capped`): the output is
   * finished but holds only what the server gives. Also set on an `alreadyComplete` result.
   */
  capped?: SourceCap;
  /**
   * Set when the output covers the source's range only up to this instant (ISO-8601; an interval
   * clamped to now): running the same job again later continues after it.
   */
  openUntil?: string;
  /** The job key (hash of the arguments). */
  jobKey: string;
  /** The checkpoint's key, when there is a checkpoint. */
  checkpointKey?: string;
  /** Where the checkpoint lives (a file path, a KV key), when there is one. */
  checkpoint?: string;
  /** The output file, when the sink writes one. */
  output?: string;
  /** Milliseconds this run took (by `now`). */
  elapsedMs: number;
}

/**
 * Computes the job key of an extraction: SHA-256 of the source's description and record type,
 * the sink's identity and the caller's identity. A checkpoint with another key is refused.
 *
 * @param options The source, the sink and the identity.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import { extractJobKey } from "./extract.ts";
 * import { MemorySink } from "./sink_memory.ts";
 * import { notStrictEqual } from "node:assert/strict";
 *
 * const source = { description: { path: "/api/v2/users" }, recordType: "user", pages: async function* () {} };
 * const csv = await extractJobKey({ source, sink: new MemorySink({ format: "csv" }) });
 * const jsonl = await extractJobKey({ source, sink: new MemorySink({ format: "jsonl" }) });
 * notStrictEqual(csv, jsonl);
 * ```
 */
export function extractJobKey(
  options: Pick<ExtractOptions, "source" | "sink" | "identity">,
): Promise<string> {
  return computeJobKey(extractJob(options));
}

/**
 * The arguments that identify an extraction, as {@link extractJobKey} hashes them and a
 * checkpoint keeps them (`Checkpoint.job`): the checkpoint format version, the source's
 * description and record type, the sink's identity and the caller's identity.
 *
 * @param options The source, the sink and the identity.
 * @returns The arguments, as JSON.
 *
 * @example
 * ```ts
 * import { extractJob } from "./extract.ts";
 * import { MemorySink } from "./sink_memory.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const source = { description: { path: "/api/v2/users" }, recordType: "user", pages: async function* () {} };
 * deepStrictEqual(extractJob({ source, sink: new MemorySink({ format: "csv" }) }), {
 *   checkpointVersion: 2,
 *   source: { path: "/api/v2/users" },
 *   recordType: "user",
 *   sink: { format: "csv" },
 *   identity: null,
 * });
 * ```
 */
export function extractJob(
  options: Pick<ExtractOptions, "source" | "sink" | "identity">,
): JsonValue {
  return {
    checkpointVersion: CHECKPOINT_VERSION,
    source: options.source.description,
    recordType: options.source.recordType,
    sink: options.sink.identity,
    identity: options.identity ?? null,
  };
}

const ABORTED = Symbol("aborted");

/** Waits for the next page, or for the signal, whichever comes first. */
async function nextOrAbort<T>(
  iterator: AsyncIterator<SourcePage<T>>,
  signal?: AbortSignal,
): Promise<IteratorResult<SourcePage<T>> | typeof ABORTED> {
  const pending = iterator.next();
  if (!signal) return await pending;
  let onAbort = (): void => {};
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const winner = await Promise.race([pending, aborted]);
    // The abandoned page may still settle; its outcome no longer matters.
    if (winner === ABORTED) pending.catch(() => {});
    return winner;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Runs an extraction: reads pages from `source`, writes each to `sink`, makes it durable and
 * saves the checkpoint (page → fsync → checkpoint), until the source ends or `signal` stops it.
 *
 * - One run per job: with a checkpoint, the store's lock is taken first (unless the caller holds
 *   it) and released however the run ends; another live run of the job makes this one fail at
 *   once with a `LockError`, before anything is read or written.
 * - Resume: with a `running` checkpoint of the same job, the sink is truncated to the
 *   checkpoint's bytes and the source continues after its position. A `running` checkpoint of
 *   another job is refused ({@link CheckpointError}); `restart` deletes it first.
 * - Stop: when `signal` aborts, a page already received is written and checkpointed, a page
 *   being fetched is abandoned; the result says `stopped`.
 * - Errors from the source, the sink or the store propagate unchanged; the checkpoint stays at
 *   the last durable page and the partial output is kept for the resume.
 * - Completion: the sink is finished (a file is renamed into place), then the checkpoint is kept
 *   and marked `complete`. Running the same job again returns at once with `alreadyComplete`
 *   (use `restart` to run it again; a file sink then also needs `overwrite`). A `complete`
 *   checkpoint of another job is simply replaced.
 * - Capped: when the source's last page says `capped`, the output is finished as usual and the
 *   result (and the checkpoint, so a rerun says so too) carries the cap.
 * - Open end: when the source's last page says `openUntil`, the output is finished and the
 *   `complete` checkpoint records where to continue. Running the same job again continues the
 *   source from there and appends to the finished output (reopened only once a record arrives,
 *   so a run that finds nothing new or fails early leaves it as it was).
 * - Memory: one page at a time; the next page is requested only after the current one is durable.
 * - Statistics: `dropped` sums the pages' `dropped` (records another window owns) over every run.
 *
 * @param options Source, sink, checkpoint, identity, signal, progress callback, counters, clock.
 * @returns How the run ended, with counts and where the output and checkpoint are.
 * @throws {CheckpointError} When the checkpoint is corrupt or belongs to another job, or the
 * partial output it points to is missing or short.
 * @throws {UsageError} When a checkpoint is combined with a sink that cannot resume (standard
 * output), the sink refuses to overwrite an existing output, or a file is a symbolic link.
 * @throws {LockError} When another run of the job holds its lock, or this run lost it.
 * @throws {StorageError} When a file cannot be written (a full disk; the message names it).
 *
 * @example
 * ```ts
 * import { extract } from "./extract.ts";
 * import { MemoryCheckpointStore } from "./checkpoint.ts";
 * import { MemorySink } from "./sink_memory.ts";
 * import type { PageSource } from "./types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * // A source of 3 pages of 2 records; the position is the number of pages read.
 * const source: PageSource<{ id: number }> = {
 *   description: { demo: "numbers" },
 *   recordType: "number",
 *   async *pages(resumeFrom) {
 *     for (let page = Number(resumeFrom ?? 0); page < 3; page++) {
 *       yield { records: [{ id: page * 2 }, { id: page * 2 + 1 }], position: page + 1, total: 6 };
 *     }
 *   },
 * };
 * const sink = new MemorySink({ format: "jsonl" });
 * const store = new MemoryCheckpointStore();
 * const controller = new AbortController();
 * const first = await extract({
 *   source, sink, checkpoint: { store, key: "demo" }, signal: controller.signal,
 *   onProgress: (p) => { if (p.pages === 2) controller.abort(); },
 * });
 * strictEqual(first.status, "stopped");
 * const second = await extract({ source, sink, checkpoint: { store, key: "demo" } });
 * strictEqual(second.status, "complete");
 * strictEqual(second.resumed, true);
 * strictEqual(second.recordsThisRun, 2);
 * strictEqual(sink.text().split("\n").length - 1, 6);
 * ```
 */
export async function extract<T>(options: ExtractOptions<T>): Promise<ExtractResult> {
  const store = options.checkpoint?.store;
  const key = options.checkpoint?.key;
  if (store && !options.sink.resumable) {
    throw new UsageError(
      `Output '${options.sink.name}' cannot resume, so it cannot be used with a checkpoint; write to a file, or run without a checkpoint`,
    );
  }
  const given = options.checkpoint?.lock;
  const lock = given ?? (store?.lock && key !== undefined ? await store.lock(key) : undefined);
  if (lock?.tookOver && !given) options.onNotice?.(tookOverNotice(lock.location, lock.tookOver));
  try {
    return await run(options);
  } finally {
    if (lock && !given) await lock.release();
  }
}

/** The run itself, under the job's lock. */
async function run<T>(options: ExtractOptions<T>): Promise<ExtractResult> {
  const { source, sink, signal, onProgress, stats } = options;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const job = extractJob(options);
  const jobKey = await computeJobKey(job);
  const store = options.checkpoint?.store;
  const key = options.checkpoint?.key;
  const location = store && key !== undefined ? store.describe(key) : undefined;

  let previous: Checkpoint | undefined;
  if (store && key !== undefined) {
    if (options.restart) await store.delete(key);
    else previous = await store.load(key);
    if (previous && previous.jobKey !== jobKey) {
      if (previous.status === "running") {
        throw new CheckpointError(otherJobMessage(store.describe(key), previous, job));
      }
      previous = undefined; // a finished job of other arguments: nothing to protect
    }
  }

  const base = {
    jobKey,
    checkpointKey: store ? key : undefined,
    checkpoint: location,
    output: sink.path,
  };

  if (previous?.status === "complete" && previous.openEnd === undefined) {
    return {
      ...base,
      status: "complete",
      alreadyComplete: true,
      resumed: false,
      resumable: false,
      pages: previous.pages,
      records: previous.records,
      bytes: previous.bytes,
      pagesThisRun: 0,
      recordsThisRun: 0,
      total: previous.total,
      dropped: previous.dropped ?? 0,
      ...(previous.capped ? { capped: previous.capped } : {}),
      elapsedMs: now() - startedAt,
    };
  }

  const resumed = previous !== undefined;
  // A complete checkpoint with an open end: the finished output grows with this run.
  const openEnd = previous?.status === "complete" ? previous.openEnd : undefined;
  let position: JsonValue = previous ? previous.position : null;
  let pages = previous?.pages ?? 0;
  let records = previous?.records ?? 0;
  let total = previous?.total;
  let dropped = previous?.dropped ?? 0;
  let capped = previous?.capped;
  let openUntil: string | undefined;
  // Where the next page goes (before the format's ending), and the finished output while a
  // continued one is not reopened yet.
  let mark: SinkMark = openEnd
    ? { bytes: openEnd.bytes, state: openEnd.sinkState }
    : previous
    ? { bytes: previous.bytes, state: previous.sinkState }
    : { bytes: 0, state: null };
  let finished: SinkMark | undefined = openEnd
    ? { bytes: previous!.bytes, state: previous!.sinkState }
    : undefined;
  let pagesThisRun = 0;
  let recordsThisRun = 0;
  const createdAt = previous?.createdAt ?? new Date(startedAt).toISOString();

  const checkpointOf = (status: Checkpoint["status"], at: number): Checkpoint => {
    const out = finished ?? mark;
    return {
      version: CHECKPOINT_VERSION,
      jobKey,
      job,
      recordType: source.recordType,
      format: sink.format,
      ...(sink.path !== undefined ? { output: sink.path } : {}),
      position,
      pages,
      records,
      bytes: out.bytes,
      sinkState: out.state,
      ...(total !== undefined ? { total } : {}),
      ...(dropped > 0 ? { dropped } : {}),
      ...(capped ? { capped } : {}),
      ...(status === "complete" && openUntil !== undefined
        ? { openEnd: { until: openUntil, bytes: mark.bytes, sinkState: mark.state } }
        : {}),
      createdAt,
      updatedAt: new Date(at).toISOString(),
      status,
    };
  };

  const result = (status: ExtractResult["status"]): ExtractResult => ({
    ...base,
    status,
    alreadyComplete: false,
    resumed,
    resumable: status === "stopped" && store !== undefined,
    pages,
    records,
    bytes: (finished ?? mark).bytes,
    pagesThisRun,
    recordsThisRun,
    total,
    dropped,
    ...(status === "complete" && capped ? { capped } : {}),
    ...(status === "complete" && openUntil !== undefined ? { openUntil } : {}),
    elapsedMs: now() - startedAt,
  });

  const report = (at: number): void => {
    if (!onProgress) return;
    const elapsedMs = at - startedAt;
    const counters = stats?.() ?? {};
    onProgress({
      pages,
      records,
      total,
      dropped,
      bytes: mark.bytes,
      pagesThisRun,
      recordsThisRun,
      requests: counters.requests,
      retries: totalRetries(counters.retries),
      tokenRequests: counters.tokenRequests,
      elapsedMs,
      recordsPerSecond: elapsedMs > 0 ? (recordsThisRun * 1000) / elapsedMs : 0,
      resumed,
    });
  };

  const open = async (): Promise<void> => {
    await sink.open({ recordType: source.recordType, resume: previous ? mark : undefined });
    finished = undefined;
  };
  // A continued output stays finished until a record arrives for it.
  if (!openEnd) await open();
  let iterator: AsyncIterator<SourcePage<T>> | undefined;
  let exhausted = false;
  try {
    if (signal?.aborted) return result("stopped");
    iterator = source.pages(previous ? previous.position : undefined, signal)[
      Symbol.asyncIterator
    ]();
    while (true) {
      let next: IteratorResult<SourcePage<T>> | typeof ABORTED;
      try {
        next = await nextOrAbort(iterator, signal);
      } catch (error) {
        exhausted = true; // a generator that threw is closed
        if (signal?.aborted) return result("stopped");
        throw error;
      }
      if (next === ABORTED) return result("stopped");
      if (next.done) {
        exhausted = true;
        break;
      }
      const page = next.value;
      if (page.records.length > 0 && finished) await open();
      if (!finished) mark = await sink.write(page.records);
      // A page without records (an analytics job announcing its id, a listing's empty last page)
      // moves the checkpoint but is not counted: users count pages of records.
      if (page.records.length > 0) {
        pages += 1;
        pagesThisRun += 1;
      }
      records += page.records.length;
      recordsThisRun += page.records.length;
      if (page.total !== undefined) total = page.total;
      dropped += page.dropped ?? 0;
      if (page.capped) capped = page.capped;
      openUntil = page.openUntil;
      position = page.position;
      const at = now();
      if (store && key !== undefined) await store.save(key, checkpointOf("running", at));
      report(at);
      if (signal?.aborted) return result("stopped");
    }
    if (!finished) finished = await sink.finish();
    if (store && key !== undefined) {
      await store.save(key, checkpointOf("complete", now()));
    }
    return result("complete");
  } finally {
    await sink.close();
    if (iterator && !exhausted) {
      try {
        await iterator.return?.();
      } catch {
        // the source's own cleanup failed; the run's outcome stands
      }
    }
  }
}
