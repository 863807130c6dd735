/**
 * Shared parts of the analytics conversation-details sources: endpoint paths, the query body
 * type, and the body check that turns misplaced fields into a clear {@link UsageError}.
 *
 * The sources themselves live in `conversation_details.ts` (the paged details query) and
 * `details_job.ts` (the asynchronous jobs API).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { type Interval, parseInterval } from "./interval.ts";

/** `POST` path of the conversation details query. */
export const DETAILS_QUERY_PATH = "/api/v2/analytics/conversations/details/query";
/** Path of the conversation details jobs API. */
export const DETAILS_JOBS_PATH = "/api/v2/analytics/conversations/details/jobs";
/** `POST` path of the aggregates query, named in errors about aggregate-only fields. */
export const AGGREGATES_QUERY_PATH = "/api/v2/analytics/conversations/aggregates/query";

/** A conversation details record as the API returns it (only the fields this toolkit reads). */
export interface Conversation {
  /** The conversation id. */
  conversationId: string;
  /** When the conversation started, ISO-8601. */
  conversationStart?: string;
  /** When it ended, ISO-8601. */
  conversationEnd?: string;
  /** Every other field of the record. */
  [key: string]: unknown;
}

/** The body of a conversation details query or job, as the caller gives it. */
export interface ConversationDetailsQuery {
  /** ISO-8601 `start/end` (or `start/P1D`). Required. */
  interval: string;
  /**
   * Sort order: `asc` or `desc`; jobs also accept `unordered`.
   *
   * @default {"asc"}
   */
  order?: "asc" | "desc" | "unordered";
  /**
   * Sort key, such as `conversationStart` or `segmentStart`.
   *
   * @default {"conversationStart"}
   */
  orderBy?: string;
  /**
   * Query only: `paging.pageSize` sets the page size (at most 100); `paging.pageNumber` other
   * than 1 is refused (paging is managed; resume with a position instead). Jobs refuse `paging`.
   */
  paging?: { pageSize?: number; pageNumber?: number };
  /** Conversation-level filters. */
  conversationFilters?: unknown[];
  /** Segment-level filters. */
  segmentFilters?: unknown[];
  /** Evaluation filters. */
  evaluationFilters?: unknown[];
  /** Survey filters. */
  surveyFilters?: unknown[];
  /** Resolution filters. */
  resolutionFilters?: unknown[];
  /** Query only: facet summaries. */
  aggregations?: unknown[];
  /** Jobs only: the maximum number of results. */
  limit?: number;
  /** Jobs only: match conversations that start in the interval (as the query endpoint does). */
  startOfDayIntervalMatching?: boolean;
}

/** A body that passed {@link checkDetailsQuery}. */
export interface CheckedDetailsQuery {
  /** The body without `paging` and `interval`, keys sorted (safe for a job description). */
  body: Record<string, unknown>;
  /** The parsed interval. */
  interval: Interval;
  /** `asc`, `desc`, or (jobs only) `unordered`. */
  order: "asc" | "desc" | "unordered";
  /** Whether any filter array is non-empty (the details query then allows 31-day intervals). */
  hasFilters: boolean;
  /** `paging.pageSize` when the caller gave one. */
  pageSize?: number;
}

const FILTERS = [
  "conversationFilters",
  "segmentFilters",
  "evaluationFilters",
  "surveyFilters",
  "resolutionFilters",
];
const QUERY_FIELDS = ["interval", "order", "orderBy", "paging", "aggregations", ...FILTERS];
const JOB_FIELDS = [
  "interval",
  "order",
  "orderBy",
  "limit",
  "startOfDayIntervalMatching",
  ...FILTERS,
];
const AGGREGATE_FIELDS = [
  "groupBy",
  "metrics",
  "granularity",
  "views",
  "timeZone",
  "filter",
  "flattenMultivaluedDimensions",
  "alternateTimeDimension",
];
const ORDER_BY = ["conversationStart", "conversationEnd", "segmentStart", "segmentEnd"];

/**
 * Checks a conversation details body before anything is sent: fields of another endpoint or
 * made-up fields, the interval, `order`, `orderBy`, filters, `paging` (query) and `limit` (jobs).
 *
 * @param query The body as the caller gave it.
 * @param endpoint `query` for the details query, `jobs` for the jobs API.
 * @returns The checked parts.
 * @throws {UsageError} Naming the field, the endpoint it belongs to and the fix.
 *
 * @example
 * ```ts
 * import { checkDetailsQuery, type ConversationDetailsQuery } from "./details_query.ts";
 * import { throws } from "node:assert/strict";
 *
 * const body = { interval: "2026-01-01/2026-01-02", groupBy: ["queueId"] };
 * throws(
 *   () => checkDetailsQuery(body as ConversationDetailsQuery, "query"),
 *   /'groupBy' belongs to POST \/api\/v2\/analytics\/conversations\/aggregates\/query/,
 * );
 * ```
 */
