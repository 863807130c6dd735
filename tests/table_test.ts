import {
  MemorySink,
  type NameDirectory,
  type OutputFormat,
  type TableShape,
  UsageError,
} from "../mod.ts";
import { type Cell, conversationTable } from "../lib/analytics/mod.ts";
import { tableReference } from "../lib/analytics/table.ts";
import { createRecordEncoder, sinkIdentity } from "../lib/extract/mod.ts";
import { tableShapeFor } from "../lib/extract/format.ts";
import { ABANDONED, LIVE_TRANSFER, MALFORMED, OUTBOUND } from "./_table_fixtures.ts";
import { parseCsv } from "./chaos/files.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { ROOT } from "./_cli.ts";

type Shape = Exclude<TableShape, "raw">;
const SHAPES: Shape[] = ["conversations", "participants", "segments"];

const NAMES: NameDirectory = {
  users: { A: "Ava Smith", B: 'Liam "LG" Garcia' },
  queues: { Q1: "Billing, EMEA", Q2: "=Retention" },
  wrapUpCodes: { W1: "Sale" },
};

function rows(shape: Shape, record: unknown, names?: NameDirectory): Record<string, Cell>[] {
  const table = conversationTable(shape);
  const columns = table.columns(names !== undefined);
  return table.rows(record, names).map((cells) =>
    Object.fromEntries(columns.map((c, i) => [c, cells[i]]))
  );
}

Deno.test("conversations table: a live call transferred between two queues", () => {
  const [row] = rows("conversations", LIVE_TRANSFER);
  assertEquals(row.conversationId, "conv-live");
  assertEquals(row.conversationEnd, null);
  assertEquals(row.durationSeconds, null);
  assertEquals(row.mediaTypes, ["voice"]);
  assertEquals([row.ani, row.dnis], ["tel:+15551230000", "tel:+18005550100"]);
  assertEquals(row.queueId, "Q1");
  assertEquals(row.queueIds, ["Q1", "Q2"]);
  assertEquals(row.userIds, ["A", "B"]);
  assertEquals(row.wrapUpCodes, ["W1"]);
  // The customer is still connected: no disconnect type yet.
  assertEquals(row.disconnectType, null);
  assertEquals([row.answered, row.abandoned, row.transferred], [true, false, true]);
  // Sums over every session: both queue legs, both agents.
  assertEquals(row.nOffered, 2);
  assertEquals(row.tAcdSeconds, 50);
  assertEquals(row.tAnsweredSeconds, 93);
  assertEquals(row.tAlertSeconds, 13);
  // Complete metrics only: agent B's talk is not complete yet, tTalk is not summed.
  assertEquals(row.tTalkCompleteSeconds, 145);
  assertEquals(row.tHeldCompleteSeconds, 30);
  assertEquals(row.tAcwSeconds, 45.5);
  assertEquals(row.tHandleSeconds, 220.5);
  assertEquals(row.nTransferred, 1);
  assertEquals(row.tAbandonSeconds, null);
  assertEquals(row.divisionIds, ["div-1"]);
  assertEquals(row.mediaStatsMinConversationMos, null);
});

Deno.test("participants table: one row per participant, metrics summed per participant", () => {
  const out = rows("participants", LIVE_TRANSFER);
  assertEquals(out.map((r) => r.purpose), ["customer", "ivr", "acd", "agent", "acd", "agent"]);
  const [customer, , q1, agentA, , agentB] = out;
  assertEquals(customer.participantEnd, null);
  assertEquals(q1.queueId, "Q1");
  assertEquals(q1.durationSeconds, 30);
  assertEquals(agentA.userId, "A");
  assertEquals(agentA.participantStart, "2026-01-05T10:01:00.000Z");
  assertEquals(agentA.participantEnd, "2026-01-05T10:04:45.500Z");
  assertEquals(agentA.durationSeconds, 225.5);
  assertEquals(agentA.wrapUpCodes, ["W1"]);
  assertEquals(agentA.disconnectType, "transfer");
  assertEquals(agentA.tHandleSeconds, 220.5);
  assertEquals(agentB.participantEnd, null);
  assertEquals(agentB.durationSeconds, null);
  assertEquals(agentB.tHandleSeconds, null);
  // A conversation's sums are the sums of its participants' rows.
  const [conversation] = rows("conversations", LIVE_TRANSFER);
  for (const metric of ["tAnsweredSeconds", "tAcdSeconds", "tAlertSeconds", "nOffered"]) {
    const sum = out.reduce((s, r) => s + ((r[metric] as number | null) ?? 0), 0);
    assertEquals(sum, conversation[metric], metric);
  }
});

