/**
 * `POST /api/v2/analytics/conversations/details/query`: the UTC-day index and overlap rule,
 * paging in the body over an index with duplicate entries (short pages), an approximate
 * `totalHits`, `conversations` absent on an empty page.
 *
 * @module
 */
import { aggregate } from "./aggregations.ts";
import { parseDetailsBody } from "./body.ts";
import type { Dataset } from "./dataset.ts";
import type { IndexPages } from "./index_pages.ts";
import type { Reply } from "./reply.ts";
import { hash32, hashFloat, Stream } from "./rng.ts";

/** How the details query answers beyond selecting: the index's duplicates and `totalHits`. */
export interface QuerySettings {
  /** The instant the data is seen at, epoch ms. */
  asOfMs: number;
  /** Pages over the index with its duplicate entries. */
  pages: IndexPages;
  /** A fixed `totalHits` error, or `undefined` for a seeded one of up to ±3 % per query. */
  totalHitsError?: number;
  /** The paging limit: `pageNumber × pageSize` above it answers 400 (default 100,000). */
  resultLimit?: number;
}

const SEEDED_ERROR = 0.03;

function stringHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The `totalHits` error of a query: the fixed one, or one drawn from the seed and the query's
 * interval and filters (the same for every page and order of that query).
 *
 * @param seed The seed.
 * @param queryKey The interval and filters.
 * @param fixed A fixed error, if configured.
 * @returns The relative error (-0.1 reports 10 % low).
 *
 * @example
 * ```ts
 * import { totalHitsError } from "./query.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 *
 * strictEqual(totalHitsError(1, "a", -0.1), -0.1);
 * ok(Math.abs(totalHitsError(1, "a")) <= 0.03);
 * ```
 */
export function totalHitsError(seed: number, queryKey: string, fixed?: number): number {
  if (fixed !== undefined) return fixed;
  const h = hash32(seed, Stream.totalHits, stringHash(queryKey));
  return (hashFloat(seed, Stream.totalHits, h) * 2 - 1) * SEEDED_ERROR;
}

/**
 * Answers a details query.
 *
 * @param dataset The data.
 * @param body The parsed JSON body.
 * @param settings The instant, the index's pages and the `totalHits` error.
 * @returns The reply: `{conversations, totalHits}`, or `{totalHits}` for an empty page, with
 *   `aggregations` when the body asks for facet summaries.
 * @throws {HttpError} 400 like the real service (page size, interval length, 100k paging, ...).
 *
 * @example
 * ```ts
 * import { detailsQuery } from "./query.ts";
 * import { Dataset } from "./dataset.ts";
 * import { IndexPages } from "./index_pages.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const data = new Dataset({ seed: 1, users: 3, queues: 2, conversations: 40, startMs: 0, endMs: 86_400_000 });
 * const reply = detailsQuery(data, { interval: "1970-01-01T00:00:00Z/1970-01-02T00:00:00Z" }, {
 *   asOfMs: Date.now(), pages: new IndexPages(1, 0), totalHitsError: 0,
 * });
 * strictEqual((reply.json as { totalHits: number }).totalHits, 40);
 * ```
 */
export function detailsQuery(dataset: Dataset, body: unknown, settings: QuerySettings): Reply {
  const request = parseDetailsBody(dataset, body, "query", true, settings.resultLimit);
  const spec = request.spec;
  spec.asOfMs = settings.asOfMs;
  const selection = dataset.select(spec);
  const [from, to] = settings.pages.window(selection, request.pageSize, request.pageNumber);
  const json: Record<string, unknown> = {};
  if (from < to) {
    const conversations: unknown[] = [];
    for (let k = from; k < to; k++) {
      conversations.push(dataset.conversation(selection.at(k), settings.asOfMs));
    }
    json.conversations = conversations;
  }
  if (request.aggregations.length > 0) {
    json.aggregations = aggregate(dataset, selection, request.aggregations);
  }
  const error = totalHitsError(
    dataset.seed,
    `${spec.fromMs}/${spec.toMs}/${spec.matcherKey ?? ""}`,
    settings.totalHitsError,
  );
  json.totalHits = Math.round(settings.pages.expectedLength(selection.total) * (1 + error));
  return { status: 200, json };
}
