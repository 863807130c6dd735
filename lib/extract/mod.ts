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

export * from "./extract.ts";
export * from "./checkpoint.ts";
export * from "./checkpoint_json.ts";
export * from "./checkpoint_memory.ts";
export * from "./checkpoint_file.ts";
export * from "./checkpoint_kv.ts";
export * from "./lock.ts";
export * from "./sink.ts";
export * from "./sink_memory.ts";
export * from "./sink_stream.ts";
export * from "./format.ts";
export * from "./sync.ts";
export * from "./sync_plan.ts";
export * from "./sync_types.ts";
export * from "./sync_snapshot.ts";
export * from "./sync_manifest.ts";
export * from "./sync_output.ts";
export * from "./sync_via.ts";
