/**
 * The contract between record sources (paginators, analytics) and the extraction engine: a
 * source yields pages, each with the position to resume from after it.
 *
 * @module
 */
import type { JsonValue } from "./client.ts";

/** A documented limit on how much a source can read (see `SourcePage.capped`). */
export interface SourceCap {
  /** The most records the server gives. */
  limit: number;
  /** What the cap is and where it is documented, for messages. */
  description: string;
}

/** One page of records and where to resume once it is durable. */
export interface SourcePage<T = unknown> {
  /** The page's records, in output order. */
  records: T[];
  /**
   * The resume position after this page: passing it to {@link PageSource.pages} continues with
   * the next page. JSON-serializable; never holds a token or a secret.
   */
  position: JsonValue;
  /** How many records the whole extraction will give, when known (an estimate for some sources). */
  total?: number;
  /**
   * Records read for this page but not kept because another window owns them (a conversation
   * that started outside the window it was read for): counted for the run's statistics, never
   * written.
   */
  dropped?: number;
  /**
   * Set on the last page when the source ended at a documented server cap rather than at the
   * end of the data: the output holds what could be read, and a rerun cannot read more.
   */
  capped?: SourceCap;
  /**
   * Set on the last page when the source covered its range only up to an instant (an interval
   * reaching past now is clamped to now): that instant, ISO-8601. A later run of the same job
   * continues from this page's position and extracts the rest.
   */
  openUntil?: string;
}

/** A resumable, paged stream of records. */
export interface PageSource<T = unknown> {
  /**
   * What this source reads, for the checkpoint's job key: endpoint, query and options that change
   * the output. Two sources with equal descriptions produce the same records.
   */
  readonly description: JsonValue;
  /** The record type, such as `user`, `queue` or `conversation` (CSV columns depend on it). */
  readonly recordType: string;
  /**
   * Yields pages in order, starting after `resumeFrom` (from the beginning when `undefined`).
   * Leaving the loop early cleans up (no pending request or timer; an analytics job is cancelled
   * unless it will be resumed). A source that ends short of its range yields at least one page,
   * its last, with `capped` or `openUntil`.
   *
   * @param resumeFrom A position from an earlier page of the same source.
   * @param signal Aborts the current request.
   */
  pages(resumeFrom?: JsonValue, signal?: AbortSignal): AsyncIterable<SourcePage<T>>;
}
