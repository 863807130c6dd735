/**
 * Resume state for extractions: the {@link Checkpoint} record and the {@link CheckpointStore}
 * interface (with its one-run-per-job lock, from `lock.ts`). Job keys are in `_job_key.ts`,
 * reading a checkpoint back in `checkpoint_json.ts`; the stores in `checkpoint_memory.ts`,
 * `checkpoint_file.ts` and `checkpoint_kv.ts`. A checkpoint never holds a token
 * or a secret: only the job's arguments (the source's description, the sink's identity, the
 * region) and their hash, the source's resume position, counters and the sink's state.
 *
 * @module
 */
import type { JsonValue, SourceCap } from "../types.ts";
import type { CheckpointLock } from "./lock.ts";

/**
 * The checkpoint format version this module writes and reads. Version 2 (issue 11): analytics
 * positions follow the ownership rule (no boundary-dedupe id lists), and checkpoints may carry
 * `dropped`, `capped` and `openEnd`. A version 1 checkpoint is refused with a clear message.
 */
export const CHECKPOINT_VERSION = 2;

/** Where a later run continues a `complete` checkpoint whose source covered its range only so far. */
export interface CheckpointOpenEnd {
  /** The instant the output covers until (ISO-8601), from the source's `openUntil`. */
  until: string;
  /** The output's length before its format's ending: a later run truncates to it and appends. */
  bytes: number;
  /** The sink's state at `bytes`. */
  sinkState: JsonValue;
}

/** Where an extraction stands: enough to resume it exactly after its last durable page. */
export interface Checkpoint {
  /** Format version ({@link CHECKPOINT_VERSION}). */
  version: number;
  /** SHA-256 (hex) of the job's arguments; a resume with other arguments is refused. */
  jobKey: string;
  /**
   * The job's arguments {@link Checkpoint.jobKey} hashes, so a refused resume can say which one
   * differs (see {@link jobDifference}). Absent in checkpoints written before it was added.
   */
  job?: JsonValue;
  /** The record type being extracted, such as `user` (informational). */
  recordType: string;
  /** The output format, such as `jsonl` (informational). */
  format: string;
  /** The final output path, when the output is a file (informational). */
  output?: string;
  /** The source position after the last durable page (see `SourcePage.position`). */
  position: JsonValue;
  /** Pages made durable so far. */
  pages: number;
  /** Records made durable so far. */
  records: number;
  /** The output's durable length in bytes; a resume truncates the partial output to it. */
  bytes: number;
  /** The sink's state after the last durable page, such as the CSV columns. */
  sinkState: JsonValue;
  /** How many records the whole extraction gives, when the source said. */
  total?: number;
  /** Records read but not kept because another window owns them, over every run. */
  dropped?: number;
  /** Set when the source ended at a documented server cap: the output is finished but capped. */
  capped?: SourceCap;
  /**
   * Set on a `complete` checkpoint when the source covered its range only up to an instant (an
   * interval clamped to now): the same job run again continues from `position` instead of
   * answering "already complete".
   */
  openEnd?: CheckpointOpenEnd;
  /** When the job started (ISO 8601). */
  createdAt: string;
  /** When this checkpoint was last saved (ISO 8601). */
  updatedAt: string;
  /** `running` until the output is complete, then `complete`. */
  status: "running" | "complete";
}

/** Loads, saves and deletes checkpoints by key. */
export interface CheckpointStore {
  /**
   * Reads the checkpoint saved under `key`.
   *
   * @param key The checkpoint's key (the caller's name for the job's slot).
   * @returns The checkpoint, or `undefined` when there is none.
   * @throws {CheckpointError} When the stored checkpoint is corrupt.
   */
  load(key: string): Promise<Checkpoint | undefined>;
  /**
   * Saves `checkpoint` under `key`, replacing any earlier one atomically.
   *
   * @param key The checkpoint's key.
   * @param checkpoint The checkpoint to save.
   */
  save(key: string, checkpoint: Checkpoint): Promise<void>;
  /**
   * Deletes the checkpoint under `key` (nothing happens when there is none).
   *
   * @param key The checkpoint's key.
   */
  delete(key: string): Promise<void>;
  /**
   * Names where the checkpoint under `key` lives, for messages: a file path, a KV key.
   *
   * @param key The checkpoint's key.
   * @returns A human-readable location.
   */
  describe(key: string): string;
  /**
   * Takes the job's lock: one run per job at a time. `extract` takes it before reading the
   * checkpoint and releases it when the run ends; a store without this method does not lock.
   *
   * @param key The checkpoint's key.
   * @returns The held lock.
   * @throws {LockError} When another live run holds it.
   */
  lock?(key: string): Promise<CheckpointLock>;
  /**
   * Reads a text document kept beside the checkpoints under `key`, such as a sync's manifest
   * (`sync.ts`). A store without this method and {@link CheckpointStore.saveText} cannot keep one.
   *
   * @param key The document's key (a checkpoint's key space: do not reuse a checkpoint's key).
   * @returns The text, or `undefined` when there is none.
   */
  loadText?(key: string): Promise<string | undefined>;
  /**
   * Saves a text document under `key`, replacing any earlier one atomically (all of it or none of
   * it), under the job's lock when this store took the lock of `key`.
   *
   * @param key The document's key.
   * @param text The text.
   * @throws {LockError} When this store took the lock of `key` and lost it.
   */
  saveText?(key: string, text: string): Promise<void>;
}
