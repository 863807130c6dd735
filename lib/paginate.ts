/**
 * Async generators over Genesys Cloud listings: page-number listings that follow `nextUri`,
 * cursor listings, an item-level helper and a resumable {@link PageSource} for listings.
 *
 * Every generator fetches the next page while the caller works on the current one (turn off with
 * `prefetch: false`), and leaving a `for await` loop early aborts that request: nothing stays
 * pending.
 *
 * @module
 */
import type { ApiClient, JsonValue, RequestOptions } from "./client.ts";
import { CheckpointError, GenesysError, UsageError } from "./errors.ts";
import type { PageSource, SourcePage } from "./source.ts";

/** Query parameters added to every page request. */
export type Query = Record<string, string | number | boolean | undefined>;

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
  /** The raw response body. */
  body: ListingResponse<T>;
}

/** Options of {@link paginate}. */
export interface PaginateOptions {
  /** Entities per page (`pageSize` query parameter). Default 100. */
  pageSize?: number;
  /** The first page to fetch. Default 1. */
  pageNumber?: number;
  /** Extra query parameters sent with every page request (not with a followed `nextUri`). */
  query?: Query;
  /**
   * Follow the response's `nextUri` (default `true`). With `false`, pages are requested by
   * number until `pageCount` or an empty page; use it for endpoints whose `nextUri` is wrong.
   */
  followNextUri?: boolean;
  /** Fetch the next page while the caller handles the current one. Default `true`. */
  prefetch?: boolean;
  /** Stop with an error after this many pages (a guard against endless listings). Default none. */
  maxPages?: number;
  /** Aborts the current request (its rejection ends the loop). */
  signal?: AbortSignal;
  /** Passed to every request: an absolute deadline, epoch ms by the client's clock. */
  deadline?: number;
  /** Passed to every request: the per-attempt timeout in ms. */
  timeoutMs?: number;
}

function checkPositiveInt(name: string, value: number | undefined, max = Infinity): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    const range = max === Infinity
      ? "a whole number of at least 1"
      : `a whole number from 1 to ${max}`;
    throw new UsageError(`Option '${name}' is '${value}': it must be ${range}`);
  }
}

/** Links the caller's signal with an internal controller that cleans up on early exit. */
function linkSignal(signal?: AbortSignal): { controller: AbortController; signal: AbortSignal } {
  const controller = new AbortController();
  return {
    controller,
    signal: signal ? AbortSignal.any([signal, controller.signal]) : controller.signal,
  };
}

function stopReason(): DOMException {
  return new DOMException("The page loop ended before this request finished", "AbortError");
}

/** Starts a request whose rejection is handled later (or never, when the loop ends first). */
function pending<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
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

function buildPath(path: string, query: Query): string {
  const url = new URL(path, "http://relative.invalid");
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.pathname + url.search;
}

