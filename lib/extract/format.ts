/**
 * Output formats: page-by-page encoders for JSON Lines, CSV and a JSON array, of the records
 * themselves or of the rows of a table shape (`../analytics/table.ts`). An encoder keeps a small JSON state
 * (the CSV columns, whether the JSON array has items) that a checkpoint stores, so a resumed run
 * continues the same bytes a clean run would have written.
 *
 * @module
 */
import type { JsonValue } from "../types.ts";
import { csvColumns, csvRow, csvRows, KNOWN_CSV_COLUMNS } from "./_csv.ts";
import { CheckpointError, UsageError } from "../errors.ts";
import type { NameDirectory } from "../analytics/names.ts";
import {
  type Cell,
  type ConversationTable,
  conversationTable,
  type TableShape,
} from "../analytics/table.ts";

/** The output formats: JSON Lines (the default), CSV, or one JSON array. */
export type OutputFormat = "jsonl" | "csv" | "json";

/** Every {@link OutputFormat}, in the order help texts list them. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = Object.freeze(["jsonl", "csv", "json"]);

/**
 * Checks a format name given by a user.
 *
 * @param name A format name, any case.
 * @returns The format.
 * @throws {UsageError} For an unknown name (the message lists the valid ones).
 *
 * @example
 * ```ts
 * import { parseOutputFormat } from "./format.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(parseOutputFormat("CSV"), "csv");
 * ```
 */
export function parseOutputFormat(name: string): OutputFormat {
  const lower = name.trim().toLowerCase();
  const format = OUTPUT_FORMATS.find((f) => f === lower);
  if (!format) {
    throw new UsageError(`Unknown format '${name}'; use one of ${OUTPUT_FORMATS.join(", ")}`);
  }
  return format;
}

/** File extensions (lower case, without the dot) and the format each one means. */
export const OUTPUT_EXTENSIONS: Readonly<Record<string, OutputFormat>> = Object.freeze({
  jsonl: "jsonl",
  ndjson: "jsonl",
  csv: "csv",
  json: "json",
});

/**
 * Guesses the format from a file name: `.csv` → `csv`, `.json` → `json`, `.jsonl` and `.ndjson`
 * → `jsonl` (see {@link OUTPUT_EXTENSIONS}).
 *
 * @param path A file path.
 * @returns The format, or `undefined` for any other extension.
 *
 * @example
 * ```ts
 * import { formatFromPath } from "./format.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(formatFromPath("out/users.CSV"), "csv");
 * strictEqual(formatFromPath("users.txt"), undefined);
 * ```
 */
export function formatFromPath(path: string): OutputFormat | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1].toLowerCase();
  return extension !== undefined && Object.hasOwn(OUTPUT_EXTENSIONS, extension)
    ? OUTPUT_EXTENSIONS[extension]
    : undefined;
}

/** Options of {@link createRecordEncoder}. */
export interface RecordEncoderOptions {
  /** CSV of raw records only: the columns to write, overriding the automatic choice. */
  columns?: readonly string[];
  /**
   * Conversation records only: write the rows of this table shape instead of the records (flat
   * objects in JSON Lines and JSON). Default: `conversations` for CSV of conversation records
   * (and no fixed `columns`), `raw` otherwise.
   */
  table?: TableShape;
  /**
   * With a table: the names for its name columns (`--resolve-names`). Read when rows are
   * written, so it may be filled after the encoder (or sink) is created.
   */
  names?: NameDirectory;
}

/**
 * The table shape an encoder writes: the one given, else `conversations` for CSV of conversation
 * records without fixed columns, else `raw`.
 *
 * @param format The output format.
 * @param recordType The source's record type.
 * @param options The table, names and fixed columns asked for.
 * @returns The shape.
 * @throws {UsageError} For a table of records that are not conversations, a table together with
 * fixed columns, or names without a table.
 *
 * @example
 * ```ts
 * import { tableShapeFor } from "./format.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * strictEqual(tableShapeFor("csv", "conversation"), "conversations");
 * strictEqual(tableShapeFor("jsonl", "conversation"), "raw");
 * strictEqual(tableShapeFor("csv", "user"), "raw");
 * throws(() => tableShapeFor("csv", "user", { table: "segments" }), /conversation details/);
 * ```
 */
