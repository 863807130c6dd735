/**
 * The cursor paginator: listings whose responses name the next page's `cursor` (or
 * `cursors.after`).
 *
 * @module
 */
import type { ApiClient, Query, RequestOptions } from "../types.ts";
import { GenesysError } from "../errors.ts";
import { Lookahead } from "./_lookahead.ts";
import { checkMaxPages, checkPositiveInt } from "./_page_loop.ts";

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

/** One request of a cursor listing: its cursor (none for a first page without one). */
interface CursorRequest {
  key: string;
  cursor?: string;
}

/** Options of {@link paginateCursor}. */
export interface PaginateCursorOptions {
  /**
   * `GET` sends the cursor in the query; `POST` sends it in the body.
   *
   * @default {"GET"}
   */
  method?: "GET" | "POST";
  /** Items per page (`pageSize`). Default: not sent (the server's default). */
  pageSize?: number;
  /** The cursor to start from (resume); the first page is fetched without one by default. */
  cursor?: string;
  /** Extra query parameters (a list sends each value). */
  query?: Query;
  /** For `POST`: the JSON body; `cursor` and `pageSize` are added to it. */
  body?: Record<string, unknown>;
  /**
   * The name of the cursor parameter. Default `cursor`, or `after` once the server answered with
   * `cursors.after`.
   */
  cursorParam?: string;
  /**
   * The response field holding the items.
   *
   * @default {"entities"}
   */
  itemsKey?: string;
  /**
   * Whether a retried `POST` is safe (it only reads).
   *
   * @default {true}
   */
  idempotent?: boolean;
  /**
   * Fetch the next page while the caller handles the current one.
   *
   * @default {true}
   */
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
 * import { paginateCursor } from "./paginate_cursor.ts";
 * import type { ApiClient, RequestOptions } from "../types.ts";
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
  let cursorParam = options.cursorParam;
  const item = (cursor: string | undefined): CursorRequest => ({ key: cursor ?? "", cursor });

  // The page to take next; `undefined` after the last one.
  let next: CursorRequest | undefined = item(options.cursor);
  const window = new Lookahead<CursorRequest, CursorResponse>({
    concurrency: 1,
    eager: options.prefetch ?? true,
    signal: options.signal,
    plan: function* () {
      if (next) yield next;
    },
    fetch: ({ cursor }, signal): Promise<CursorResponse> => {
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
      return client.request<CursorResponse>(method, path, request);
    },
  });
  const seen = new Set<string>(options.cursor === undefined ? [] : [options.cursor]);
  let pages = 0;
  try {
    while (next) {
      const { cursor } = next;
      const body: CursorResponse = (await window.take(next)) ?? {};
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
        checkMaxPages(path, pages, options.maxPages);
        seen.add(nextCursor);
      }
      const page: CursorPage<T> = { entities, body };
      if (cursor !== undefined) page.cursor = cursor;
      if (nextCursor !== undefined) page.nextCursor = nextCursor;
      next = nextCursor === undefined ? undefined : item(nextCursor);
      window.refill();
      yield page;
    }
  } finally {
    await window.close();
  }
}
