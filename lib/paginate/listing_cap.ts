/**
 * Documented caps of page-number listings: how many results a listing pages through before the
 * server answers 400, and the rule that tells that 400 from a real error.
 *
 * @module
 */
import type { Query, SourceCap } from "../types.ts";
import { setQuery } from "../_query.ts";

/** Most results `GET /api/v2/users` pages through for inactive or deleted users. */
export const USERS_STATE_CAP = 10_000;

/** `state` values of `GET /api/v2/users` whose listing stops at {@link USERS_STATE_CAP}. */
const CAPPED_USER_STATES = ["inactive", "deleted", "any"];

/**
 * The documented cap of a listing, if it has one: `GET /api/v2/users` with `state` `inactive`
 * (also `deleted` or `any`, which include them) answers 400 for a page past 10,000 results
 * (Genesys' Terraform provider works around it: DEVTOOLING-862). Other listings have none known.
 *
 * @param path The listing path, possibly with a query.
 * @param query The extra query parameters.
 * @returns The cap, or `undefined`.
 *
 * @example
 * ```ts
 * import { documentedCap } from "./listing_cap.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(documentedCap("/api/v2/users", { state: "inactive" })?.limit, 10_000);
 * strictEqual(documentedCap("/api/v2/users?state=inactive", {})?.limit, 10_000);
 * strictEqual(documentedCap("/api/v2/users", {}), undefined);
 * ```
 */
export function documentedCap(path: string, query: Query = {}): SourceCap | undefined {
  const url = new URL(path, "http://relative.invalid");
  setQuery(url.searchParams, query);
  if (url.pathname.replace(/\/+$/, "").toLowerCase() !== "/api/v2/users") return undefined;
  const state = url.searchParams.getAll("state").find((s) => CAPPED_USER_STATES.includes(s));
  if (state === undefined) return undefined;
  return {
    limit: USERS_STATE_CAP,
    description:
      `GET /api/v2/users with state=${state} pages through at most 10,000 users (a documented Genesys Cloud limit, DEVTOOLING-862)`,
  };
}

/**
 * Whether a 400 answered for a page is the listing's cap rather than an error: the page asks for
 * results past the cap (`pageNumber * pageSize > limit`), so every result before it was read. A
 * page size that divides the limit (the default 100 does) reads exactly `limit` results first.
 *
 * @param cap The listing's cap, if any.
 * @param pageNumber The page that answered 400.
 * @param pageSize The page size the server pages with.
 * @returns Whether the listing ends there, capped.
 *
 * @example
 * ```ts
 * import { reachesCap } from "./listing_cap.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const cap = { limit: 10_000, description: "inactive users" };
 * strictEqual(reachesCap(cap, 101, 100), true);
 * strictEqual(reachesCap(cap, 100, 100), false);
 * strictEqual(reachesCap(undefined, 101, 100), false);
 * ```
 */
export function reachesCap(
  cap: SourceCap | undefined,
  pageNumber: number,
  pageSize: number,
): boolean {
  return cap !== undefined && pageNumber * pageSize > cap.limit;
}
