/**
 * The settings and resume state of a conversation details query stream, and their JSON form
 * (the `position` of each page).
 *
 * @module
 */
import type { JsonValue } from "./client.ts";
import { CheckpointError, UsageError } from "./errors.ts";
import {
  checkDetailsQuery,
  type ConversationDetailsQuery,
  DETAILS_QUERY_PATH,
} from "./analytics.ts";
import type { ConversationDetailsOptions } from "./analytics_query.ts";
import {
  DAY_MS,
  formatDuration,
  formatInstant,
  formatInterval,
  type Interval,
  parseInstant,
  parseInterval,
} from "./interval.ts";
import { checkPositiveInt, durationOption } from "./page_loop.ts";

/** The resume state of a details query stream (stored as a JSON position). */
export interface DetailsState {
  /** Between chunks: the edge of the remaining region (asc: its start; desc: its end). */
  from: number;
  /** Mid-chunk: the span being paged. */
  span?: Interval;
  /** The next page of `span` (1 between chunks). */
  pageNumber: number;
  /** The longest span to query next: the chunk size, or less after a bisection (until the grid). */
  spanMs: number;
  /** Conversations yielded so far. */
  emitted: number;
  /** Ids to drop: near the boundary with the previous span, and its last page. */
  prev: string[];
  /** Ids of the current span near its next boundary. */
  carry: string[];
  /** Ids of the current span's last page. */
  last: string[];
  /** Nothing is left. */
  done: boolean;
}

/** The checked settings of a details query stream. */
export interface DetailsSettings {
  /** The body to send, without `interval` and `paging`. */
  body: Record<string, unknown>;
  /** The whole interval. */
  interval: Interval;
  /** Whether chunks go backwards (`order: "desc"`). */
  desc: boolean;
  /** The chunk size in ms. */
  chunkMs: number;
  /** The smallest span bisection may reach, in ms. */
  minChunkMs: number;
  /** Conversations per page. */
  pageSize: number;
  /** The paging limit (100,000). */
  maxResults: number;
  /** The dedup window around chunk boundaries, in ms. */
  windowMs: number;
  /** Most requests in flight at once (1 to 16). */
  concurrency: number;
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
 * import { detailsSettings } from "./analytics_query_state.ts";
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
  const windowMs = options.dedupWindow === undefined
    ? 1000
    : durationOption("dedupWindow", options.dedupWindow, "1d");
  checkPositiveInt("concurrency", options.concurrency, 16);
  return {
    body: checked.body,
    interval: checked.interval,
    desc: checked.order === "desc",
    chunkMs,
    minChunkMs,
    pageSize,
    maxResults,
    windowMs,
    concurrency: options.concurrency ?? 1,
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
 * Reads a resume position (or starts afresh without one).
 *
 * @param position A position from an earlier page, or `undefined`.
 * @param s The stream's settings.
 * @returns The state to continue from.
 * @throws {CheckpointError} When the position does not fit this query.
 *
 * @example
 * ```ts
 * import { detailsSettings, readDetailsState } from "./analytics_query_state.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const s = detailsSettings({ interval: "2026-01-01/2026-01-08" }, {});
 * strictEqual(readDetailsState(undefined, s).from, Date.UTC(2026, 0, 1));
 * ```
 */
export function readDetailsState(
  position: JsonValue | undefined,
  s: DetailsSettings,
): DetailsState {
  const { start, end } = s.interval;
  const fresh: DetailsState = {
    from: s.desc ? end : start,
    pageNumber: 1,
    spanMs: s.chunkMs,
    emitted: 0,
    prev: [],
    carry: [],
    last: [],
    done: false,
  };
  if (position === undefined || position === null) return fresh;
  const p = position as Record<string, JsonValue>;
  if (typeof p !== "object" || Array.isArray(p) || p.kind !== "details-query") {
    throw badPosition(position, "not a details query position");
  }
  const ids = (key: string): string[] => {
    const value = p[key] ?? [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
      throw badPosition(position, `'${key}' is not a list of ids`);
    }
    return value as string[];
  };
  if (!Number.isInteger(p.emitted) || (p.emitted as number) < 0) {
    throw badPosition(position, "'emitted' is missing");
  }
  const spanMs = p.spanMs ?? s.chunkMs;
  if (!Number.isInteger(spanMs) || (spanMs as number) < 1 || (spanMs as number) > s.chunkMs) {
    throw badPosition(position, "'spanMs' does not fit the chunk size");
  }
  const state: DetailsState = {
    ...fresh,
    spanMs: spanMs as number,
    emitted: p.emitted as number,
    prev: ids("prev"),
  };
  if (p.done === true) return { ...state, done: true };
  try {
    if (typeof p.span === "string") {
      const span = parseInterval(p.span);
      if (span.start < start || span.end > end) {
        throw badPosition(position, "span outside the interval");
      }
      if (!Number.isInteger(p.pageNumber) || (p.pageNumber as number) < 2) {
        throw badPosition(position, "'pageNumber' is missing");
      }
      return {
        ...state,
        span,
        pageNumber: p.pageNumber as number,
        carry: ids("carry"),
        last: ids("last"),
      };
    }
    if (typeof p.from !== "string") throw badPosition(position, "'from' is missing");
    const from = parseInstant(p.from);
    if (from < start || from > end) throw badPosition(position, "'from' outside the interval");
    return { ...state, from };
  } catch (error) {
    if (error instanceof UsageError) throw badPosition(position, error.message);
    throw error;
  }
}

/**
 * Writes the state as a JSON position: `{ kind, from, spanMs, emitted, prev }` between chunks,
 * `{ kind, span, pageNumber, spanMs, emitted, prev, carry, last }` inside one, or
 * `{ kind, done, emitted }` at the end. The id lists are copies.
 *
 * @param state The state.
 * @returns The position.
 *
 * @example
 * ```ts
 * import { detailsSettings, readDetailsState, writeDetailsState } from "./analytics_query_state.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const s = detailsSettings({ interval: "2026-01-01/2026-01-08" }, {});
 * const position = writeDetailsState(readDetailsState(undefined, s));
 * deepStrictEqual(readDetailsState(position, s), readDetailsState(undefined, s));
 * ```
 */
export function writeDetailsState(state: DetailsState): JsonValue {
  if (state.done) return { kind: "details-query", done: true, emitted: state.emitted };
  if (state.span && state.pageNumber > 1) {
    return {
      kind: "details-query",
      span: formatInterval(state.span),
      pageNumber: state.pageNumber,
      spanMs: state.spanMs,
      emitted: state.emitted,
      prev: [...state.prev],
      carry: [...state.carry],
      last: [...state.last],
    };
  }
  return {
    kind: "details-query",
    from: formatInstant(state.from),
    spanMs: state.spanMs,
    emitted: state.emitted,
    prev: [...state.prev],
  };
}
