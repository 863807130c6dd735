/**
 * A job's lock in Deno KV: taken by an atomic check, kept alive by an expiry that a timer renews,
 * and changed only through atomic checks of the versionstamp this run last wrote.
 *
 * @module
 */

import { type CheckpointLock, type LockHolder, lockLost } from "./lock.ts";
import type { KvAtomicLike, KvKeyPart, KvLike } from "./kv_like.ts";
import type { LockOwner } from "../errors.ts";

/** What a KV lock entry holds: the holder and when the lock expires. */
export interface KvLockValue extends LockHolder {
  expiresAt: number;
}

/**
 * A job's lock in Deno KV (see {@link KvCheckpointStore.lock}). Every change goes through an
 * atomic check of the versionstamp this run last wrote, one at a time: a renewal, a checkpoint
 * save and the release never pass one another.
 */
export class KvLock implements CheckpointLock {
  readonly location: string;
  readonly holder: LockHolder;
  readonly tookOver?: LockOwner;
  readonly #kv: KvLike & { atomic(): KvAtomicLike };
  readonly #key: readonly KvKeyPart[];
  readonly #ttl: number;
  readonly #now: () => number;
  #versionstamp: string | null;
  #state: "held" | "lost" | "released" = "held";
  #queue: Promise<unknown> = Promise.resolve();
  #timer?: ReturnType<typeof setInterval>;

  constructor(
    kv: KvLike & { atomic(): KvAtomicLike },
    key: readonly KvKeyPart[],
    location: string,
    held: { holder: LockHolder; versionstamp: string | null; tookOver?: LockOwner },
    ttl: number,
    now: () => number,
  ) {
    this.#kv = kv;
    this.#key = key;
    this.location = location;
    this.holder = held.holder;
    this.#versionstamp = held.versionstamp;
    this.tookOver = held.tookOver;
    this.#ttl = ttl;
    this.#now = now;
    const timer = setInterval(() => {
      this.#commit([]).catch(() => {}); // a failed renewal marks the lock lost
    }, Math.max(1, Math.floor(ttl / 3)));
    // The renewal must not keep a finished program alive.
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  get held(): boolean {
    return this.#state === "held";
  }

  /** Renews the lock, together with `writes`, in one atomic commit; one commit at a time. */
  #commit(writes: readonly KvMutation[]): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#state !== "held") throw lockLost(this.location);
      const value: KvLockValue = { ...this.holder, expiresAt: this.#now() + this.#ttl };
      const op = applyMutations(
        this.#kv.atomic().check({ key: this.#key, versionstamp: this.#versionstamp }),
        writes,
      );
      const result = await op.set(this.#key, value, { expireIn: this.#ttl }).commit();
      if (!result.ok) {
        this.#state = "lost";
        this.#stopRenewing();
        throw lockLost(this.location);
      }
      this.#versionstamp = result.versionstamp ?? null;
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => {});
    return next;
  }

  save(writes: readonly KvMutation[]): Promise<void> {
    return this.#commit(writes);
  }

  verify(): Promise<void> {
    return this.#commit([]);
  }

  #stopRenewing(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  release(): Promise<void> {
    if (this.#state === "released") return this.#queue.then(() => {});
    const wasHeld = this.#state === "held";
    this.#state = "released";
    this.#stopRenewing();
    const run = async (): Promise<void> => {
      if (!wasHeld) return;
      await this.#kv.atomic().check({ key: this.#key, versionstamp: this.#versionstamp })
        .delete(this.#key).commit();
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => {});
    return next;
  }

  releaseSync(): void {
    this.release().catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

/** One write of an atomic commit: a value to set, or `undefined` to delete the key. */
export type KvMutation = readonly [key: readonly KvKeyPart[], value: unknown];

/**
 * Adds writes to an atomic operation.
 *
 * @param op The operation.
 * @param writes The writes.
 * @returns The operation.
 */
export function applyMutations(op: KvAtomicLike, writes: readonly KvMutation[]): KvAtomicLike {
  for (const [key, value] of writes) op = value === undefined ? op.delete(key) : op.set(key, value);
  return op;
}
