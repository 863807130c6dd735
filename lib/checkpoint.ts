/**
 * Resume state for extractions: the {@link Checkpoint} record, the {@link CheckpointStore}
 * interface (with its one-run-per-job lock, from `lock.ts`, re-exported here), job keys,
 * validation and the in-memory store. The file store is in
 * `checkpoint_file.ts`, the Deno KV store in `checkpoint_kv.ts`. A checkpoint never holds a token
 * or a secret: only the job's arguments (the source's description, the sink's identity, the
 * region) and their hash, the source's resume position, counters and the sink's state.
 *
 * @module
 */
import type { JsonValue, SourceCap } from "./types.ts";
import { CheckpointError } from "./errors.ts";
import { type CheckpointLock, lockHeld, type LockHolder, lockHolder, lockLost } from "./lock.ts";

export * from "./lock.ts";

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

function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(",")}}`;
}

/**
 * Hashes a job's arguments into a job key: SHA-256 (hex) of their canonical JSON (object keys
 * sorted, `undefined` members dropped), so equal arguments give equal keys whatever their order.
 *
 * @param parts What identifies the job: the source's description, the sink's identity, the region.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import { computeJobKey } from "./checkpoint.ts";
 * import { strictEqual, notStrictEqual } from "node:assert/strict";
 *
 * const a = await computeJobKey({ region: "mypurecloud.ie", path: "/api/v2/users" });
 * strictEqual(a, await computeJobKey({ path: "/api/v2/users", region: "mypurecloud.ie" }));
 * notStrictEqual(a, await computeJobKey({ path: "/api/v2/users", region: "mypurecloud.de" }));
 * strictEqual(a.length, 64);
 * ```
 */
export async function computeJobKey(parts: JsonValue): Promise<string> {
  const data = new TextEncoder().encode(canonical(parts));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Where two jobs' arguments differ (see {@link jobDifference}). */
export interface JobDifference {
  /** The member that differs, outermost first, such as `["source", "interval"]`. */
  path: string[];
  /** Its value in the earlier job (`undefined` when it had none). */
  was?: JsonValue;
  /** Its value in this job (`undefined` when it has none). */
  now?: JsonValue;
}

function isRecord(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Finds the first member in which two jobs' arguments differ, descending into objects (in sorted
 * key order) and comparing anything else, arrays included, as a whole.
 *
 * @param was The earlier job's arguments (a checkpoint's {@link Checkpoint.job}).
 * @param now This job's arguments.
 * @param path Where `was` and `now` sit (for the recursion).
 * @returns The difference, or `undefined` when the two are equal.
 *
 * @example
 * ```ts
 * import { jobDifference } from "./checkpoint.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(
 *   jobDifference({ source: { pageSize: 10, path: "/users" } }, { source: { path: "/users", pageSize: 20 } }),
 *   { path: ["source", "pageSize"], was: 10, now: 20 },
 * );
 * strictEqual(jobDifference({ a: [1, 2] }, { a: [1, 2] }), undefined);
 * ```
 */
export function jobDifference(
  was: JsonValue | undefined,
  now: JsonValue | undefined,
  path: string[] = [],
): JobDifference | undefined {
  if (canonical(was) === canonical(now)) return undefined;
  if (isRecord(was) && isRecord(now)) {
    const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].sort();
    for (const key of keys) {
      const found = jobDifference(was[key], now[key], [...path, key]);
      if (found) return found;
    }
  }
  return { path, was, now };
}

/**
 * A job argument's value for a message: a string in quotes, anything else as quoted JSON, cut
 * to 100 characters; `(none)` when absent.
 *
 * @param value The value.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { quoteJobValue } from "./checkpoint.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(quoteJobValue("2026-01-01T00:00:00Z/P1D"), "'2026-01-01T00:00:00Z/P1D'");
 * strictEqual(quoteJobValue({ format: "csv" }), `'{"format":"csv"}'`);
 * strictEqual(quoteJobValue(undefined), "(none)");
 * ```
 */
export function quoteJobValue(value: JsonValue | undefined): string {
  if (value === undefined) return "(none)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `'${text.length > 100 ? `${text.slice(0, 99)}…` : text}'`;
}

/**
 * Why a running checkpoint of another job is refused: which argument differs and its two values
 * (when the checkpoint keeps its {@link Checkpoint.job}), and how to go on.
 *
 * @param location Where the checkpoint is.
 * @param previous The refused checkpoint.
 * @param job This run's arguments.
 * @param name How to name a differing member for the reader (default `its a.b`).
 * @returns The message.
 *
 * @example
 * ```ts
 * import { otherJobMessage } from "./checkpoint.ts";
 * import type { Checkpoint } from "./checkpoint.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const previous = { job: { source: { pageSize: 10 } } } as unknown as Checkpoint;
 * strictEqual(
 *   otherJobMessage("memory:users", previous, { source: { pageSize: 20 } }),
 *   "Checkpoint 'memory:users' belongs to another job: its source.pageSize was '10' there and is '20' now; run with the same arguments to resume it, or use --restart or delete it to start over",
 * );
 * ```
 */
