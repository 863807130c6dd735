/**
 * Query parameters of API requests: one value per key, or several for the keys Genesys Cloud
 * repeats (`id=a&id=b`, `expand=skills&expand=locations`).
 *
 * @module
 */

import type { Query, QueryValue } from "./types.ts";

/**
 * Sets query parameters on a URL: each key given replaces the URL's own values for that key
 * with its value, or with every value of a list, in order; `undefined` keys are left alone.
 *
 * @param params The URL's parameters (changed in place).
 * @param query The parameters to set.
 *
 * @example
 * ```ts
 * import { setQuery } from "./_query.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const url = new URL("https://api.mypurecloud.ie/api/v2/users?id=old&pageSize=25");
 * setQuery(url.searchParams, { id: ["a", "b"], pageSize: 100, state: undefined });
 * strictEqual(url.search, "?id=a&id=b&pageSize=100");
 * ```
 */
export function setQuery(params: URLSearchParams, query: Query): void {
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.delete(key);
    const values: readonly QueryValue[] = Array.isArray(value) ? value : [value as QueryValue];
    for (const one of values) params.append(key, String(one));
  }
}

/**
 * Reads URL query parameters into a {@link Query}: a key given once has its value, a repeated
 * key the list of its values in order.
 *
 * @param params The parameters.
 * @returns The query.
 *
 * @example
 * ```ts
 * import { queryOf } from "./_query.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(queryOf(new URLSearchParams("id=a&state=any&id=b")), { id: ["a", "b"], state: "any" });
 * ```
 */
export function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? values[0] : values;
  }
  return out;
}