Deno.test("segments table: one row per segment, open segments without end or duration", () => {
  const out = rows("segments", LIVE_TRANSFER);
  assertEquals(out.length, 11);
  assertEquals(
    out.map((r) => r.segmentType).join(","),
    [
      "interact",
      "ivr",
      "interact",
      "alert",
      "interact",
      "hold",
      "interact",
      "wrapup",
      "interact",
      "alert",
      "interact",
    ].join(","),
  );
  const wrapup = out[7];
  assertEquals(
    [wrapup.participantId, wrapup.sessionId, wrapup.userId, wrapup.queueId, wrapup.wrapUpCode],
    ["p-a", "s-a", "A", "Q1", "W1"],
  );
  assertEquals(wrapup.durationSeconds, 45.5);
  const open = out[10];
  assertEquals([open.segmentEnd, open.durationSeconds, open.mediaType], [null, null, "voice"]);
});

Deno.test("conversations table: abandoned chat, and ANI/DNIS of the external side on outbound", () => {
  const [abandoned] = rows("conversations", ABANDONED);
  assertEquals([abandoned.answered, abandoned.abandoned], [false, true]);
  assertEquals(abandoned.disconnectType, "client");
  assertEquals(abandoned.tAbandonSeconds, 42.25);
  assertEquals(abandoned.durationSeconds, 42.25);
  assertEquals(abandoned.userIds, []);
  const [out] = rows("conversations", OUTBOUND);
  // The agent's session comes first and carries the org's number; the customer side wins.
  assertEquals([out.ani, out.dnis], ["tel:+18005550100", "tel:+442035550123"]);
  assertEquals(out.disconnectType, "peer");
  assertEquals(
    (out.tTalkCompleteSeconds as number) + (out.tAcwSeconds as number) +
      (out.tDialingSeconds as number) + (out.tContactingSeconds as number),
    out.tHandleSeconds,
  );
  assertEquals(out.nOutbound, 1);
  assertEquals(out.queueId, null);
});

Deno.test("every table copes with missing and malformed fields and keeps its columns", () => {
  for (const shape of SHAPES) {
    const table = conversationTable(shape);
    for (const record of [...MALFORMED, null, "text", [1, 2]]) {
      for (const cells of table.rows(record)) {
        assertEquals(cells.length, table.columns(false).length, shape);
      }
    }
  }
  const [bare] = rows("conversations", MALFORMED[0]);
  assertEquals(bare.conversationId, "conv-bare");
  assertEquals([bare.queueIds, bare.answered, bare.tHandleSeconds], [[], false, null]);
  const [odd] = rows("conversations", MALFORMED[1]);
  assertEquals(odd.durationSeconds, null);
  assertEquals(odd.userIds, []);
  // Non-numeric metric values are skipped; a valid one still counts.
  assertEquals([odd.tHandleSeconds, odd.tAcwSeconds, odd.nOffered], [null, null, 2]);
  assertEquals(rows("participants", MALFORMED[1]).length, 1);
  assertEquals(rows("segments", MALFORMED[1]).length, 0);
  assertEquals(rows("conversations", null).length, 1);
  assertEquals(rows("segments", null).length, 0);
});