export function otherJobMessage(
  location: string,
  previous: Checkpoint,
  job: JsonValue,
  name: (path: readonly string[]) => string = (path) => `its ${path.join(".")}`,
): string {
  const difference = previous.job !== undefined ? jobDifference(previous.job, job) : undefined;
  const what = difference
    ? `: ${name(difference.path)} was ${quoteJobValue(difference.was)} there and is ${
      quoteJobValue(difference.now)
    } now`
    : " (its region, query, options or output format differ)";
  return `Checkpoint '${location}' belongs to another job${what}; run with the same arguments to resume it, or use --restart or delete it to start over`;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks that `value` is a usable checkpoint and returns it typed.
 *
 * @param value A parsed checkpoint (from JSON or a KV entry).
 * @param location Where it was read from, for the error message.
 * @returns The checkpoint.
 * @throws {CheckpointError} When a field is missing or has the wrong type, or the version is not
 * {@link CHECKPOINT_VERSION} (version 1: written by an earlier version, which the message says);
 * the message names the location and how to start over.
 *
 * @example
 * ```ts
 * import { validateCheckpoint } from "./checkpoint.ts";
 * import { CheckpointError } from "./errors.ts";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => validateCheckpoint({ version: 99 }, "job.json"), CheckpointError);
 * ```
 */
export function validateCheckpoint(value: unknown, location: string): Checkpoint {
  const fail = (reason: string): never => {
    throw new CheckpointError(
      `Checkpoint '${location}' is corrupt: ${reason}; delete it or use --restart to start over`,
    );
  };
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail("it is not a JSON object");
  }
  const cp = value as Record<string, unknown>;
  if (cp.version === 1) {
    const fix = cp.status === "complete"
      ? "use --restart (or delete it) to extract again"
      : "finish it with the version that wrote it, or use --restart (or delete it) to start over";
    throw new CheckpointError(
      `Checkpoint '${location}' was written by an earlier version of this toolkit (checkpoint format 1), whose resume positions this version cannot continue exactly (conversations now belong to the window they started in); ${fix}`,
    );
  }
  if (cp.version !== CHECKPOINT_VERSION) {
    return fail(`version '${String(cp.version)}' is not '${CHECKPOINT_VERSION}'`);
  }
  if (typeof cp.jobKey !== "string" || !/^[0-9a-f]{64}$/.test(cp.jobKey)) {
    fail("'jobKey' is missing or malformed");
  }
  for (const field of ["recordType", "format", "createdAt", "updatedAt"]) {
    if (typeof cp[field] !== "string") fail(`'${field}' is missing or not a string`);
  }
  if (cp.output !== undefined && typeof cp.output !== "string") fail("'output' is not a string");
  if (!("position" in cp)) fail("'position' is missing");
  if (!("sinkState" in cp)) fail("'sinkState' is missing");
  for (const field of ["pages", "records", "bytes"]) {
    if (!isCount(cp[field])) fail(`'${field}' is missing or not a non-negative integer`);
  }
  if (cp.total !== undefined && !isCount(cp.total)) fail("'total' is not a non-negative integer");
  if (cp.dropped !== undefined && !isCount(cp.dropped)) {
    fail("'dropped' is not a non-negative integer");
  }
  if (cp.capped !== undefined) {
    const c = cp.capped as Record<string, unknown>;
    if (
      typeof c !== "object" || c === null || !isCount(c.limit) || typeof c.description !== "string"
    ) {
      fail("'capped' is not { limit, description }");
    }
  }
  if (cp.openEnd !== undefined) {
    const o = cp.openEnd as Record<string, unknown>;
    if (
      typeof o !== "object" || o === null || typeof o.until !== "string" || !isCount(o.bytes) ||
      !("sinkState" in o)
    ) {
      fail("'openEnd' is not { until, bytes, sinkState }");
    }
  }
  if (cp.status !== "running" && cp.status !== "complete") {
    fail(`'status' is '${String(cp.status)}', not 'running' or 'complete'`);
  }
  return cp as unknown as Checkpoint;
}

/**
 * Parses checkpoint JSON text and validates it (see {@link validateCheckpoint}).
 *
 * @param text The stored text.
 * @param location Where it was read from, for the error message.
 * @returns The checkpoint.
 * @throws {CheckpointError} When the text is not JSON or not a valid checkpoint.
 *
 * @example
 * ```ts
 * import { parseCheckpoint } from "./checkpoint.ts";
 * import { CheckpointError } from "./errors.ts";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => parseCheckpoint("{not json", "users.checkpoint.json"), CheckpointError);
 * ```
 */
