/**
 * What a command gives `runExtraction` (`extraction.ts`): what it extracts and how to build its
 * source, and what the source builder gets.
 *
 * @module
 */

import type { DetailsJobEvent } from "../analytics/details_job_api.ts";
import type { ApiClient, PageSource } from "../types.ts";
import type { TableRequest } from "./names.ts";
import type { PermissionNeed } from "./permissions.ts";
import type { ChunkEstimate } from "./progress_estimate.ts";
import type { Reporter } from "./reporter.ts";

/** What a command extracts and how to build its source. */
export interface ExtractionPlan {
  /** The plural label for progress and summary: `conversations`. */
  label: string;
  /** The default output file name, without directory and extension. */
  defaultName: string;
  /** The default and largest page size. */
  pageSize: { default: number; max: number };
  /** The interval the run covers, pinned in the resume command. */
  interval?: string;
  /** Permissions beyond the connection and the output (a filter file). */
  needs?: PermissionNeed[];
  /** Conversation details: `--table` and `--resolve-names`. */
  table?: TableRequest;
  /**
   * What the source tells about the run's size before its total is known: the part of the work it
   * is in and an estimate of all records (a details query's day, from each chunk's first page).
   */
  progress?: () => ChunkEstimate;
  /**
   * Builds the source; may throw a `UsageError` for a bad query (before anything is written).
   *
   * @param client The API client.
   * @param settings The page size, prefetch, deadline and the reporter.
   */
  source(client: ApiClient, settings: SourceSettings): PageSource;
}

/** What a plan's source builder gets. */
export interface SourceSettings {
  /** Records per request. */
  pageSize: number;
  /** Fetch the next page while the current one is written. */
  prefetch: boolean;
  /** Most requests in flight at once (`--concurrency`), for sources that fetch ahead. */
  concurrency: number;
  /** The absolute deadline, epoch ms. */
  deadline?: number;
  /** Messages. */
  reporter: Reporter;
  /** Follows an analytics job (its state on the progress line, its submission in the log). */
  onJob: (event: DetailsJobEvent) => void;
}
