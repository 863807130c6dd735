/**
 * {@link items}: the items of any page stream, one by one; and {@link paginateItems}, the items of
 * a page-number listing.
 *
 * @module
 */
import type { ApiClient } from "../types.ts";
import { paginate, type PaginateOptions } from "./paginate.ts";

/**
 * Yields the items of a page stream one by one: the `entities` of {@link paginate} and
 * {@link paginateCursor} pages, the `conversations` of `conversationDetailsPages` and
 * `conversationDetailsJobPages` pages, or the `records` of {@link SourcePage}s.
 *
 * @typeParam T The item type.
 * @param pages The pages.
 * @returns An async generator of items; leaving it early also closes `pages`.
 *
 * @example
 * ```ts
 * import { items } from "./items.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * async function* pages() {
 *   yield { entities: ["a", "b"] };
 *   yield { entities: ["c"] };
 * }
 * deepStrictEqual(await Array.fromAsync(items(pages())), ["a", "b", "c"]);
 *
 * async function* details() {
 *   yield { conversations: [{ conversationId: "x" }], position: 1 };
 * }
 * deepStrictEqual(await Array.fromAsync(items(details())), [{ conversationId: "x" }]);
 * ```
 */
export async function* items<T>(
  pages: AsyncIterable<{ entities: T[] } | { records: T[] } | { conversations: T[] }>,
): AsyncGenerator<T, void, undefined> {
  for await (const page of pages) {
    yield* "records" in page
      ? page.records
      : "conversations" in page
      ? page.conversations
      : page.entities;
  }
}

/**
 * Yields every entity of a page-number listing: `items(paginate(client, path, options))`.
 *
 * @typeParam T The entity type.
 * @param client The API client.
 * @param path The listing path.
 * @param options As for {@link paginate}.
 * @returns An async generator of entities.
 * @throws {GenesysError} As {@link paginate}.
 *
 * @example
 * ```ts
 * import { paginateItems } from "./items.ts";
 * import type { ApiClient } from "../types.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: () => Promise.resolve({ entities: [{ id: "q1" }, { id: "q2" }], pageCount: 1 }),
 * } as unknown as ApiClient;
 * const queues = await Array.fromAsync(paginateItems(client, "/api/v2/routing/queues"));
 * deepStrictEqual(queues, [{ id: "q1" }, { id: "q2" }]);
 * ```
 */
export function paginateItems<T = unknown>(
  client: ApiClient,
  path: string,
  options: PaginateOptions = {},
): AsyncGenerator<T, void, undefined> {
  return items(paginate<T>(client, path, options));
}
