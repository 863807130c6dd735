/**
 * Page-number listings: `GET /api/v2/users` and `GET /api/v2/routing/queues`.
 *
 * @module
 */
import type { Dataset } from "./dataset.ts";
import { checkPageSize, intParam } from "./params.ts";
import type { Reply } from "./reply.ts";

/**
 * Answers a listing page with every field a real listing has and relative URIs.
 *
 * @param kind `users` or `queues`.
 * @param url The request URL (`pageSize`, default 25; `pageNumber`, default 1).
 * @param dataset The data.
 * @param maxPageSize The largest accepted `pageSize`.
 * @returns The reply.
 * @throws {HttpError} 400 for a bad or too large `pageSize` or a bad `pageNumber`.
 *
 * @example
 * ```ts
 * import { listing } from "./listings.ts";
 * import { Dataset } from "./dataset.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const data = new Dataset({ seed: 1, users: 30, queues: 1, conversations: 1, startMs: 0, endMs: 1e9 });
 * const page = listing("users", new URL("http://x/api/v2/users"), data, 500).json as { nextUri: string };
 * strictEqual(page.nextUri, "/api/v2/users?pageSize=25&pageNumber=2");
 * ```
 */
export function listing(
  kind: "users" | "queues",
  url: URL,
  dataset: Dataset,
  maxPageSize: number,
): Reply {
  const pageSize = intParam(url, "pageSize", 25);
  const pageNumber = intParam(url, "pageNumber", 1);
  checkPageSize(pageSize, maxPageSize);
  const dir = dataset.directory;
  const total = kind === "users" ? dir.userIds.length : dir.queueIds.length;
  const base = kind === "users" ? "/api/v2/users" : "/api/v2/routing/queues";
  const uri = (n: number) => `${base}?pageSize=${pageSize}&pageNumber=${n}`;
  const pageCount = Math.ceil(total / pageSize);
  const entities: unknown[] = [];
  const from = (pageNumber - 1) * pageSize;
  for (let i = from; i < Math.min(total, from + pageSize); i++) {
    entities.push(kind === "users" ? dir.user(i) : dir.queue(i));
  }
  const body: Record<string, unknown> = {
    entities,
    pageSize,
    pageNumber,
    total,
    firstUri: uri(1),
    selfUri: uri(pageNumber),
  };
  if (pageNumber < pageCount) body.nextUri = uri(pageNumber + 1);
  if (pageNumber > 1) body.previousUri = uri(pageNumber - 1);
  body.lastUri = uri(Math.max(pageCount, 1));
  body.pageCount = pageCount;
  return { status: 200, json: body };
}
