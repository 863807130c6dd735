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
import {
  buildPath,
  canonical,
  nextPath,
  type PagePaths,
  pagePaths,
  withCarried,
} from "./_listing_paths.ts";

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
  const walk = new ListingWalk<T>(path, options);
  const window = new Lookahead<{ key: string }, ListingResponse<T>>({
    concurrency: options.concurrency ?? 1,
    eager: options.prefetch ?? true,
    signal: options.signal,
    plan: () => walk.plan(),
    fetch: (item, signal): Promise<ListingResponse<T>> => {
      const request: RequestOptions = {
        signal,
        deadline: options.deadline,
        timeoutMs: options.timeoutMs,
      };
      return client.request<ListingResponse<T>>("GET", item.key, request);
    },
  });
  try {
    while (walk.current !== undefined) {
      let body: ListingResponse<T>;
      try {
        body = (await window.take({ key: walk.current })) ?? {};
      } catch (error) {
        const capped = walk.cappedPage(error);
        if (!capped) throw error;
        yield capped;
        return;
      }
      const page = walk.page(body);
      window.refill();
      yield page;
      walk.moveOn();
    }
  } finally {
    await window.close();
  }
}

/** Where the next page's request goes, and its canonical form (to spot a repeat). */
interface NextTarget {
  pageNumber: number;
  target: string;
  form: string;
}

/**
 * One walk through a listing ({@link paginate}): the page it stands on, the pages ahead by
 * number, and the checks each answered page passes before the next is asked for.
 */
class ListingWalk<T> {
  /** The path of the page to take next, `undefined` once the listing ended. */
  current: string | undefined;
  readonly #path: string;
  readonly #options: PaginateOptions;
  readonly #followNextUri: boolean;
  readonly #cap: SourceCap | undefined;
  readonly #pages: PagePaths;
  /**
   * The caller's parameters (the path's, `query` and `pageSize`), carried onto a nextUri that
   * lacks them; `pageNumber` is the nextUri's own business.
   */
  readonly #carried: URLSearchParams;
  /** A listing off the API path takes no nextUri (see nextPath), not even the next page's. */
  readonly #onApi: boolean;
  #pageNumber: number;
  /** The number of the page after the one last answered, `undefined` after the last. */
  #nextPageNumber: number | undefined;
  /** The page size the server pages with (it may answer fewer than asked), for the cap rule. */
  #size: number;
  /** Set once the pages ahead are known by number: the next one's number and the page count. */
  #ahead: { from: number; pageCount: number } | undefined;
  /** The canonical forms of the pages asked for: a nextUri met again would loop. */
  readonly #seen: Set<string>;
  #read = 0;
  #emptyInARow = 0;

  constructor(path: string, options: PaginateOptions) {
    const pageSize = options.pageSize ?? 100;
    checkPositiveInt("pageSize", pageSize);
    checkPositiveInt("pageNumber", options.pageNumber);
    checkPositiveInt("maxPages", options.maxPages);
    checkPositiveInt("concurrency", options.concurrency, 16);
    this.#path = path;
    this.#options = options;
    this.#followNextUri = options.followNextUri ?? true;
    const query = options.query ?? {};
    this.#cap = options.cap === undefined ? documentedCap(path, query) : options.cap ?? undefined;
    this.#pages = pagePaths(path, { ...query, pageSize });
    this.#carried = new URL(buildPath(path, { ...query, pageSize }), "http://relative.invalid")
      .searchParams;
    this.#carried.delete("pageNumber");
    this.#onApi = new URL(path, "http://relative.invalid").pathname.startsWith("/api/");
    this.#pageNumber = options.pageNumber ?? 1;
    this.current = this.#pages.path(this.#pageNumber);
    this.#size = pageSize;
    this.#seen = new Set<string>([this.#pages.canonical(this.#pageNumber)]);
  }

