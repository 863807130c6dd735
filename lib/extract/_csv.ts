/**
 * CSV encoding for extracted records: RFC 4180 quoting, protection against spreadsheet formula
 * injection, nested fields flattened by dotted path and a deterministic column choice per record
 * type.
 *
 * Rules, in the order they apply to each cell:
 * - `null`, `undefined` and a missing field give an empty cell; strings are taken as they are;
 *   numbers and booleans are written with `String()`; arrays and objects are written as compact
 *   JSON in one cell (arrays are never spread over indexed columns).
 * - A string cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a single
 *   quote (`'`) in front, so spreadsheets show it as text instead of running it as a formula.
 *   JSON numbers are never prefixed: `-5` stays `-5` (a number cannot carry a formula). A string
 *   `"-5"` is prefixed like any other string.
 * - A cell containing `"`, `,`, CR or LF is enclosed in double quotes, inner quotes doubled.
 * - Rows end with CRLF, as RFC 4180 says.
 *
 * @module
 */

/**
 * The curated columns of the listing record types the toolkit knows. A column is a dotted path
 * into the record (`division.name`); on an array, `length` gives its element count
 * (`participants.length`) and a number its element (`participants.0.purpose`). Conversation
 * records are written as a table shape instead (`../analytics/table.ts`, `docs/tables.md`).
 */
export const KNOWN_CSV_COLUMNS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  user: Object.freeze([
    "id",
    "name",
    "email",
    "username",
    "state",
    "title",
    "department",
    "division.id",
    "division.name",
    "manager.id",
    "chat.jabberId",
    "version",
  ]),
  queue: Object.freeze([
    "id",
    "name",
    "description",
    "division.id",
    "division.name",
    "memberCount",
    "userMemberCount",
    "joinedMemberCount",
    "skillEvaluationMethod",
    "acwSettings.wrapupPrompt",
    "acwSettings.timeoutMs",
    "dateCreated",
    "dateModified",
  ]),
});

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Turns one value into one CSV cell: formatted, neutralised against formula injection and quoted
 * as RFC 4180 requires (see the module documentation for the rules).
 *
 * @param value A field value.
 * @returns The cell text, ready to join with commas.
 *
 * @example
 * ```ts
 * import { csvCell } from "./_csv.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(csvCell('say "hi", then go'), '"say ""hi"", then go"');
 * strictEqual(csvCell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
 * strictEqual(csvCell(-5), "-5");
 * strictEqual(csvCell("-5"), "'-5");
 * strictEqual(csvCell(["a", 1]), '"[""a"",1]"');
 * strictEqual(csvCell(null), "");
 * ```
 */
export function csvCell(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) return "";
  if (typeof value === "string") {
    text = FORMULA_START.test(value) ? `'${value}` : value;
  } else if (typeof value === "number" || typeof value === "boolean") {
    text = String(value);
  } else if (typeof value === "bigint") {
    text = value.toString();
  } else {
    text = JSON.stringify(value) ?? "";
    if (FORMULA_START.test(text)) text = `'${text}`;
  }
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Encodes one CSV row (cells by {@link csvCell}, joined by commas, ended by CRLF).
 *
 * @param values The row's values.
 * @returns The row text including its CRLF.
 *
 * @example
 * ```ts
 * import { csvRow } from "./_csv.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(csvRow(["a", 1, null, "x,y"]), 'a,1,,"x,y"\r\n');
 * ```
 */
export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(",") + "\r\n";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Flattens a record into dotted paths: nested objects are walked, arrays, scalars and empty
 * objects are leaves.
 *
 * @param record A JSON record.
 * @returns Path → leaf value, in the record's key order.
 *
 * @example
 * ```ts
 * import { flattenRecord } from "./_csv.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const flat = flattenRecord({ id: "u1", division: { id: "d1", name: "Home" }, tags: ["a"] });
 * deepStrictEqual([...flat], [["id", "u1"], ["division.id", "d1"], ["division.name", "Home"], ["tags", ["a"]]]);
 * ```
 */
