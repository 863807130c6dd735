/**
 * Resume state for extractions: the {@link Checkpoint} record, the {@link CheckpointStore}
 * interface and three stores: a file store (atomic: temp file, fsync, rename), a Deno KV store
 * (for Deno Deploy) and an in-memory store. A checkpoint never holds a token or a secret: only a
 * hash of the job's arguments, the source's resume position, counters and the sink's state.
 *
 * @module
 */
import type { JsonValue } from "./client.ts";
import { CheckpointError } from "./errors.ts";

/** The checkpoint format version this module writes and reads. */
export const CHECKPOINT_VERSION = 1;

/** Where an extraction stands: enough to resume it exactly after its last durable page. */
export interface Checkpoint {
  /** Format version ({@link CHECKPOINT_VERSION}). */
  version: number;
  /** SHA-256 (hex) of the job's arguments; a resume with other arguments is refused. */
  jobKey: string;
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
 * {@link CHECKPOINT_VERSION}; the message names the location and how to start over.
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
  if (cp.status !== "running" && cp.status !== "complete") {
    fail(`'status' is '${String(cp.status)}', not 'running' or 'complete'`);
  }
  return cp as unknown as Checkpoint;
}

function parseCheckpoint(text: string, location: string): Checkpoint {
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
 *   version: 1, jobKey: "0".repeat(64), recordType: "user", format: "jsonl",
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

/** Options of a {@link FileCheckpointStore}. */
export interface FileCheckpointStoreOptions {
  /** Appended to the encoded key to form the file name. Default `.checkpoint.json`. */
  suffix?: string;
}

function encodeKey(key: string): string {
  if (key === "" || key === "." || key === "..") {
    throw new CheckpointError(`Checkpoint key '${key}' is not usable as a file name`);
  }
  let out = "";
  for (const byte of new TextEncoder().encode(key)) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") || dir.endsWith("\\") ? dir + name : `${dir}/${name}`;
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes a rename durable on POSIX; directories cannot be opened this way on Windows.
  try {
    using handle = await Deno.open(dir, { read: true });
    await handle.sync();
  } catch {
    // best effort
  }
}

/**
 * Keeps each checkpoint in a JSON file, `<directory>/<key><suffix>`, written atomically: a temp
 * file in the same directory, fsync, rename over the old one, fsync of the directory. Characters
 * of the key other than `A-Z a-z 0-9 . _ -` are percent-encoded in the file name.
 *
 * @example
 * ```ts
 * import { FileCheckpointStore } from "./checkpoint.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const store = new FileCheckpointStore("checkpoints");
 * strictEqual(store.pathFor("users eu"), "checkpoints/users%20eu.checkpoint.json");
 * ```
 */
export class FileCheckpointStore implements CheckpointStore {
  /** The directory holding the checkpoint files (created on the first save). */
  readonly directory: string;
  readonly #suffix: string;

  /**
   * Creates the store; nothing is read or written yet.
   *
   * @param directory The directory for the checkpoint files.
   * @param options The file-name suffix.
   */
  constructor(directory: string, options: FileCheckpointStoreOptions = {}) {
    this.directory = directory;
    this.#suffix = options.suffix ?? ".checkpoint.json";
  }

  /**
   * The file that holds the checkpoint under `key`: what the CLI shows the user.
   *
   * @param key The checkpoint's key.
   * @returns The file path.
   * @throws {CheckpointError} For an empty key, `.` or `..`.
   */
  pathFor(key: string): string {
    return joinPath(this.directory, encodeKey(key) + this.#suffix);
  }

  /**
   * Names a checkpoint for messages.
   *
   * @param key The checkpoint's key.
   * @returns The file path.
   */
  describe(key: string): string {
    return this.pathFor(key);
  }

  /**
   * Reads a checkpoint file.
   *
   * @param key The checkpoint's key.
   * @returns The checkpoint, or `undefined` when the file does not exist.
   * @throws {CheckpointError} When the file is not a valid checkpoint.
   */
  async load(key: string): Promise<Checkpoint | undefined> {
    const path = this.pathFor(key);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    return parseCheckpoint(text, path);
  }

  /**
   * Writes a checkpoint file atomically (temp file, fsync, rename, directory fsync).
   *
   * @param key The checkpoint's key.
   * @param checkpoint The checkpoint.
   */
  async save(key: string, checkpoint: Checkpoint): Promise<void> {
    const path = this.pathFor(key);
    await Deno.mkdir(this.directory, { recursive: true });
    const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    const data = new TextEncoder().encode(JSON.stringify(checkpoint, null, 2) + "\n");
    try {
      {
        using file = await Deno.open(temp, { write: true, create: true, truncate: true });
        let written = 0;
        while (written < data.length) written += await file.write(data.subarray(written));
        await file.sync();
      }
      await Deno.rename(temp, path);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
    await syncDirectory(this.directory);
  }

  /**
   * Deletes a checkpoint file.
   *
   * @param key The checkpoint's key.
   */
  async delete(key: string): Promise<void> {
    try {
      await Deno.remove(this.pathFor(key));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}

/** One part of a Deno KV key. */
export type KvKeyPart = string | number | bigint | boolean | Uint8Array;

/**
 * The part of `Deno.Kv` that {@link KvCheckpointStore} uses. A `Deno.Kv` from `Deno.openKv()`
 * fits it; declaring it structurally keeps this module loadable where KV is unstable or absent.
 */
export interface KvLike {
  /**
   * Reads one entry.
   *
   * @param key The entry's key.
   */
  get(key: readonly KvKeyPart[]): Promise<{ value: unknown }>;
  /**
   * Writes one entry.
   *
   * @param key The entry's key.
   * @param value The value (structured-cloneable).
   */
  set(key: readonly KvKeyPart[], value: unknown): Promise<unknown>;
  /**
   * Deletes one entry.
   *
   * @param key The entry's key.
   */
  delete(key: readonly KvKeyPart[]): Promise<void>;
}

/** Deno KV refuses values above 64 KiB; a checkpoint this large is refused with a clear message. */
const KV_VALUE_LIMIT = 60_000;

/**
 * Keeps checkpoints in Deno KV under `[...prefix, key]` (as JSON text): works on Deno Deploy,
 * where there is no persistent disk. Each save is one atomic KV write.
 *
 * @example
 * ```ts
 * import { KvCheckpointStore, type KvLike } from "./checkpoint.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * // In production: new KvCheckpointStore(await Deno.openKv(), ["exports"])
 * const map = new Map<string, unknown>();
 * const kv: KvLike = {
 *   get: (key) => Promise.resolve({ value: map.get(JSON.stringify(key)) ?? null }),
 *   set: (key, value) => Promise.resolve(void map.set(JSON.stringify(key), value)),
 *   delete: (key) => Promise.resolve(void map.delete(JSON.stringify(key))),
 * };
 * const store = new KvCheckpointStore(kv, ["exports"]);
 * strictEqual(await store.load("users"), undefined);
 * strictEqual(store.describe("users"), 'kv:["exports","users"]');
 * ```
 */
export class KvCheckpointStore implements CheckpointStore {
  readonly #kv: KvLike;
  /** The key prefix; a checkpoint lives at `[...prefix, key]`. */
  readonly prefix: readonly KvKeyPart[];

  /**
   * Creates the store.
   *
   * @param kv An open `Deno.Kv` (or anything shaped like it).
   * @param prefix The key prefix. Default `["genesys-batch", "checkpoints"]`.
   */
  constructor(kv: KvLike, prefix: readonly KvKeyPart[] = ["genesys-batch", "checkpoints"]) {
    this.#kv = kv;
    this.prefix = [...prefix];
  }

  #key(key: string): KvKeyPart[] {
    return [...this.prefix, key];
  }

  /**
   * Names a checkpoint for messages.
   *
   * @param key The checkpoint's key.
   * @returns `kv:` and the KV key as JSON (bigint and byte parts shown as strings).
   */
  describe(key: string): string {
    const parts = this.#key(key).map((p) =>
      typeof p === "bigint" ? `${p}n` : p instanceof Uint8Array ? `bytes(${p.length})` : p
    );
    return `kv:${JSON.stringify(parts)}`;
  }

  /**
   * Reads a checkpoint entry.
   *
   * @param key The checkpoint's key.
   * @returns The checkpoint, or `undefined` when there is no entry.
   * @throws {CheckpointError} When the entry is not a valid checkpoint.
   */
  async load(key: string): Promise<Checkpoint | undefined> {
    const entry = await this.#kv.get(this.#key(key));
    if (entry.value === null || entry.value === undefined) return undefined;
    if (typeof entry.value !== "string") {
      return validateCheckpoint(entry.value, this.describe(key));
    }
    return parseCheckpoint(entry.value, this.describe(key));
  }

  /**
   * Writes a checkpoint entry.
   *
   * @param key The checkpoint's key.
   * @param checkpoint The checkpoint.
   * @throws {CheckpointError} When the checkpoint is too large for one KV value.
   */
  async save(key: string, checkpoint: Checkpoint): Promise<void> {
    const text = JSON.stringify(checkpoint);
    const size = new TextEncoder().encode(text).length;
    if (size > KV_VALUE_LIMIT) {
      throw new CheckpointError(
        `Checkpoint '${
          this.describe(key)
        }' is ${size} bytes, over the ${KV_VALUE_LIMIT}-byte limit of one KV value; use fewer CSV columns or a file checkpoint store`,
      );
    }
    await this.#kv.set(this.#key(key), text);
  }

  /**
   * Deletes a checkpoint entry.
   *
   * @param key The checkpoint's key.
   */
  async delete(key: string): Promise<void> {
    await this.#kv.delete(this.#key(key));
  }
}
