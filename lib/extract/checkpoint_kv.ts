/**
 * A checkpoint store in Deno KV, for Deno Deploy (no persistent disk there), with a lock per job
 * taken by an atomic check and kept alive by an expiry. Takes any object shaped like `Deno.Kv`, so
 * this module loads and type-checks without the unstable KV flag.
 *
 * @module
 */
import type { Checkpoint, CheckpointStore } from "./checkpoint.ts";
import { parseCheckpoint, validateCheckpoint } from "./checkpoint_json.ts";
import { type CheckpointLock, lockHeld, lockHolder, lockOwner } from "./lock.ts";
import { CheckpointError, LockError, type LockOwner, UsageError } from "../errors.ts";
import type { KvAtomicLike, KvKeyPart, KvLike } from "./kv_like.ts";
import type { Clock } from "../types.ts";
import { applyMutations, KvLock, type KvLockValue, type KvMutation } from "./_kv_lock.ts";

export type { KvAtomicLike, KvKeyPart, KvLike } from "./kv_like.ts";

/** Options of a {@link KvCheckpointStore}. */
export interface KvCheckpointStoreOptions {
  /**
   * How long a lock lives without being renewed, in milliseconds: a run renews it every third of
   * this and on every save, so a lock of a run that died is free again after at most this long.
   *
   * @default {60000}
   */
  lockTtlMs?: number;
  /** The clock that lock expiry is judged by (only its `now` is used). Default `Date.now`. */
  clock?: Clock;
}

/** Deno KV refuses values above 64 KiB; a checkpoint this large is refused with a clear message. */
const KV_VALUE_LIMIT = 60_000;

/**
 * The most parts a text document is split into: one atomic commit carries at most 800 KiB, so
 * documents stay below 12 values of {@link KV_VALUE_LIMIT} (about 700 KB: a sync manifest of
 * some ten years of days).
 */
const KV_TEXT_PARTS = 12;

/** Where a document longer than one KV value keeps its parts: how many there are. */
interface KvTextParts {
  parts: number;
}

function isTextParts(value: unknown): value is KvTextParts {
  return value !== null && typeof value === "object" &&
    Number.isSafeInteger((value as KvTextParts).parts);
}