export function parseCheckpoint(text: string, location: string): Checkpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CheckpointError(
      `Checkpoint '${location}' is corrupt: it is not valid JSON; delete it or use --restart to start over`,
    );
  }
  return validateCheckpoint(value, location);
}

/**
 * Keeps checkpoints in memory (a copy of each, as JSON): for tests, and for jobs that need no
 * resume across processes.
 *
 * @example
 * ```ts
 * import { MemoryCheckpointStore, type Checkpoint } from "./checkpoint.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const store = new MemoryCheckpointStore();
 * const cp: Checkpoint = {
 *   version: 2, jobKey: "0".repeat(64), recordType: "user", format: "jsonl",
 *   position: { pageNumber: 2 }, pages: 2, records: 200, bytes: 51200, sinkState: null,
 *   createdAt: "2024-01-01T00:00:00.000Z", updatedAt: "2024-01-01T00:00:05.000Z",
 *   status: "running",
 * };
 * await store.save("users", cp);
 * deepStrictEqual(await store.load("users"), cp);
 * await store.delete("users");
 * strictEqual(await store.load("users"), undefined);
 * ```
 */
export class MemoryCheckpointStore implements CheckpointStore {
  #entries = new Map<string, string>();
  #locks = new Map<string, LockHolder>();

  /**
   * Takes the lock of `key` in this store (one holder at a time).
   *
   * @param key The checkpoint's key.
   * @returns The held lock.
   * @throws {LockError} When it is held already.
   */
  lock(key: string): Promise<CheckpointLock> {
    const location = `${this.describe(key)}#lock`;
    const owner = this.#locks.get(key);
    if (owner) return Promise.reject(lockHeld(location, owner));
    const holder = lockHolder();
    this.#locks.set(key, holder);
    const release = (): void => {
      if (this.#locks.get(key) === holder) this.#locks.delete(key);
    };
    return Promise.resolve({
      location,
      holder,
      verify: () =>
        this.#locks.get(key) === holder ? Promise.resolve() : Promise.reject(lockLost(location)),
      release: () => Promise.resolve(release()),
      releaseSync: release,
      [Symbol.asyncDispose]: () => Promise.resolve(release()),
    });
  }

  /**
   * Reads a checkpoint.
   *
   * @param key The checkpoint's key.
   * @returns A copy of the saved checkpoint, or `undefined`.
   * @throws {CheckpointError} When the stored text is corrupt (see {@link MemoryCheckpointStore.setRaw}).
   */
  load(key: string): Promise<Checkpoint | undefined> {
    const text = this.#entries.get(key);
    if (text === undefined) return Promise.resolve(undefined);
    try {
      return Promise.resolve(parseCheckpoint(text, this.describe(key)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Saves a copy of a checkpoint.
   *
   * @param key The checkpoint's key.
   * @param checkpoint The checkpoint.
   */
  save(key: string, checkpoint: Checkpoint): Promise<void> {
    this.#entries.set(key, JSON.stringify(checkpoint));
    return Promise.resolve();
  }

  /**
   * Deletes a checkpoint.
   *
   * @param key The checkpoint's key.
   */
  delete(key: string): Promise<void> {
    this.#entries.delete(key);
    return Promise.resolve();
  }

  /**
   * Names a checkpoint for messages.
   *
   * @param key The checkpoint's key.
   * @returns `memory:<key>`.
   */
  describe(key: string): string {
    return `memory:${key}`;
  }

  /**
   * Reads a text document (see {@link CheckpointStore.loadText}).
   *
   * @param key The document's key.
   * @returns The text, or `undefined`.
   */
  loadText(key: string): Promise<string | undefined> {
    return Promise.resolve(this.#entries.get(key));
  }

  /**
   * Saves a text document (see {@link CheckpointStore.saveText}).
   *
   * @param key The document's key.
   * @param text The text.
   */
  saveText(key: string, text: string): Promise<void> {
    this.#entries.set(key, text);
    return Promise.resolve();
  }

  /**
   * Stores raw text under `key`, as a damaged store would hold it (for tests).
   *
   * @param key The checkpoint's key.
   * @param text Any text.
   */
  setRaw(key: string, text: string): void {
    this.#entries.set(key, text);
  }

  /**
   * Reads the raw text stored under `key` (for tests and inspection).
   *
   * @param key The checkpoint's key.
   * @returns The JSON text, or `undefined`.
   */
  getRaw(key: string): string | undefined {
    return this.#entries.get(key);
  }
}
