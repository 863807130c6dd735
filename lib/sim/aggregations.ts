/**
 * Facet summaries of the details query (`aggregations` of type `termFrequency`): how many of the
 * matching conversations have each value of a dimension.
 *
 * @module
 */
import type { Dataset, Selection } from "./dataset.ts";
import { CONVERSATION_DIMENSIONS, SEGMENT_DIMENSIONS } from "./filters.ts";
import { badRequest } from "./reply.ts";
import { participantsOf, type Traits } from "./traits.ts";

/** A validated aggregation request. */
export interface Aggregation {
  /** The dimension to count. */
  dimension: string;
  /** How many values to return, most frequent first. */
  size: number;
}

/**
 * Validates the body's `aggregations`.
 *
 * @param value The field.
 * @returns The aggregations (empty when absent).
 * @throws {HttpError} 400 for an unsupported type or dimension.
 *
 * @example
 * ```ts
 * import { parseAggregations } from "./aggregations.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(parseAggregations([{ type: "termFrequency", dimension: "mediaType" }]), [
 *   { dimension: "mediaType", size: 10 },
 * ]);
 * ```
 */
export function parseAggregations(value: unknown): Aggregation[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest("'aggregations' must be an array", "aggregations");
  const dims = [...CONVERSATION_DIMENSIONS, ...SEGMENT_DIMENSIONS];
  return value.map((a) => {
    const agg = (a ?? {}) as Record<string, unknown>;
    if (agg.type !== "termFrequency") {
      throw badRequest(
        `Aggregation type '${
          String(agg.type)
        }' is not supported by the simulator: use 'termFrequency'`,
        "aggregations",
      );
    }
    if (typeof agg.dimension !== "string" || !dims.includes(agg.dimension)) {
      throw badRequest(
        `Unknown aggregation dimension '${String(agg.dimension)}': use one of ${dims.join(", ")}`,
        "aggregations",
      );
    }
    const size = agg.size ?? 10;
    if (typeof size !== "number" || !Number.isInteger(size) || size < 1) {
      throw badRequest(`Aggregation size must be a positive integer`, "aggregations");
    }
    return { dimension: agg.dimension, size };
  });
}

function values(data: Dataset, t: Traits, dimension: string): string[] {
  const dir = data.directory;
  switch (dimension) {
    case "conversationId":
      return [t.id];
    case "originatingDirection":
    case "direction":
      return [t.direction];
    case "divisionId":
      return [dir.divisions[t.division].id];
    case "mediaType":
      return [t.mediaType];
  }
  const out = new Set<string>();
  for (const p of participantsOf(t)) {
    if (dimension === "purpose") out.add(p.purpose);
    else if (dimension === "queueId" && p.queue >= 0) out.add(dir.queueIds[p.queue]);
    else if (dimension === "userId" && p.user >= 0) out.add(dir.userIds[p.user]);
  }
  return [...out];
}

/**
 * Counts conversations per dimension value over the whole selection.
 *
 * @param data The data.
 * @param selection The matching conversations.
 * @param aggregations What to count.
 * @returns The response's `aggregations`.
 *
 * @example
 * ```ts
 * import { aggregate } from "./aggregations.ts";
 * import { Dataset } from "./dataset.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const data = new Dataset({ seed: 1, users: 3, queues: 2, conversations: 50, startMs: 0, endMs: 1e9 });
 * const selection = data.select({ fromMs: 0, toMs: 1e9, mode: "start" });
 * const [result] = aggregate(data, selection, [{ dimension: "originatingDirection", size: 5 }]);
 * strictEqual(result.results.reduce((n, r) => n + r.count, 0), 50);
 * ```
 */
export function aggregate(
  data: Dataset,
  selection: Selection,
  aggregations: Aggregation[],
): { type: string; dimension: string; results: { value: string; count: number }[] }[] {
  const counts = aggregations.map(() => new Map<string, number>());
  if (aggregations.length > 0) {
    for (let k = 0; k < selection.total; k++) {
      const t = data.traits(selection.at(k));
      aggregations.forEach((a, i) => {
        for (const v of values(data, t, a.dimension)) counts[i].set(v, (counts[i].get(v) ?? 0) + 1);
      });
    }
  }
  return aggregations.map((a, i) => ({
    type: "termFrequency",
    dimension: a.dimension,
    results: [...counts[i]]
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      .slice(0, a.size)
      .map(([value, count]) => ({ value, count })),
  }));
}
