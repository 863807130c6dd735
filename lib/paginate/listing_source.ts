/**
 * A resumable {@link PageSource} over a page-number listing, for the extraction engine.
 *
 * @module
 */
import type { ApiClient, JsonValue, PageSource, Query, SourceCap, SourcePage } from "../types.ts";
import { CheckpointError } from "../errors.ts";
import { checkPositiveInt } from "./_page_loop.ts";
import { paginate } from "./paginate.ts";

/** Options of {@link listingSource}. */
export interface ListingSourceOptions {
  /**
   * Entities per page.
   *
   * @default {100}
   */
  pageSize?: number;
  /** Extra query parameters, a list for a repeated key (part of the source's description). */
  query?: Query;
  /** The record type, such as `user`. Default: the path's last segment without a final `s`. */
  recordType?: string;
  /**
   * Follow `nextUri`; see {@link PaginateOptions.followNextUri}.
   *
   * @default {true}
   */
  followNextUri?: boolean;
  /**
   * Fetch the next page while the current one is handled.
   *
   * @default {true}
   */
  prefetch?: boolean;
  /**
   * Most requests in flight, 1 to 16, as for `paginate`.
   *
   * @default {1}
   */
  concurrency?: number;
  /** Passed to every request: an absolute deadline, epoch ms by the client's clock. */
  deadline?: number;
  /** The listing's documented cap, as for `paginate` (default: the known one; `null`: none). */
  cap?: SourceCap | null;
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
 * import { listingSource } from "./listing_source.ts";
 * import type { ApiClient } from "../types.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: (_method: string, path: string) => {
 *     const n = Number(new URL(path, "http://x").searchParams.get("pageNumber"));
 *     const nextUri = n < 3 ? `/api/v2/users?pageNumber=${n + 1}` : undefined;
 *     return Promise.resolve({ entities: [{ id: `u${n}` }], pageCount: 3, total: 3, nextUri });
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
  checkPositiveInt("concurrency", options.concurrency, 16);
  const query: Record<string, JsonValue> = {};
  for (const key of Object.keys(options.query ?? {}).sort()) {
    const value = options.query![key];
    if (value !== undefined) query[key] = Array.isArray(value) ? [...value] : value as JsonValue;
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
        concurrency: options.concurrency,
        deadline: options.deadline,
        cap: options.cap,
        signal,
      });
      for await (const page of pages) {
        const position: JsonValue = page.nextPageNumber === undefined
          ? { pageNumber: page.pageNumber + 1, done: true }
          : { pageNumber: page.nextPageNumber };
        const out: SourcePage<T> = { records: page.entities, position };
        if (page.total !== undefined) out.total = page.total;
        if (page.capped) out.capped = page.capped;
        yield out;
      }
    },
  };
}
