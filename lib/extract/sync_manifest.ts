/**
 * The manifest of a sync (`sync.ts`): the single record of which days are final, kept as JSON
 * text in the sync's checkpoint store (`<folder>/manifest.json` for the CLI), written atomically
 * under the sync's lock. Per final day: the file, its records, bytes and SHA-256, when it was
 * written and how (the details query, a details job, a listing). Provisional days (not settled
 * yet) are listed apart and replaced on every run.
 *
 * @module
 */
import type { JsonValue } from "../types.ts";
import type { CheckpointStore } from "./checkpoint.ts";
import { jobDifference, quoteJobValue } from "./_job_key.ts";
import { CheckpointError, UsageError } from "../errors.ts";

/** The manifest format this module writes and reads. */
export const SYNC_MANIFEST_VERSION = 1;

/** How a day was read: the details query, a details job, or a listing (users, queues). */
export type SyncVia = "query" | "jobs" | "listing";

/** One day in a manifest. */
export interface SyncEntry {
  /** The day's output, relative to the sync's folder: `2026-01-01.jsonl`. */
  file: string;
  /** Records written. */
  records: number;
  /** Bytes of the output. */
  bytes: number;
  /** SHA-256 of the output, 64 lowercase hex digits. */
  sha256: string;
  /** When the day was finished (ISO-8601). */
  at: string;
  /** How it was read. */
  via: SyncVia;
  /** A provisional day only: the instant its data reaches (a day still going ends at now). */
  until?: string;
  /**
   * A listing that stopped at a documented server cap (such as 10,000 inactive users): the cap.
   * The snapshot is finished but incomplete.
   */
  capped?: number;
}

/** What a sync has written (see the module doc). */
export interface SyncManifest {
  /** {@link SYNC_MANIFEST_VERSION}. */
  version: number;
  /** What is synced: `conversations`, `users`, `queues`. */
  kind: string;
  /**
   * What makes the days comparable: the filters, the output format and table shape, the region.
   * A run with other settings into the same manifest is refused.
   */
  job: JsonValue;
  /** Final days, by UTC day (`YYYY-MM-DD`): written once, never touched again. */
  days: Record<string, SyncEntry>;
  /** Days not settled yet, written by the last run that asked for them; replaced every run. */
  provisional: Record<string, SyncEntry>;
  /**
   * The day a run was working on (its checkpoint may be left over): a later run resumes it, or
   * removes what it left when the day is done or out of its range.
   */
  pending?: string;
  /** When the manifest was last written (ISO-8601). */
  updatedAt: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const VIAS: readonly string[] = ["query", "jobs", "listing"];

function isCount(value: unknown): boolean {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function checkEntries(
  value: unknown,
  field: string,
  fail: (reason: string) => never,
): Record<string, SyncEntry> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail(`'${field}' is not an object of days`);
  }
  for (const [day, entry] of Object.entries(value)) {
    const e = entry as Record<string, unknown>;
    if (!DAY.test(day)) fail(`'${field}' has '${day}', which is not a day (YYYY-MM-DD)`);
    if (
      e === null || typeof e !== "object" || typeof e.file !== "string" || !isCount(e.records) ||
      !isCount(e.bytes) || typeof e.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(e.sha256) ||
      typeof e.at !== "string" || !VIAS.includes(e.via as string)
    ) {
      fail(`'${field}.${day}' is not { file, records, bytes, sha256, at, via }`);
    }
  }
  return value as Record<string, SyncEntry>;
}

/**
 * Parses and checks a manifest's text.
 *
 * @param text The stored text.
 * @param location Where it was read from, for messages.
 * @returns The manifest.
 * @throws {CheckpointError} When it is not JSON or not a manifest of this version.
 *
 * @example
 * ```ts
 * import { parseSyncManifest } from "./sync_manifest.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * const text = JSON.stringify({
 *   version: 1, kind: "users", job: {}, days: {}, provisional: {}, updatedAt: "2026-01-02T00:00:00Z",
 * });
 * strictEqual(parseSyncManifest(text, "m.json").kind, "users");
 * throws(() => parseSyncManifest("{", "m.json"), /Manifest 'm.json' is corrupt: it is not valid JSON/);
 * ```
 */
