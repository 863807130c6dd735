/**
 * Dated snapshots of a listing (users, queues) for scheduled runs: at most one per UTC day,
 * recorded in a sync manifest like the days of conversations (`sync.ts`). A run on a day whose
 * snapshot the manifest lists does nothing; a run stopped mid-listing is resumed by the next run
 * the same day, and dropped by a run on a later day (a snapshot holds one day's state).
 *
 * @module
 */
import type { JsonValue, PageSource } from "../types.ts";
import { formatSyncDay } from "./sync_plan.ts";
import type { SyncManifest } from "./sync_manifest.ts";
import { SyncSession } from "./_sync_session.ts";
import type { SyncCommonOptions, SyncDayResult } from "./sync_types.ts";

/** What {@link syncSnapshot} needs. */
export interface SyncSnapshotOptions extends SyncCommonOptions {
  /** What is listed, such as `users` (one kind per manifest). */
  kind: string;
  /** The listing's records, such as `listingSource(client, "/api/v2/users")`. */
  source: PageSource;
  /**
   * What makes snapshots alike, such as the path and its query (not the page size); a run with
   * other settings into the same manifest is refused.
   */
  job: JsonValue;
}

/** What a snapshot run did. */
export interface SyncSnapshotResult {
  /** `complete`: today's snapshot is written (now or before); `stopped`: the signal stopped it. */
  status: "complete" | "stopped";
  /** Today's snapshot. */
  day: SyncDayResult;
  /** The manifest after the run. */
  manifest: SyncManifest;
}

/**
 * Takes today's (UTC, by the clock) snapshot of a listing, unless the manifest lists it already.
 *
 * @param options The listing, what identifies it, store, output, clock, callbacks.
 * @returns What the run did.
 * @throws {LockError} When another run of this sync holds its lock.
 * @throws {UsageError} When the manifest is of another kind or other settings.
 *
 * @example
 * ```ts
 * import { syncSnapshot } from "./sync_snapshot.ts";
 * import { MemoryCheckpointStore } from "./checkpoint_memory.ts";
 * import { MemorySyncOutput } from "./sync_output.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let reads = 0;
 * const source = {
 *   description: { endpoint: "GET /api/v2/users" },
 *   recordType: "user",
 *   async *pages() {
 *     reads++;
 *     yield { records: [{ id: "u1" }, { id: "u2" }], position: 1 };
 *   },
 * };
 * const options = {
 *   kind: "users", source, job: { path: "/api/v2/users" },
 *   store: new MemoryCheckpointStore(), output: new MemorySyncOutput(),
 *   clock: { now: () => Date.parse("2026-01-02T08:00:00Z") },
 * };
 * strictEqual((await syncSnapshot(options)).day.records, 2);
 * strictEqual((await syncSnapshot(options)).day.status, "present");
 * strictEqual(reads, 1);
 * ```
 */
export async function syncSnapshot(options: SyncSnapshotOptions): Promise<SyncSnapshotResult> {
  const day = formatSyncDay((options.clock?.now ?? Date.now)());
  const session = await SyncSession.open(options, options.kind, options.job, [day]);
  try {
    const present = session.present(day);
    if (present) return { status: "complete", day: present, manifest: session.manifest };
    const done = await session.runDay({
      day,
      kind: "final",
      source: options.source,
      via: "listing",
      index: 1,
      of: 1,
    });
    return {
      status: done.status === "stopped" ? "stopped" : "complete",
      day: done,
      manifest: session.manifest,
    };
  } finally {
    await session.close();
  }
}
