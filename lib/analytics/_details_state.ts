/**
 * The settings and resume state of a conversation details query stream, and their JSON form
 * (the `position` of each page).
 *
 * @module
 */
import type { Clock, JsonValue } from "../types.ts";
import { CheckpointError, UsageError } from "../errors.ts";
import {
  checkDetailsQuery,
  type Conversation,
  type ConversationDetailsQuery,
  DETAILS_QUERY_PATH,
} from "./details_query.ts";
import {
  DAY_MS,
  formatDuration,
  formatInstant,
  formatInterval,
  type Interval,
  parseInstant,
  parseInterval,
} from "./interval.ts";
import { checkPositiveInt } from "../paginate/_page_loop.ts";
import { durationOption } from "./_duration_option.ts";

/** Options of {@link conversationDetailsPages} and friends. */
export interface ConversationDetailsOptions {
  /**
   * Chunk size: a duration such as `1d`, `6h` or `7d`, or milliseconds. Chunks fall on a grid
   * from the UTC midnight of the interval's first day. At most 7 days without filters, 31 days
   * with one (the API's limits).
   *
   * @default {"1d"}
   */
  chunk?: string | number;
  /** Conversations per page, 1 to 100. Default: the body's `paging.pageSize`, else 100. */
  pageSize?: number;
  /**
   * The smallest span bisection may reach before failing.
   *
   * @default {"1m"}
   */
  minChunk?: string | number;
  /**
   * The paging limit of the API. `totalHits` is approximate, so a span is bisected once its
   * `totalHits` passes {@link SPLIT_RATIO} (80 %) of it.
   *
   * @default {100000}
   */
  maxResults?: number;
  /**
   * Fetch the next page while the current one is handled.
   *
   * @default {true}
   */
  prefetch?: boolean;
  /**
   * Most requests in flight at once, 1 to 16. Above 1, pages are fetched ahead across chunks
   * (each chunk's first page) and within a chunk once its `totalHits` is known, at most twice
   * this many held; pages are still handed out in order with the same positions.
   *
   * @default {1}
   */
  concurrency?: number;
  /** A `position` from an earlier page of the same query and options: continue after it. */
  resumeFrom?: JsonValue;
  /** Aborts the current request. */
  signal?: AbortSignal;
  /** Passed to every request: an absolute deadline, epoch ms by the client's clock. */
  deadline?: number;
  /** Passed to every request: the per-attempt timeout in ms. */
  timeoutMs?: number;
  /**
   * The clock (only its `now` is used; default `Date.now`): an interval that reaches past now is
   * read up to now (whole seconds), and its last page says `openUntil`.
   */
  clock?: Clock;
}

/** One page of the details query stream. */
export interface ConversationDetailsPage {
  /** The page's conversations: those that started in the span it was read for. */
  conversations: Conversation[];
  /**
   * The span (the chunk, or a bisected part of it) this page was read for, ISO-8601
   * `start/end`; `""` on a page that read nothing (an open end with nothing new yet).
   */
  interval: string;
  /** The page number within that span (0 on a page that read nothing). */
  pageNumber: number;
  /** The span's `totalHits`, when the response had it (approximate, as the API documents). */
  totalHits?: number;
  /**
   * An estimate of how many conversations this run gives in all, from its last span on (the
   * conversations so far plus what that span's `totalHits` leaves); exact on the last page.
   */
  total?: number;
  /** How many records the page had that started outside its span (another window owns them). */
  dropped: number;
  /**
   * Set on the last page when the interval reaches past now: the instant (ISO-8601) the stream
   * covered until. Resuming from this page's position later reads on from there.
   */
  openUntil?: string;
  /** Where to resume after this page (pass as `resumeFrom`). */
  position: JsonValue;
}

/**
 * The share of the paging limit a span's `totalHits` may reach before the span is bisected:
 * `totalHits` is approximate (it may be 10 % low), and a span past the limit cannot be paged to
 * its end.
 */
export const SPLIT_RATIO = 0.8;

/**
 * The resume state of a details query stream (stored as a JSON position).
 *
 * A run reads a *walk*: a stretch of the interval from where the output stands to the run's end
 * (the interval's end, or now when that is earlier), span by span, in the query's order.
 * Everything before the walk is written; the walk's end is fixed when the walk starts.
 */
