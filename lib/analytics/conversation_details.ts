/**
 * The conversation details query (`POST /api/v2/analytics/conversations/details/query`) as a
 * resumable stream: the interval is split into chunks (UTC days by default), each chunk is paged
 * with `paging.pageNumber` until an empty page, a chunk near the 100,000-result paging limit is
 * bisected, each chunk keeps only the conversations that started in it (the ownership rule), and
 * an interval reaching past now is read up to now.
 *
 * @module
 */
import type { ApiClient, JsonValue, PageSource, SourcePage } from "../types.ts";
import type { ConversationDetailsOptions } from "./_details_state.ts";

export type { ConversationDetailsOptions } from "./_details_state.ts";
import { GenesysError } from "../errors.ts";
import {
  type Conversation,
  type ConversationDetailsQuery,
  DETAILS_QUERY_PATH,
  ownedBy,
} from "./details_query.ts";
import {
  detailsSettings,
  readDetailsState,
  SPLIT_RATIO,
  writeDetailsState,
} from "./_details_state.ts";
import {
  formatDuration,
  formatInstant,
  formatInterval,
  type Interval,
  nextBoundary,
  previousBoundary,
} from "./interval.ts";
import { Lookahead } from "../paginate/_lookahead.ts";
import { recordsOf } from "../paginate/_page_loop.ts";

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

interface DetailsResponse {
  conversations?: unknown;
  totalHits?: number;
}