/**
 * Pages through a page-number listing (`GET` with `pageSize` and `pageNumber`), following the
 * response's relative `nextUri`. It stops after a page without `nextUri`, a page whose
 * `pageNumber >= pageCount`, or an empty page (which is still yielded, so its `total` is seen).
 *
 * @typeParam T The entity type.
 * @param client The API client.
 * @param path The listing path, such as `/api/v2/users`.
 * @param options Page size, first page, extra query, signal.
 * @returns An async generator of pages.
 * @throws {GenesysError} When a `nextUri` repeats (the listing would loop) or leaves the
 * listing's path family (`/api/v2/<resource>`).
 * @throws {UsageError} When `pageSize`, `pageNumber` or `maxPages` is not a positive integer.
 *
 * @example
 * ```ts
 * import { paginate } from "./paginate.ts";
 * import type { ApiClient } from "./client.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: (_method: string, path: string) => {
 *     const n = Number(new URL(path, "http://x").searchParams.get("pageNumber"));
 *     return Promise.resolve({
 *       entities: [`user-${n}`],
 *       pageNumber: n,
 *       pageCount: 2,
 *       nextUri: n < 2 ? `/api/v2/users?pageSize=1&pageNumber=${n + 1}` : undefined,
 *     });
 *   },
 * } as unknown as ApiClient;
 *
 * const seen = [];
 * for await (const page of paginate<string>(client, "/api/v2/users", { pageSize: 1 })) {
 *   seen.push(...page.entities);
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
  const followNextUri = options.followNextUri ?? true;
  const prefetch = options.prefetch ?? true;
  const query = options.query ?? {};
  const { controller, signal } = linkSignal(options.signal);
  const requestOptions: RequestOptions = {
    signal,
    deadline: options.deadline,
    timeoutMs: options.timeoutMs,
  };
  const pathFor = (n: number) => buildPath(path, { ...query, pageSize, pageNumber: n });
  const fetchPage = (target: string) =>
    pending(client.request<ListingResponse<T>>("GET", target, requestOptions));

  let pageNumber = options.pageNumber ?? 1;
  const target = pathFor(pageNumber);
  const seen = new Set<string>([target]);
  let next: Promise<ListingResponse<T>> | undefined = fetchPage(target);
  let pages = 0;
  try {
    while (next) {
      const body = (await next) ?? {};
      next = undefined;
      pages++;
      const entities = Array.isArray(body.entities) ? body.entities : [];
      const pageCount = typeof body.pageCount === "number" ? body.pageCount : undefined;
      const answered = typeof body.pageNumber === "number" ? body.pageNumber : pageNumber;
      let nextPageNumber: number | undefined;
      let nextTarget: string | undefined;
      const last = entities.length === 0 ||
        (pageCount !== undefined && answered >= pageCount) ||
        (followNextUri && !body.nextUri);
      if (!last) {
        if (followNextUri) {
          const parsed = nextPath(String(body.nextUri), path);
          nextTarget = parsed.path;
          nextPageNumber = parsed.pageNumber ?? pageNumber + 1;
        } else {
          nextPageNumber = pageNumber + 1;
          nextTarget = pathFor(nextPageNumber);
        }
        if (seen.has(nextTarget)) {
          throw new GenesysError(
            `The listing '${path}' repeated nextUri '${nextTarget}' after page ${pageNumber}: it would loop forever; pass followNextUri: false to page by number`,
          );
        }
        if (options.maxPages !== undefined && pages >= options.maxPages) {
          throw new GenesysError(
            `The listing '${path}' has more than ${options.maxPages} pages (maxPages); raise maxPages or narrow the query`,
          );
        }
        seen.add(nextTarget);
      }
      const page: ListingPage<T> = { entities, pageNumber, body };
      if (nextPageNumber !== undefined) page.nextPageNumber = nextPageNumber;
      if (typeof body.total === "number") page.total = body.total;
      if (pageCount !== undefined) page.pageCount = pageCount;
      if (nextTarget && prefetch) next = fetchPage(nextTarget);
      yield page;
      if (nextTarget && !prefetch) next = fetchPage(nextTarget);
      if (nextPageNumber !== undefined) pageNumber = nextPageNumber;
    }
  } finally {
    if (next) {
      controller.abort(stopReason());
      await next.catch(() => {});
    }
  }
}

/** The body of a cursor listing response. */
export interface CursorResponse {
  /** The next page's cursor; absent on the last page. */
  cursor?: string | null;
  /** Newer endpoints: `cursors.after` is the next page's cursor. */
  cursors?: { after?: string | null; before?: string | null } | null;
  /** Any other field, such as the items array. */
  [key: string]: unknown;
}

/** One page of a cursor listing. */
export interface CursorPage<T> {
  /** The page's items (from the response's `itemsKey` field; empty when absent). */
  entities: T[];
  /** The cursor this page was requested with (`undefined` for the first page). */
  cursor?: string;
  /** The cursor of the next page, or `undefined` when this page is the last one. */
  nextCursor?: string;
  /** The raw response body. */
  body: CursorResponse;
}

/** Options of {@link paginateCursor}. */
export interface PaginateCursorOptions {
  /** `GET` (default) sends the cursor in the query; `POST` sends it in the body. */
  method?: "GET" | "POST";
  /** Items per page (`pageSize`). Default: not sent (the server's default). */
  pageSize?: number;
  /** The cursor to start from (resume); the first page is fetched without one by default. */
  cursor?: string;
  /** Extra query parameters. */
  query?: Query;
  /** For `POST`: the JSON body; `cursor` and `pageSize` are added to it. */
  body?: Record<string, unknown>;
  /**
   * The name of the cursor parameter. Default `cursor`, or `after` once the server answered with
   * `cursors.after`.
   */
  cursorParam?: string;
  /** The response field holding the items. Default `entities`. */
  itemsKey?: string;
  /** Whether a retried `POST` is safe (it only reads). Default `true`. */
  idempotent?: boolean;
  /** Fetch the next page while the caller handles the current one. Default `true`. */
  prefetch?: boolean;
  /** Stop with an error after this many pages. Default none. */
  maxPages?: number;
  /** Aborts the current request. */
  signal?: AbortSignal;
  /** Passed to every request: an absolute deadline, epoch ms by the client's clock. */
  deadline?: number;
  /** Passed to every request: the per-attempt timeout in ms. */
  timeoutMs?: number;
}

