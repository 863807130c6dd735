/**
 * The parts of `Deno.Kv` the KV checkpoint store uses, so it loads and type-checks without the
 * unstable KV flag and a test can pass any object shaped like them.
 *
 * @module
 */

/** One part of a Deno KV key. */
export type KvKeyPart = string | number | bigint | boolean | Uint8Array;

/** The part of `Deno.AtomicOperation` the lock uses. */
export interface KvAtomicLike {
  /**
   * Makes the commit fail unless each key still has the given versionstamp (`null`: absent).
   *
   * @param checks The keys and versionstamps.
   */
  check(...checks: { key: readonly KvKeyPart[]; versionstamp: string | null }[]): KvAtomicLike;
  /**
   * Writes one entry when the commit succeeds.
   *
   * @param key The entry's key.
   * @param value The value.
   * @param options `expireIn`: milliseconds after which the entry may be deleted.
   */
  set(key: readonly KvKeyPart[], value: unknown, options?: { expireIn?: number }): KvAtomicLike;
  /**
   * Deletes one entry when the commit succeeds.
   *
   * @param key The entry's key.
   */
  delete(key: readonly KvKeyPart[]): KvAtomicLike;
  /** Applies everything, or nothing when a check fails (`ok: false`). */
  commit(): Promise<{ ok: boolean; versionstamp?: string }>;
}

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
  get(key: readonly KvKeyPart[]): Promise<{ value: unknown; versionstamp?: string | null }>;
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
  /** Starts an atomic operation (needed for locks; `Deno.Kv` has it). */
  atomic?(): KvAtomicLike;
}
