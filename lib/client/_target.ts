/**
 * Where a request goes: the full URL of a path on the API origin (anything else refused), taken
 * without a URL parse when the parser would keep the path as it is, and the route of a path that
 * per-endpoint limits key on.
 *
 * @module
 */

import type { Query } from "../types.ts";
import { UsageError } from "../errors.ts";
import { setQuery } from "../_query.ts";

/** A path that is a full URL (it has a scheme). */
const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;

/**
 * A path the URL parser gives back as it is: a slash not followed by another slash or a
 * backslash (which would name another host), then only characters that no part of a URL
 * percent-encodes or rewrites (no quote, space, `#`, `^`, backtick, braces, control or non-ASCII
 * character), and no dot segment (checked apart, with its `%2e` spellings).
 */
const PLAIN_PATH =
  /^\/(?![/\\])[A-Za-z0-9\-._~!$&()*+,;=:@%/]*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@%/?]*)?$/;

const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:[/?]|$)/i;

/** Where a request goes: its full URL, and the path and query it shows. */
export interface Target {
  href: string;
  pathname: string;
  search: string;
}

/**
 * Whether `raw` is a path the URL parser would keep as it is (see {@link PLAIN_PATH}): resolved
 * against the API origin it stays there, and its URL is the origin followed by it.
 */
function isPlainPath(raw: string): boolean {
  return PLAIN_PATH.test(raw) && !DOT_SEGMENT.test(raw);
}

/** The target of a plain path, as `new URL(raw, origin)` gives it, without parsing it. */
function plainTarget(origin: string, raw: string): Target {
  const mark = raw.indexOf("?");
  return {
    href: origin + raw,
    pathname: mark < 0 ? raw : raw.slice(0, mark),
    search: mark < 0 || mark === raw.length - 1 ? "" : raw.slice(mark),
  };
}

/** Path segments that are ids (UUIDs, numbers): a route names the endpoint, not the entity. */
const ID_SEGMENT =
  /\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)(?=\/|$)/gi;

/**
 * Where a path goes on the API origin: a plain path (see {@link isPlainPath}) without a URL parse
 * when no query is added, else parsed as a URL on the origin, with the query set on it.
 *
 * @param origin The API origin, such as `https://api.mypurecloud.ie`.
 * @param raw A path such as `/api/v2/users?pageSize=100`, or a full URL on the origin.
 * @param query Query parameters to set on it.
 * @returns The full URL and the path and query it shows.
 * @throws {UsageError} When the path is not a URL path, or leaves the origin.
 *
 * @example
 * ```ts
 * import { targetOf } from "./_target.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * const origin = "https://api.mypurecloud.ie";
 * strictEqual(targetOf(origin, "/api/v2/users?pageSize=5", undefined).href, `${origin}/api/v2/users?pageSize=5`);
 * strictEqual(targetOf(origin, "/api/v2/users", { id: ["a", "b"] }).search, "?id=a&id=b");
 * throws(() => targetOf(origin, "https://example.com/x", undefined), /Refusing to send the token/);
 * ```
 */
export function targetOf(origin: string, raw: string, query: Query | undefined): Target {
  if (query === undefined && isPlainPath(raw)) return plainTarget(origin, raw);
  let url: URL;
  try {
    url = new URL(raw.startsWith("/") || ABSOLUTE.test(raw) ? raw : `/${raw}`, origin);
  } catch {
    throw new UsageError(`Path '${raw}' is not a valid URL path: write it like '/api/v2/users'`);
  }
  if (url.origin !== origin || url.username || url.password) {
    throw new UsageError(
      `Refusing to send the token to '${url.origin}': only URLs on '${origin}' are allowed; pass a path such as '/api/v2/users'`,
    );
  }
  url.hash = "";
  if (query) setQuery(url.searchParams, query);
  return { href: url.href, pathname: url.pathname, search: url.search };
}

/**
 * The route of a request, for limits of its own: the method and the path with its ids (UUIDs,
 * numbers) as `{id}`, so a route names the endpoint, not the entity.
 *
 * @param verb The HTTP method, upper case.
 * @param pathname The path, without its query.
 * @returns The route, such as `GET /api/v2/users/{id}`.
 *
 * @example
 * ```ts
 * import { routeOf } from "./_target.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(routeOf("GET", "/api/v2/users/0f5e3a4c-1b2d-4e6f-8a9b-0c1d2e3f4a5b/queues"), "GET /api/v2/users/{id}/queues");
 * ```
 */
export function routeOf(verb: string, pathname: string): string {
  return `${verb} ${pathname.replace(ID_SEGMENT, "/{id}")}`;
}