/**
 * Keeps checkpoints in Deno KV under `[...prefix, key]` (as JSON text): works on Deno Deploy,
 * where there is no persistent disk. Each save is one atomic KV write.
 *
 * @example
 * ```ts
 * import { KvCheckpointStore, type KvLike } from "./checkpoint_kv.ts";
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
  /** The key prefix; a checkpoint lives at `[...prefix, key]`, its lock at `[...prefix, key, "lock"]`. */
  readonly prefix: readonly KvKeyPart[];
  readonly #ttl: number;
  readonly #now: () => number;
  readonly #locks = new Map<string, KvLock>();

  /**
   * Creates the store.
   *
   * @param kv An open `Deno.Kv` (or anything shaped like it).
   * @param prefix The key prefix. Default `["genesys-batch", "checkpoints"]`.
   * @param options The lock's lifetime and clock.
   */
  constructor(
    kv: KvLike,
    prefix: readonly KvKeyPart[] = ["genesys-batch", "checkpoints"],
    options: KvCheckpointStoreOptions = {},
  ) {
    this.#kv = kv;
    this.prefix = [...prefix];
    this.#ttl = options.lockTtlMs ?? 60_000;
    if (!(this.#ttl >= 1000 && Number.isFinite(this.#ttl))) {
      throw new UsageError(`Option 'lockTtlMs' must be 1000 or more, got '${this.#ttl}'`);
    }
    this.#now = options.clock?.now ?? Date.now;
  }

  #key(key: string): KvKeyPart[] {
    return [...this.prefix, key];
  }

  #describeKey(parts: readonly KvKeyPart[]): string {
    const shown = parts.map((p) =>
      typeof p === "bigint" ? `${p}n` : p instanceof Uint8Array ? `bytes(${p.length})` : p
    );
    return `kv:${JSON.stringify(shown)}`;
  }

  /**
   * Names a checkpoint for messages.
   *
   * @param key The checkpoint's key.
   * @returns `kv:` and the KV key as JSON (bigint and byte parts shown as strings).
   */
  describe(key: string): string {
    return this.#describeKey(this.#key(key));
  }

  /**
   * Takes the job's lock, `[...prefix, key, "lock"]`: written with an atomic check that it is
   * absent or expired, with a KV expiry, and renewed (with the same check) every third of
   * `lockTtlMs` and on every save. A lock whose holder stopped renewing it (its isolate or process
   * ended) is free once it has expired, and is then taken over.
   *
   * @param key The checkpoint's key.
   * @returns The held lock.
   * @throws {LockError} When another run holds it.
   * @throws {UsageError} When the KV object has no `atomic()` (use a `Deno.Kv`).
   *
   * @example
   * ```ts
   * import { KvCheckpointStore } from "./checkpoint_kv.ts";
   * import { LockError } from "../errors.ts";
   * import { rejects } from "node:assert/strict";
   *
   * const kv = await Deno.openKv(":memory:");
   * const store = new KvCheckpointStore(kv, ["exports"]);
   * const lock = await store.lock("users");
   * await rejects(store.lock("users"), LockError);
   * await lock.release();
   * kv.close();
   * ```
   */
  async lock(key: string): Promise<CheckpointLock> {
    const kv = this.#kv;
    if (typeof kv.atomic !== "function") {
      throw new UsageError(
        "This KV object has no atomic(), which a lock needs: pass a Deno.Kv from Deno.openKv()",
      );
    }
    const atomicKv = kv as KvLike & { atomic(): KvAtomicLike };
    const lockKey = [...this.#key(key), "lock"];
    const location = this.#describeKey(lockKey);
    for (let attempt = 0; attempt < 5; attempt++) {
      const entry = await kv.get(lockKey);
      const current = entry.value as Partial<KvLockValue> | null | undefined;
      let tookOver: LockOwner | undefined;
      if (current !== null && current !== undefined) {
        const expiresAt = Number(current.expiresAt);
        if (!(expiresAt <= this.#now())) throw lockHeld(location, lockOwner(current));
        tookOver = lockOwner(current);
      }
      const holder = lockHolder(this.#now);
      const value: KvLockValue = { ...holder, expiresAt: this.#now() + this.#ttl };
      const result = await atomicKv.atomic()
        .check({ key: lockKey, versionstamp: entry.versionstamp ?? null })
        .set(lockKey, value, { expireIn: this.#ttl })
        .commit();
      if (!result.ok) continue; // another run wrote it in between: look again
      const lock = new KvLock(
        atomicKv,
        lockKey,
        location,
        {
          holder,
          versionstamp: result.versionstamp ?? null,
          tookOver,
        },
        this.#ttl,
        this.#now,
      );
      this.#locks.set(key, lock);
      return lock;
    }
    throw new LockError(
      `Cannot take the lock '${location}': it changed 5 times while this run took it (other runs are starting); run again`,
      { location },
    );
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
   * @throws {LockError} When this store took the job's lock and lost it: the checkpoint is then
   * not written (the save and the lock's renewal are one atomic commit).
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
    await this.#write(key, [[this.#key(key), text]]);
  }

  /** Writes entries of `key` in one commit: with the lock's renewal when this store holds it. */
  async #write(key: string, writes: readonly KvMutation[]): Promise<void> {
    const lock = this.#locks.get(key);
    if (lock?.held) return await lock.save(writes);
    if (writes.length === 1 && writes[0][1] !== undefined) {
      await this.#kv.set(writes[0][0], writes[0][1]);
      return;
    }
    if (typeof this.#kv.atomic !== "function") {
      throw new UsageError(
        `Cannot write '${
          this.describe(key)
        }' atomically: this KV object has no atomic(); pass a Deno.Kv from Deno.openKv()`,
      );
    }
    const result = await applyMutations(this.#kv.atomic(), writes).commit();
    if (!result.ok) throw new CheckpointError(`Cannot write '${this.describe(key)}': run again`);
  }

  /**
   * Reads a text document (see {@link KvCheckpointStore.saveText}).
   *
   * @param key The document's key.
   * @returns The text, or `undefined` when there is none.
   * @throws {CheckpointError} When a part of it is missing.
   */
  async loadText(key: string): Promise<string | undefined> {
    const { value } = await this.#kv.get(this.#key(key));
    if (value === null || value === undefined) return undefined;
    if (typeof value === "string") return value;
    if (!isTextParts(value)) {
      throw new CheckpointError(`'${this.describe(key)}' is not a text document`);
    }
    const parts: Uint8Array[] = [];
    for (let i = 0; i < value.parts; i++) {
      const part = (await this.#kv.get([...this.#key(key), "part", i])).value;
      if (!(part instanceof Uint8Array)) {
        throw new CheckpointError(
          `'${this.describe(key)}' lacks its part ${
            i + 1
          } of ${value.parts}; delete it to start over`,
        );
      }
      parts.push(part);
    }
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    return new TextDecoder().decode(all);
  }

  /**
   * Saves a text document under `[...prefix, key]`, replacing the earlier one in one atomic
   * commit (with the lock's renewal when this store holds the lock of `key`). A text longer than
   * one KV value is split into parts under `[...prefix, key, "part", n]`, written together.
   *
   * @param key The document's key.
   * @param text The text (at most about 700 KB).
   * @throws {CheckpointError} When the text is too long for one atomic commit.
   * @throws {LockError} When this store took the lock of `key` and lost it.
   *
   * @example
   * ```ts
   * import { KvCheckpointStore } from "./checkpoint_kv.ts";
   * import { strictEqual } from "node:assert/strict";
   *
   * const kv = await Deno.openKv(":memory:");
   * const store = new KvCheckpointStore(kv, ["exports"]);
   * const text = "x".repeat(150_000); // three KV values
   * await store.saveText("manifest", text);
   * strictEqual(await store.loadText("manifest"), text);
   * await store.saveText("manifest", "short");
   * strictEqual(await store.loadText("manifest"), "short");
   * kv.close();
   * ```
   */
  async saveText(key: string, text: string): Promise<void> {
    const bytes = new TextEncoder().encode(text);
    const parts = bytes.length <= KV_VALUE_LIMIT ? 0 : Math.ceil(bytes.length / KV_VALUE_LIMIT);
    if (parts > KV_TEXT_PARTS) {
      throw new CheckpointError(
        `'${
          this.describe(key)
        }' would be ${bytes.length} bytes, more than one atomic KV commit holds (${
          KV_TEXT_PARTS * KV_VALUE_LIMIT
        }); start a new one under another key`,
      );
    }
    const { value: before } = await this.#kv.get(this.#key(key));
    const partKey = (i: number) => [...this.#key(key), "part", i];
    const writes: KvMutation[] = [[this.#key(key), parts === 0 ? text : { parts }]];
    for (let i = 0; i < parts; i++) {
      writes.push([partKey(i), bytes.slice(i * KV_VALUE_LIMIT, (i + 1) * KV_VALUE_LIMIT)]);
    }
    // Parts of a longer earlier version go in the same commit.
    const old = isTextParts(before) ? before.parts : 0;
    for (let i = parts; i < old; i++) writes.push([partKey(i), undefined]);
    await this.#write(key, writes);
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
