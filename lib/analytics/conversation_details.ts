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
import {
  type ConversationDetailsOptions,
  type ConversationDetailsPage,
  detailsSettings,
  readDetailsState,
} from "./_details_state.ts";
import { type DetailsResponse, DetailsWalk, type PageRequest } from "./_details_walk.ts";

import {
  type Conversation,
  type ConversationDetailsQuery,
  DETAILS_QUERY_PATH,
} from "./details_query.ts";
import { Lookahead } from "../paginate/_lookahead.ts";
import { items } from "../paginate/items.ts";

export type { ConversationDetailsOptions, ConversationDetailsPage } from "./_details_state.ts";

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
  const walk = new DetailsWalk(s, state);
  walk.resume();
  if (state.done) return;
  if (!state.walk) {
    // Nothing new has happened since the last run: say where the output stands.
    yield walk.nothingNew();
    return;
  }
  const window = new Lookahead<PageRequest, DetailsResponse>({
    concurrency: s.concurrency,
    eager: options.prefetch ?? true,
    signal: options.signal,
    plan: () => walk.upcoming(),
    onResponse: (request, response) => walk.noteTotal(request, response),
    fetch: (request, signal) =>
      client.request<DetailsResponse>("POST", DETAILS_QUERY_PATH, {
        body: walk.body(request),
        idempotent: true,
        signal,
        deadline: options.deadline,
        timeoutMs: options.timeoutMs,
      }),
  });
  try {
    while (state.walk && state.span) {
      const response = (await window.take(walk.current())) ?? {};
      if (walk.bisect(response)) continue;
      const page = walk.finishPage(response);
      window.refill();
      yield page;
    }
  } finally {
    await window.close();
  }
}

/**
 * Streams the conversations of a details query one by one:
 * `items(conversationDetailsPages(client, query, options))`; see
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
export function conversationDetails(
  client: ApiClient,
  query: ConversationDetailsQuery,
  options: ConversationDetailsOptions = {},
): AsyncGenerator<Conversation, void, undefined> {
  return items(conversationDetailsPages(client, query, options));
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