export function parseSyncManifest(text: string, location: string): SyncManifest {
  const fail = (reason: string): never => {
    throw new CheckpointError(
      `Manifest '${location}' is corrupt: ${reason}; restore it from a backup, or move the folder's files away and sync again`,
    );
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("it is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail("it is not a JSON object");
  }
  const m = value as Record<string, unknown>;
  if (m.version !== SYNC_MANIFEST_VERSION) {
    fail(`version '${String(m.version)}' is not '${SYNC_MANIFEST_VERSION}'`);
  }
  if (typeof m.kind !== "string") fail("'kind' is missing");
  if (!("job" in m)) fail("'job' is missing");
  if (typeof m.updatedAt !== "string") fail("'updatedAt' is missing");
  if (m.pending !== undefined && (typeof m.pending !== "string" || !DAY.test(m.pending))) {
    fail("'pending' is not a day");
  }
  return {
    version: SYNC_MANIFEST_VERSION,
    kind: m.kind as string,
    job: m.job as JsonValue,
    days: checkEntries(m.days, "days", fail),
    provisional: checkEntries(m.provisional, "provisional", fail),
    ...(m.pending !== undefined ? { pending: m.pending as string } : {}),
    updatedAt: m.updatedAt as string,
  };
}

function sortedDays(days: Record<string, SyncEntry>): Record<string, SyncEntry> {
  return Object.fromEntries(Object.keys(days).sort().map((day) => [day, days[day]]));
}

/**
 * The manifest as stored: days in order, two-space indented, a final newline.
 *
 * @param manifest The manifest.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatSyncManifest } from "./sync_manifest.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const entry = { file: "x", records: 0, bytes: 0, sha256: "0".repeat(64), at: "t", via: "query" as const };
 * const text = formatSyncManifest({
 *   version: 1, kind: "conversations", job: null, provisional: {}, updatedAt: "t",
 *   days: { "2026-01-02": entry, "2026-01-01": entry },
 * });
 * strictEqual(text.indexOf("2026-01-01") < text.indexOf("2026-01-02"), true);
 * ```
 */
export function formatSyncManifest(manifest: SyncManifest): string {
  const { pending, ...rest } = manifest;
  const out = {
    ...rest,
    days: sortedDays(manifest.days),
    provisional: sortedDays(manifest.provisional),
    ...(pending !== undefined ? { pending } : {}),
  };
  return JSON.stringify(out, null, 2) + "\n";
}

/** Where a manifest lives: a store that keeps text documents, and the key. */
export interface ManifestPlace {
  /** The store (it must have `loadText` and `saveText`). */
  store: CheckpointStore;
  /** The manifest's key in it. */
  key: string;
}

function textStore(place: ManifestPlace): Required<Pick<CheckpointStore, "loadText" | "saveText">> {
  const { store } = place;
  if (typeof store.loadText !== "function" || typeof store.saveText !== "function") {
    throw new UsageError(
      "This checkpoint store cannot keep a sync's manifest: it needs loadText() and saveText() (FileCheckpointStore, KvCheckpointStore and MemoryCheckpointStore have them)",
    );
  }
  return { loadText: store.loadText.bind(store), saveText: store.saveText.bind(store) };
}

/**
 * Reads a sync's manifest.
 *
 * @param place The store and key.
 * @returns The manifest, or `undefined` when there is none yet.
 * @throws {UsageError} When the store cannot keep text documents.
 * @throws {CheckpointError} When the manifest is corrupt.
 *
 * @example
 * ```ts
 * import { readSyncManifest } from "./sync_manifest.ts";
 * import { MemoryCheckpointStore } from "./checkpoint_memory.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(await readSyncManifest({ store: new MemoryCheckpointStore(), key: "manifest" }), undefined);
 * ```
 */
export async function readSyncManifest(place: ManifestPlace): Promise<SyncManifest | undefined> {
  const text = await textStore(place).loadText(place.key);
  return text === undefined ? undefined : parseSyncManifest(text, place.store.describe(place.key));
}

/**
 * Writes a sync's manifest atomically (under the sync's lock when the store holds it), stamping
 * `updatedAt`.
 *
 * @param place The store and key.
 * @param manifest The manifest; its `updatedAt` is set.
 * @param now The clock (epoch ms).
 * @throws {UsageError} When the store cannot keep text documents.
 * @throws {LockError} When the store took the sync's lock and lost it.
 *
 * @example
 * ```ts
 * import { readSyncManifest, writeSyncManifest } from "./sync_manifest.ts";
 * import { MemoryCheckpointStore } from "./checkpoint_memory.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const place = { store: new MemoryCheckpointStore(), key: "manifest" };
 * const manifest = { version: 1, kind: "users", job: null, days: {}, provisional: {}, updatedAt: "" };
 * await writeSyncManifest(place, manifest, () => Date.parse("2026-01-02T00:00:00Z"));
 * strictEqual((await readSyncManifest(place))?.updatedAt, "2026-01-02T00:00:00.000Z");
 * ```
 */
export async function writeSyncManifest(
  place: ManifestPlace,
  manifest: SyncManifest,
  now: () => number = Date.now,
): Promise<void> {
  manifest.updatedAt = new Date(now()).toISOString();
  await textStore(place).saveText(place.key, formatSyncManifest(manifest));
}

/**
 * Refuses a manifest of another sync: another kind, or other settings (filters, format, table
 * shape, region) than this run's, naming what differs and its two values.
 *
 * @param location Where the manifest is, for the message.
 * @param manifest The stored manifest.
 * @param kind This run's kind.
 * @param job This run's settings.
 * @param name How to name a differing setting (the CLI names its options).
 * @throws {UsageError} When they differ.
 *
 * @example
 * ```ts
 * import { checkSyncJob } from "./sync_manifest.ts";
 * import { throws } from "node:assert/strict";
 *
 * const manifest = { version: 1, kind: "conversations", job: { sink: { format: "jsonl" } }, days: {}, provisional: {}, updatedAt: "" };
 * throws(
 *   () => checkSyncJob("m.json", manifest, "conversations", { sink: { format: "csv" } }),
 *   /its sink.format was 'jsonl' there and is 'csv' now/,
 * );
 * ```
 */
export function checkSyncJob(
  location: string,
  manifest: SyncManifest,
  kind: string,
  job: JsonValue,
  name: (path: readonly string[]) => string = (path) => `its ${path.join(".")}`,
): void {
  if (manifest.kind !== kind) {
    throw new UsageError(
      `Manifest '${location}' is a sync of ${manifest.kind}, not of ${kind}: sync each kind into its own folder`,
    );
  }
  const difference = jobDifference(manifest.job, job);
  if (!difference) return;
  throw new UsageError(
    `Manifest '${location}' belongs to a sync with other settings: ${name(difference.path)} was ${
      quoteJobValue(difference.was)
    } there and is ${
      quoteJobValue(difference.now)
    } now, and the days of one folder must be alike; run with the same settings, or sync into another folder`,
  );
}
