/**
 * The options and the pages of a details job stream ({@link conversationDetailsJobPages}).
 *
 * @module
 */

import type { Conversation } from "./details_query.ts";
import type { DetailsJobEvent, DetailsJobHints } from "./details_job_api.ts";
import type { Clock, JsonValue } from "../types.ts";

/** Options of {@link conversationDetailsJobPages} and friends. */
export interface ConversationDetailsJobOptions {
  /** Results per page (`pageSize` of the results request). Default: not sent (server default). */
  pageSize?: number;
  /**
   * The first wait between status polls: a duration such as `2s` or ms.
   *
   * @default {"2s"}
   */
  pollInterval?: string | number;
  /**
   * The longest wait between polls.
   *
   * @default {"30s"}
   */
  maxPollInterval?: string | number;
  /**
   * Each wait is the previous one times this factor (capped).
   *
   * @default {1.5}
   */
  pollBackoff?: number;
  /**
   * How long to wait for the job to complete before failing with a {@link JobError}.
   *
   * @default {"30m"}
   */
  maxWait?: string | number;
  /**
   * Cancel the job (`DELETE`) when the consumer leaves the loop early, the signal aborts or the
   * wait fails. Default `true` for the generators; `false` for {@link conversationDetailsJobSource},
   * whose positions are checkpointed so the job is resumed later (an abandoned job expires on
   * the server).
   */
  cancelOnEarlyExit?: boolean;
  /**
   * Retry the submit `POST` on a 5xx or timeout although that could create two jobs.
   *
   * @default {false}
   */
  retrySubmit?: boolean;
  /**
   * When resuming a job that has expired, failed, was cancelled or is gone (404): submit it again
   * and skip the results already read (`true`), or fail with a {@link JobError}.
   *
   * @default {true}
   */
  resubmitExpired?: boolean;
  /**
   * Compare the job's end with `GET .../jobs/availability` before submitting: `fail` throws a
   * {@link UsageError} when the end is later than `dataAvailabilityDate` (jobs only see data up
   * to it), `warn` calls `onWarning`, `off` skips the request.
   *
   * @default {"fail"}
   */
  checkAvailability?: "fail" | "warn" | "off";
  /** How messages name the settings a user can change (the CLI passes its flags). */
  hints?: DetailsJobHints;
  /**
   * Receives warnings.
   *
   * @default {console.warn}
   */
  onWarning?: (message: string) => void;
  /** Receives job events (submitted, each polled state). */
  onJob?: (event: DetailsJobEvent) => void;
  /**
   * Fetch the next results page while the current one is handled.
   *
   * @default {true}
   */
  prefetch?: boolean;
  /** A `position` from an earlier page of the same query: continue after it. */
  resumeFrom?: JsonValue;
  /** Aborts the current request or wait. */
  signal?: AbortSignal;
  /** An absolute deadline, epoch ms: no wait goes past it; passed to every request. */
  deadline?: number;
  /** Passed to every request: the per-attempt timeout in ms. */
  timeoutMs?: number;
  /**
   * The time and the waits between polls (see {@link Clock}; `random` is not used). Default the
   * real ones. Besides timing the polls, `now` decides what has happened: an interval reaching
   * past now is read up to now (whole seconds).
   */
  clock?: Clock;
}

/** One page of a details job stream. */
export interface ConversationDetailsJobPage {
  /**
   * The page's conversations: those that started in the job's window (empty for the page
   * announcing a submitted job).
   */
  conversations: Conversation[];
  /** The job these results come from (`""` on a page that read nothing: an open end). */
  jobId: string;
  /** Results skipped because a dead job's run had already read them. */
  skipped: number;
  /** Results of the page that started outside the job's window (another window owns them). */
  dropped: number;
  /**
   * Set on the last page when the interval reaches past now: the instant (ISO-8601) the stream
   * covered until. Resuming from this page's position later submits a job for the rest.
   */
  openUntil?: string;
  /** Where to resume after this page (pass as `resumeFrom`). */
  position: JsonValue;
}