Deno.test("name columns sit next to their ids, only with names, unknown ids empty", () => {
  for (const shape of SHAPES) {
    const plain = conversationTable(shape).columns(false);
    const named = conversationTable(shape).columns(true);
    assert(named.length > plain.length, shape);
    assertEquals(named.filter((c) => plain.includes(c)), [...plain], shape);
    for (const [i, column] of named.entries()) {
      if (!plain.includes(column)) {
        assert(/Names?$/.test(column), column);
        const id = named[i - 1];
        assert(/Ids?$|Codes?$/.test(id), `${column} follows ${id}`);
      }
    }
  }
  const [row] = rows("conversations", LIVE_TRANSFER, NAMES);
  assertEquals(row.queueName, "Billing, EMEA");
  assertEquals(row.queueNames, ["Billing, EMEA", "=Retention"]);
  assertEquals(row.userNames, ["Ava Smith", 'Liam "LG" Garcia']);
  assertEquals(row.wrapUpCodeNames, ["Sale"]);
  const [out] = rows("conversations", OUTBOUND, NAMES);
  assertEquals([out.userNames, out.wrapUpCodeNames], [[null], [null]]);
  const segments = rows("segments", LIVE_TRANSFER, NAMES);
  assertEquals(segments[7].wrapUpCodeName, "Sale");
  assertEquals(segments[9].userName, 'Liam "LG" Garcia');
});

function encodeAll(
  format: OutputFormat,
  shape: TableShape,
  records: unknown[],
  names?: NameDirectory,
): string {
  const encoder = createRecordEncoder(format, "conversation", { table: shape, names });
  return encoder.encode(records) + encoder.end();
}

Deno.test("table CSV is RFC 4180 and formula-safe; lists are joined with ';'", () => {
  const text = encodeAll("csv", "conversations", [LIVE_TRANSFER], NAMES);
  assert(text.endsWith("\r\n") && !/[^\r]\n/.test(text), "rows end with CRLF");
  const [header, row] = parseCsv(text);
  const cell = (name: string) => row[header.indexOf(name)];
  assertEquals(header, [...conversationTable("conversations").columns(true)]);
  assertEquals(cell("queueIds"), "Q1;Q2");
  assertEquals(cell("queueName"), "Billing, EMEA");
  assertEquals(cell("queueNames"), "Billing, EMEA;=Retention");
  assertEquals(cell("userNames"), 'Ava Smith;Liam "LG" Garcia');
  assertEquals(cell("answered"), "true");
  assertEquals(cell("conversationEnd"), "");
  assert(text.includes('"Billing, EMEA"'));
  assert(text.includes('"Ava Smith;Liam ""LG"" Garcia"'));
  // A name starting with '=' is text, not a formula.
  const segments = parseCsv(encodeAll("csv", "segments", [LIVE_TRANSFER], NAMES));
  const queueName = segments[0].indexOf("queueName");
  assertEquals(segments[10][queueName], "'=Retention");
});

Deno.test("table JSON Lines and JSON: flat objects with every column, in order, lists as arrays", () => {
  const records = [LIVE_TRANSFER, ...MALFORMED, ABANDONED];
  for (const shape of SHAPES) {
    const columns = conversationTable(shape).columns(false);
    const lines = encodeAll("jsonl", shape, records).split("\n");
    assertEquals(lines.pop(), "");
    assert(lines.length > 0, shape);
    for (const line of lines) assertEquals(Object.keys(JSON.parse(line)), [...columns], shape);
    const array = JSON.parse(encodeAll("json", shape, records));
    assertEquals(array, lines.map((l) => JSON.parse(l)), shape);
  }
  const [conversation] = encodeAll("jsonl", "conversations", [LIVE_TRANSFER]).split("\n");
  assertEquals(JSON.parse(conversation).queueIds, ["Q1", "Q2"]);
  assertEquals(encodeAll("json", "segments", []), "[]\n");
  assertEquals(encodeAll("jsonl", "segments", []), "");
  // CSV always has its header: an empty day still appends cleanly.
  assertEquals(
    encodeAll("csv", "participants", []),
    conversationTable("participants").columns(false).join(",") + "\r\n",
  );
});