/**
 * Streams a conversation details query page by page. The interval is read in spans on a chunk
 * grid (UTC days by default), in ascending time order for `order: "asc"` (default), descending
 * for `"desc"`; within a span the API's `order`/`orderBy` hold. Requests are sent with
 * `idempotent: true` (the query only reads).
 *
 * - Ownership: a conversation belongs to the span its `conversationStart` falls in,
 *   `[start, end)`. The API also returns conversations that started earlier the same UTC day and
 *   overlap the span; each span keeps only those it owns and counts the others (`dropped`), so
 *   every conversation that started in the interval is yielded exactly once, however it is
 *   chunked, bisected or resumed, and nothing else.
 * - End of a span: a page without records (`conversations` absent or empty). `totalHits` is
 *   approximate and pages may be short (the server filters duplicates), so neither ends a span;
 *   only on the last page the paging limit allows (`maxResults / pageSize`) does a short page
 *   end it, when `totalHits` does not pass the limit.
 * - Bisection: a span whose first page reports `totalHits` above 80 % of `maxResults` (100,000)
 *   is halved, down to `minChunk`. A span that still needs a page past `maxResults` fails.
 * - Now: an interval that reaches past `now` is read up to now; the last page says `openUntil`,
 *   and a later resume from its position reads the rest (the time that has passed by then).
 *
 * `paging` in the body: only `paging.pageSize` is used (the option `pageSize` wins over it);
 * `paging.pageNumber` other than 1 is refused. Each page's `position` resumes after it (pass it
 * as `resumeFrom`), with the same output as an uninterrupted run.
 *
 * @param client The API client.
 * @param query The details query body (with `interval`).
 * @param options Chunk size, page size, resume position, clock, signal.
 * @returns An async generator of pages.
 * @throws {UsageError} For a bad body (aggregate-only or unknown fields, a malformed or reversed
 * interval, bad `order`/`orderBy`/`paging`) or bad options (a chunk past the 7/31-day limit).
 * @throws {CheckpointError} When `resumeFrom` is not a position of this query.
 * @throws {GenesysError} When a span still has too many conversations at the minimum span, or
 * needs a page past the paging limit, or a response's conversations are not objects.
 *
 * @example
 * ```ts
 * import { conversationDetailsPages } from "./conversation_details.ts";
 * import type { ApiClient, RequestOptions } from "../types.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const asked: string[] = [];
 * const client = {
 *   request: (_m: string, _p: string, o?: RequestOptions) => {
 *     const body = o?.body as { interval: string; paging: { pageNumber: number } };
 *     asked.push(`${body.interval}#${body.paging.pageNumber}`);
 *     const day = body.interval.slice(0, 10);
 *     const start = `${day}T10:00:00Z`;
 *     return Promise.resolve(
 *       body.paging.pageNumber === 1
 *         ? { totalHits: 1, conversations: [{ conversationId: `c-${day}`, conversationStart: start }] }
 *         : { totalHits: 1 },
 *     );
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
 *   "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z#1",
 *   "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z#2",
 *   "2026-01-02T00:00:00Z/2026-01-03T00:00:00Z#1",
 *   "2026-01-02T00:00:00Z/2026-01-03T00:00:00Z#2",
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
  const { start: origin, end } = s.interval;
  // This run reads up to now at most: what has not happened yet is left for a later run.
  const runEnd = Math.min(end, Math.floor(s.now() / 1000) * 1000);
  const remains = (walk: Interval, from: number) => s.desc ? from > walk.start : from < walk.end;
  const spanFrom = (walk: Interval, from: number, spanMs: number): Interval =>
    s.desc
      ? {
        start: Math.max(previousBoundary(from, s.chunkMs, origin), walk.start, from - spanMs),
        end: from,
      }
      : {
        start: from,
        end: Math.min(nextBoundary(from, s.chunkMs, origin), walk.end, from + spanMs),
      };
  const onGrid = (t: number) => nextBoundary(t - 1, s.chunkMs, origin) === t;
  // What follows a finished span, for the loop and its plan alike: the edge it ends at, the span
  // length from there (the chunk size again once the edge is on the grid), and the next span of
  // the walk.
  const after = (walk: Interval, span: Interval, spanMs: number) => {
    const from = s.desc ? span.start : span.end;
    const nextMs = onGrid(from) ? s.chunkMs : spanMs;
    return {
      from,
      spanMs: nextMs,
      span: remains(walk, from) ? spanFrom(walk, from, nextMs) : undefined,
    };
  };
  // Starts the walk from what is written to this run's end; none when the rest has not happened.
  const startWalk = (): void => {
    state.walk = undefined;
    state.span = undefined;
    if (state.until >= end) {
      state.done = true;
      return;
    }
    if (state.until >= runEnd) return;
    const walk = { start: state.until, end: runEnd };
    state.walk = walk;
    state.from = s.desc ? walk.end : walk.start;
    state.spanMs = s.chunkMs;
    state.pageNumber = 1;
    state.span = spanFrom(walk, state.from, state.spanMs);
  };
  const openUntil = (): string | undefined =>
    !state.done && !state.walk ? formatInstant(state.until) : undefined;
  if (!state.walk) startWalk();
  else if (!state.span) {
    state.span = remains(state.walk, state.from)
      ? spanFrom(state.walk, state.from, state.spanMs)
      : undefined;
    if (!state.span) {
      state.until = state.walk.end;
      startWalk();
    }
  }
  if (state.done) return;
  if (!state.walk) {
    // Nothing new has happened since the last run: say where the output stands.
    yield {
      conversations: [],
      interval: "",
      pageNumber: 0,
      dropped: 0,
      openUntil: openUntil(),
      position: writeDetailsState(state),
    };
    return;
  }
  // Each span's text, built once: it names the span's requests, its totalHits and its pages.
  const texts = new WeakMap<Interval, string>();
  const textOf = (span: Interval): string => {
    let text = texts.get(span);
    if (text === undefined) texts.set(span, text = formatInterval(span));
    return text;
  };
  const item = (span: Interval, pageNumber: number): PageRequest => ({
    key: `${textOf(span)}#${pageNumber}`,
    span,
    pageNumber,
  });
  // The last page the API lets a span be paged to.
  const lastPageAllowed = Math.floor(s.maxResults / s.pageSize);
  // totalHits by span, from every response so far: how many pages a span has, to fetch ahead.
  const totals = new Map<string, number>();
  // Whether a span should be bisected before it is paged: totalHits is approximate (it may be
  // 10 % low), so the margin keeps the real count under the paging limit.
  const tooMany = (hits: number) => hits > s.maxResults * SPLIT_RATIO;
  /** The requests the loop below will make, in order, as far as they can be known now. */
  function* upcoming(): Generator<PageRequest> {
    const walk = state.walk;
    let span = state.span;
    let pageNumber = state.pageNumber;
    let spanMs = state.spanMs;
    while (walk && span) {
      const known = totals.get(textOf(span));
      if (known !== undefined && pageNumber === 1 && tooMany(known)) {
        yield item(span, 1); // the page that says split, kept for the loop: then the halves
        return;
      }
      // Up to the page after the estimated last one: the empty page that ends the span.
      const estimate = known === undefined ? pageNumber : Math.ceil(known / s.pageSize) + 1;
      const last = Math.min(Math.max(pageNumber, estimate), lastPageAllowed);
      for (let n = pageNumber; n <= last; n++) yield item(span, n);
      ({ span, spanMs } = after(walk, span, spanMs));
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
        totals.set(textOf(request.span), response.totalHits);
      }
    },
    fetch: (request, signal) =>
      client.request<DetailsResponse>("POST", DETAILS_QUERY_PATH, {
        body: {
          ...s.body,
          interval: textOf(request.span),
          paging: { pageSize: s.pageSize, pageNumber: request.pageNumber },
        },
        idempotent: true,
        signal,
        deadline: options.deadline,
        timeoutMs: options.timeoutMs,
      }),
  });
  try {
    while (state.walk && state.span) {
      const walk: Interval = state.walk;
      const span: Interval = state.span;
      const pageNumber = state.pageNumber;
      const response = (await window.take(item(span, pageNumber))) ?? {};
      const totalHits = typeof response.totalHits === "number" ? response.totalHits : undefined;
      if (pageNumber === 1 && totalHits !== undefined && tooMany(totalHits)) {
        const half = Math.floor((span.end - span.start) / 2);
        if (half < s.minChunkMs) {
          throw new GenesysError(
            `The interval '${
              textOf(span)
            }' alone has about ${totalHits} conversations, more than the details query can page through (${s.maxResults} in pages of ${s.pageSize}), and cannot be split below minChunk '${
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
      const raw = recordsOf<Conversation>(
        response.conversations,
        "conversations",
        `POST ${DETAILS_QUERY_PATH} for '${textOf(span)}' (page ${pageNumber})`,
      );
      const conversations = raw.filter((c) => ownedBy(c, span));
      state.emitted += conversations.length;
      // A span ends on an empty page. At the last page the API lets it ask for, the page after
      // cannot be asked: a short page there ends it too, unless totalHits says there is more.
      const atLimit = pageNumber >= lastPageAllowed;
      const spanDone = raw.length === 0 ||
        (atLimit && raw.length < s.pageSize && (totalHits ?? 0) <= s.maxResults);
      if (spanDone) {
        totals.delete(textOf(span));
        const next = after(walk, span, state.spanMs);
        state.from = next.from;
        state.spanMs = next.spanMs;
        state.span = next.span;
        state.pageNumber = 1;
        if (!state.span) {
          state.until = walk.end;
          startWalk();
        }
      } else if (atLimit) {
        throw new GenesysError(
          `The interval '${
            textOf(span)
          }' holds more conversations than the details query can page through (${s.maxResults} in pages of ${s.pageSize}; its totalHits said ${
            totals.get(textOf(span)) ?? "nothing"
          }, an estimate): run again with a smaller chunk, add filters, or use the jobs API`,
        );
      } else {
        state.pageNumber = pageNumber + 1;
      }
      // From the run's last span on, the total is in sight: exact once that span is done.
      const lastOfRun = walk.end >= runEnd && !remains(walk, s.desc ? span.start : span.end);
      let total: number | undefined;
      if (lastOfRun && spanDone) total = state.emitted;
      else if (lastOfRun && totalHits !== undefined) {
        total = state.emitted + Math.max(0, totalHits - pageNumber * s.pageSize);
      }
      const page: ConversationDetailsPage = {
        conversations,
        interval: textOf(span),
        pageNumber,
        dropped: raw.length - conversations.length,
        position: writeDetailsState(state),
      };
      if (totalHits !== undefined) page.totalHits = totalHits;
      if (total !== undefined) page.total = total;
      const open = openUntil();
      if (open !== undefined) page.openUntil = open;
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
 * {@link conversationDetailsPages} for chunking, paging, bisection and ownership.
 *
 * @param client The API client.
 * @param query The details query body.
 * @param options As for {@link conversationDetailsPages}.
 * @returns An async generator of conversations.
 * @throws {UsageError} For a bad body or options.
 *
 * @example
 * ```ts
 * import { conversationDetails } from "./conversation_details.ts";
 * import type { ApiClient } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let asked = 0;
 * const client = {
 *   request: () =>
 *     Promise.resolve(
 *       asked++ === 0
 *         ? { totalHits: 2, conversations: [{ conversationId: "a" }, { conversationId: "b" }] }
 *         : { totalHits: 2 },
 *     ),
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
 * holds the walk being read and either the chunk edge or the span and next page number, and the
 * count emitted so far (see `writeDetailsState`); `total` is an estimate from the last chunk on
 * (see {@link ConversationDetailsPage.total}); `dropped` counts the conversations another chunk
 * owns; the last page of an interval clamped to now says `openUntil`, and the engine then
 * continues the job on a later run. `recordType` is `conversation`.
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
 * import { conversationDetailsSource } from "./conversation_details.ts";
 * import type { ApiClient } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: (_m: string, _p: string, o: { body: { paging: { pageNumber: number } } }) =>
 *     Promise.resolve(
 *       o.body.paging.pageNumber === 1
 *         ? { totalHits: 1, conversations: [{ conversationId: "a" }] }
 *         : { totalHits: 1 },
 *     ),
 * } as unknown as ApiClient;
 * const source = conversationDetailsSource(client, { interval: "2026-01-01/2026-01-02" });
 * const pages = await Array.fromAsync(source.pages());
 * strictEqual(pages.length, 2); // the records, then the empty page that ends the day
 * strictEqual(pages[1].total, 1);
 * strictEqual((await Array.fromAsync(source.pages(pages[1].position))).length, 0);
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
        if (page.dropped > 0) out.dropped = page.dropped;
        if (page.openUntil !== undefined) out.openUntil = page.openUntil;
        yield out;
      }
    },
  };
}
