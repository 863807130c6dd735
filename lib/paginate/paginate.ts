/**
 * The page-number paginator: `GET` listings with `pageSize` and `pageNumber` that follow the
 * response's `nextUri`.
 *
 * @module
 */
import type { ApiClient, Query, RequestOptions, SourceCap } from "../types.ts";
import { ApiError, GenesysError } from "../errors.ts";
import { documentedCap, reachesCap } from "./listing_cap.ts";
import { Lookahead } from "./_lookahead.ts";
import { checkMaxPages, checkPositiveInt, recordsOf } from "./_page_loop.ts";
import { setQuery } from "../_query.ts";

/** The body of a page-number listing response, such as `GET /api/v2/users`. */
export interface ListingResponse<T> {
  /** The page's entities. */
  entities?: T[];
  /** The page size the server used. */
  pageSize?: number;
  /** The page number the server answered. */
  pageNumber?: number;
  /** How many entities the whole listing has. */
  total?: number;
  /** How many pages the whole listing has. */
  pageCount?: number;
  /** The relative URI of the next page, absent on the last page. */
  nextUri?: string | null;
}

/** One page of a page-number listing. */
export interface ListingPage<T> {
  /** The page's entities (empty when the response had none). */
  entities: T[];
  /** The page number that was requested. */
  pageNumber: number;
  /** The number of the next page, or `undefined` when this page is the last one. */
  nextPageNumber?: number;
  /** The response's `total`, when it had one. */
  total?: number;
  /** The response's `pageCount`, when it had one. */
  pageCount?: number;
  /** The raw response body (empty for a capped end). */
  body: ListingResponse<T>;
  /**
   * Set on the last page when the listing ended at its documented cap: this page answered 400
   * and has no entities; every result before the cap was read.
   */
  capped?: SourceCap;
}