export function checkDetailsQuery(
  query: ConversationDetailsQuery,
  endpoint: "query" | "jobs",
): CheckedDetailsQuery {
  const here = endpoint === "query" ? `POST ${DETAILS_QUERY_PATH}` : `POST ${DETAILS_JOBS_PATH}`;
  const name = endpoint === "query" ? "the details query" : "a details job";
  if (typeof query !== "object" || query === null || Array.isArray(query)) {
    throw new UsageError(`The body of ${here} must be a JSON object with an 'interval'`);
  }
  const allowed = endpoint === "query" ? QUERY_FIELDS : JOB_FIELDS;
  for (const key of Object.keys(query)) {
    if (allowed.includes(key)) continue;
    if (AGGREGATE_FIELDS.includes(key)) {
      const fix = key === "filter" ? "; use 'conversationFilters' or 'segmentFilters'" : "";
      throw new UsageError(
        `'${key}' belongs to POST ${AGGREGATES_QUERY_PATH}, not ${name}${fix}`,
      );
    }
    if (endpoint === "query" && JOB_FIELDS.includes(key)) {
      throw new UsageError(
        `'${key}' belongs to POST ${DETAILS_JOBS_PATH}, not the details query; use the jobs API or drop it`,
      );
    }
    if (endpoint === "jobs" && QUERY_FIELDS.includes(key)) {
      const fix = key === "paging"
        ? "; job results are read by cursor (use the pageSize option)"
        : "";
      throw new UsageError(
        `'${key}' belongs to POST ${DETAILS_QUERY_PATH}, not a details job${fix}`,
      );
    }
    throw new UsageError(
      `'${key}' is not a field of ${here}; allowed fields: ${allowed.join(", ")}`,
    );
  }
  const record = query as unknown as Record<string, unknown>;
  if (record.interval === undefined) {
    throw new UsageError(
      `${here} needs an 'interval' such as '2026-01-01T00:00:00Z/2026-01-02T00:00:00Z'`,
    );
  }
  const interval = parseInterval(record.interval as string);
  const order = query.order ?? "asc";
  if (order === "unordered" && endpoint === "query") {
    throw new UsageError(
      `'order' is 'unordered': the details query takes 'asc' or 'desc'; 'unordered' is for details jobs`,
    );
  }
  if (order !== "asc" && order !== "desc" && order !== "unordered") {
    throw new UsageError(
      `'order' is '${query.order}': use 'asc' or 'desc'${
        endpoint === "jobs" ? " (or 'unordered')" : ""
      }`,
    );
  }
  if (query.orderBy !== undefined && !ORDER_BY.includes(query.orderBy)) {
    throw new UsageError(`'orderBy' is '${query.orderBy}': use one of ${ORDER_BY.join(", ")}`);
  }
  let hasFilters = false;
  for (const key of [...FILTERS, "aggregations"]) {
    const value = record[key];
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      throw new UsageError(`'${key}' must be an array of filter objects, got ${typeof value}`);
    }
    if (FILTERS.includes(key) && value.length > 0) hasFilters = true;
  }
  let pageSize: number | undefined;
  if (query.paging !== undefined) {
    const paging = query.paging as Record<string, unknown>;
    if (typeof paging !== "object" || paging === null) {
      throw new UsageError(`'paging' must be an object such as { "pageSize": 100 }`);
    }
    for (const key of Object.keys(paging)) {
      if (key !== "pageSize" && key !== "pageNumber") {
        throw new UsageError(`'paging.${key}' is not a field of paging; use pageSize`);
      }
    }
    if (paging.pageNumber !== undefined && paging.pageNumber !== 1) {
      throw new UsageError(
        `'paging.pageNumber' is '${paging.pageNumber}': pages are requested for you; resume from a saved position instead`,
      );
    }
    if (paging.pageSize !== undefined) {
      const size = paging.pageSize as number;
      if (!Number.isInteger(size) || size < 1 || size > 100) {
        throw new UsageError(
          `'paging.pageSize' is '${size}': it must be a whole number from 1 to 100`,
        );
      }
      pageSize = size;
    }
  }
  if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1)) {
    throw new UsageError(`'limit' is '${query.limit}': it must be a whole number of at least 1`);
  }
  const body: Record<string, unknown> = {};
  for (const key of Object.keys(query).sort()) {
    if (key !== "paging" && key !== "interval") body[key] = record[key];
  }
  const checked: CheckedDetailsQuery = { body, interval, order, hasFilters };
  if (pageSize !== undefined) checked.pageSize = pageSize;
  return checked;
}

/**
 * The ownership rule: a conversation belongs to the window its `conversationStart` falls in,
 * `[start, end)`. The details query also returns conversations that started earlier the same UTC
 * day and overlap its interval, and jobs return every conversation that overlaps theirs; each
 * source keeps only those its window owns, so a conversation is written exactly once however the
 * interval is cut. A record without a readable `conversationStart` cannot be placed and is kept.
 *
 * @param conversation The record.
 * @param window The window it was read for.
 * @returns Whether the window owns it.
 *
 * @example
 * ```ts
 * import { ownedBy } from "./details_query.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const window = { start: Date.UTC(2026, 0, 1, 6), end: Date.UTC(2026, 0, 1, 12) };
 * strictEqual(ownedBy({ conversationId: "a", conversationStart: "2026-01-01T06:00:00Z" }, window), true);
 * strictEqual(ownedBy({ conversationId: "b", conversationStart: "2026-01-01T05:59:59.999Z" }, window), false);
 * strictEqual(ownedBy({ conversationId: "c", conversationStart: "2026-01-01T12:00:00Z" }, window), false);
 * ```
 */
export function ownedBy(conversation: Conversation, window: Interval): boolean {
  const started = typeof conversation.conversationStart === "string"
    ? Date.parse(conversation.conversationStart)
    : NaN;
  if (!Number.isFinite(started)) return true;
  return started >= window.start && started < window.end;
}
