/**
 * How a sync reads a day of conversations: the details query (pages of at most 100) or a details
 * job (a submit, status polls, then pages of up to 10,000), and for `auto` which of the two costs
 * fewer requests, estimated from the day's size (the `totalHits` of a one-record first page).
 *
 * @module
 */
import type { ApiClient } from "../types.ts";
import { type ConversationDetailsQuery, DETAILS_QUERY_PATH } from "../analytics/details_query.ts";
import { SPLIT_RATIO } from "../analytics/_details_state.ts";

/** How a sync reads a day: `query`, `jobs`, or `auto` (whichever costs fewer requests). */
export type SyncViaOption = "query" | "jobs" | "auto";

/** What the cost model needs to know. */
export interface ViaCostSettings {
  /**
   * Conversations per details query page.
   *
   * @default {100}
   */
  pageSize?: number;
  /**
   * Conversations per job results page.
   *
   * @default {1000}
   */
  jobPageSize?: number;
  /**
   * Status polls a job is expected to take before it is `FULFILLED`: by default the polls of
   * about a minute with the default backoff (2 s growing by 1.5×). The simulator's jobs take 3.
   *
   * @default {6}
   */
  jobPolls?: number;
  /**
   * The details query's paging limit; a day above 80 % of it is bisected.
   *
   * @default {100000}
   */
  maxResults?: number;
}

/** The requests each way would send for one day. */
export interface ViaCosts {
  /** Details query pages: the records' pages, the empty page that ends each span, bisections. */
  query: number;
  /** Details job: the submit, the status polls and the results pages. */
  jobs: number;
}

/**
 * The requests each way costs for a day of `conversations`, by the model `auto` decides with.
 *
 * - Query: `ceil(n / pageSize)` pages plus the empty page that ends a span; a day above 80 % of
 *   the 100,000-result paging limit is bisected until each part is below it, and each part costs
 *   an extra first page (the one that said it was too big) and its own empty last page.
 * - Jobs: one submit, `jobPolls` status polls, and `max(1, ceil(n / jobPageSize))` results
 *   pages. The availability check is made once per run, not per day.
 *
 * @param conversations The day's size (an estimate: `totalHits` is approximate).
 * @param settings Page sizes and the polls a job is expected to take.
 * @returns The requests of each way.
 *
 * @example
 * ```ts
 * import { viaCosts } from "./sync_via.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(viaCosts(250), { query: 4, jobs: 8 });
 * deepStrictEqual(viaCosts(5000), { query: 51, jobs: 12 });
 * ```
 */
export function viaCosts(conversations: number, settings: ViaCostSettings = {}): ViaCosts {
  const pageSize = settings.pageSize ?? 100;
  const jobPageSize = settings.jobPageSize ?? 1000;
  const polls = settings.jobPolls ?? 6;
  const limit = (settings.maxResults ?? 100_000) * SPLIT_RATIO;
  const n = Math.max(0, conversations);
  let spans = 1;
  while (n / spans > limit) spans *= 2;
  // Each bisection asks a first page that is then thrown away: spans - 1 of them.
  const query = Math.ceil(n / pageSize) + spans + (spans - 1);
  const jobs = 1 + polls + Math.max(1, Math.ceil(n / jobPageSize));
  return { query, jobs };
}

/**
 * The smallest day (in conversations) for which a details job costs fewer requests than the
 * details query, by {@link viaCosts}.
 *
 * @param settings Page sizes and the polls a job is expected to take.
 * @returns The crossover size.
 *
 * @example
 * ```ts
 * import { viaCrossover } from "./sync_via.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(viaCrossover(), 701);
 * strictEqual(viaCrossover({ jobPolls: 3 }), 401);
 * ```
 */
export function viaCrossover(settings: ViaCostSettings = {}): number {
  let low = 0;
  let high = 1;
  const jobsCheaper = (n: number) => {
    const costs = viaCosts(n, settings);
    return costs.jobs < costs.query;
  };
  while (!jobsCheaper(high)) high *= 2;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (jobsCheaper(mid)) high = mid;
    else low = mid;
  }
  return high;
}

/** Options of {@link estimateConversations}. */
export interface EstimateOptions {
  /** Aborts the request. */
  signal?: AbortSignal;
  /** An absolute deadline, epoch ms. */
  deadline?: number;
  /** The per-attempt timeout, ms. */
  timeoutMs?: number;
}

/**
 * Asks the details query how many conversations an interval holds: one request for a page of one
 * record, whose `totalHits` is the estimate (approximate, as the API documents, and it counts
 * conversations that started earlier the same day and overlap the interval).
 *
 * @param client The API client.
 * @param query The query's filters (its `interval` and `paging` are replaced).
 * @param interval The interval, ISO-8601 `start/end`.
 * @param options Signal, deadline, timeout.
 * @returns `totalHits` (0 when the answer has none).
 *
 * @example
 * ```ts
 * import { estimateConversations } from "./sync_via.ts";
 * import type { ApiClient } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: () => Promise.resolve({ totalHits: 1234, conversations: [{ conversationId: "a" }] }),
 * } as unknown as ApiClient;
 * strictEqual(await estimateConversations(client, {}, "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z"), 1234);
 * ```
 */
export async function estimateConversations(
  client: ApiClient,
  query: Omit<ConversationDetailsQuery, "interval">,
  interval: string,
  options: EstimateOptions = {},
): Promise<number> {
  const { paging: _paging, ...body } = query as ConversationDetailsQuery;
  const response = await client.request<{ totalHits?: unknown }>("POST", DETAILS_QUERY_PATH, {
    body: { ...body, interval, paging: { pageSize: 1, pageNumber: 1 } },
    idempotent: true,
    signal: options.signal,
    deadline: options.deadline,
    timeoutMs: options.timeoutMs,
  });
  const hits = response?.totalHits;
  return typeof hits === "number" && Number.isFinite(hits) && hits > 0 ? Math.round(hits) : 0;
}