/**
 * Pages through a cursor listing: each response names the next page's `cursor` (or
 * `cursors.after`); none means done.
 *
 * @typeParam T The item type.
 * @param client The API client.
 * @param path The listing path, such as `/api/v2/users/query`.
 * @param options Method, page size, start cursor, items field, signal.
 * @returns An async generator of pages.
 * @throws {GenesysError} When a cursor repeats (the listing would loop).
 *
 * @example
 * ```ts
 * import { paginateCursor } from "./paginate.ts";
 * import type { ApiClient, RequestOptions } from "./client.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const pages: Record<string, unknown> = {
 *   "": { results: [1, 2], cursor: "c2" },
 *   c2: { results: [3] },
 * };
 * const client = {
 *   request: (_m: string, _p: string, o?: RequestOptions) =>
 *     Promise.resolve(pages[String(o?.query?.cursor ?? "")]),
 * } as unknown as ApiClient;
 *
 * const seen = [];
 * for await (const page of paginateCursor<number>(client, "/api/v2/x", { itemsKey: "results" })) {
 *   seen.push(...page.entities);
 * }
 * deepStrictEqual(seen, [1, 2, 3]);
 * ```
 */
export async function* paginateCursor<T = unknown>(
  client: ApiClient,
  path: string,
  options: PaginateCursorOptions = {},
): AsyncGenerator<CursorPage<T>, void, undefined> {
  checkPositiveInt("pageSize", options.pageSize);
  checkPositiveInt("maxPages", options.maxPages);
  const method = options.method ?? "GET";
  const itemsKey = options.itemsKey ?? "entities";
  const prefetch = options.prefetch ?? true;
  let cursorParam = options.cursorParam;
  const { controller, signal } = linkSignal(options.signal);
  const fetchPage = (cursor: string | undefined) => {
    const param = cursorParam ?? "cursor";
    const request: RequestOptions = {
      signal,
      deadline: options.deadline,
      timeoutMs: options.timeoutMs,
    };
    if (method === "GET") {
      request.query = { ...options.query, pageSize: options.pageSize, [param]: cursor };
    } else {
      request.query = options.query;
      const body: Record<string, unknown> = { ...options.body };
      if (options.pageSize !== undefined) body.pageSize = options.pageSize;
      if (cursor !== undefined) body[param] = cursor;
      request.body = body;
      request.idempotent = options.idempotent ?? true;
    }
    return pending(client.request<CursorResponse>(method, path, request));
  };

  let cursor = options.cursor;
  const seen = new Set<string>(cursor === undefined ? [] : [cursor]);
  let next: Promise<CursorResponse> | undefined = fetchPage(cursor);
  let pages = 0;
  try {
    while (next) {
      const body = (await next) ?? {};
      next = undefined;
      pages++;
      const raw = body[itemsKey];
      const entities = (Array.isArray(raw) ? raw : []) as T[];
      let nextCursor: string | undefined;
      if (typeof body.cursor === "string" && body.cursor !== "") {
        nextCursor = body.cursor;
      } else if (typeof body.cursors?.after === "string" && body.cursors.after !== "") {
        nextCursor = body.cursors.after;
        cursorParam ??= "after";
      }
      if (nextCursor !== undefined) {
        if (seen.has(nextCursor)) {
          throw new GenesysError(
            `The listing '${path}' repeated cursor '${
              nextCursor.slice(0, 40)
            }' after ${pages} pages: it would loop forever`,
          );
        }
        if (options.maxPages !== undefined && pages >= options.maxPages) {
          throw new GenesysError(
            `The listing '${path}' has more than ${options.maxPages} pages (maxPages); raise maxPages or narrow the query`,
          );
        }
        seen.add(nextCursor);
      }
      const page: CursorPage<T> = { entities, body };
      if (cursor !== undefined) page.cursor = cursor;
      if (nextCursor !== undefined) page.nextCursor = nextCursor;
      if (nextCursor !== undefined && prefetch) next = fetchPage(nextCursor);
      yield page;
      if (nextCursor !== undefined && !prefetch) next = fetchPage(nextCursor);
      cursor = nextCursor;
    }
  } finally {
    if (next) {
      controller.abort(stopReason());
      await next.catch(() => {});
    }
  }
}

/**
 * Yields the items of a page stream one by one: the `entities` of {@link paginate} and
 * {@link paginateCursor} pages, or the `records` of {@link SourcePage}s.
 *
 * @typeParam T The item type.
 * @param pages The pages.
 * @returns An async generator of items; leaving it early also closes `pages`.
 *
 * @example
 * ```ts
 * import { items } from "./paginate.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * async function* pages() {
 *   yield { entities: ["a", "b"] };
 *   yield { entities: ["c"] };
 * }
 * deepStrictEqual(await Array.fromAsync(items(pages())), ["a", "b", "c"]);
 * ```
 */
export async function* items<T>(
  pages: AsyncIterable<{ entities: T[] } | { records: T[] }>,
): AsyncGenerator<T, void, undefined> {
  for await (const page of pages) {
    yield* "records" in page ? page.records : page.entities;
  }
}