Deno.test("tables resume byte-identically from a sink mark in every format", async () => {
  const pages = [[LIVE_TRANSFER], [ABANDONED, OUTBOUND], MALFORMED];
  for (const format of ["csv", "jsonl", "json"] as OutputFormat[]) {
    for (const shape of SHAPES) {
      const clean = new MemorySink({ format, table: shape, names: NAMES });
      await clean.open({ recordType: "conversation" });
      for (const page of pages) await clean.write(page);
      await clean.finish();

      const sink = new MemorySink({ format, table: shape, names: NAMES });
      await sink.open({ recordType: "conversation" });
      const mark = await sink.write(pages[0]);
      await sink.write(pages[1]); // written, then a crash before its checkpoint
      assertEquals(Object.keys(mark.state as object).sort(), ["items", "started"]);
      await sink.open({ recordType: "conversation", resume: mark });
      for (const page of pages.slice(1)) await sink.write(page);
      await sink.finish();
      assertEquals(sink.text(), clean.text(), `${format}/${shape}`);
    }
  }
});

Deno.test("CSV of conversation records defaults to the conversations table; JSONL stays raw", () => {
  assertEquals(tableShapeFor("csv", "conversation"), "conversations");
  assertEquals(tableShapeFor("json", "conversation"), "raw");
  assertEquals(tableShapeFor("csv", "conversation", { columns: ["conversationId"] }), "raw");
  assertEquals(tableShapeFor("csv", "user"), "raw");
  assertEquals(
    encodeAll("jsonl", "raw", [OUTBOUND]),
    JSON.stringify(OUTBOUND) + "\n",
  );
  const csv = createRecordEncoder("csv", "conversation");
  assertEquals(
    csv.encode([ABANDONED]) + csv.end(),
    encodeAll("csv", "conversations", [ABANDONED]),
  );
  assertThrows(
    () => tableShapeFor("csv", "queue", { table: "segments" }),
    UsageError,
    "needs conversation details",
  );
  assertThrows(
    () => tableShapeFor("csv", "conversation", { table: "segments", columns: ["x"] }),
    UsageError,
    "own fixed columns",
  );
  assertThrows(
    () => tableShapeFor("jsonl", "conversation", { names: NAMES }),
    UsageError,
    "not raw",
  );
});

Deno.test("a sink refuses a table for other records at open, before writing anything", async () => {
  const sink = new MemorySink({ format: "csv", table: "segments" });
  await assertRejects(() => sink.open({ recordType: "user" }), UsageError, "'user' records");
  assertEquals(sink.text(), "");
});

Deno.test("sinkIdentity: tables and names change the job key, naming the default does not", () => {
  assertEquals(sinkIdentity("csv"), sinkIdentity("csv", undefined, { table: "conversations" }));
  assertEquals(sinkIdentity("jsonl"), sinkIdentity("jsonl", undefined, { table: "raw" }));
  assertEquals(sinkIdentity("csv", undefined, { table: "raw" }), { format: "csv", table: "raw" });
  assertEquals(new MemorySink({ format: "json", table: "participants", names: NAMES }).identity, {
    format: "json",
    table: "participants",
    names: true,
  });
});

function normalizeTable(text: string): string {
  return text.split("\n").map((line) =>
    line.trim().replace(/\s*\|\s*/g, "|").replace(/\|:?-+:?(?=\|)/g, "|-").replace(/\s+/g, " ")
  ).filter((line) => line !== "").join("\n");
}

Deno.test("docs/tables.md holds the column contract the code declares", async () => {
  const docs = await Deno.readTextFile(`${ROOT}docs/tables.md`);
  const start = "<!-- tables:start -->";
  const end = "<!-- tables:end -->";
  const from = docs.indexOf(start);
  const to = docs.indexOf(end);
  assert(
    from !== -1 && to > from,
    `docs/tables.md needs the reference between '${start}' and '${end}'`,
  );
  assertEquals(
    normalizeTable(docs.slice(from + start.length, to)),
    normalizeTable(tableReference()),
    "docs/tables.md is stale: paste the output of tableReference() between the markers",
  );
});
