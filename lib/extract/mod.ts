/**
 * The extraction engine and what it writes to: {@link extract} moves pages from a source into a
 * sink one at a time, each made durable and then checkpointed, so a stopped, failed or killed run
 * resumes exactly after its last durable page. Sinks write JSONL, CSV or JSON to a file
 * ({@link FileSink}), a stream or memory; checkpoint stores keep the resume state in a file, Deno
 * KV or memory, with a lock per job. {@link syncDays} and {@link syncSnapshot} keep a folder of
 * one output per UTC day up to date on a schedule.
 *
 * @example A resumable extraction into memory
 * ```ts
 * import { extract, MemoryCheckpointStore, MemorySink } from "./mod.ts";
 * import type { PageSource } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const source: PageSource<{ id: number }> = {
 *   description: { demo: "numbers" },
 *   recordType: "number",
 *   async *pages(resumeFrom) {
 *     for (let page = Number(resumeFrom ?? 0); page < 3; page++) {
 *       yield { records: [{ id: page }], position: page + 1 };
 *     }
 *   },
 * };
 * const sink = new MemorySink({ format: "jsonl" });
 * const result = await extract({
 *   source,
 *   sink,
 *   checkpoint: { store: new MemoryCheckpointStore(), key: "numbers" },
 * });
 * strictEqual(result.records, 3);
 * strictEqual(sink.text(), '{"id":0}\n{"id":1}\n{"id":2}\n');
 * ```
 *
 * @module
 */

export { extract } from "./extract.ts";
export type { ExtractOptions, ExtractResult } from "./extract_types.ts";
export type {
  ExtractCheckpointOptions,
  ExtractCounters,
  ExtractProgress,
} from "./extract_types.ts";
export type { Checkpoint, CheckpointOpenEnd, CheckpointStore } from "./checkpoint.ts";
export { parseCheckpoint } from "./checkpoint_json.ts";
export { MemoryCheckpointStore } from "./checkpoint_memory.ts";
export { FileCheckpointStore } from "./checkpoint_file.ts";
export type { FileCheckpointStoreOptions } from "./checkpoint_file.ts";
export { KvCheckpointStore } from "./checkpoint_kv.ts";
export type { KvCheckpointStoreOptions } from "./checkpoint_kv.ts";
export type { KvAtomicLike, KvKeyPart, KvLike } from "./kv_like.ts";
export { lockHolder } from "./lock.ts";
export type { CheckpointLock, LockHolder } from "./lock.ts";
export { FileSink, sinkIdentity } from "./sink.ts";
export type { FileSinkOptions, Sink, SinkMark, SinkOpenOptions, SinkOptions } from "./sink.ts";
export { MemorySink } from "./sink_memory.ts";
export { StreamSink } from "./sink_stream.ts";
export type { StreamSinkOptions } from "./sink_stream.ts";
export { createRecordEncoder } from "./format.ts";
export type { OutputFormat, RecordEncoder, RecordEncoderOptions } from "./format.ts";
export { syncDays } from "./sync.ts";
export type { SyncDaysOptions, SyncResult } from "./sync.ts";
export { syncSnapshot } from "./sync_snapshot.ts";
export type { SyncSnapshotOptions, SyncSnapshotResult } from "./sync_snapshot.ts";
export type {
  SyncCommonOptions,
  SyncDayPlan,
  SyncDayResult,
  SyncDayStart,
  SyncProgress,
} from "./sync_types.ts";
export { FileSyncOutput, MemorySyncOutput } from "./sync_output.ts";
export type { FileSyncOutputOptions, SyncDayKind, SyncOutput } from "./sync_output.ts";
export { readSyncManifest } from "./sync_manifest.ts";
export type { ManifestPlace, SyncEntry, SyncManifest, SyncVia } from "./sync_manifest.ts";
export { formatSyncDay, planSyncDays } from "./sync_plan.ts";
export type { SyncPlan, SyncPlanOptions } from "./sync_plan.ts";
export { viaCosts, viaCrossover } from "./sync_via.ts";
export type { SyncViaOption, ViaCosts, ViaCostSettings } from "./sync_via.ts";
