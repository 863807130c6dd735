/**
 * The shared parts of the table shapes: how a column is declared (name, source path, unit, how
 * several values combine, how the value is read), defensive readers for the nested conversation
 * record (a missing or malformed field gives an empty cell, never an error), the metric columns
 * and their sums, and name columns.
 *
 * @module
 */
import { type NameDirectory, type NameKind, nameOf } from "./names.ts";

/** A JSON object of a record. */
export type JsonObject = Record<string, unknown>;

/** One cell of a table row: text, a number, a boolean, empty (`null`) or a list of text. */
export type Cell = string | number | boolean | null | readonly (string | null)[];

/** One column of a table shape: its contract (documented in `docs/tables.md`) and its reader. */
export interface TableColumn<R> {
  /** The column name (CSV header, JSON key). */
  readonly name: string;
  /** Where the value comes from in the conversation record. */
  readonly source: string;
  /** Its unit or type: `text`, `ISO 8601 UTC`, `seconds`, `count`, `boolean`, `list`, ... */
  readonly unit: string;
  /** How several values combine into one cell (`first`, `sum`, `distinct list`, ...). */
  readonly combine: string;
  /** Only written with names (`--resolve-names`). */
  readonly names?: boolean;
  /**
   * Reads the cell.
   *
   * @param row The row's context.
   * @param names The name directory, when names are resolved.
   * @returns The cell.
   */
  value(row: R, names: NameDirectory | undefined): Cell;
}

/** A table shape: which rows a conversation gives and their columns, in order. */
export interface TableDefinition<R> {
  /** What one row is, for people: `one row per segment`. */
  readonly rowsAre: string;
  /** The columns, in output order (name columns included). */
  readonly columns: readonly TableColumn<R>[];
  /**
   * The rows' contexts of one conversation record, in output order.
   *
   * @param record A conversation record.
   * @returns One context per row.
   */
  rows(record: JsonObject): R[];
}

/**
 * The plain objects of an array field (anything else in it is skipped; a missing field is empty).
 *
 * @param value A field value.
 * @returns Its object items.
 *
 * @example
 * ```ts
 * import { objectsOf } from "./_table_flatten.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(objectsOf([{ a: 1 }, null, "x", [2]]), [{ a: 1 }]);
 * deepStrictEqual(objectsOf(undefined), []);
 * ```
 */
export function objectsOf(value: unknown): JsonObject[] {
  if (!Array.isArray(value)) return [];
  const out: JsonObject[] = [];
  for (const item of value) {
    if (item !== null && typeof item === "object" && !Array.isArray(item)) {
      out.push(item as JsonObject);
    }
  }
  return out;
}

/**
 * A text field, or `null` when it is missing, empty or not text.
 *
 * @param value A field value.
 * @returns The text or `null`.
 *
 * @example
 * ```ts
 * import { textOf } from "./_table_flatten.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(textOf("voice"), "voice");
 * strictEqual(textOf(""), null);
 * strictEqual(textOf(3), null);
 * ```
 */
