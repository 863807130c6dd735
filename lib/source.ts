/**
 * The contract between record sources (paginators, analytics) and the extraction engine: a
 * source yields pages, each with the position to resume from after it.
 *
 * @module
 */
import type { JsonValue } from "./client.ts";

/** One page of records and where to resume once it is durable. */
export interface SourcePage<T = unknown> {
  /** The page's records, in output order. */
  records: T[];
  /**
   * The resume position after this page: passing it to {@link PageSource.pages} continues with
   * the next page. JSON-serializable; never holds a token or a secret.
   */
  position: JsonValue;
  /** How many records the whole extraction will give, when known. */
  total?: number;
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
   * unless it will be resumed).
   *
   * @param resumeFrom A position from an earlier page of the same source.
   * @param signal Aborts the current request.
   */
  pages(resumeFrom?: JsonValue, signal?: AbortSignal): AsyncIterable<SourcePage<T>>;
}
