/**
 * Validation of the analytics details query and job bodies, with the real service's 400s.
 *
 * @module
 */
import { type Aggregation, parseAggregations } from "./aggregations.ts";
import type { Dataset, SelectSpec } from "./dataset.ts";
import { compileFilters } from "./filters.ts";
import { badRequest } from "./reply.ts";

const DAY_MS = 86_400_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ORDER_BY: Record<string, "start" | "end"> = {
  conversationStart: "start",
  segmentStart: "start",
  conversationEnd: "end",
  segmentEnd: "end",
};
const FILTER_FIELDS = [
  "conversationFilters",
  "segmentFilters",
  "evaluationFilters",
  "surveyFilters",
  "resolutionFilters",
];
const AGGREGATE_FIELDS = ["groupBy", "metrics", "granularity", "views", "timeZone", "filter"];
const COMMON_FIELDS = ["interval", "order", "orderBy", ...FILTER_FIELDS];
const QUERY_FIELDS = [...COMMON_FIELDS, "paging", "aggregations"];
const JOB_FIELDS = [...COMMON_FIELDS, "limit", "startOfDayIntervalMatching"];

/** A validated details query or job body. */
export interface DetailsRequest {
  /** The selection it asks for: mode `day` for a query, `overlap` or `day` for a job. */
  spec: SelectSpec;
  /** Query only: page size. */
  pageSize: number;
  /** Query only: page number. */
  pageNumber: number;
  /** Query only: facet summaries asked for. */
  aggregations: Aggregation[];
}

/**
 * Parses `start/end` in ISO-8601.
 *
 * @param value The `interval` field.
 * @returns Start and end in epoch ms.
 * @throws {HttpError} 400 when missing, malformed or empty.
 *
 * @example
 * ```ts
 * import { parseInterval } from "./body.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(parseInterval("1970-01-01T00:00:00Z/1970-01-01T00:00:01Z"), [0, 1000]);
 * ```
 */
export function parseInterval(value: unknown): [number, number] {
  if (value === undefined || value === null) throw badRequest("Missing 'interval'", "interval");
  const parts = typeof value === "string" ? value.split("/") : [];
  if (parts.length !== 2 || !ISO.test(parts[0]) || !ISO.test(parts[1])) {
    throw badRequest(
      `Invalid interval '${
        String(value)
      }': expected 'start/end' in ISO-8601, such as 2026-01-01T00:00:00.000Z/2026-01-08T00:00:00.000Z`,
      "interval",
    );
  }
  const from = Date.parse(parts[0]);
  const to = Date.parse(parts[1]);
  if (Number.isNaN(from) || Number.isNaN(to)) {
    throw badRequest(`Invalid interval '${value}': a date does not exist`, "interval");
  }
  if (to <= from) {
    throw badRequest(`Invalid interval '${value}': the end must be after the start`, "interval");
  }
  return [from, to];
}

function positiveInt(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw badRequest(`'${field}' must be a positive integer, got '${JSON.stringify(v)}'`, field);
  }
  return v;
}

/**
 * Validates a details query (`kind` "query") or job (`kind` "job") body.
 *
 * @param dataset For compiling filters.
 * @param body The parsed JSON body.
 * @param kind Which endpoint.
 * @param limits Enforce the interval and paging limits (default true).
 * @param resultLimit The paging limit: `pageNumber × pageSize` above it answers 400 (default
 *   100,000, the real service's).
 * @returns The validated request.
 * @throws {HttpError} 400 like the real service.
 *
 * @example
 * ```ts
 * import { parseDetailsBody } from "./body.ts";
 * import { Dataset } from "./dataset.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * const data = new Dataset({ seed: 1, users: 1, queues: 1, conversations: 1, startMs: 0, endMs: 1e9 });
 * const ok = parseDetailsBody(data, { interval: "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z" }, "query");
 * strictEqual(ok.pageSize, 25);
 * throws(() => parseDetailsBody(data, { interval: "x", groupBy: [] }, "query"));
 * ```
 */
