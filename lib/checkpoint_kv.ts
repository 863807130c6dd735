/**
 * A checkpoint store in Deno KV, for Deno Deploy (no persistent disk there). Takes any object
 * shaped like `Deno.Kv`, so this module loads and type-checks without the unstable KV flag.
 *
 * @module
 */
import {
  type Checkpoint,
  type CheckpointStore,
  parseCheckpoint,
  validateCheckpoint,
} from "./checkpoint.ts";
import { CheckpointError } from "./errors.ts";

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