export interface DetailsState {
  /** The walk being read; `undefined` between walks (see `until`). */
  walk?: Interval;
  /** Between spans: the edge of the walk's remaining part (asc: its start; desc: its end). */
  from: number;
  /** Mid-span: the span being paged. */
  span?: Interval;
  /** The next page of `span` (1 between spans). */
  pageNumber: number;
  /** The longest span to query next: the chunk size, or less after a bisection (until the grid). */
  spanMs: number;
  /** Conversations yielded so far, over every run. */
  emitted: number;
  /** Between walks: everything before this instant is written. */
  until: number;
  /** Nothing is left. */
  done: boolean;
}

/** The checked settings of a details query stream. */
export interface DetailsSettings {
  /** The body to send, without `interval` and `paging`. */
  body: Record<string, unknown>;
  /** The whole interval. */
  interval: Interval;
  /** Whether spans go backwards (`order: "desc"`). */
  desc: boolean;
  /** The chunk size in ms. */
  chunkMs: number;
  /** The smallest span bisection may reach, in ms. */
  minChunkMs: number;
  /** Conversations per page. */
  pageSize: number;
  /** The paging limit (100,000). */
  maxResults: number;
  /** Most requests in flight at once (1 to 16). */
  concurrency: number;
  /** The clock, epoch ms. */
  now: () => number;
  /** The source description (endpoint, interval, body, chunk, pageSize, maxResults). */
  description: JsonValue;
}

/**
 * Checks a details query body and its options and derives the stream's settings.
 *
 * @param query The details query body.
 * @param options The stream's options.
 * @returns The settings.
 * @throws {UsageError} For a bad body or options.
 *
 * @example
 * ```ts
 * import { detailsSettings } from "./_details_state.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const s = detailsSettings({ interval: "2026-01-01/2026-01-08" }, { chunk: "6h" });
 * strictEqual(s.chunkMs, 6 * 3_600_000);
 * strictEqual(s.pageSize, 100);
 * ```
 */
export function detailsSettings(
  query: ConversationDetailsQuery,
  options: ConversationDetailsOptions,
): DetailsSettings {
  const checked = checkDetailsQuery(query, "query");
  const chunkMs = durationOption("chunk", options.chunk ?? "1d", "1d");
  const capDays = checked.hasFilters ? 31 : 7;
  if (chunkMs > capDays * DAY_MS) {
    throw new UsageError(
      checked.hasFilters
        ? `Chunk '${
          formatDuration(chunkMs)
        }' exceeds the 31-day interval limit of the details query; use a chunk of at most 31d`
        : `Chunk '${
          formatDuration(chunkMs)
        }' exceeds the 7-day interval limit of the details query without filters; use a chunk of at most 7d or add a filter`,
    );
  }
  const minChunkMs = durationOption("minChunk", options.minChunk ?? "1m", "1d");
  const pageSize = options.pageSize ?? checked.pageSize ?? 100;
  checkPositiveInt("pageSize", pageSize, 100);
  const maxResults = options.maxResults ?? 100_000;
  if (!Number.isInteger(maxResults) || maxResults < pageSize) {
    throw new UsageError(
      `Option 'maxResults' is '${maxResults}': it must be a whole number of at least the page size`,
    );
  }
  checkPositiveInt("concurrency", options.concurrency, 16);
  return {
    body: checked.body,
    interval: checked.interval,
    desc: checked.order === "desc",
    chunkMs,
    minChunkMs,
    pageSize,
    maxResults,
    concurrency: options.concurrency ?? 1,
    now: options.clock?.now ?? Date.now,
    description: {
      endpoint: `POST ${DETAILS_QUERY_PATH}`,
      interval: formatInterval(checked.interval),
      body: checked.body as JsonValue,
      chunk: formatDuration(chunkMs),
      pageSize,
      maxResults,
    },
  };
}

function badPosition(position: unknown, why: string): CheckpointError {
  return new CheckpointError(
    `Resume position ${
      JSON.stringify(position)?.slice(0, 200)
    } does not fit this details query (${why}); delete the checkpoint to start over`,
  );
}

/**
 * Reads a resume position (or starts afresh without one). A position of the earlier format
 * (with the boundary-dedupe lists `prev`, `carry`, `last` and no `walk`) is refused: its pages
 * were filtered by another rule, so continuing it could not be exact.
 *
 * @param position A position from an earlier page, or `undefined`.
 * @param s The stream's settings.
 * @returns The state to continue from.
 * @throws {CheckpointError} When the position does not fit this query.
 *
 * @example
 * ```ts
 * import { detailsSettings, readDetailsState } from "./_details_state.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const s = detailsSettings({ interval: "2026-01-01/2026-01-08" }, {});
 * strictEqual(readDetailsState(undefined, s).until, Date.UTC(2026, 0, 1));
 * ```
 */