export function tableShapeFor(
  format: OutputFormat,
  recordType: string,
  options: RecordEncoderOptions = {},
): TableShape {
  const conversation = recordType === "conversation";
  const table = options.table ??
    (format === "csv" && conversation && !options.columns ? "conversations" : "raw");
  if (table !== "raw" && !conversation) {
    throw new UsageError(
      `Table '${table}' needs conversation details, not '${recordType}' records; use table 'raw'`,
    );
  }
  if (table !== "raw" && options.columns) {
    throw new UsageError(
      `Fixed columns apply to raw records; table '${table}' has its own fixed columns (docs/tables.md)`,
    );
  }
  if (table === "raw" && options.names) {
    throw new UsageError(
      "Names fill a table's name columns: choose table conversations, participants or segments, not raw",
    );
  }
  return table;
}

/**
 * Encodes records page by page; holds only its small state, never the records.
 */
export interface RecordEncoder {
  /** The format written. */
  readonly format: OutputFormat;
  /**
   * Encodes one page (with the format's header before the first one).
   *
   * @param records The page's records.
   * @returns The text to append.
   */
  encode(records: readonly unknown[]): string;
  /**
   * Ends the output (the JSON array's closing bracket, the CSV header of an empty output).
   *
   * @returns The text to append last.
   */
  end(): string;
  /**
   * The state to save in a checkpoint after the text encoded so far.
   *
   * @returns A JSON value.
   */
  state(): JsonValue;
  /**
   * Continues from a state saved by {@link RecordEncoder.state}.
   *
   * @param state The saved state.
   * @throws {CheckpointError} When the state does not fit this format.
   */
  restore(state: JsonValue): void;
}

function badState(format: OutputFormat, state: JsonValue): never {
  throw new CheckpointError(
    `Checkpoint sink state ${
      JSON.stringify(state)
    } does not fit format '${format}'; delete the checkpoint or use --restart to start over`,
  );
}

class JsonlEncoder implements RecordEncoder {
  readonly format = "jsonl" as const;
  encode(records: readonly unknown[]): string {
    let text = "";
    for (const record of records) text += JSON.stringify(record) + "\n";
    return text;
  }
  end(): string {
    return "";
  }
  state(): JsonValue {
    return null;
  }
  restore(state: JsonValue): void {
    if (state !== null) badState(this.format, state);
  }
}

/**
 * An encoder whose state is only whether it has started (written `[` or a header) and whether it
 * has written an item; with the JSON array's framing.
 */
abstract class FramedEncoder implements RecordEncoder {
  abstract readonly format: OutputFormat;
  protected started = false;
  protected items = false;
  abstract encode(records: readonly unknown[]): string;
  abstract end(): string;

  /** `[` before the first item of a JSON array. */
  protected arrayStart(): string {
    if (this.started) return "";
    this.started = true;
    return "[";
  }
  /** One JSON array item, with the separator it needs. */
  protected arrayItem(json: string): string {
    const text = (this.items ? ",\n" : "\n") + json;
    this.items = true;
    return text;
  }
  /** The end of a JSON array (`[]` when nothing was written). */
  protected arrayEnd(): string {
    return this.arrayStart() + (this.items ? "\n]\n" : "]\n");
  }
  state(): JsonValue {
    return { started: this.started, items: this.items };
  }
  restore(state: JsonValue): void {
    if (
      state === null || typeof state !== "object" || Array.isArray(state) ||
      typeof state.started !== "boolean" || typeof state.items !== "boolean"
    ) {
      badState(this.format, state);
    }
    this.started = state.started as boolean;
    this.items = state.items as boolean;
  }
}

class JsonArrayEncoder extends FramedEncoder {
  readonly format = "json" as const;
  encode(records: readonly unknown[]): string {
    let text = this.arrayStart();
    for (const record of records) text += this.arrayItem(JSON.stringify(record));
    return text;
  }
  end(): string {
    return this.arrayEnd();
  }
}

class CsvEncoder implements RecordEncoder {
  readonly format = "csv" as const;
  readonly #recordType: string;
  readonly #fixed?: readonly string[];
  #columns: string[] | null = null;

  constructor(recordType: string, columns?: readonly string[]) {
    this.#recordType = recordType;
    this.#fixed = columns;
  }

