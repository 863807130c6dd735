/**
 * The shapes of an extraction: its options, the progress it reports, the counters it asks for and
 * the result it returns.
 *
 * @module
 */

import type { CheckpointLock } from "./lock.ts";
import type { CheckpointStore } from "./checkpoint.ts";
import type { Clock, JsonValue, PageSource, SourceCap } from "../types.ts";
import type { Sink } from "./sink.ts";

/** Request counters the progress events report, read from the client (all optional). */
export interface ExtractCounters {
  /** Requests sent so far (attempts included). */
  requests?: number;
  /**
   * Retries so far: a total, or counts by cause (as in `GenesysClient.stats`), which are summed.
   */
  retries?: number | Readonly<Record<string, number>>;
  /** Token requests so far (the first one and every refresh). */
  tokenRequests?: number;
}

/** Where the engine keeps its checkpoint. */
export interface ExtractCheckpointOptions {
  /** The store. */
  store: CheckpointStore;
  /** The checkpoint's key in the store: the caller's name for this job's slot. */
  key: string;
  /**
   * The job's lock, when the caller took it already (the CLI does, before its own checks): the
   * run then neither takes nor releases one. Without it, the run takes the store's lock (when
   * the store has `lock`) before reading the checkpoint and releases it when it ends.
   */
  lock?: CheckpointLock;
}

/** A progress report, sent after each durable page. */
export interface ExtractProgress {
  /** Pages of records durable, this run and earlier ones (pages without records not counted). */
  pages: number;
  /** Records durable, this run and earlier ones. */
  records: number;
  /** Records the whole extraction gives, when the source knows. */
  total?: number;
  /** Records read but not kept because another window owns them, this run and earlier ones. */
  dropped: number;
  /** Durable output bytes. */
  bytes: number;
  /** Pages of records written by this run. */
  pagesThisRun: number;
  /** Records written by this run. */
  recordsThisRun: number;
  /** Requests so far (from `stats`). */
  requests?: number;
  /** Retries so far (from `stats`). */
  retries?: number;
  /** Token requests so far (from `stats`). */
  tokenRequests?: number;
  /** Milliseconds since this run started (by the clock). */
  elapsedMs: number;
  /** Records per second written by this run (0 before any time has passed). */
  recordsPerSecond: number;
  /** Whether this run continued an earlier one. */
  resumed: boolean;
}

/** What {@link extract} needs. */
export interface ExtractOptions<T = unknown> {
  /** Where the records come from. */
  source: PageSource<T>;
  /** Where they go. */
  sink: Sink;
  /** Where to keep the checkpoint; without it the run cannot resume. */
  checkpoint?: ExtractCheckpointOptions;
  /**
   * What else identifies the job besides the source's description and the sink's identity, such
   * as the region or org. It is kept in the checkpoint (to say what differs when a resume is
   * refused): never pass a secret here.
   */
  identity?: JsonValue;
  /** Delete any existing checkpoint first and start over (the CLI's `--restart`). */
  restart?: boolean;
  /** Stops the run after the current page (a page still being fetched is abandoned). */
  signal?: AbortSignal;
  /** Called after each durable page. Exceptions thrown here propagate. */
  onProgress?: (progress: ExtractProgress) => void;
  /** Called with notices, such as the stale lock of a killed run taken over. */
  onNotice?: (message: string) => void;
  /** Reads the client's counters for the progress events. */
  stats?: () => ExtractCounters;
  /** The clock (only its `now` is used). Default `Date.now`. */
  clock?: Clock;
}

/** How a run ended. */
export interface ExtractResult {
  /** `complete`: the output is finished; `stopped`: the signal stopped the run. */
  status: "complete" | "stopped";
  /** The checkpoint said the job was already complete: nothing was read or written. */
  alreadyComplete: boolean;
  /** Whether this run continued an earlier one. */
  resumed: boolean;
  /** Whether a stopped run can be resumed (it has a checkpoint). */
  resumable: boolean;
  /** Pages of records durable, this run and earlier ones (pages without records not counted). */
  pages: number;
  /** Records durable, this run and earlier ones. */
  records: number;
  /** Output bytes. */
  bytes: number;
  /** Pages of records written by this run. */
  pagesThisRun: number;
  /** Records written by this run. */
  recordsThisRun: number;
  /** Records the whole extraction gives, when the source said. */
  total?: number;
  /** Records read but not kept because another window owns them, this run and earlier ones. */
  dropped: number;
  /**
   * Set when the source ended at a documented server cap (see `SourcePage.capped`): the output is
   * finished but holds only what the server gives. Also set on an `alreadyComplete` result.
   */
  capped?: SourceCap;
  /**
   * Set when the output covers the source's range only up to this instant (ISO-8601; an interval
   * clamped to now): running the same job again later continues after it.
   */
  openUntil?: string;
  /** The job key (hash of the arguments). */
  jobKey: string;
  /** The checkpoint's key, when there is a checkpoint. */
  checkpointKey?: string;
  /** Where the checkpoint lives (a file path, a KV key), when there is one. */
  checkpoint?: string;
  /** The output file, when the sink writes one. */
  output?: string;
  /** Milliseconds this run took (by the clock). */
  elapsedMs: number;
}
