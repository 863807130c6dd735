/**
 * Maps a method and path to a route name and its path parameter.
 *
 * @module
 */
import { LISTING_PATHS, type ListingKind } from "./listings.ts";
import type { SimRoute } from "./fault_options.ts";

const JOBS = "/api/v2/analytics/conversations/details/jobs";
const LISTINGS = new Map(
  Object.entries(LISTING_PATHS).map(([kind, path]) => [path, kind as ListingKind]),
);
const JOB = /^\/api\/v2\/analytics\/conversations\/details\/jobs\/([^/]+)(\/results)?$/;

/** A matched route. */
export interface RouteMatch {
  /** The route name. */
  route: SimRoute;
  /** The job id, for job routes. */
  jobId?: string;
}

/**
 * Finds the route of a request.
 *
 * @param method The HTTP method.
 * @param path The URL path.
 * @returns The match, or `undefined` for a path the simulator does not serve.
 *
 * @example
 * ```ts
 * import { matchRoute } from "./router.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(matchRoute("GET", "/api/v2/analytics/conversations/details/jobs/j1/results"),
 *   { route: "jobs.results", jobId: "j1" });
 * ```
 */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const p = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  if (method === "POST") {
    if (p === "/oauth/token") return { route: "token" };
    if (p === "/api/v2/analytics/conversations/details/query") return { route: "details.query" };
    if (p === JOBS) return { route: "jobs.submit" };
    return undefined;
  }
  if (method === "GET") {
    const listing = LISTINGS.get(p);
    if (listing) return { route: listing };
    if (p === `${JOBS}/availability`) return { route: "jobs.availability" };
  }
  const m = JOB.exec(p);
  if (!m) return undefined;
  let jobId = m[1];
  try {
    jobId = decodeURIComponent(jobId);
  } catch {
    // keep the raw segment
  }
  if (method === "GET") return { route: m[2] ? "jobs.results" : "jobs.status", jobId };
  if (method === "DELETE" && !m[2]) return { route: "jobs.delete", jobId };
  return undefined;
}
