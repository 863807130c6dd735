/**
 * Query-string paging parameters (listings and job results), with the real service's 400s.
 *
 * @module
 */
import { badRequest } from "./reply.ts";

/**
 * A positive integer query parameter.
 *
 * @param url The request URL.
 * @param name The parameter.
 * @param fallback The value when it is absent or empty.
 * @returns The value.
 * @throws {HttpError} 400 when it is not a positive integer.
 *
 * @example
 * ```ts
 * import { intParam } from "./params.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * strictEqual(intParam(new URL("http://x/?pageSize=50"), "pageSize", 25), 50);
 * strictEqual(intParam(new URL("http://x/"), "pageSize", 25), 25);
 * throws(() => intParam(new URL("http://x/?pageSize=0"), "pageSize", 25), /positive integer/);
 * ```
 */
export function intParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw badRequest(`Query parameter '${name}' must be a positive integer, got '${raw}'`, name);
  }
  return Number(raw);
}

/**
 * Refuses a `pageSize` above the endpoint's maximum.
 *
 * @param pageSize The page size asked for.
 * @param max The largest accepted.
 * @throws {HttpError} 400 when `pageSize` exceeds `max`.
 *
 * @example
 * ```ts
 * import { checkPageSize } from "./params.ts";
 * import { throws } from "node:assert/strict";
 *
 * checkPageSize(500, 500);
 * throws(() => checkPageSize(501, 500), /exceeds the maximum of 500/);
 * ```
 */
export function checkPageSize(pageSize: number, max: number): void {
  if (pageSize > max) {
    throw badRequest(`Page size ${pageSize} exceeds the maximum of ${max}`, "pageSize");
  }
}
