/**
 * The conversation details query (`POST /api/v2/analytics/conversations/details/query`) as a
 * resumable stream: the interval is split into chunks (UTC days by default), each chunk is paged
 * with `paging.pageNumber`, a chunk past the 100,000-result paging limit is bisected, and a
 * conversation returned by two chunks is yielded once.
 *
 * @module
 */
import type { ApiClient, JsonValue } from "./client.ts";
import { GenesysError } from "./errors.ts";
import {
  type Conversation,
  type ConversationDetailsQuery,
  DETAILS_QUERY_PATH,
} from "./analytics.ts";
import { detailsSettings, readDetailsState, writeDetailsState } from "./analytics_query_state.ts";
import {
  formatDuration,
  formatInterval,
  type Interval,
  nextBoundary,
  previousBoundary,
} from "./interval.ts";
import { Lookahead } from "./lookahead.ts";
import type { PageSource, SourcePage } from "./source.ts";

/** Options of {@link conversationDetailsPages} and friends. */
export interface ConversationDetailsOptions {
  /**
   * Chunk size: a duration such as `1d` (default), `6h` or `7d`, or milliseconds. Chunks fall on
   * a grid from the UTC midnight of the interval's first day. At most 7 days without filters,
   * 31 days with one (the API's limits).
   */
  chunk?: string | number;
  /** Conversations per page, 1 to 100. Default: the body's `paging.pageSize`, else 100. */
  pageSize?: number;
  /** The smallest span bisection may reach before failing. Default `1m`. */
  minChunk?: string | number;
  /** The paging limit of the API; a chunk with more hits is bisected. Default 100,000. */
  maxResults?: number;
  /**
   * Conversations starting this close to a chunk boundary are remembered to drop repeats in the
   * next chunk (besides the previous chunk's last page). Default `1s`.
   */
  dedupWindow?: string | number;
  /** Fetch the next page while the current one is handled. Default `true`. */
  prefetch?: boolean;
  /**
   * Most requests in flight at once, 1 to 16. Default 1. Above 1, pages are fetched ahead across
   * chunks (each chunk's first page) and within a chunk once its `totalHits` is known, at most
   * twice this many held; pages are still handed out in order with the same positions.
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
}

/** One page of the details query stream. */
export interface ConversationDetailsPage {
  /** The page's conversations, repeats of earlier ones removed. */
  conversations: Conversation[];
  /** The chunk (or bisected part of it) this page belongs to, ISO-8601 `start/end`. */
  interval: string;
  /** The page number within that chunk. */
  pageNumber: number;
  /** The chunk's `totalHits`, when the response had it. */
  totalHits?: number;
  /**
   * How many conversations the whole stream gives: known from the last chunk on (the earlier
   * chunks' counts plus what is left of the last); `undefined` before.
   */
  total?: number;
  /** How many repeats this page dropped. */
  dropped: number;
  /** Where to resume after this page (pass as `resumeFrom`). */
  position: JsonValue;
}

interface DetailsResponse {
  conversations?: Conversation[];
  totalHits?: number;
}

/**
 * Streams a conversation details query page by page: splits the interval into chunks, pages each
 * with `paging.pageNumber` until `pageNumber * pageSize >= totalHits` (or `conversations` is
 * absent), bisects a chunk whose paging would pass 100,000 results (`totalHits` rounded up to
 * whole pages), and drops a conversation a previous chunk already gave. Chunks go in ascending
 * time order for `order: "asc"` (default), descending for `"desc"`; within a chunk the API's
 * `order`/`orderBy` hold. Requests are sent with `idempotent: true` (the query only reads).
 *
 * `paging` in the body: only `paging.pageSize` is used (the option `pageSize` wins over it);
 * `paging.pageNumber` other than 1 is refused. Each page's `position` resumes after it (pass it
 * as `resumeFrom`), with the same output as an uninterrupted run.
 *
 * @param client The API client.
 * @param query The details query body (with `interval`).
 * @param options Chunk size, page size, resume position, signal.
 * @returns An async generator of pages.
 * @throws {UsageError} For a bad body (aggregate-only or unknown fields, a malformed or reversed
 * interval, bad `order`/`orderBy`/`paging`) or bad options (a chunk past the 7/31-day limit).
 * @throws {CheckpointError} When `resumeFrom` is not a position of this query.
 * @throws {GenesysError} When a chunk still has more than 100,000 hits at the minimum span.
 *
 * @example
 * ```ts
 * import { conversationDetailsPages } from "./analytics_query.ts";
 * import type { ApiClient, RequestOptions } from "./client.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const asked: string[] = [];
 * const client = {
 *   request: (_m: string, _p: string, o?: RequestOptions) => {
 *     const body = o?.body as { interval: string };
 *     asked.push(body.interval);
 *     const day = body.interval.slice(0, 10);
 *     return Promise.resolve({ totalHits: 1, conversations: [{ conversationId: `c-${day}` }] });
 *   },
 * } as unknown as ApiClient;
 *
 * const ids = [];
 * const query = { interval: "2026-01-01T00:00:00Z/2026-01-03T00:00:00Z" };
 * for await (const page of conversationDetailsPages(client, query)) {
 *   ids.push(...page.conversations.map((c) => c.conversationId));
 * }
 * deepStrictEqual(ids, ["c-2026-01-01", "c-2026-01-02"]);
 * deepStrictEqual(asked, [
 *   "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z",
 *   "2026-01-02T00:00:00Z/2026-01-03T00:00:00Z",
 * ]);
 * ```
 */
export async function* conversationDetailsPages(
  client: ApiClient,
  query: ConversationDetailsQuery,
  options: ConversationDetailsOptions = {},
): AsyncGenerator<ConversationDetailsPage, void, undefined> {
  const s = detailsSettings(query, options);
  const state = readDetailsState(options.resumeFrom, s);
  if (state.done) return;
  const { start, end } = s.interval;
  const remains = (from: number) => (s.desc ? from > start : from < end);
  const spanFrom = (from: number, spanMs = state.spanMs): Interval =>
    s.desc
      ? {
        start: Math.max(previousBoundary(from, s.chunkMs, start), start, from - spanMs),
        end: from,
      }
      : {
        start: from,
        end: Math.min(nextBoundary(from, s.chunkMs, start), end, from + spanMs),
      };
  const onGrid = (t: number) => nextBoundary(t - 1, s.chunkMs, start) === t;
  // What follows a finished span, for the loop and its plan alike: the edge it ends at, the span
  // length from there (the chunk size again once the edge is on the grid), and the next span.
  const after = (span: Interval, spanMs: number) => {
    const from = s.desc ? span.start : span.end;
    const nextMs = onGrid(from) ? s.chunkMs : spanMs;
    return { from, spanMs: nextMs, span: remains(from) ? spanFrom(from, nextMs) : undefined };
  };
  if (!state.span) {
    if (!remains(state.from)) return;
    state.span = spanFrom(state.from);
  }
  const item = (span: Interval, pageNumber: number): PageRequest => ({
    key: `${formatInterval(span)}#${pageNumber}`,
    span,
    pageNumber,
  });
  // totalHits by span, from every response so far: how many pages a span has, to fetch ahead.
  const totals = new Map<string, number>();
  // Whether paging through `hits` would ask past the limit. The last page ends at
  // `ceil(hits / pageSize) * pageSize`, and "Pagination may not exceed N results" may be checked
  // against that end, not against totalHits (the two differ when pageSize does not divide N).
  const tooMany = (hits: number) => Math.ceil(hits / s.pageSize) * s.pageSize > s.maxResults;
  /** The requests the loop below will make, in order, as far as they can be known now. */
  function* upcoming(): Generator<PageRequest> {
    let span = state.done ? undefined : state.span;
    let pageNumber = state.pageNumber;
    let spanMs = state.spanMs;
    while (span) {
      const known = totals.get(formatInterval(span));
      if (known !== undefined && tooMany(known)) return; // a bisection comes first
      const last = known === undefined ? pageNumber : Math.max(1, Math.ceil(known / s.pageSize));
      for (let n = pageNumber; n <= last; n++) yield item(span, n);
      ({ span, spanMs } = after(span, spanMs));
      pageNumber = 1;
    }
  }
  const window = new Lookahead<PageRequest, DetailsResponse>({
    concurrency: s.concurrency,
    eager: options.prefetch ?? true,
    signal: options.signal,
    plan: upcoming,
    onResponse: (request, response) => {
      if (typeof response?.totalHits === "number") {
        totals.set(formatInterval(request.span), response.totalHits);
      }
    },
    fetch: (request, signal) =>
      client.request<DetailsResponse>("POST", DETAILS_QUERY_PATH, {
        body: {
          ...s.body,
          interval: formatInterval(request.span),
          paging: { pageSize: s.pageSize, pageNumber: request.pageNumber },
        },
        idempotent: true,
        signal,
        deadline: options.deadline,
        timeoutMs: options.timeoutMs,
      }),
  });
  try {
    while (state.span) {
      const response = (await window.take(item(state.span, state.pageNumber))) ?? {};
      const span: Interval = state.span;
      const pageNumber = state.pageNumber;
      const totalHits = typeof response.totalHits === "number" ? response.totalHits : undefined;
      if (totalHits !== undefined && tooMany(totalHits)) {
        if (pageNumber > 1) {
          throw new GenesysError(
            `The interval '${
              formatInterval(span)
            }' grew past ${s.maxResults} conversations while it was paged; run again with a smaller chunk`,
          );
        }
        const half = Math.floor((span.end - span.start) / 2);
        if (half < s.minChunkMs) {
          throw new GenesysError(
            `The interval '${
              formatInterval(span)
            }' alone has ${totalHits} conversations, more than the ${s.maxResults} the details query can page through (in pages of ${s.pageSize}), and cannot be split below minChunk '${
              formatDuration(s.minChunkMs)
            }'; add filters or use the jobs API`,
          );
        }
        state.span = s.desc
          ? { start: span.end - half, end: span.end }
          : { start: span.start, end: span.start + half };
        state.spanMs = half;
        continue;
      }
      const raw = Array.isArray(response.conversations) ? response.conversations : undefined;
      const drop = new Set([...state.prev, ...state.last, ...state.carry]);
      const boundary = s.desc ? span.start : span.end;
      const conversations: Conversation[] = [];
      const pageIds: string[] = [];
      let dropped = 0;
      for (const c of raw ?? []) {
        const id = c?.conversationId;
        if (typeof id === "string") {
          pageIds.push(id);
          if (drop.has(id)) {
            dropped++;
            continue;
          }
          drop.add(id);
          const started = typeof c.conversationStart === "string"
            ? Date.parse(c.conversationStart)
            : NaN;
          if (Math.abs(started - boundary) <= s.windowMs) state.carry.push(id);
        }
        conversations.push(c);
      }
      state.emitted += conversations.length;
      const spanDone = !raw || raw.length === 0 ||
        (totalHits !== undefined ? pageNumber * s.pageSize >= totalHits : raw.length < s.pageSize);
      const lastSpan = !remains(boundary);
      let total: number | undefined;
      if (lastSpan && (spanDone || totalHits !== undefined)) {
        total = state.emitted + (spanDone ? 0 : Math.max(0, totalHits! - pageNumber * s.pageSize));
      }
      if (spanDone) {
        totals.delete(formatInterval(span));
        state.prev = [...new Set([...state.carry, ...pageIds])];
        state.carry = [];
        state.last = [];
        ({ from: state.from, spanMs: state.spanMs, span: state.span } = after(span, state.spanMs));
        state.done = !state.span;
        state.pageNumber = 1;
      } else {
        state.last = pageIds;
        state.pageNumber = pageNumber + 1;
      }
      const page: ConversationDetailsPage = {
        conversations,
        interval: formatInterval(span),
        pageNumber,
        dropped,
        position: writeDetailsState(state),
      };
      if (totalHits !== undefined) page.totalHits = totalHits;
      if (total !== undefined) page.total = total;
      window.refill();
      yield page;
    }
  } finally {
    await window.close();
  }
}

/** One request of the details query: a span and a page number. */
interface PageRequest {
  key: string;
  span: Interval;
  pageNumber: number;
}

/**
 * Streams the conversations of a details query one by one; see
 * {@link conversationDetailsPages} for chunking, paging, bisection and repeats.
 *
 * @param client The API client.
 * @param query The details query body.
 * @param options As for {@link conversationDetailsPages}.
 * @returns An async generator of conversations.
 * @throws {UsageError} For a bad body or options.
 *
 * @example
 * ```ts
 * import { conversationDetails } from "./analytics_query.ts";
 * import type { ApiClient } from "./client.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: () => Promise.resolve({ totalHits: 2, conversations: [{ conversationId: "a" }, { conversationId: "b" }] }),
 * } as unknown as ApiClient;
 * const query = { interval: "2026-01-01T00:00:00Z/2026-01-01T06:00:00Z" };
 * strictEqual((await Array.fromAsync(conversationDetails(client, query))).length, 2);
 * ```
 */
export async function* conversationDetails(
  client: ApiClient,
  query: ConversationDetailsQuery,
  options: ConversationDetailsOptions = {},
): AsyncGenerator<Conversation, void, undefined> {
  for await (const page of conversationDetailsPages(client, query, options)) {
    yield* page.conversations;
  }
}

/**
 * A resumable {@link PageSource} over a details query, for the extraction engine. `position`
 * holds the chunk edge or the span and next page number, the count emitted so far and a few
 * ids to drop repeats after a resume (at most about two pages' worth); `total` is known from the
 * last chunk on (see {@link ConversationDetailsPage.total}). `recordType` is `conversation`.
 *
 * @param client The API client.
 * @param query The details query body.
 * @param options As for {@link conversationDetailsPages} (without `resumeFrom` and `signal`),
 * and `onPage`, called with each page as it is handed out (its chunk and `totalHits`, for a
 * progress display).
 * @returns The page source.
 * @throws {UsageError} At once, for a bad body or options.
 *
 * @example
 * ```ts
 * import { conversationDetailsSource } from "./analytics_query.ts";
 * import type { ApiClient } from "./client.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: () => Promise.resolve({ totalHits: 1, conversations: [{ conversationId: "a" }] }),
 * } as unknown as ApiClient;
 * const source = conversationDetailsSource(client, { interval: "2026-01-01/2026-01-02" });
 * const pages = await Array.fromAsync(source.pages());
 * strictEqual(pages.length, 1);
 * strictEqual(pages[0].total, 1);
 * strictEqual((await Array.fromAsync(source.pages(pages[0].position))).length, 0);
 * ```
 */
export function conversationDetailsSource(
  client: ApiClient,
  query: ConversationDetailsQuery,
  options: Omit<ConversationDetailsOptions, "resumeFrom" | "signal"> & {
    onPage?: (page: ConversationDetailsPage) => void;
  } = {},
): PageSource<Conversation> {
  const { description } = detailsSettings(query, options);
  const { onPage, ...pageOptions } = options;
  return {
    description,
    recordType: "conversation",
    async *pages(resumeFrom?: JsonValue, signal?: AbortSignal) {
      for await (
        const page of conversationDetailsPages(client, query, {
          ...pageOptions,
          resumeFrom,
          signal,
        })
      ) {
        onPage?.(page);
        const out: SourcePage<Conversation> = {
          records: page.conversations,
          position: page.position,
        };
        if (page.total !== undefined) out.total = page.total;
        yield out;
      }
    },
  };
}