/**
 * Yields every entity of a page-number listing: {@link paginate} flattened.
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
 * import { paginateItems } from "./paginate.ts";
 * import type { ApiClient } from "./client.ts";
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

/** Options of {@link listingSource}. */
export interface ListingSourceOptions {
  /** Entities per page. Default 100. */
  pageSize?: number;
  /** Extra query parameters (part of the source's description). */
  query?: Query;
  /** The record type, such as `user`. Default: the path's last segment without a final `s`. */
  recordType?: string;
  /** Follow `nextUri` (default `true`); see {@link PaginateOptions.followNextUri}. */
  followNextUri?: boolean;
  /** Fetch the next page while the current one is handled. Default `true`. */
  prefetch?: boolean;
  /** Passed to every request: an absolute deadline, epoch ms by the client's clock. */
  deadline?: number;
}

/** The resume position of a {@link listingSource} page. */
export interface ListingPosition {
  /** The page to fetch next. */
  pageNumber: number;
  /** Present and `true` after the last page: nothing is left. */
  done?: true;
}

function readListingPosition(position: JsonValue, path: string): ListingPosition {
  const p = position as Record<string, JsonValue>;
  if (
    typeof p !== "object" || p === null || Array.isArray(p) ||
    !Number.isInteger(p.pageNumber) || (p.pageNumber as number) < 1 ||
    (p.done !== undefined && p.done !== true)
  ) {
    throw new CheckpointError(
      `Resume position ${
        JSON.stringify(position)
      } is not a position of the listing '${path}'; delete the checkpoint to start over`,
    );
  }
  return p.done ? { pageNumber: p.pageNumber as number, done: true } : {
    pageNumber: p.pageNumber as number,
  };
}

/**
 * A resumable {@link PageSource} over a page-number listing such as `/api/v2/users`. Each page's
 * `position` is `{ pageNumber }` of the next page to fetch (resuming re-requests exactly that
 * page), or `{ pageNumber, done: true }` after the last page; `total` is the response's `total`.
 * Resuming assumes the listing did not change in between (entities added or removed before the
 * resume point shift the pages, as with any page-number listing).
 *
 * @typeParam T The entity type.
 * @param client The API client.
 * @param path The listing path.
 * @param options Page size, query, record type.
 * @returns The page source.
 * @throws {UsageError} When `pageSize` is not a positive integer.
 *
 * @example
 * ```ts
 * import { listingSource } from "./paginate.ts";
 * import type { ApiClient } from "./client.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: (_method: string, path: string) => {
 *     const n = Number(new URL(path, "http://x").searchParams.get("pageNumber"));
 *     return Promise.resolve({ entities: [{ id: `u${n}` }], pageCount: 3, total: 3, nextUri: `/api/v2/users?pageNumber=${n + 1}` });
 *   },
 * } as unknown as ApiClient;
 *
 * const source = listingSource(client, "/api/v2/users", { pageSize: 1 });
 * const positions = [];
 * for await (const page of source.pages({ pageNumber: 2 })) positions.push(page.position);
 * deepStrictEqual(positions, [{ pageNumber: 3 }, { pageNumber: 4, done: true }]);
 * ```
 */
export function listingSource<T = unknown>(
  client: ApiClient,
  path: string,
  options: ListingSourceOptions = {},
): PageSource<T> {
  const pageSize = options.pageSize ?? 100;
  checkPositiveInt("pageSize", pageSize);
  const query: Record<string, JsonValue> = {};
  for (const key of Object.keys(options.query ?? {}).sort()) {
    const value = options.query![key];
    if (value !== undefined) query[key] = value;
  }
  const lastSegment = new URL(path, "http://relative.invalid").pathname.split("/").filter(Boolean)
    .at(-1) ?? "record";
  const recordType = options.recordType ?? lastSegment.replace(/s$/, "");
  return {
    description: { endpoint: `GET ${path}`, pageSize, query },
    recordType,
    async *pages(resumeFrom?: JsonValue, signal?: AbortSignal) {
      let start = 1;
      if (resumeFrom !== undefined && resumeFrom !== null) {
        const position = readListingPosition(resumeFrom, path);
        if (position.done) return;
        start = position.pageNumber;
      }
      const pages = paginate<T>(client, path, {
        pageSize,
        pageNumber: start,
        query: options.query,
        followNextUri: options.followNextUri,
        prefetch: options.prefetch,
        deadline: options.deadline,
        signal,
      });
      for await (const page of pages) {
        const position: JsonValue = page.nextPageNumber === undefined
          ? { pageNumber: page.pageNumber + 1, done: true }
          : { pageNumber: page.nextPageNumber };
        const out: SourcePage<T> = { records: page.entities, position };
        if (page.total !== undefined) out.total = page.total;
        yield out;
      }
    },
  };
}
