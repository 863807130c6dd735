/**
 * One run of a sync (`sync.ts`, `sync_snapshot.ts`): the sync's lock (taken before the manifest
 * is read, held until the run ends), the manifest (read, checked against this run's settings,
 * written atomically after each day), and each day run through the extraction engine with its
 * own checkpoint, then read back for its length and SHA-256 before the manifest lists it.
 *
 * @module
 */
import type { JsonValue } from "../types.ts";
import { type CheckpointLock, tookOverNotice } from "./lock.ts";
import { CheckpointError, GenesysError } from "../errors.ts";
import { extract } from "./extract.ts";
import { digestOf } from "./_sha256.ts";
import type { SyncCommonOptions, SyncDayPlan, SyncDayResult } from "./sync_types.ts";
import {
  checkSyncJob,
  readSyncManifest,
  SYNC_MANIFEST_VERSION,
  type SyncEntry,
  type SyncManifest,
  writeSyncManifest,
} from "./sync_manifest.ts";

/**
 * One run of a sync, under its lock: open it with {@link SyncSession.open}, run days with
 * {@link SyncSession.runDay}, end it with {@link SyncSession.close} (in a `finally`).
 *
 * @example
 * ```ts
 * import { SyncSession } from "./_sync_session.ts";
 * import { MemoryCheckpointStore } from "./checkpoint_memory.ts";
 * import { MemorySyncOutput } from "./sync_output.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const store = new MemoryCheckpointStore();
 * const output = new MemorySyncOutput();
 * const session = await SyncSession.open({ store, output }, "users", { path: "/api/v2/users" }, []);
 * try {
 *   const source = {
 *     description: "users", recordType: "user",
 *     async *pages() { yield { records: [{ id: "u1" }], position: 1 }; },
 *   };
 *   const day = await session.runDay({ day: "2026-01-01", kind: "final", source, via: "listing", index: 1, of: 1 });
 *   strictEqual(day.status, "written");
 * } finally {
 *   await session.close();
 * }
 * strictEqual(session.manifest.days["2026-01-01"].records, 1);
 * ```
 */
export class SyncSession {
  /** The manifest as this run sees it (updated as days finish). */
  readonly manifest: SyncManifest;
  /** The options. */
  readonly options: SyncCommonOptions;
  readonly #lock?: CheckpointLock;
  readonly #ownLock: boolean;
  readonly #now: () => number;
  #daysDone = 0;
  #recordsThisRun = 0;
  #pagesThisRun = 0;

  private constructor(
    options: SyncCommonOptions,
    manifest: SyncManifest,
    lock: CheckpointLock | undefined,
    ownLock: boolean,
  ) {
    this.options = options;
    this.manifest = manifest;
    this.#lock = lock;
    this.#ownLock = ownLock;
    this.#now = options.clock?.now ?? Date.now;
  }

  /**
   * Starts a run: takes the sync's lock, reads the manifest (a new one when there is none) and
   * checks it is of this kind and these settings, then removes what a stopped run left of a day
   * that is finished or not among `days`, and the provisional copies of days now final.
   *
   * @param options Store, output, keys, lock, identity, clock and callbacks.
   * @param kind What is synced: `conversations`, `users`.
   * @param job The settings that make days alike (filters, format, table shape); the identity
   * is added.
   * @param days The days this run may write (a stopped day among them is resumed).
   * @returns The open session.
   * @throws {LockError} When another run of this sync holds its lock.
   * @throws {UsageError} When the manifest is of another kind or other settings, or the store
   * cannot keep a manifest.
   * @throws {CheckpointError} When the manifest is corrupt.
   */
  static async open(
    options: SyncCommonOptions,
    kind: string,
    job: JsonValue,
    days: readonly string[],
  ): Promise<SyncSession> {
    const { store } = options;
    const key = options.manifestKey ?? "manifest";
    const given = options.lock;
    const lock = given ?? (store.lock ? await store.lock(key) : undefined);
    if (lock?.tookOver && !given) {
      options.onNotice?.(tookOverNotice(lock.location, lock.tookOver));
    }
    try {
      const now = options.clock?.now ?? Date.now;
      const fullJob = { ...(job as Record<string, JsonValue>), identity: options.identity ?? null };
      const stored = await readSyncManifest({ store, key });
      if (stored) checkSyncJob(store.describe(key), stored, kind, fullJob, options.settingName);
      const manifest: SyncManifest = stored ?? {
        version: SYNC_MANIFEST_VERSION,
        kind,
        job: fullJob,
        days: {},
        provisional: {},
        updatedAt: new Date(now()).toISOString(),
      };
      const session = new SyncSession(options, manifest, lock, given === undefined);
      await session.#tidy(days);
      return session;
    } catch (error) {
      if (lock && !given) await lock.release();
      throw error;
    }
  }

