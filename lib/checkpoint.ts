/**
 * Resume state for extractions: the {@link Checkpoint} record, the {@link CheckpointStore}
 * interface with its one-run-per-job {@link CheckpointLock}, job keys, validation and the
 * in-memory store. The file store is in
 * `checkpoint_file.ts`, the Deno KV store in `checkpoint_kv.ts`. A checkpoint never holds a token
 * or a secret: only a hash of the job's arguments, the source's resume position, counters and the
 * sink's state.
 *
 * @module
 */
import type { JsonValue } from "./client.ts";
import { CheckpointError, LockError, type LockOwner } from "./errors.ts";

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

/** The run that holds a job's lock, as its lock records it. */
export interface LockHolder {
  /** The process id. */
  pid: number;
  /** The host name, when the process may read it (`--allow-sys=hostname`). */
  host?: string;
  /** When the run took the lock (ISO 8601). */
  startedAt: string;
  /** A random id of this holder. */
  id: string;
}

/**
 * A job's lock, held by one run from before it reads the checkpoint until it ends: a second run
 * of the same job is refused with a {@link LockError} instead of writing into the same output.
 */
export interface CheckpointLock extends AsyncDisposable {
  /** Where the lock lives, for messages: a file path or a KV key. */
  readonly location: string;
  /** This run, as the lock records it. */
  readonly holder: LockHolder;
  /**
   * What the lock said when this run took it over from a run that ended without releasing it
   * (killed, or its machine stopped); `undefined` when the lock was free.
   */
  readonly tookOver?: LockOwner;
  /**
   * Checks that the lock is still this run's.
   *
   * @throws {LockError} When it was lost (deleted by hand, or expired and taken by another run).
   */
  verify(): Promise<void>;
  /** Releases the lock; safe to call more than once. */
  release(): Promise<void>;
  /**
   * Releases the lock at once, for exit paths that cannot wait (a second Ctrl-C); a store that
   * can only release asynchronously starts the release and returns.
   */
  releaseSync(): void;
}

/**
 * Who this process is, for a lock: its pid, its host name (when `--allow-sys=hostname` is
 * granted; never prompted for), now, and a random id.
 *
 * @param now The clock (epoch ms). Default `Date.now`.
 * @returns The holder.
 *
 * @example
 * ```ts
 * import { lockHolder } from "./checkpoint.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(lockHolder().pid, Deno.pid);
 * ```
 */
export function lockHolder(now: () => number = Date.now): LockHolder {
  let host: string | undefined;
  try {
    if (Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted") {
      host = Deno.hostname();
    }
  } catch {
    host = undefined;
  }
  return {
    pid: Deno.pid,
    ...(host ? { host } : {}),
    startedAt: new Date(now()).toISOString(),
    id: crypto.randomUUID(),
  };
}

/**
 * Reads what a lock says about its holder (fields that are missing or of the wrong type are
 * left out: a lock being written, or damaged).
 *
 * @param value The lock's content, parsed.
 * @returns The owner, as far as known.
 *
 * @example
 * ```ts
 * import { lockOwner } from "./checkpoint.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(lockOwner({ pid: 7, host: 3 }), { pid: 7 });
 * ```
 */
export function lockOwner(value: unknown): LockOwner {
  const record = value !== null && typeof value === "object"
    ? value as Record<string, unknown>
    : {};
  const owner: LockOwner = {};
  if (typeof record.pid === "number" && Number.isSafeInteger(record.pid)) owner.pid = record.pid;
  if (typeof record.host === "string" && record.host !== "") owner.host = record.host;
  if (typeof record.startedAt === "string") owner.startedAt = record.startedAt;
  return owner;
}

/**
 * Describes a lock's owner for messages: `pid 4242 on 'batch-1', started 2026-01-01T00:00:00.000Z`.
 *
 * @param owner What the lock says.
 * @returns The description (`an unknown run` when the lock says nothing).
 *
 * @example
 * ```ts
 * import { describeOwner } from "./checkpoint.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(describeOwner({ pid: 7, host: "h" }), "pid 7 on 'h'");
 * ```
 */
export function describeOwner(owner: LockOwner | undefined): string {
  const parts: string[] = [];
  if (owner?.pid !== undefined) parts.push(`pid ${owner.pid}`);
  if (owner?.host !== undefined) parts.push(`on '${owner.host}'`);
  const who = parts.length ? parts.join(" ") : "an unknown run";
  return owner?.startedAt !== undefined ? `${who}, started ${owner.startedAt}` : who;
}

/**
 * The error for a lock another live run holds.
 *
 * @param location Where the lock is.
 * @param owner What it says about its holder.
 * @returns The error (the CLI exits with code 6).
 *
 * @example
 * ```ts
 * import { lockHeld } from "./checkpoint.ts";
 * import { match } from "node:assert/strict";
 *
 * match(lockHeld("x.lock", { pid: 7 }).message, /^Another run of this job is already running \(pid 7\)/);
 * ```
 */
export function lockHeld(location: string, owner: LockOwner | undefined): LockError {
  return new LockError(
    `Another run of this job is already running (${
      describeOwner(owner)
    }): it holds the lock '${location}'; wait for it to end or stop it (a lock left by a run that was killed is taken over by the next run)`,
    { location, owner },
  );
}

/**
 * The notice for a stale lock taken over: what it said and why taking it was safe.
 *
 * @param location Where the lock is.
 * @param owner What the stale lock said about its holder.
 * @returns One line.
 *
 * @example
 * ```ts
 * import { tookOverNotice } from "./checkpoint.ts";
 * import { match } from "node:assert/strict";
 *
 * match(tookOverNotice("x.lock", { pid: 7 }), /^Took over the lock 'x.lock' left by pid 7/);
 * ```
 */
export function tookOverNotice(location: string, owner: LockOwner): string {
  return `Took over the lock '${location}' left by ${
    describeOwner(owner)
  }: that run ended without releasing it (killed or crashed); its checkpoint is used as usual`;
}

/**
 * The error for a lock this run held and lost.
 *
 * @param location Where the lock is.
 * @returns The error (the CLI exits with code 6).
 *
 * @example
 * ```ts
 * import { lockLost } from "./checkpoint.ts";
 * import { match } from "node:assert/strict";
 *
 * match(lockLost("x.lock").message, /lost the lock 'x.lock'/);
 * ```
 */
export function lockLost(location: string): LockError {
  return new LockError(
    `This run lost the lock '${location}' of its job (it was deleted, or it expired and another run took it); stopping without saving, so that only one run writes the checkpoint`,
    { location },
  );
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