export function readDetailsState(
  position: JsonValue | undefined,
  s: DetailsSettings,
): DetailsState {
  const { start, end } = s.interval;
  const fresh: DetailsState = {
    from: start,
    pageNumber: 1,
    spanMs: s.chunkMs,
    emitted: 0,
    until: start,
    done: false,
  };
  if (position === undefined || position === null) return fresh;
  const p = position as Record<string, JsonValue>;
  if (typeof p !== "object" || Array.isArray(p) || p.kind !== "details-query") {
    throw badPosition(position, "not a details query position");
  }
  if (!Number.isInteger(p.emitted) || (p.emitted as number) < 0) {
    throw badPosition(position, "'emitted' is missing");
  }
  const emitted = p.emitted as number;
  if (p.done === true) return { ...fresh, emitted, until: end, done: true };
  if ("prev" in p || "carry" in p || "last" in p) {
    throw badPosition(
      position,
      "it was written by an earlier version that removed repeats at chunk boundaries; conversations now belong to the window they started in",
    );
  }
  try {
    if (typeof p.until === "string") {
      const until = parseInstant(p.until);
      if (until < start || until > end) throw badPosition(position, "'until' outside the interval");
      return { ...fresh, emitted, from: until, until };
    }
    if (typeof p.walk !== "string") throw badPosition(position, "'walk' is missing");
    const walk = parseInterval(p.walk);
    if (walk.start < start || walk.end > end) {
      throw badPosition(position, "walk outside the interval");
    }
    const spanMs = p.spanMs;
    if (!Number.isInteger(spanMs) || (spanMs as number) < 1 || (spanMs as number) > s.chunkMs) {
      throw badPosition(position, "'spanMs' does not fit the chunk size");
    }
    const state = { ...fresh, walk, emitted, spanMs: spanMs as number, until: walk.start };
    if (typeof p.span === "string") {
      const span = parseInterval(p.span);
      if (span.start < walk.start || span.end > walk.end) {
        throw badPosition(position, "span outside its walk");
      }
      if (!Number.isInteger(p.pageNumber) || (p.pageNumber as number) < 2) {
        throw badPosition(position, "'pageNumber' is missing");
      }
      return {
        ...state,
        from: s.desc ? span.end : span.start,
        span,
        pageNumber: p.pageNumber as number,
      };
    }
    if (typeof p.from !== "string") throw badPosition(position, "'from' is missing");
    const from = parseInstant(p.from);
    if (from < walk.start || from > walk.end) {
      throw badPosition(position, "'from' outside its walk");
    }
    return { ...state, from };
  } catch (error) {
    if (error instanceof UsageError) throw badPosition(position, error.message);
    throw error;
  }
}

/**
 * Writes the state as a JSON position: `{ kind, walk, span, pageNumber, spanMs, emitted }`
 * inside a span, `{ kind, walk, from, spanMs, emitted }` between spans, `{ kind, until,
 * emitted }` between walks (an open end: everything before `until` is written), or
 * `{ kind, done, emitted }` at the end.
 *
 * @param state The state.
 * @returns The position.
 *
 * @example
 * ```ts
 * import { detailsSettings, readDetailsState, writeDetailsState } from "./_details_state.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const s = detailsSettings({ interval: "2026-01-01/2026-01-08" }, {});
 * const position = writeDetailsState(readDetailsState(undefined, s));
 * deepStrictEqual(position, { kind: "details-query", until: "2026-01-01T00:00:00Z", emitted: 0 });
 * deepStrictEqual(readDetailsState(position, s), readDetailsState(undefined, s));
 * ```
 */
export function writeDetailsState(state: DetailsState): JsonValue {
  const kind = "details-query";
  if (state.done) return { kind, done: true, emitted: state.emitted };
  if (!state.walk) return { kind, until: formatInstant(state.until), emitted: state.emitted };
  const walk = formatInterval(state.walk);
  if (state.span && state.pageNumber > 1) {
    return {
      kind,
      walk,
      span: formatInterval(state.span),
      pageNumber: state.pageNumber,
      spanMs: state.spanMs,
      emitted: state.emitted,
    };
  }
  return {
    kind,
    walk,
    from: formatInstant(state.from),
    spanMs: state.spanMs,
    emitted: state.emitted,
  };
}