export function textOf(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/**
 * A finite number field, or `null`.
 *
 * @param value A field value.
 * @returns The number or `null`.
 *
 * @example
 * ```ts
 * import { numberOf } from "./_table_flatten.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(numberOf(4.2), 4.2);
 * strictEqual(numberOf("4.2"), null);
 * ```
 */
export function numberOf(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/**
 * Milliseconds as seconds, rounded to the millisecond (three decimals at most).
 *
 * @param ms Milliseconds.
 * @returns Seconds.
 *
 * @example
 * ```ts
 * import { secondsOf } from "./_table_flatten.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(secondsOf(61_234), 61.234);
 * ```
 */
export function secondsOf(ms: number): number {
  return Math.round(ms) / 1000;
}

/**
 * The seconds between two ISO 8601 instants, or `null` when either is missing or unreadable
 * (a segment or conversation still live has no end).
 *
 * @param start The start instant.
 * @param end The end instant.
 * @returns Seconds, or `null`.
 *
 * @example
 * ```ts
 * import { secondsBetween } from "./_table_flatten.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(secondsBetween("2026-01-01T10:00:00.000Z", "2026-01-01T10:01:30.500Z"), 90.5);
 * strictEqual(secondsBetween("2026-01-01T10:00:00.000Z", undefined), null);
 * ```
 */
export function secondsBetween(start: unknown, end: unknown): number | null {
  if (typeof start !== "string" || typeof end !== "string") return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) ? secondsOf(ms) : null;
}

/**
 * Distinct text values in the order first met (`null`, empty and non-text values are skipped).
 *
 * @example
 * ```ts
 * import { DistinctTexts } from "./_table_flatten.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const queues = new DistinctTexts();
 * for (const id of ["q2", "q1", "q2", null]) queues.add(id);
 * deepStrictEqual(queues.list, ["q2", "q1"]);
 * ```
 */
export class DistinctTexts {
  /** The values, in the order first met. */
  readonly list: string[] = [];
  #seen = new Set<string>();

  /**
   * Adds a value unless it was met before.
   *
   * @param value A field value.
   */
  add(value: unknown): void {
    const text = textOf(value);
    if (text === null || this.#seen.has(text)) return;
    this.#seen.add(text);
    this.list.push(text);
  }
}

/**
 * Sums of metric values by metric name over the sessions added (`metrics[]` of each session:
 * `{ name, value, emitDate }`; a value that is not a finite number is skipped).
 *
 * @example
 * ```ts
 * import { MetricSums } from "./_table_flatten.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const sums = new MetricSums();
 * sums.addSession({ metrics: [{ name: "tTalkComplete", value: 1000 }] });
 * sums.addSession({ metrics: [{ name: "tTalkComplete", value: 500 }, { name: "nOffered", value: 1 }] });
 * strictEqual(sums.get("tTalkComplete"), 1500);
 * strictEqual(sums.get("tAcw"), undefined);
 * ```
 */
export class MetricSums {
  #sums = new Map<string, number>();

  /**
   * Adds a session's metrics.
   *
   * @param session A session object.
   */
  addSession(session: JsonObject): void {
    for (const metric of objectsOf(session.metrics)) {
      const name = textOf(metric.name);
      const value = numberOf(metric.value);
      if (name === null || value === null) continue;
      this.#sums.set(name, (this.#sums.get(name) ?? 0) + value);
    }
  }

  /**
   * The sum of a metric.
   *
   * @param name The metric name, such as `tHandle`.
   * @returns The sum, or `undefined` when no session had the metric.
   */
  get(name: string): number | undefined {
    return this.#sums.get(name);
  }
}

/** A metric the tables sum: its name, whether it is a time or a count, and what it measures. */
export interface MetricSpec {
  /** The metric name in the record, such as `tHandle`. */
  readonly metric: string;
  /** `time` (milliseconds in the record, seconds in the table) or `count`. */
  readonly kind: "time" | "count";
  /** What it measures, following Genesys Cloud's metric definitions. */
  readonly meaning: string;
}

/**
 * The metrics the `conversations` and `participants` tables sum, in column order. Times become a
 * `<metric>Seconds` column, counts keep their name.
 */
export const TABLE_METRICS: readonly MetricSpec[] = Object.freeze([
  { metric: "tIvr", kind: "time", meaning: "time in IVR flows" },
  {
    metric: "tAcd",
    kind: "time",
    meaning: "time in queue until answered, abandoned or flowed out",
  },
  { metric: "tWait", kind: "time", meaning: "time waiting in queue (where Genesys emits it)" },
  {
    metric: "tAnswered",
    kind: "time",
    meaning: "time from entering the queue to an agent answering (the basis of ASA)",
  },
  { metric: "tAbandon", kind: "time", meaning: "time in queue before the customer abandoned" },
  {
    metric: "tShortAbandon",
    kind: "time",
    meaning: "an abandon shorter than the short-abandon threshold",
  },
  {
    metric: "tFlowOut",
    kind: "time",
    meaning: "time in queue before flowing out (voicemail, callback, another flow)",
  },
  { metric: "tAlert", kind: "time", meaning: "time an agent was alerted before answering" },
  {
    metric: "tNotResponding",
    kind: "time",
    meaning: "time an agent was alerted without answering",
  },
  { metric: "tDialing", kind: "time", meaning: "time an agent dialled (outbound)" },
  {
    metric: "tContacting",
    kind: "time",
    meaning: "time spent reaching the remote party (outbound)",
  },
  {
    metric: "tTalkComplete",
    kind: "time",
    meaning: "talk time, hold excluded, counted when the session ends",
  },
  { metric: "tHeldComplete", kind: "time", meaning: "hold time, counted when the session ends" },
  { metric: "tAcw", kind: "time", meaning: "after-call work (wrap-up) time" },
  {
    metric: "tHandle",
    kind: "time",
    meaning: "handle time: talk + hold + after-call work (+ dialing + contacting outbound)",
  },
  { metric: "tVoicemail", kind: "time", meaning: "time an agent spent on a voicemail" },
  { metric: "nOffered", kind: "count", meaning: "offers to a queue" },
  { metric: "nOverSla", kind: "count", meaning: "answers after the queue's service-level target" },
  { metric: "nTransferred", kind: "count", meaning: "transfers, blind and consult" },
  { metric: "nBlindTransferred", kind: "count", meaning: "blind transfers" },
  { metric: "nConsultTransferred", kind: "count", meaning: "consult transfers" },
  { metric: "nOutbound", kind: "count", meaning: "outbound attempts" },
]);

/**
 * The column name of a metric: `tHandle` → `tHandleSeconds`, `nOffered` → `nOffered`.
 *
 * @param spec The metric.
 * @returns The column name.
 *
 * @example
 * ```ts
 * import { metricColumnName } from "./_table_flatten.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(metricColumnName({ metric: "tHandle", kind: "time", meaning: "" }), "tHandleSeconds");
 * ```
 */
export function metricColumnName(spec: MetricSpec): string {
  return spec.kind === "time" ? `${spec.metric}Seconds` : spec.metric;
}

/**
 * The metric columns of a table, one per {@link TABLE_METRICS} entry: the sum over the sessions
 * the row covers (times in seconds), empty when none of them has the metric.
 *
 * @param scope Which sessions the row covers, for the docs: `every session of the conversation`.
 * @param sums Reads the row's sums.
 * @param sessions Where the sessions are, for the docs' source column.
 * @returns The columns.
 *
 * @example
 * ```ts
 * import { metricColumns, MetricSums } from "./_table_flatten.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const sums = new MetricSums();
 * sums.addSession({ metrics: [{ name: "tHandle", value: 61234 }] });
 * const columns = metricColumns("all sessions", (s: MetricSums) => s, "sessions[]");
 * const handle = columns.find((c) => c.name === "tHandleSeconds")!;
 * strictEqual(handle.value(sums, undefined), 61.234);
 * strictEqual(columns.find((c) => c.name === "tAcwSeconds")!.value(sums, undefined), null);
 * ```
 */
export function metricColumns<R>(
  scope: string,
  sums: (row: R) => MetricSums,
  sessions: string,
): TableColumn<R>[] {
  return TABLE_METRICS.map((spec): TableColumn<R> => ({
    name: metricColumnName(spec),
    source: `${sessions}.metrics[name=${spec.metric}].value: ${spec.meaning}`,
    unit: spec.kind === "time" ? "seconds" : "count",
    combine: `sum over ${scope}; empty when none has it`,
    value: (row) => {
      const sum = sums(row).get(spec.metric);
      if (sum === undefined) return null;
      return spec.kind === "time" ? secondsOf(sum) : sum;
    },
  }));
}

/**
 * The `ani` and `dnis` columns (the calling and the called number of a voice session), read from
 * the row's summary.
 *
 * @param source Where the sessions are, for the docs' source column.
 * @param combine Which session's address the row takes.
 * @returns The two columns.
 *
 * @example
 * ```ts
 * import { addressColumns } from "./_table_flatten.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const [ani, dnis] = addressColumns("sessions[]", "first");
 * const row = { ani: "tel:+1555", dnis: null };
 * deepStrictEqual([ani.value(row, undefined), dnis.value(row, undefined)], ["tel:+1555", null]);
 * ```
 */
export function addressColumns<R extends { ani: string | null; dnis: string | null }>(
  source: string,
  combine: string,
): TableColumn<R>[] {
  return (["ani", "dnis"] as const).map((name) => ({
    name,
    source: `${source}.${name}`,
    unit: "text",
    combine,
    value: (row: R) => row[name],
  }));
}

/**
 * A name column for an id column: the name of the id in a listing, only with names.
 *
 * @param name The column name, such as `queueName`.
 * @param kind The listing.
 * @param id Reads the row's id.
 * @param idColumn The id column it names.
 * @returns The column.
 *
 * @example
 * ```ts
 * import { nameColumn } from "./_table_flatten.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const column = nameColumn("queueName", "queues", (row: { q: string }) => row.q, "queueId");
 * const names = { users: {}, queues: { q1: "Billing" }, wrapUpCodes: {} };
 * strictEqual(column.value({ q: "q1" }, names), "Billing");
 * ```
 */
export function nameColumn<R>(
  name: string,
  kind: NameKind,
  id: (row: R) => unknown,
  idColumn: string,
): TableColumn<R> {
  return namesOf(name, kind, idColumn, false, (row, names) => nameOf(names, kind, id(row)));
}

/**
 * A list of names for a list-of-ids column, position by position (an unknown id gives an empty
 * item), only with names.
 *
 * @param name The column name, such as `queueNames`.
 * @param kind The listing.
 * @param ids Reads the row's ids.
 * @param idColumn The id column it names.
 * @returns The column.
 *
 * @example
 * ```ts
 * import { nameListColumn } from "./_table_flatten.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const column = nameListColumn("userNames", "users", (ids: string[]) => ids, "userIds");
 * const names = { users: { u1: "Ava" }, queues: {}, wrapUpCodes: {} };
 * deepStrictEqual(column.value(["u1", "u9"], names), ["Ava", null]);
 * ```
 */
export function nameListColumn<R>(
  name: string,
  kind: NameKind,
  ids: (row: R) => readonly string[],
  idColumn: string,
): TableColumn<R> {
  return namesOf(
    name,
    kind,
    idColumn,
    true,
    (row, names) => ids(row).map((id) => nameOf(names, kind, id)),
  );
}

function namesOf<R>(
  name: string,
  kind: NameKind,
  idColumn: string,
  list: boolean,
  value: TableColumn<R>["value"],
): TableColumn<R> {
  return {
    name,
    source: `${LISTINGS[kind]} name${list ? "s" : ""} of ${idColumn}`,
    unit: list ? "list" : "text",
    combine: list
      ? `one per id of ${idColumn}, same order; empty item when an id is not in the listing`
      : "empty when the id is not in the listing",
    names: true,
    value,
  };
}

const LISTINGS: Record<NameKind, string> = {
  users: "`GET /api/v2/users`",
  queues: "`GET /api/v2/routing/queues`",
  wrapUpCodes: "`GET /api/v2/routing/wrapupcodes`",
};