export function flattenRecord(record: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (value: unknown, prefix: string): void => {
    if (isPlainObject(value) && (Object.keys(value).length > 0 || prefix === "")) {
      for (const [key, child] of Object.entries(value)) {
        walk(child, prefix === "" ? key : `${prefix}.${key}`);
      }
    } else if (prefix !== "") {
      out.set(prefix, value);
    }
  };
  walk(record, "");
  return out;
}

/**
 * Reads one column's value from a record: the flattened field of that exact name when there is
 * one, otherwise the dotted path walked through objects and arrays (`participants.length`,
 * `participants.0.purpose`).
 *
 * @param record A JSON record.
 * @param column A column name (dotted path).
 * @param flat The record's {@link flattenRecord} result, when already computed.
 * @returns The value, or `undefined` when the path leads nowhere.
 *
 * @example
 * ```ts
 * import { csvValue } from "./_csv.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const conversation = { participants: [{ purpose: "customer" }, { purpose: "agent" }] };
 * strictEqual(csvValue(conversation, "participants.length"), 2);
 * strictEqual(csvValue(conversation, "participants.1.purpose"), "agent");
 * strictEqual(csvValue(conversation, "missing.field"), undefined);
 * ```
 */
export function csvValue(record: unknown, column: string, flat?: Map<string, unknown>): unknown {
  const flattened = flat ?? flattenRecord(record);
  if (flattened.has(column)) return flattened.get(column);
  let current: unknown = record;
  for (const part of column.split(".")) {
    if (Array.isArray(current)) {
      if (part === "length") current = current.length;
      else if (/^\d+$/.test(part)) current = current[Number(part)];
      else return undefined;
    } else if (isPlainObject(current) && Object.hasOwn(current, part)) {
      current = current[part];
    } else {
      return undefined;
    }
  }
  return current;
}

/**
 * Chooses the CSV columns, deterministically: the curated list for a known record type
 * ({@link KNOWN_CSV_COLUMNS}), otherwise every flattened field of the given records (the first
 * page's), `id` first when present and the rest sorted by code unit. The engine stores the
 * choice in the checkpoint, so a resumed run writes the same columns; fields first seen on later
 * pages are not written.
 *
 * @param recordType The source's record type.
 * @param records The first page's records.
 * @returns The column names.
 *
 * @example
 * ```ts
 * import { csvColumns } from "./_csv.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(csvColumns("widget", [{ size: 1, id: "w1" }, { id: "w2", meta: { a: 1 } }]), [
 *   "id",
 *   "meta.a",
 *   "size",
 * ]);
 * ```
 */
export function csvColumns(recordType: string, records: readonly unknown[]): string[] {
  const known = Object.hasOwn(KNOWN_CSV_COLUMNS, recordType)
    ? KNOWN_CSV_COLUMNS[recordType]
    : undefined;
  if (known) return [...known];
  const names = new Set<string>();
  for (const record of records) {
    for (const key of flattenRecord(record).keys()) names.add(key);
  }
  const sorted = [...names].filter((n) => n !== "id").sort();
  return names.has("id") ? ["id", ...sorted] : sorted;
}

/**
 * Encodes records as CSV rows under the given columns.
 *
 * @param records The records.
 * @param columns The columns, as chosen by {@link csvColumns}.
 * @returns The rows' text (CRLF after each row).
 *
 * @example
 * ```ts
 * import { csvRows } from "./_csv.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(csvRows([{ id: "q1", division: { name: "Home" } }], ["id", "division.name"]), "q1,Home\r\n");
 * ```
 */
export function csvRows(records: readonly unknown[], columns: readonly string[]): string {
  let text = "";
  for (const record of records) {
    const flat = flattenRecord(record);
    text += csvRow(columns.map((column) => csvValue(record, column, flat)));
  }
  return text;
}
