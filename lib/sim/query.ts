/**
 * `POST /api/v2/analytics/conversations/details/query`: paging in the body, `totalHits`,
 * `conversations` absent past the end.
 *
 * @module
 */
import { aggregate } from "./aggregations.ts";
import { parseDetailsBody } from "./body.ts";
import type { Dataset } from "./dataset.ts";
import type { Reply } from "./reply.ts";

/**
 * Answers a details query.
 *
 * @param dataset The data.
 * @param body The parsed JSON body.
 * @returns The reply: `{conversations, totalHits}`, or `{totalHits}` past the last page, with
 *   `aggregations` when the body asks for facet summaries.
 * @throws {HttpError} 400 like the real service (page size, interval length, 100k paging, ...).
 *
 * @example
 * ```ts
 * import { detailsQuery } from "./query.ts";
 * import { Dataset } from "./dataset.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const data = new Dataset({ seed: 1, users: 3, queues: 2, conversations: 40, startMs: 0, endMs: 86_400_000 });
 * const reply = detailsQuery(data, { interval: "1970-01-01T00:00:00Z/1970-01-02T00:00:00Z" });
 * strictEqual((reply.json as { totalHits: number }).totalHits, 40);
 * ```
 */
export function detailsQuery(dataset: Dataset, body: unknown): Reply {
  const request = parseDetailsBody(dataset, body, "query");
  const selection = dataset.select(request.spec);
  const from = (request.pageNumber - 1) * request.pageSize;
  const to = Math.min(selection.total, from + request.pageSize);
  const json: Record<string, unknown> = {};
  if (from < selection.total) {
    const conversations: unknown[] = [];
    for (let k = from; k < to; k++) conversations.push(dataset.conversation(selection.at(k)));
    json.conversations = conversations;
  }
  if (request.aggregations.length > 0) {
    json.aggregations = aggregate(dataset, selection, request.aggregations);
  }
  json.totalHits = selection.total;
  return { status: 200, json };
}
