/**
 * A checkpoint store in memory, for tests and short-lived jobs.
 *
 * @module
 */

import type { Checkpoint, CheckpointStore } from "./checkpoint.ts";
import { type CheckpointLock, lockHeld, type LockHolder, lockHolder, lockLost } from "./lock.ts";
import { parseCheckpoint } from "./checkpoint_json.ts";

/**
 * Keeps checkpoints in memory (a copy of each, as JSON): for tests, and for jobs that need no
 * resume across processes.
 *
 * @example
 * ```ts
 * import { MemoryCheckpointStore } from "./checkpoint_memory.ts";
 * import { type Checkpoint } from "./checkpoint.ts";
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