export function parseDetailsBody(
  dataset: Dataset,
  body: unknown,
  kind: "query" | "job",
  limits = true,
  resultLimit = 100_000,
): DetailsRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object");
  }
  const b = body as Record<string, unknown>;
  const allowed = kind === "query" ? QUERY_FIELDS : JOB_FIELDS;
  for (const field of Object.keys(b)) {
    if (allowed.includes(field)) continue;
    if (AGGREGATE_FIELDS.includes(field)) {
      throw badRequest(
        `Field '${field}' belongs to the aggregates query, not the conversation details ${kind}`,
        field,
      );
    }
    if (field === "paging") {
      throw badRequest(
        "Field 'paging' is not allowed in a details job: read results by cursor",
        field,
      );
    }
    throw badRequest(`Unrecognized field '${field}'`, field);
  }
  const [fromMs, toMs] = parseInterval(b.interval);

  let pageSize = 25;
  let pageNumber = 1;
  if (kind === "query" && b.paging !== undefined) {
    const paging = b.paging as Record<string, unknown>;
    if (typeof paging !== "object" || paging === null) {
      throw badRequest("'paging' must be an object with pageSize and pageNumber", "paging");
    }
    if (paging.pageSize !== undefined) pageSize = positiveInt(paging.pageSize, "paging.pageSize");
    if (paging.pageNumber !== undefined) {
      pageNumber = positiveInt(paging.pageNumber, "paging.pageNumber");
    }
    if (pageSize > 100) {
      throw badRequest(`Page size ${pageSize} exceeds the maximum of 100`, "paging.pageSize");
    }
  }

  const order = b.order ?? "asc";
  const orders = kind === "job" ? "'asc', 'desc' or 'unordered'" : "'asc' or 'desc'";
  if (order !== "asc" && order !== "desc" && order !== "unordered") {
    throw badRequest(`'order' must be ${orders}, got '${String(order)}'`, "order");
  }
  if (order === "unordered" && kind === "query") {
    throw badRequest(`'order' must be ${orders}, got 'unordered'`, "order");
  }
  const orderByName = b.orderBy ?? "conversationStart";
  const orderBy = typeof orderByName === "string" ? ORDER_BY[orderByName] : undefined;
  if (!orderBy) {
    throw badRequest(
      `Unsupported orderBy '${String(orderByName)}': use ${Object.keys(ORDER_BY).join(", ")}`,
      "orderBy",
    );
  }

  let filtered = false;
  let nothing = false;
  for (const field of FILTER_FIELDS) {
    const v = b[field];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) throw badRequest(`'${field}' must be an array`, field);
    if (v.length === 0) continue;
    filtered = true;
    // The generated data has no evaluations, surveys or resolutions: such filters match nothing.
    if (field !== "conversationFilters" && field !== "segmentFilters") nothing = true;
  }
  const compiled = compileFilters(dataset.directory, b.conversationFilters, b.segmentFilters);
  const matcher = nothing ? () => false : compiled;
  const matcherKey = matcher
    ? JSON.stringify([nothing, b.conversationFilters ?? [], b.segmentFilters ?? []])
    : undefined;

  const maxDays = filtered ? 31 : 7;
  if (kind === "query" && limits && toMs - fromMs > maxDays * DAY_MS) {
    throw badRequest(
      `Interval '${String(b.interval)}' exceeds the maximum of ${maxDays} days${
        filtered ? " for a filtered query" : " without filters (31 days with a filter)"
      }`,
      "interval",
    );
  }
  if (kind === "query" && limits && pageNumber * pageSize > resultLimit) {
    throw badRequest(`Pagination may not exceed ${resultLimit} results`, "paging");
  }

  const spec: SelectSpec = { fromMs, toMs, mode: "day", matcher, matcherKey, orderBy, order };
  if (kind === "job") {
    if (b.limit !== undefined) spec.limit = positiveInt(b.limit, "limit");
    const sod = b.startOfDayIntervalMatching ?? false;
    if (typeof sod !== "boolean") {
      throw badRequest(
        "'startOfDayIntervalMatching' must be a boolean",
        "startOfDayIntervalMatching",
      );
    }
    // startOfDayIntervalMatching keeps only conversations that started on or after 00:00 UTC of
    // the interval's first day: the same rule as the query's.
    if (!sod) spec.mode = "overlap";
  }
  const aggregations = kind === "query" ? parseAggregations(b.aggregations) : [];
  return { spec, pageSize, pageNumber, aggregations };
}