  /** The pages to fetch: the current one, then by number up to the page count (one past a cap). */
  *plan(): Generator<{ key: string }> {
    if (this.current === undefined) return;
    yield { key: this.current };
    const ahead = this.#ahead;
    const cap = this.#cap;
    const last = Math.min(
      ahead?.pageCount ?? 0,
      cap ? Math.ceil(cap.limit / this.#size) + 1 : Infinity,
    );
    for (let n = ahead?.from ?? 1; ahead && n <= last; n++) yield { key: this.#pages.path(n) };
  }

  /** The last, empty page marked `capped` when `error` is the 400 of a page past the cap. */
  cappedPage(error: unknown): ListingPage<T> | undefined {
    const cap = this.#cap;
    if (
      error instanceof ApiError && error.status === 400 &&
      reachesCap(cap, this.#pageNumber, this.#size)
    ) {
      return { entities: [], pageNumber: this.#pageNumber, body: {}, capped: cap };
    }
    return undefined;
  }

  /**
   * Checks an answered page and finds the next one: the page's entities, whether it is the last,
   * and (when not) where the next page is, refusing a listing that looks endless or would loop.
   */
  page(body: ListingResponse<T>): ListingPage<T> {
    const pageNumber = this.#pageNumber;
    this.#read++;
    const entities = recordsOf<T>(
      body.entities,
      "entities",
      `The listing '${this.#path}' (page ${pageNumber})`,
    );
    if (typeof body.pageSize === "number" && body.pageSize > 0) this.#size = body.pageSize;
    const pageCount = typeof body.pageCount === "number" ? body.pageCount : undefined;
    const next = this.#isLast(body, entities, pageCount) ? undefined : this.#next(body);
    const page: ListingPage<T> = { entities, pageNumber, body };
    if (next !== undefined) page.nextPageNumber = next.pageNumber;
    if (typeof body.total === "number") page.total = body.total;
    if (pageCount !== undefined) page.pageCount = pageCount;
    this.current = next?.target;
    this.#nextPageNumber = next?.pageNumber;
    this.#ahead = next !== undefined && pageCount !== undefined &&
        next.target === this.#pages.path(next.pageNumber)
      ? { from: next.pageNumber + 1, pageCount }
      : undefined;
    return page;
  }

  /** Steps onto the next page, once the current one was handed out. */
  moveOn(): void {
    if (this.#nextPageNumber !== undefined) this.#pageNumber = this.#nextPageNumber;
  }

  /**
   * Whether the page is the last: it has no `nextUri` or, paging by number, it is empty or at the
   * page count. Fails after {@link MAX_EMPTY_PAGES} empty pages in a row that are not the last.
   */
  #isLast(body: ListingResponse<T>, entities: T[], pageCount: number | undefined): boolean {
    const answered = typeof body.pageNumber === "number" ? body.pageNumber : this.#pageNumber;
    this.#emptyInARow = entities.length === 0 ? this.#emptyInARow + 1 : 0;
    const last = this.#followNextUri
      ? !body.nextUri
      : entities.length === 0 || (pageCount !== undefined && answered >= pageCount);
    if (!last && this.#emptyInARow >= MAX_EMPTY_PAGES) {
      throw new GenesysError(
        `The listing '${this.#path}' answered ${MAX_EMPTY_PAGES} empty pages in a row, each with a nextUri (the last '${body.nextUri}'): it looks endless; check the path and its query`,
      );
    }
    return last;
  }

  /** The page after this one, by number or by `nextUri`; fails on a repeat or past `maxPages`. */
  #next(body: ListingResponse<T>): NextTarget {
    const pageNumber = this.#pageNumber;
    const following = this.#pages.path(pageNumber + 1);
    // By number, or the usual nextUri (exactly the next page by number): nothing to parse.
    const next = !this.#followNextUri || (body.nextUri === following && this.#onApi)
      ? {
        pageNumber: pageNumber + 1,
        target: following,
        form: this.#pages.canonical(pageNumber + 1),
      }
      : this.#byNextUri(String(body.nextUri));
    if (this.#seen.has(next.form)) {
      throw new GenesysError(
        `The listing '${this.#path}' repeated nextUri '${next.target}' after page ${pageNumber}: it would loop forever; pass followNextUri: false to page by number`,
      );
    }
    checkMaxPages(this.#path, this.#read, this.#options.maxPages);
    this.#seen.add(next.form);
    return next;
  }

  /** The page a `nextUri` names, with the caller's parameters it lacks carried onto it. */
  #byNextUri(nextUri: string): NextTarget {
    const parsed = nextPath(nextUri, this.#path);
    const pageNumber = parsed.pageNumber ?? this.#pageNumber + 1;
    const target = withCarried(parsed.path, this.#carried);
    const form = canonical(target);
    // The same request as the next page by number (its query merely in another order): use our
    // form, so that pages fetched ahead by number are recognised.
    if (form === this.#pages.canonical(pageNumber)) {
      return { pageNumber, target: this.#pages.path(pageNumber), form };
    }
    return { pageNumber, target, form };
  }
}