  #checkpointKey(day: string): string {
    return this.options.checkpointKey?.(day) ?? day;
  }

  #save(): Promise<void> {
    const key = this.options.manifestKey ?? "manifest";
    return writeSyncManifest({ store: this.options.store, key }, this.manifest, this.#now);
  }

  /** Removes what earlier runs left that this run will not continue. */
  async #tidy(days: readonly string[]): Promise<void> {
    const { manifest, options } = this;
    let changed = false;
    const pending = manifest.pending;
    if (pending !== undefined && (manifest.days[pending] || !days.includes(pending))) {
      const key = this.#checkpointKey(pending);
      // A killed run may have left the day's lock: taking it over and releasing it removes it (a
      // KV lock that has not expired yet is left to expire).
      try {
        await (await options.store.lock?.(key))?.release();
      } catch {
        // held or expiring: nothing of this run depends on it
      }
      await options.store.delete(key);
      if (!manifest.days[pending]) {
        await options.output.remove(pending, "final");
        options.onNotice?.(
          `Removed what a stopped run had written of ${pending}, which this run does not write`,
        );
      }
      delete manifest.pending;
      changed = true;
    }
    for (const day of Object.keys(manifest.provisional)) {
      if (!manifest.days[day]) continue;
      await options.output.remove(day, "provisional");
      delete manifest.provisional[day];
      changed = true;
    }
    if (changed) await this.#save();
  }

  /**
   * Drops the provisional days this run did not write again (days now final, or out of range).
   *
   * @param keep The provisional days this run wrote.
   */
  async dropProvisional(keep: readonly string[]): Promise<void> {
    let changed = false;
    for (const day of Object.keys(this.manifest.provisional)) {
      if (keep.includes(day)) continue;
      await this.options.output.remove(day, "provisional");
      delete this.manifest.provisional[day];
      changed = true;
    }
    if (changed) await this.#save();
  }

  /**
   * A day the manifest lists already, as a result (nothing is read).
   *
   * @param day The UTC day.
   * @returns The result, or `undefined` when the manifest does not list it.
   */
  present(day: string): SyncDayResult | undefined {
    const entry = this.manifest.days[day];
    if (!entry) return undefined;
    return {
      day,
      kind: "final",
      status: "present",
      via: entry.via,
      file: entry.file,
      records: entry.records,
      recordsThisRun: 0,
      bytes: entry.bytes,
      sha256: entry.sha256,
      dropped: 0,
      resumed: false,
      elapsedMs: 0,
    };
  }

  /**
   * Runs one day through the extraction engine: a final day with its checkpoint (resumed when an
   * earlier run started it), a provisional one from scratch. A finished day is read back, and its
   * length, SHA-256, records and how it was read go into the manifest, written atomically; a
   * final day's checkpoint is then deleted.
   *
   * @param plan The day, its source and how it is read.
   * @returns What the day came to.
   * @throws {CheckpointError} When the day's output does not hold what the run wrote.
   * @throws {GenesysError} When a final day's source covered it only up to now (it is not
   * settled: a wrong clock).
   */
  async runDay(plan: SyncDayPlan): Promise<SyncDayResult> {
    const { options, manifest } = this;
    const { day, kind, source, via } = plan;
    const final = kind === "final";
    const key = this.#checkpointKey(day);
    const startedAt = this.#now();
    if (final && manifest.pending !== day) {
      manifest.pending = day;
      await this.#save();
    }
    const previous = final ? await options.store.load(key) : undefined;
    const resumed = previous !== undefined;
    options.onDayStart?.({
      day,
      kind,
      index: plan.index,
      of: plan.of,
      via,
      resumed,
      ...(previous ? { saved: previous.records } : {}),
      ...(plan.estimate ? { estimate: plan.estimate } : {}),
    });
    let before = 0;
    let pagesBefore = 0;
    const result = await extract({
      source,
      sink: await options.output.sink(day, kind),
      // The day's own lock, under the sync's: a KV checkpoint save stays one commit with it. A
      // stale one is only ever left by a killed run of this sync, whose lock says so already.
      checkpoint: final ? { store: options.store, key } : undefined,
      identity: options.identity,
      signal: options.signal,
      clock: { now: this.#now },
      stats: options.stats,
      onProgress: (progress) => {
        this.#recordsThisRun += progress.recordsThisRun - before;
        before = progress.recordsThisRun;
        this.#pagesThisRun += progress.pagesThisRun - pagesBefore;
        pagesBefore = progress.pagesThisRun;
        options.onProgress?.({
          day,
          kind,
          index: plan.index,
          of: plan.of,
          daysDone: this.#daysDone,
          recordsThisRun: this.#recordsThisRun,
          pagesThisRun: this.#pagesThisRun,
          extract: progress,
        });
      },
    });
    const base = {
      day,
      kind,
      via,
      file: options.output.name(day, kind),
      records: result.records,
      recordsThisRun: result.recordsThisRun,
      bytes: result.bytes,
      dropped: result.dropped,
      resumed,
      ...(plan.estimate ? { estimate: plan.estimate } : {}),
    };
    if (result.status === "stopped") {
      const stopped: SyncDayResult = {
        ...base,
        status: "stopped",
        elapsedMs: this.#now() - startedAt,
      };
      options.onDay?.(stopped);
      return stopped;
    }
    if (final && result.openUntil !== undefined) {
      throw new GenesysError(
        `Day ${day} was read only up to '${result.openUntil}': it has not ended yet, so it cannot be final; check the clock`,
      );
    }
    const digest = await digestOf(options.output.read(day, kind));
    if (digest.bytes !== result.bytes) {
      throw new CheckpointError(
        `The output of ${day} ('${base.file}') holds ${digest.bytes} bytes where ${result.bytes} were written: it changed since; delete it to sync the day again`,
      );
    }
    const entry: SyncEntry = {
      file: base.file,
      records: result.records,
      bytes: digest.bytes,
      sha256: digest.sha256,
      at: new Date(this.#now()).toISOString(),
      via,
      ...(!final && result.openUntil !== undefined ? { until: result.openUntil } : {}),
      ...(result.capped ? { capped: result.capped.limit } : {}),
    };
    if (final) manifest.days[day] = entry;
    else manifest.provisional[day] = entry;
    await this.#save();
    if (final) await options.store.delete(key);
    this.#daysDone++;
    const written: SyncDayResult = {
      ...base,
      status: "written",
      sha256: digest.sha256,
      elapsedMs: this.#now() - startedAt,
      ...(entry.until !== undefined ? { until: entry.until } : {}),
      ...(result.capped ? { capped: result.capped } : {}),
    };
    options.onDay?.(written);
    return written;
  }

  /**
   * Ends the run: clears the finished day it was working on from the manifest and releases the
   * lock it took. Safe to call after a failure.
   */
  async close(): Promise<void> {
    try {
      const pending = this.manifest.pending;
      if (pending !== undefined && this.manifest.days[pending]) {
        delete this.manifest.pending;
        await this.#save();
      }
    } catch {
      // A finished day left as pending is tidied by the next run; the run's outcome stands.
    } finally {
      if (this.#lock && this.#ownLock) await this.#lock.release();
    }
  }
}
