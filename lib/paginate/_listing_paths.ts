/**
 * The request paths of a page-number listing (`paginate.ts`): each page's path by number and
 * its canonical form (parameters sorted, to spot a repeat), a checked `nextUri` turned into a path
 * on the same API host, and the caller's parameters carried onto a `nextUri` that lacks them.
 *
 * @module
 */
import type { Query } from "../types.ts";
import { GenesysError } from "../errors.ts";
import { setQuery } from "../_query.ts";

/** The listing family of a path: `/api/v2/<resource>`, lower-cased. */
function pathFamily(pathname: string): string {
  return pathname.split("/").slice(0, 4).join("/").toLowerCase();
}

/**
 * Checks a `nextUri` and turns it into a request path on the same API host.
 *
 * @param nextUri The response's `nextUri`.
 * @param path The listing's path.
 * @returns The path and query to request.
 */
export function nextPath(nextUri: string, path: string): { path: string; pageNumber?: number } {
  let url: URL;
  try {
    if (nextUri.startsWith("//")) throw new TypeError("protocol-relative");
    url = new URL(nextUri, "http://relative.invalid");
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError("scheme");
  } catch {
    throw new GenesysError(
      `The listing '${path}' answered nextUri '${nextUri}', which is not a relative URI; pass followNextUri: false to page by number`,
    );
  }
  const family = pathFamily(new URL(path, "http://relative.invalid").pathname);
  if (!url.pathname.startsWith("/api/") || pathFamily(url.pathname) !== family) {
    throw new GenesysError(
      `The listing '${path}' answered nextUri '${nextUri}', which leaves '${family}'; pass followNextUri: false to page by number`,
    );
  }
  const n = url.searchParams.get("pageNumber");
  return {
    path: url.pathname + url.search,
    pageNumber: n !== null && /^\d+$/.test(n) ? Number(n) : undefined,
  };
}

/** A request's identity whatever the order of its query parameters. */
export function canonical(target: string): string {
  const url = new URL(target, "http://relative.invalid");
  return `${url.pathname}?${paramsOf(url).sort().join("&")}`;
}

/** A URL's query parameters as `key=value` texts (decoded), in order. */
function paramsOf(url: URL): string[] {
  return [...url.searchParams].map(([k, v]) => `${k}=${v}`);
}

/**
 * Adds to `target` every carried parameter it lacks: a `nextUri` written like the documented
 * `/api/v2/users?pageSize=100&pageNumber=3` must not drop the caller's filters.
 */
export function withCarried(target: string, carried: URLSearchParams): string {
  const url = new URL(target, "http://relative.invalid");
  for (const key of new Set(carried.keys())) {
    if (url.searchParams.has(key)) continue;
    for (const value of carried.getAll(key)) url.searchParams.append(key, value);
  }
  return url.pathname + url.search;
}

/** `path` with `query` set on its own query parameters. */
export function buildPath(path: string, query: Query): string {
  const url = new URL(path, "http://relative.invalid");
  setQuery(url.searchParams, query);
  return url.pathname + url.search;
}

/** A page number no listing reaches, marking where a built path holds it. */
const PLACEHOLDER = 987_654_321;

/** The paths of a listing's pages by number, and their {@link canonical} forms. */
export interface PagePaths {
  /** The path of page `n`: the listing's path with its query and `pageNumber=n`. */
  path(n: number): string;
  /** `canonical(path(n))`. */
  canonical(n: number): string;
}

/**
 * The paths of a listing's pages by number, built once for every page: the query is serialised
 * around a placeholder page number, and each page's number takes its place (a number serialises
 * as its digits). In the canonical form (sorted parameters), `pageNumber=n` sorts to the same
 * place whatever `n`, as long as no other parameter text starts with `pageNumber=`. Where the
 * placeholder shows up more than once, or another parameter does start so, each page's path is
 * built and parsed on its own.
 */
export function pagePaths(path: string, query: Query): PagePaths {
  const built = buildPath(path, { ...query, pageNumber: PLACEHOLDER });
  const slow: PagePaths = {
    path: (n) => buildPath(path, { ...query, pageNumber: n }),
    canonical: (n) => canonical(buildPath(path, { ...query, pageNumber: n })),
  };
  const [before, after, ...more] = built.split(`pageNumber=${PLACEHOLDER}`);
  if (after === undefined || more.length > 0 || !/[?&]$/.test(before) || /^[^&]/.test(after)) {
    return slow;
  }
  const url = new URL(built, "http://relative.invalid");
  const others = paramsOf(url).filter((p) => p !== `pageNumber=${PLACEHOLDER}`);
  if (others.some((p) => p.startsWith("pageNumber="))) return slow;
  others.sort();
  const below = others.filter((p) => p < "pageNumber=");
  const above = others.slice(below.length);
  const head = `${before}pageNumber=`;
  const canonicalHead = `${url.pathname}?${below.map((p) => `${p}&`).join("")}pageNumber=`;
  const canonicalTail = above.map((p) => `&${p}`).join("");
  return {
    path: (n) => head + n + after,
    canonical: (n) => canonicalHead + n + canonicalTail,
  };
}
