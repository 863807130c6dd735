/**
 * Table shapes of conversation details: `conversations` (one row per conversation),
 * `participants` (one per participant), `segments` (one per segment) and `raw` (the records as
 * the API gives them). A shape's columns are a contract: fixed names in a fixed order whatever
 * the data, so files from different days append cleanly and a checkpoint needs no column state.
 * The contract is documented in `docs/tables.md`, generated from the column declarations by
 * {@link tableReference}.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { NameDirectory } from "./names.ts";
import { CONVERSATIONS_TABLE } from "./_table_conversations.ts";
import type { Cell, JsonObject, TableColumn, TableDefinition } from "./_table_flatten.ts";
import { PARTICIPANTS_TABLE } from "./_table_participants.ts";
import { SEGMENTS_TABLE } from "./_table_segments.ts";

export type { Cell } from "./_table_flatten.ts";

/** How conversation details are written: as rows of a table, or as the raw records. */
export type TableShape = "conversations" | "participants" | "segments" | "raw";

/** Every {@link TableShape}, in the order help texts list them. */
export const TABLE_SHAPES: readonly TableShape[] = Object.freeze([
  "conversations",
  "participants",
  "segments",
  "raw",
]);

/**
 * Checks a table shape name given by a user.
 *
 * @param name A shape name, any case.
 * @returns The shape.
 * @throws {UsageError} For an unknown name (the message lists the valid ones).
 *
 * @example
 * ```ts
 * import { parseTableShape } from "./table.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * strictEqual(parseTableShape("Segments"), "segments");
 * throws(() => parseTableShape("calls"), /conversations, participants, segments, raw/);
 * ```
 */
export function parseTableShape(name: string): TableShape {
  const lower = name.trim().toLowerCase();
  const shape = TABLE_SHAPES.find((s) => s === lower);
  if (!shape) {
    throw new UsageError(`Unknown table '${name}'; use one of ${TABLE_SHAPES.join(", ")}`);
  }
  return shape;
}

/** A table shape other than `raw`, ready to turn conversation records into rows. */
export interface ConversationTable {
  /** The shape. */
  readonly shape: Exclude<TableShape, "raw">;
  /** What one row is: `one row per segment`. */
  readonly rowsAre: string;
  /**
   * The column names, in order.
   *
   * @param names Whether name columns are included (`--resolve-names`).
   * @returns The names.
   */
  columns(names: boolean): readonly string[];
  /**
   * The rows of one conversation record, each a list of cells in column order.
   *
   * @param record A conversation record (anything but an object counts as an empty one).
   * @param names The name directory; when given, the name columns are included.
   * @returns The rows.
   */
  rows(record: unknown, names?: NameDirectory): Cell[][];
}

function compile<R>(
  shape: ConversationTable["shape"],
  definition: TableDefinition<R>,
): ConversationTable {
  const all: readonly TableColumn<R>[] = definition.columns;
  const plain = all.filter((c) => !c.names);
  const allNames = Object.freeze(all.map((c) => c.name));
  const plainNames = Object.freeze(plain.map((c) => c.name));
  return Object.freeze({
    shape,
    rowsAre: definition.rowsAre,
    columns: (names: boolean) => names ? allNames : plainNames,
    rows: (record: unknown, names?: NameDirectory): Cell[][] => {
      const columns = names ? all : plain;
      const object = record !== null && typeof record === "object" && !Array.isArray(record)
        ? record as JsonObject
        : {};
      return definition.rows(object).map((row) => columns.map((c) => c.value(row, names)));
    },
  });
}

const DEFINITIONS = {
  conversations: CONVERSATIONS_TABLE,
  participants: PARTICIPANTS_TABLE,
  segments: SEGMENTS_TABLE,
} as const;

const TABLES: Readonly<Record<ConversationTable["shape"], ConversationTable>> = Object.freeze({
  conversations: compile("conversations", CONVERSATIONS_TABLE),
  participants: compile("participants", PARTICIPANTS_TABLE),
  segments: compile("segments", SEGMENTS_TABLE),
});

/**
 * The table of a shape.
 *
 * @param shape `conversations`, `participants` or `segments`.
 * @returns The table.
 *
 * @example
 * ```ts
 * import { conversationTable } from "./table.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const table = conversationTable("segments");
 * const record = {
 *   conversationId: "c1",
 *   participants: [{ participantId: "p1", purpose: "agent", sessions: [{ segments: [{ segmentType: "alert" }] }] }],
 * };
 * deepStrictEqual(table.rows(record)[0].slice(0, 4), ["c1", "p1", null, "agent"]);
 * ```
 */
export function conversationTable(shape: ConversationTable["shape"]): ConversationTable {
  return TABLES[shape];
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/**
 * The column contract of every table shape as Markdown: per table, each column with its source
 * path in the record, its unit and how several values combine. `docs/tables.md` holds this text
 * (a test keeps it in step).
 *
 * @returns The Markdown.
 *
 * @example
 * ```ts
 * import { tableReference } from "./table.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(tableReference().includes("| `tHandleSeconds` |"));
 * ```
 */
export function tableReference(): string {
  const parts: string[] = [];
  for (const [shape, definition] of Object.entries(DEFINITIONS)) {
    const columns: readonly TableColumn<unknown>[] = definition.columns as readonly TableColumn<
      unknown
    >[];
    parts.push(
      `### \`${shape}\`: ${definition.rowsAre}`,
      "",
      "| column | source in the record | unit | several values |",
      "|---|---|---|---|",
      ...columns.map((c) =>
        `| \`${c.name}\`${c.names ? " (names)" : ""} | ${cell(c.source)} | ${c.unit} | ${
          cell(c.combine)
        } |`
      ),
      "",
    );
  }
  return parts.join("\n");
}
