/**
 * The shapes of a sync (`sync.ts`, `sync_snapshot.ts`, `_sync_session.ts`): what every sync takes
 * (where it keeps its state and days, how it reports), a day to run, and what a day came to, as
 * events and as results.
 *
 * @module
 */
import type { Clock, JsonValue, PageSource, SourceCap } from "../types.ts";
import type { CheckpointLock } from "./lock.ts";
import type { CheckpointStore } from "./checkpoint.ts";
import type { ExtractCounters, ExtractProgress } from "./extract.ts";
import type { SyncDayKind, SyncOutput } from "./sync_output.ts";
import type { SyncVia } from "./sync_manifest.ts";

/** What a day of a sync came to. */
export interface SyncDayResult {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Final or provisional. */
  kind: SyncDayKind;
  /**
   * `written`: finished by this run; `present`: the manifest listed it already (nothing was
   * read); `stopped`: the run stopped in it (its checkpoint resumes it on the next run).
   */
  status: "written" | "present" | "stopped";
  /** How it was read (when it was). */
  via?: SyncVia;
  /** The day's output, as the manifest names it. */
  file: string;
  /** Records of the day (saved so far, for a stopped day). */
  records: number;
  /** Records this run wrote. */
  recordsThisRun: number;
  /** Bytes of the day's output. */
  bytes: number;
  /** SHA-256 of a finished day's output. */
  sha256?: string;
  /** Records read for the day but owned by another day (they started outside it). */
  dropped: number;
  /** Whether this run continued a day an earlier run had started. */
  resumed: boolean;
  /** Milliseconds this run spent on the day. */
  elapsedMs: number;
  /** A provisional day: the instant its data reaches. */
  until?: string;
  /** A listing that ended at a documented server cap: the snapshot is incomplete. */
  capped?: SourceCap;
  /** With `via: "auto"`: the day's estimated size and what each way would cost in requests. */
  estimate?: { conversations: number; query: number; jobs: number };
}

/** Progress of a sync, after each durable page. */
export interface SyncProgress {
  /** The day being written. */
  day: string;
  /** Final or provisional. */
  kind: SyncDayKind;
  /** Which of this run's days it is, from 1. */
  index: number;
  /** How many days this run has to write. */
  of: number;
  /** Days this run finished so far. */
  daysDone: number;
  /** Records this run wrote so far, over all its days. */
  recordsThisRun: number;
  /** Pages of records this run wrote so far, over all its days. */
  pagesThisRun: number;
  /** The day's progress (its records include those of an earlier run of the day). */
  extract: ExtractProgress;
}

/** Where a day starts: which of this run's days it is, and how it is read. */
export interface SyncDayStart {
  /** The UTC day. */
  day: string;
  /** Final or provisional. */
  kind: SyncDayKind;
  /** Which of this run's days it is, from 1. */
  index: number;
  /** How many days this run has to write. */
  of: number;
  /** How it is read. */
  via: SyncVia;
  /** Whether an earlier run started it (its checkpoint is continued). */
  resumed: boolean;
  /** Records an earlier run saved of it (when resumed). */
  saved?: number;
  /** With `via: "auto"`: the estimate the choice was made on. */
  estimate?: SyncDayResult["estimate"];
}

/** What every sync takes: where it keeps its state and days, and how it reports. */
export interface SyncCommonOptions {
  /** Where the manifest and the days' checkpoints are kept (a file, KV or memory store). */
  store: CheckpointStore;
  /** Where the days go. */
  output: SyncOutput;
  /**
   * The manifest's key in the store.
   *
   * @default {"manifest"}
   */
  manifestKey?: string;
  /** A day's checkpoint key in the store. Default: the day itself. */
  checkpointKey?: (day: string) => string;
  /**
   * The sync's lock, when the caller holds it already. Otherwise the run takes the store's lock
   * of the manifest's key (when the store has `lock`) and releases it when it ends.
   */
  lock?: CheckpointLock;
  /** What else identifies the sync, such as the region (kept in the manifest; never a secret). */
  identity?: JsonValue;
  /** Stops the run after the current page; the day is resumed by the next run. */
  signal?: AbortSignal;
  /**
   * The clock: its `now` decides the days and times the run; `syncDays` also waits between the
   * polls of its details jobs with its `sleep`. Default the real one.
   */
  clock?: Clock;
  /** Reads the client's counters for the progress events. */
  stats?: () => ExtractCounters;
  /** Called after each durable page. */
  onProgress?: (progress: SyncProgress) => void;
  /** Called when a day starts. */
  onDayStart?: (start: SyncDayStart) => void;
  /** Called when a day is finished or stopped. */
  onDay?: (result: SyncDayResult) => void;
  /** Called with notices (a stale lock taken over, what a stopped run left removed). */
  onNotice?: (message: string) => void;
  /**
   * How a refused manifest names a differing setting (default `its a.b`); the CLI names its
   * options.
   */
  settingName?: (path: readonly string[]) => string;
}

/** A day to run: its source and how it is read. */
export interface SyncDayPlan {
  /** The UTC day. */
  day: string;
  /** Final or provisional. */
  kind: SyncDayKind;
  /** The day's records. */
  source: PageSource;
  /** How they are read. */
  via: SyncVia;
  /** Which of this run's days it is, from 1. */
  index: number;
  /** How many days this run has to write. */
  of: number;
  /** With `via: "auto"`: the estimate the choice was made on. */
  estimate?: SyncDayResult["estimate"];
}
