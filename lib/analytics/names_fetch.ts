/**
 * Reads the names of users, queues and wrap-up codes from their page-number listings, once each,
 * through the same client (and so the same token, pacing and rate budget) as the extraction.
 *
 * @module
 */
import type { ApiClient } from "../types.ts";
import { NAME_KINDS, type NameDirectory, type NameKind } from "./names.ts";
import { paginate } from "../paginate/paginate.ts";

/** The listing each {@link NameKind} is read from. */
export const NAME_LISTINGS: Readonly<Record<NameKind, string>> = Object.freeze({
  users: "/api/v2/users",
  queues: "/api/v2/routing/queues",
  wrapUpCodes: "/api/v2/routing/wrapupcodes",
});

/** Options of {@link fetchNames} and {@link fetchNameDirectory}. */
export interface FetchNamesOptions {
  /**
   * Entities per page.
   *
   * @default {100}
   */
  pageSize?: number;
  /** An absolute deadline for every request, epoch ms by the client's clock. */
  deadline?: number;
  /** Aborts the request in flight. */
  signal?: AbortSignal;
}

/**
 * Walks one listing and maps each entity's `id` to its `name` (entities without both are
 * skipped). Users are the default listing's: active users only.
 *
 * @param client The API client.
 * @param kind `users`, `queues` or `wrapUpCodes`.
 * @param options Page size, deadline, signal.
 * @returns Id → name.
 * @throws {ApiError} When the listing answers an error (such as 403 for a missing permission).
 *
 * @example
 * ```ts
 * import { fetchNames } from "./names_fetch.ts";
 * import type { ApiClient } from "../types.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: () => Promise.resolve({ entities: [{ id: "w1", name: "Sale" }], pageCount: 1 }),
 * } as unknown as ApiClient;
 * deepStrictEqual(await fetchNames(client, "wrapUpCodes"), { w1: "Sale" });
 * ```
 */
export async function fetchNames(
  client: ApiClient,
  kind: NameKind,
  options: FetchNamesOptions = {},
): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  const pages = paginate<Record<string, unknown>>(client, NAME_LISTINGS[kind], {
    pageSize: options.pageSize ?? 100,
    deadline: options.deadline,
    signal: options.signal,
  });
  for await (const page of pages) {
    for (const entity of page.entities) {
      if (typeof entity?.id === "string" && typeof entity.name === "string") {
        names[entity.id] = entity.name;
      }
    }
  }
  return names;
}

/**
 * Reads all three listings, one after another, each walked once.
 *
 * @param client The API client.
 * @param options Page size, deadline, signal.
 * @returns The directory.
 * @throws {ApiError} When a listing answers an error.
 *
 * @example
 * ```ts
 * import { fetchNameDirectory } from "./names_fetch.ts";
 * import type { ApiClient } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: (_method: string, path: string) =>
 *     Promise.resolve({ entities: [{ id: "x", name: path.split("?")[0] }], pageCount: 1 }),
 * } as unknown as ApiClient;
 * const names = await fetchNameDirectory(client);
 * strictEqual(names.wrapUpCodes.x, "/api/v2/routing/wrapupcodes");
 * ```
 */
export async function fetchNameDirectory(
  client: ApiClient,
  options: FetchNamesOptions = {},
): Promise<NameDirectory> {
  const out: Partial<NameDirectory> = {};
  for (const kind of NAME_KINDS) out[kind] = await fetchNames(client, kind, options);
  return out as NameDirectory;
}
