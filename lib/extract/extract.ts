/**
 * The extraction engine: pages flow from a {@link PageSource} into a {@link Sink} one at a time;
 * each page is made durable, then checkpointed, so a stopped, failed or killed run resumes
 * exactly after its last durable page and the output equals one clean run's, byte for byte.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { tookOverNotice } from "./lock.ts";
import type { ExtractOptions, ExtractResult } from "./extract_types.ts";
import { run } from "./_run.ts";

export type {
  ExtractCheckpointOptions,
  ExtractCounters,
  ExtractOptions,
  ExtractProgress,
  ExtractResult,
} from "./extract_types.ts";

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
 * import { MemoryCheckpointStore } from "./checkpoint_memory.ts";
 * import { MemorySink } from "./sink_memory.ts";
 * import type { PageSource } from "../types.ts";
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