/** Options of {@link paginate}. */
export interface PaginateOptions {
  /**
   * Entities per page (`pageSize` query parameter).
   *
   * @default {100}
   */
  pageSize?: number;
  /**
   * The first page to fetch.
   *
   * @default {1}
   */
  pageNumber?: number;
  /**
   * Extra query parameters sent with every page request (a list sends each value:
   * `{ id: ["a", "b"] }` is `id=a&id=b`). A followed `nextUri` keeps its own values, and gets any
   * of these (and of the path's own query, and `pageSize`) that it lacks added, every value of a
   * repeated key included.
   */
  query?: Query;
  /**
   * Follow the response's `nextUri`. With `false`, pages are requested by number until
   * `pageCount` or an empty page; use it for endpoints whose `nextUri` is wrong.
   *
   * @default {true}
   */
  followNextUri?: boolean;
  /**
   * Fetch the next page while the caller handles the current one.
   *
   * @default {true}
   */
  prefetch?: boolean;
  /**
   * Most requests in flight at once, 1 to 16. Above 1, once a page gives `pageCount` and its
   * `nextUri` is the next page by number, the following pages are fetched ahead (at most twice
   * this many held); pages are still yielded in order.
   *
   * @default {1}
   */
  concurrency?: number;
  /** Stop with an error after this many pages (a guard against endless listings). Default none. */
  maxPages?: number;
  /**
   * The listing's documented cap: a 400 for a page that asks for results past `cap.limit` ends
   * the listing with a last page marked `capped` instead of failing. Default: the cap
   * {@link documentedCap} knows for the path and query (inactive users: 10,000); `null` for none.
   */
  cap?: SourceCap | null;
  /** Aborts the current request (its rejection ends the loop). */
  signal?: AbortSignal;
  /** Passed to every request: an absolute deadline, epoch ms by the client's clock. */
  deadline?: number;
  /** Passed to every request: the per-attempt timeout in ms. */
  timeoutMs?: number;
}

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
function nextPath(nextUri: string, path: string): { path: string; pageNumber?: number } {
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
function canonical(target: string): string {
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
function withCarried(target: string, carried: URLSearchParams): string {
  const url = new URL(target, "http://relative.invalid");
  for (const key of new Set(carried.keys())) {
    if (url.searchParams.has(key)) continue;
    for (const value of carried.getAll(key)) url.searchParams.append(key, value);
  }
  return url.pathname + url.search;
}

function buildPath(path: string, query: Query): string {
  const url = new URL(path, "http://relative.invalid");
  setQuery(url.searchParams, query);
  return url.pathname + url.search;
}

/** A page number no listing reaches, marking where a built path holds it. */
const PLACEHOLDER = 987_654_321;

/** The paths of a listing's pages by number, and their {@link canonical} forms. */
interface PagePaths {
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
function pagePaths(path: string, query: Query): PagePaths {
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

/** Empty pages in a row, each with a `nextUri`, after which a listing is taken to be endless. */
export const MAX_EMPTY_PAGES = 100;

/**
 * Pages through a page-number listing (`GET` with `pageSize` and `pageNumber`), following the
 * response's relative `nextUri` (with the caller's query parameters it lacks added back, so a
 * `nextUri` written as just `?pageSize=..&pageNumber=..` keeps the filters). Only the `nextUri`
 * ends it: it stops after a page without one, while an empty page or a low `pageCount` with a
 * `nextUri` goes on (every page is yielded, so its `total` is seen). With `followNextUri: false`
 * it pages by number until `pageNumber >= pageCount`, or an empty page without `pageCount`.
 *
 * A listing with a documented cap (see {@link documentedCap}) that answers 400 for a page past
 * the cap ends with a last, empty page marked `capped`.
 *
 * @typeParam T The entity type.
 * @param client The API client.
 * @param path The listing path, such as `/api/v2/users`.
 * @param options Page size, first page, extra query, signal.
 * @returns An async generator of pages.
 * @throws {GenesysError} When a `nextUri` repeats (the listing would loop) or leaves the
 * listing's path family (`/api/v2/<resource>`), when {@link MAX_EMPTY_PAGES} empty pages come in
 * a row, or when `entities` holds something that is not an object.
 * @throws {UsageError} When `pageSize`, `pageNumber` or `maxPages` is not a positive integer.
 *
 * @example
 * ```ts
 * import { paginate } from "./paginate.ts";
 * import type { ApiClient } from "../types.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: (_method: string, path: string) => {
 *     const n = Number(new URL(path, "http://x").searchParams.get("pageNumber"));
 *     return Promise.resolve({
 *       entities: [{ id: `user-${n}` }],
 *       pageNumber: n,
 *       pageCount: 2,
 *       nextUri: n < 2 ? `/api/v2/users?pageSize=1&pageNumber=${n + 1}` : undefined,
 *     });
 *   },
 * } as unknown as ApiClient;
 *
 * const seen = [];
 * for await (const page of paginate<{ id: string }>(client, "/api/v2/users", { pageSize: 1 })) {
 *   seen.push(...page.entities.map((user) => user.id));
 * }
 * deepStrictEqual(seen, ["user-1", "user-2"]);
 * ```
 */
export async function* paginate<T = unknown>(
  client: ApiClient,
  path: string,
  options: PaginateOptions = {},
): AsyncGenerator<ListingPage<T>, void, undefined> {
  const pageSize = options.pageSize ?? 100;
  checkPositiveInt("pageSize", pageSize);
  checkPositiveInt("pageNumber", options.pageNumber);
  checkPositiveInt("maxPages", options.maxPages);
  checkPositiveInt("concurrency", options.concurrency, 16);
  const followNextUri = options.followNextUri ?? true;
  const query = options.query ?? {};
  const cap = options.cap === undefined ? documentedCap(path, query) : options.cap ?? undefined;
  const pages = pagePaths(path, { ...query, pageSize });
  const pathFor = pages.path;
  // The caller's parameters (the path's, `query` and `pageSize`), carried onto a nextUri that
  // lacks them; `pageNumber` is the nextUri's own business.
  const carried = new URL(buildPath(path, { ...query, pageSize }), "http://relative.invalid")
    .searchParams;
  carried.delete("pageNumber");
  // A listing off the API path takes no nextUri (see nextPath), not even the next page's.
  const onApi = new URL(path, "http://relative.invalid").pathname.startsWith("/api/");

  let pageNumber = options.pageNumber ?? 1;
  let current: string | undefined = pathFor(pageNumber);
  // The page size the server pages with (it may answer fewer than asked), for the cap rule.
  let size = pageSize;
  // Set once the pages ahead are known by number: the next one's number and the page count.
  let ahead: { from: number; pageCount: number } | undefined;
  const window = new Lookahead<{ key: string }, ListingResponse<T>>({
    concurrency: options.concurrency ?? 1,
    eager: options.prefetch ?? true,
    signal: options.signal,
    plan: function* () {
      if (current === undefined) return;
      yield { key: current };
      // Pages by number up to the page count, and never more than one past a cap.
      const last = Math.min(
        ahead?.pageCount ?? 0,
        cap ? Math.ceil(cap.limit / size) + 1 : Infinity,
      );
      for (let n = ahead?.from ?? 1; ahead && n <= last; n++) yield { key: pathFor(n) };
    },
    fetch: (item, signal): Promise<ListingResponse<T>> => {
      const request: RequestOptions = {
        signal,
        deadline: options.deadline,
        timeoutMs: options.timeoutMs,
      };
      return client.request<ListingResponse<T>>("GET", item.key, request);
    },
  });
  // The canonical forms of the pages asked for: a nextUri met again would loop.
  const seen = new Set<string>([pages.canonical(pageNumber)]);
  let read = 0;
  let emptyInARow = 0;
  try {
    while (current !== undefined) {
      let body: ListingResponse<T>;
      try {
        body = (await window.take({ key: current })) ?? {};
      } catch (error) {
        if (
          error instanceof ApiError && error.status === 400 && reachesCap(cap, pageNumber, size)
        ) {
          yield { entities: [], pageNumber, body: {}, capped: cap };
          return;
        }
        throw error;
      }
      read++;
      const entities = recordsOf<T>(
        body.entities,
        "entities",
        `The listing '${path}' (page ${pageNumber})`,
      );
      if (typeof body.pageSize === "number" && body.pageSize > 0) size = body.pageSize;
      const pageCount = typeof body.pageCount === "number" ? body.pageCount : undefined;
      const answered = typeof body.pageNumber === "number" ? body.pageNumber : pageNumber;
      let nextPageNumber: number | undefined;
      let nextTarget: string | undefined;
      emptyInARow = entities.length === 0 ? emptyInARow + 1 : 0;
      const last = followNextUri
        ? !body.nextUri
        : entities.length === 0 || (pageCount !== undefined && answered >= pageCount);
      if (!last && emptyInARow >= MAX_EMPTY_PAGES) {
        throw new GenesysError(
          `The listing '${path}' answered ${MAX_EMPTY_PAGES} empty pages in a row, each with a nextUri (the last '${body.nextUri}'): it looks endless; check the path and its query`,
        );
      }
      if (!last) {
        const following = pathFor(pageNumber + 1);
        let form: string;
        if (!followNextUri || (body.nextUri === following && onApi)) {
          // By number, or the usual nextUri (exactly the next page by number): nothing to parse.
          nextPageNumber = pageNumber + 1;
          nextTarget = following;
          form = pages.canonical(nextPageNumber);
        } else {
          const parsed = nextPath(String(body.nextUri), path);
          nextPageNumber = parsed.pageNumber ?? pageNumber + 1;
          nextTarget = withCarried(parsed.path, carried);
          form = canonical(nextTarget);
          // The same request as the next page by number (its query merely in another order):
          // use our form, so that pages fetched ahead by number are recognised.
          if (form === pages.canonical(nextPageNumber)) nextTarget = pathFor(nextPageNumber);
        }
        if (seen.has(form)) {
          throw new GenesysError(
            `The listing '${path}' repeated nextUri '${nextTarget}' after page ${pageNumber}: it would loop forever; pass followNextUri: false to page by number`,
          );
        }
        checkMaxPages(path, read, options.maxPages);
        seen.add(form);
      }
      const page: ListingPage<T> = { entities, pageNumber, body };
      if (nextPageNumber !== undefined) page.nextPageNumber = nextPageNumber;
      if (typeof body.total === "number") page.total = body.total;
      if (pageCount !== undefined) page.pageCount = pageCount;
      current = nextTarget;
      ahead = nextTarget !== undefined && nextPageNumber !== undefined && pageCount !== undefined &&
          nextTarget === pathFor(nextPageNumber)
        ? { from: nextPageNumber + 1, pageCount }
        : undefined;
      window.refill();
      yield page;
      if (nextPageNumber !== undefined) pageNumber = nextPageNumber;
    }
  } finally {
    await window.close();
  }
}
