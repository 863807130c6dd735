/**
 * Async generators over Genesys Cloud listings: page-number listings that follow `nextUri`,
 * cursor listings, an item-level helper and a resumable {@link PageSource} for listings.
 *
 * Every generator fetches the next page while the caller works on the current one (turn off with
 * `prefetch: false`), and leaving a `for await` loop early aborts that request: nothing stays
 * pending.
 *
 * @example Every user, page by page and item by item
 * ```ts
 * import { items, paginate } from "./mod.ts";
 * import { GenesysClient } from "../client/mod.ts";
 * import { startSimulator } from "../../testing.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using sim = await startSimulator({ users: 30 });
 * const client = new GenesysClient({
 *   region: sim.url,
 *   clientId: sim.clientId,
 *   clientSecret: sim.clientSecret,
 * });
 * let pages = 0;
 * for await (const _page of paginate(client, "/api/v2/users", { pageSize: 10 })) pages++;
 * strictEqual(pages, 3);
 * const users = await Array.fromAsync(items(paginate(client, "/api/v2/users", { pageSize: 10 })));
 * strictEqual(users.length, 30);
 * ```
 *
 * @module
 */

export { MAX_EMPTY_PAGES, paginate } from "./paginate.ts";
export { documentedCap, USERS_STATE_CAP } from "./listing_cap.ts";
export type { ListingPage, ListingResponse, PaginateOptions } from "./paginate.ts";
export { paginateCursor } from "./paginate_cursor.ts";
export type { CursorPage, CursorResponse, PaginateCursorOptions } from "./paginate_cursor.ts";
export { listingSource } from "./listing_source.ts";
export type { ListingPosition, ListingSourceOptions } from "./listing_source.ts";
export { items, paginateItems } from "./items.ts";