  #choose(records: readonly unknown[]): string[] | null {
    if (this.#fixed) return [...this.#fixed];
    if (Object.hasOwn(KNOWN_CSV_COLUMNS, this.#recordType) || records.length > 0) {
      return csvColumns(this.#recordType, records);
    }
    return null;
  }

  encode(records: readonly unknown[]): string {
    let text = "";
    if (this.#columns === null) {
      this.#columns = this.#choose(records);
      if (this.#columns === null) return "";
      text += csvRow(this.#columns);
    }
    return text + csvRows(records, this.#columns);
  }
  end(): string {
    if (this.#columns !== null) return "";
    const columns = this.#choose([]);
    return columns ? csvRow(columns) : "";
  }
  state(): JsonValue {
    return { columns: this.#columns };
  }
  restore(state: JsonValue): void {
    if (state === null || typeof state !== "object" || Array.isArray(state)) {
      return badState(this.format, state);
    }
    const columns = state.columns;
    if (columns === null) {
      this.#columns = null;
    } else if (Array.isArray(columns) && columns.every((c) => typeof c === "string")) {
      this.#columns = columns as string[];
    } else {
      badState(this.format, state);
    }
  }
}

/** A table cell for CSV: a list's items joined with `;` (an empty item stays empty). */
function csvTableCell(value: Cell): unknown {
  return Array.isArray(value) ? value.map((item) => item ?? "").join(";") : value;
}

/**
 * Writes the rows of a table shape: CSV with the table's fixed header, or flat JSON objects (keys
 * in column order, every column present, `null` when empty, lists as arrays). The state only says
 * whether the header (or `[`) and an item were written: the columns are fixed.
 */
class TableEncoder extends FramedEncoder {
  readonly format: OutputFormat;
  readonly #table: ConversationTable;
  readonly #names?: NameDirectory;
  readonly #columns: readonly string[];
  readonly #keys: readonly string[];

  constructor(format: OutputFormat, table: ConversationTable, names?: NameDirectory) {
    super();
    this.format = format;
    this.#table = table;
    this.#names = names;
    this.#columns = table.columns(names !== undefined);
    this.#keys = this.#columns.map((c) => `${JSON.stringify(c)}:`);
  }

  #object(cells: Cell[]): string {
    let text = "{";
    for (let i = 0; i < cells.length; i++) {
      text += (i === 0 ? "" : ",") + this.#keys[i] + JSON.stringify(cells[i]);
    }
    return text + "}";
  }

  #start(): string {
    if (this.format === "json") return this.arrayStart();
    if (this.started) return "";
    this.started = true;
    return this.format === "csv" ? csvRow(this.#columns) : "";
  }

  encode(records: readonly unknown[]): string {
    let text = this.#start();
    for (const record of records) {
      for (const cells of this.#table.rows(record, this.#names)) {
        if (this.format === "csv") text += csvRow(cells.map(csvTableCell));
        else if (this.format === "jsonl") text += this.#object(cells) + "\n";
        else text += this.arrayItem(this.#object(cells));
      }
    }
    return text;
  }
  end(): string {
    return this.format === "json" ? this.arrayEnd() : this.#start();
  }
}

/**
 * Creates the encoder of a format.
 *
 * JSON Lines: one compact JSON record per line. JSON: `[`, the records one per line separated by
 * commas, `]` and a newline (an empty output is `[]`). CSV: a header row, then one row per record
 * (columns and cell rules in `_csv.ts`); an empty output of an unknown record type is an empty file.
 * With a table shape ({@link tableShapeFor}), the same framing holds rows instead of records: one
 * flat JSON object per row, or CSV under the table's fixed header (always written, even for an
 * empty output), lists joined with `;`.
 *
 * @param format The output format.
 * @param recordType The source's record type (chooses the CSV columns and the default table).
 * @param options Fixed CSV columns, or a table shape and names.
 * @returns A fresh encoder.
 * @throws {UsageError} For a table that does not fit the record type or the options.
 *
 * @example
 * ```ts
 * import { createRecordEncoder } from "./format.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const encoder = createRecordEncoder("json", "user");
 * let text = encoder.encode([{ id: "u1" }]);
 * const saved = encoder.state();
 * const resumed = createRecordEncoder("json", "user");
 * resumed.restore(saved);
 * text += resumed.encode([{ id: "u2" }]) + resumed.end();
 * strictEqual(text, '[\n{"id":"u1"},\n{"id":"u2"}\n]\n');
 * ```
 */
export function createRecordEncoder(
  format: OutputFormat,
  recordType: string,
  options: RecordEncoderOptions = {},
): RecordEncoder {
  const table = OUTPUT_FORMATS.includes(format)
    ? tableShapeFor(format, recordType, options)
    : "raw";
  if (table !== "raw") return new TableEncoder(format, conversationTable(table), options.names);
  switch (format) {
    case "jsonl":
      return new JsonlEncoder();
    case "json":
      return new JsonArrayEncoder();
    case "csv":
      return new CsvEncoder(recordType, options.columns);
    default:
      throw new UsageError(`Unknown format '${String(format)}'; use one of jsonl, csv, json`);
  }
}
