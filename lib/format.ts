/**
 * Output formats: page-by-page encoders for JSON Lines, CSV and a JSON array. An encoder keeps a
 * small JSON state (the CSV columns, whether the JSON array has items) that a checkpoint stores,
 * so a resumed run continues the same bytes a clean run would have written.
 *
 * @module
 */
import type { JsonValue } from "./client.ts";
import { csvColumns, csvRow, csvRows, KNOWN_CSV_COLUMNS } from "./csv.ts";
import { CheckpointError, UsageError } from "./errors.ts";

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
  /** CSV only: the columns to write, overriding the automatic choice. */
  columns?: readonly string[];
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

class JsonArrayEncoder implements RecordEncoder {
  readonly format = "json" as const;
  #started = false;
  #items = false;
  encode(records: readonly unknown[]): string {
    let text = this.#started ? "" : "[";
    this.#started = true;
    for (const record of records) {
      text += (this.#items ? ",\n" : "\n") + JSON.stringify(record);
      this.#items = true;
    }
    return text;
  }
  end(): string {
    return (this.#started ? "" : "[") + (this.#items ? "\n]\n" : "]\n");
  }
  state(): JsonValue {
    return { started: this.#started, items: this.#items };
  }
  restore(state: JsonValue): void {
    if (
      state === null || typeof state !== "object" || Array.isArray(state) ||
      typeof state.started !== "boolean" || typeof state.items !== "boolean"
    ) {
      badState(this.format, state);
    }
    this.#started = state.started as boolean;
    this.#items = state.items as boolean;
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

/**
 * Creates the encoder of a format.
 *
 * JSON Lines: one compact JSON record per line. JSON: `[`, the records one per line separated by
 * commas, `]` and a newline (an empty output is `[]`). CSV: a header row, then one row per record
 * (columns and cell rules in `csv.ts`); an empty output of an unknown record type is an empty file.
 *
 * @param format The output format.
 * @param recordType The source's record type (chooses the CSV columns).
 * @param options Fixed CSV columns.
 * @returns A fresh encoder.
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
