/**
 * The steps of one extraction run under the job's lock ({@link extract}): load the previous
 * checkpoint of the job, return at once when it is complete, open the sink where the checkpoint
 * stands, then page by page write, count, checkpoint and report, and finish the output.
 *
 * @module
 */
import type { JsonValue, SourcePage } from "../types.ts";
import type { SinkMark } from "./sink.ts";
import { type Checkpoint, CHECKPOINT_VERSION } from "./checkpoint.ts";
import { computeJobKey, extractJob, otherJobMessage } from "./_job_key.ts";
import { CheckpointError } from "../errors.ts";
import type { ExtractCounters, ExtractOptions, ExtractResult } from "./extract_types.ts";

/** What every result of a run carries: the job and where the output and checkpoint are. */
type ResultBase = Pick<ExtractResult, "jobKey" | "checkpointKey" | "checkpoint" | "output">;

/**
 * Runs an extraction under the job's lock (see {@link extract}).
 *
 * @param options The extraction's options.
 * @returns How the run ended.
 */
export async function run<T>(options: ExtractOptions<T>): Promise<ExtractResult> {
  const { source, sink, signal } = options;
  const now = options.clock?.now ?? Date.now;
  const startedAt = now();
  const job = extractJob(options);
  const jobKey = await computeJobKey(job);
  const store = options.checkpoint?.store;
  const key = options.checkpoint?.key;
  const previous = await loadPrevious(options, job, jobKey);
  const base: ResultBase = {
    jobKey,
    checkpointKey: store ? key : undefined,
    checkpoint: store && key !== undefined ? store.describe(key) : undefined,
    output: sink.path,
  };
  if (previous?.status === "complete" && previous.openEnd === undefined) {
    return alreadyComplete(base, previous, now() - startedAt);
  }
  const state = new ExtractRun(options, job, base, startedAt, previous);
  // A continued output stays finished until a record arrives for it.
  if (!state.openEnd) await state.open();
  let iterator: AsyncIterator<SourcePage<T>> | undefined;
  let exhausted = false;
  try {
    if (signal?.aborted) return state.result("stopped");
    iterator = source.pages(previous ? previous.position : undefined, signal)[
      Symbol.asyncIterator
    ]();
    while (true) {
      let next: IteratorResult<SourcePage<T>> | typeof ABORTED;
      try {
        next = await nextOrAbort(iterator, signal);
      } catch (error) {
        exhausted = true; // a generator that threw is closed
        if (signal?.aborted) return state.result("stopped");
        throw error;
      }
      if (next === ABORTED) return state.result("stopped");
      if (next.done) {
        exhausted = true;
        break;
      }
      await state.write(next.value);
      const at = now();
      await state.save("running", at);
      state.report(at);
      if (signal?.aborted) return state.result("stopped");
    }
    await state.finish();
    await state.save("complete", now());
    return state.result("complete");
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

/**
 * The job's checkpoint from an earlier run (deleted first on `restart`). A finished checkpoint
 * of other arguments is ignored; a running one is refused.
 *
 * @throws {CheckpointError} When a running checkpoint belongs to another job.
 */
async function loadPrevious(
  options: ExtractOptions<unknown>,
  job: JsonValue,
  jobKey: string,
): Promise<Checkpoint | undefined> {
  const store = options.checkpoint?.store;
  const key = options.checkpoint?.key;
  if (!store || key === undefined) return undefined;
  if (options.restart) {
    await store.delete(key);
    return undefined;
  }
  const previous = await store.load(key);
  if (!previous || previous.jobKey === jobKey) return previous;
  if (previous.status === "running") {
    throw new CheckpointError(otherJobMessage(store.describe(key), previous, job));
  }
  return undefined; // a finished job of other arguments: nothing to protect
}

/** The result of a run that finds its job complete: nothing is read or written. */
function alreadyComplete(
  base: ResultBase,
  previous: Checkpoint,
  elapsedMs: number,
): ExtractResult {
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
    elapsedMs,
  };
}

/** The counters and the output's state of one run, and what it writes, saves and reports. */
class ExtractRun<T> {
  /** The previous checkpoint's open end: the finished output grows with this run. */
  readonly openEnd: Checkpoint["openEnd"];
  readonly #options: ExtractOptions<T>;
  readonly #job: JsonValue;
  readonly #base: ResultBase;
  readonly #startedAt: number;
  readonly #now: () => number;
  readonly #resumed: boolean;
  readonly #createdAt: string;
  #position: JsonValue;
  #pages: number;
  #records: number;
  #total?: number;
  #dropped: number;
  #capped: Checkpoint["capped"];
  #openUntil?: string;
  /** Where the next page goes (before the format's ending). */
  #mark: SinkMark;
  /** The finished output, while a continued one is not reopened yet. */
  #finished?: SinkMark;
  #pagesThisRun = 0;
  #recordsThisRun = 0;

  constructor(
    options: ExtractOptions<T>,
    job: JsonValue,
    base: ResultBase,
    startedAt: number,
    previous: Checkpoint | undefined,
  ) {
    this.#options = options;
    this.#job = job;
    this.#base = base;
    this.#startedAt = startedAt;
    this.#now = options.clock?.now ?? Date.now;
    this.#resumed = previous !== undefined;
    // A complete checkpoint with an open end: the finished output grows with this run.
    this.openEnd = previous?.status === "complete" ? previous.openEnd : undefined;
    this.#position = previous ? previous.position : null;
    this.#pages = previous?.pages ?? 0;
    this.#records = previous?.records ?? 0;
    this.#total = previous?.total;
    this.#dropped = previous?.dropped ?? 0;
    this.#capped = previous?.capped;
    this.#mark = this.openEnd
      ? { bytes: this.openEnd.bytes, state: this.openEnd.sinkState }
      : previous
      ? { bytes: previous.bytes, state: previous.sinkState }
      : { bytes: 0, state: null };
    this.#finished = this.openEnd
      ? { bytes: previous!.bytes, state: previous!.sinkState }
      : undefined;
    this.#createdAt = previous?.createdAt ?? new Date(startedAt).toISOString();
  }

  /** Opens the sink where the checkpoint stands (from the start without one). */
  async open(): Promise<void> {
    const { sink, source } = this.#options;
    await sink.open({
      recordType: source.recordType,
      resume: this.#resumed ? this.#mark : undefined,
    });
    this.#finished = undefined;
  }

  /**
   * Writes a page (reopening a continued output once a record arrives) and counts it.
   *
   * @param page The page.
   */
  async write(page: SourcePage<T>): Promise<void> {
    if (page.records.length > 0 && this.#finished) await this.open();
    if (!this.#finished) this.#mark = await this.#options.sink.write(page.records);
    // A page without records (an analytics job announcing its id, a listing's empty last page)
    // moves the checkpoint but is not counted: users count pages of records.
    if (page.records.length > 0) {
      this.#pages += 1;
      this.#pagesThisRun += 1;
    }
    this.#records += page.records.length;
    this.#recordsThisRun += page.records.length;
    if (page.total !== undefined) this.#total = page.total;
    this.#dropped += page.dropped ?? 0;
    if (page.capped) this.#capped = page.capped;
    this.#openUntil = page.openUntil;
    this.#position = page.position;
  }

  /** Finishes the output (a file is renamed into place), unless it is still finished. */
  async finish(): Promise<void> {
    if (!this.#finished) this.#finished = await this.#options.sink.finish();
  }

  /**
   * Saves the checkpoint of the run so far, when the run has a store.
   *
   * @param status `running`, or `complete` once the output is finished.
   * @param at The time, epoch ms.
   */
  async save(status: Checkpoint["status"], at: number): Promise<void> {
    const store = this.#options.checkpoint?.store;
    const key = this.#options.checkpoint?.key;
    if (store && key !== undefined) await store.save(key, this.#checkpointOf(status, at));
  }

  /** The checkpoint of the run so far. */
  #checkpointOf(status: Checkpoint["status"], at: number): Checkpoint {
    const { source, sink } = this.#options;
    const out = this.#finished ?? this.#mark;
    const total = this.#total;
    const capped = this.#capped;
    const openUntil = this.#openUntil;
    return {
      version: CHECKPOINT_VERSION,
      jobKey: this.#base.jobKey,
      job: this.#job,
      recordType: source.recordType,
      format: sink.format,
      ...(sink.path !== undefined ? { output: sink.path } : {}),
      position: this.#position,
      pages: this.#pages,
      records: this.#records,
      bytes: out.bytes,
      sinkState: out.state,
      ...(total !== undefined ? { total } : {}),
      ...(this.#dropped > 0 ? { dropped: this.#dropped } : {}),
      ...(capped ? { capped } : {}),
      ...(status === "complete" && openUntil !== undefined
        ? { openEnd: { until: openUntil, bytes: this.#mark.bytes, sinkState: this.#mark.state } }
        : {}),
      createdAt: this.#createdAt,
      updatedAt: new Date(at).toISOString(),
      status,
    };
  }

  /**
   * The result of the run.
   *
   * @param status How it ended.
   * @returns The result.
   */
  result(status: ExtractResult["status"]): ExtractResult {
    const capped = this.#capped;
    const openUntil = this.#openUntil;
    return {
      ...this.#base,
      status,
      alreadyComplete: false,
      resumed: this.#resumed,
      resumable: status === "stopped" && this.#options.checkpoint?.store !== undefined,
      pages: this.#pages,
      records: this.#records,
      bytes: (this.#finished ?? this.#mark).bytes,
      pagesThisRun: this.#pagesThisRun,
      recordsThisRun: this.#recordsThisRun,
      total: this.#total,
      dropped: this.#dropped,
      ...(status === "complete" && capped ? { capped } : {}),
      ...(status === "complete" && openUntil !== undefined ? { openUntil } : {}),
      elapsedMs: this.#now() - this.#startedAt,
    };
  }

  /**
   * Tells `onProgress` where the run stands.
   *
   * @param at The time, epoch ms.
   */
  report(at: number): void {
    const { onProgress, stats } = this.#options;
    if (!onProgress) return;
    const elapsedMs = at - this.#startedAt;
    const counters = stats?.() ?? {};
    onProgress({
      pages: this.#pages,
      records: this.#records,
      total: this.#total,
      dropped: this.#dropped,
      bytes: this.#mark.bytes,
      pagesThisRun: this.#pagesThisRun,
      recordsThisRun: this.#recordsThisRun,
      requests: counters.requests,
      retries: totalRetries(counters.retries),
      tokenRequests: counters.tokenRequests,
      elapsedMs,
      recordsPerSecond: elapsedMs > 0 ? (this.#recordsThisRun * 1000) / elapsedMs : 0,
      resumed: this.#resumed,
    });
  }
}

function totalRetries(retries: ExtractCounters["retries"]): number | undefined {
  if (retries === undefined || typeof retries === "number") return retries;
  return Object.values(retries).reduce((sum, n) => sum + n, 0);
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
