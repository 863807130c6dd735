/**
 * A real subset of the analytics filter language: dimension predicates (`matches`, `exists`,
 * `notExists`) combined with `and`/`or`, in `conversationFilters` and `segmentFilters`.
 *
 * @module
 */
import type { Directory } from "./directory.ts";
import { badRequest } from "./reply.ts";
import { participantsOf, type Traits } from "./traits.ts";

/** A compiled filter: true when the conversation matches. */
export type Matcher = (t: Traits) => boolean;

type Lookup = (name: string) => string | undefined;

/**
 * Dimensions `conversationFilters` accept.
 *
 * @example
 * ```ts
 * import { CONVERSATION_DIMENSIONS } from "./filters.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(CONVERSATION_DIMENSIONS.includes("originatingDirection"));
 * ```
 */
export const CONVERSATION_DIMENSIONS: readonly string[] = [
  "conversationId",
  "originatingDirection",
  "divisionId",
];
/**
 * Dimensions `segmentFilters` accept.
 *
 * @example
 * ```ts
 * import { SEGMENT_DIMENSIONS } from "./filters.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(SEGMENT_DIMENSIONS.includes("queueId"));
 * ```
 */
export const SEGMENT_DIMENSIONS: readonly string[] = [
  "mediaType",
  "direction",
  "queueId",
  "userId",
  "purpose",
];

type Test = (get: Lookup) => boolean;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function combine(type: unknown, tests: Test[], field: string): Test {
  if (type !== "and" && type !== "or") {
    throw badRequest(`Filter type must be 'and' or 'or', got '${String(type)}'`, field);
  }
  if (tests.length === 0) {
    throw badRequest("A filter needs at least one predicate or clause", field);
  }
  return type === "and" ? (get) => tests.every((t) => t(get)) : (get) => tests.some((t) => t(get));
}

function predicate(p: unknown, dims: readonly string[], field: string): Test {
  if (!isObject(p)) throw badRequest("A predicate must be an object", field);
  const type = p.type ?? "dimension";
  if (type !== "dimension") {
    throw badRequest(
      `Predicate type '${String(type)}' is not supported by the simulator: use 'dimension'`,
      field,
    );
  }
  const dimension = p.dimension;
  if (typeof dimension !== "string" || !dims.includes(dimension)) {
    throw badRequest(
      `Unknown dimension '${String(dimension)}' in ${field}: use one of ${dims.join(", ")}`,
      field,
    );
  }
  const operator = p.operator ?? "matches";
  if (operator === "exists") return (get) => get(dimension) !== undefined;
  if (operator === "notExists") return (get) => get(dimension) === undefined;
  if (operator !== "matches") {
    throw badRequest(
      `Operator '${String(operator)}' is not supported: use matches, exists or notExists`,
      field,
    );
  }
  if (typeof p.value !== "string") {
    throw badRequest(`Predicate on '${dimension}' needs a string 'value'`, field);
  }
  const value = p.value;
  return (get) => get(dimension) === value;
}

function compileOne(f: unknown, dims: readonly string[], field: string): Test {
  if (!isObject(f)) throw badRequest("A filter must be an object", field);
  const tests: Test[] = [];
  if (f.predicates !== undefined) {
    if (!Array.isArray(f.predicates)) throw badRequest("'predicates' must be an array", field);
    for (const p of f.predicates) tests.push(predicate(p, dims, field));
  }
  if (f.clauses !== undefined) {
    if (!Array.isArray(f.clauses)) throw badRequest("'clauses' must be an array", field);
    for (const c of f.clauses) {
      if (!isObject(c) || !Array.isArray(c.predicates)) {
        throw badRequest("A clause must have 'type' and 'predicates'", field);
      }
      const inner = (c.predicates as unknown[]).map((p) => predicate(p, dims, field));
      tests.push(combine(c.type, inner, field));
    }
  }
  return combine(f.type, tests, field);
}

/**
 * Compiles `conversationFilters` and `segmentFilters` (every filter must match; a segment filter
 * matches when one participant's segments satisfy it).
 *
 * @param directory For division, queue and user ids.
 * @param conversationFilters The body's `conversationFilters`.
 * @param segmentFilters The body's `segmentFilters`.
 * @returns A matcher, or `undefined` when there is no filter.
 * @throws {HttpError} 400 for a malformed or unsupported filter.
 *
 * @example
 * ```ts
 * import { compileFilters } from "./filters.ts";
 * import { Directory } from "./directory.ts";
 * import { ok } from "node:assert/strict";
 *
 * const m = compileFilters(new Directory({ seed: 1, users: 2, queues: 2 }), [], [
 *   { type: "or", predicates: [{ dimension: "mediaType", value: "chat" }] },
 * ]);
 * ok(m !== undefined);
 * ```
 */
export function compileFilters(
  directory: Directory,
  conversationFilters: unknown,
  segmentFilters: unknown,
): Matcher | undefined {
  const conv = asList(conversationFilters, "conversationFilters")
    .map((f) => compileOne(f, CONVERSATION_DIMENSIONS, "conversationFilters"));
  const seg = asList(segmentFilters, "segmentFilters")
    .map((f) => compileOne(f, SEGMENT_DIMENSIONS, "segmentFilters"));
  if (conv.length === 0 && seg.length === 0) return undefined;
  return (t) => {
    if (conv.length > 0) {
      const get: Lookup = (name) =>
        name === "conversationId"
          ? t.id
          : name === "originatingDirection"
          ? t.direction
          : directory.divisions[t.division].id;
      if (!conv.every((test) => test(get))) return false;
    }
    if (seg.length > 0) {
      const parts = participantsOf(t);
      for (const test of seg) {
        const hit = parts.some((p) =>
          test((name) => {
            switch (name) {
              case "mediaType":
                return t.mediaType;
              case "direction":
                return t.direction;
              case "queueId":
                return p.queue >= 0 ? directory.queueIds[p.queue] : undefined;
              case "userId":
                return p.user >= 0 ? directory.userIds[p.user] : undefined;
              default:
                return p.purpose;
            }
          })
        );
        if (!hit) return false;
      }
    }
    return true;
  };
}

function asList(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`'${field}' must be an array`, field);
  return v;
}
