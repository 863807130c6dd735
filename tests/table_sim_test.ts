/**
 * The table shapes against a day of simulator conversations, read over loopback HTTP through the
 * engine: every answered voice call has its queue, agent, wrap-up code and handle time; the
 * metric columns add up as `docs/tables.md` says; the `segments` and `participants` tables have
 * exactly one row per segment and participant of the source records.
 */
import {
  conversationDetailsSource,
  extract,
  GenesysClient,
  MemorySink,
  type TableShape,
} from "../mod.ts";
import { conversationTable } from "../lib/analytics/mod.ts";
import { startSimulator } from "../testing.ts";
import { parseCsv } from "./chaos/files.ts";
import { assert, assertEquals } from "./_assert.ts";

type Json = Record<string, unknown>;
const DAY = "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z";

async function extractDay(
  sim: { url: string; clientId: string; clientSecret: string },
  format: "csv" | "jsonl",
  table: TableShape,
): Promise<string> {
  const client = new GenesysClient({
    region: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
  });
  const sink = new MemorySink({ format, table });
  const result = await extract({
    source: conversationDetailsSource(client, { interval: DAY }, { pageSize: 100 }),
    sink,
  });
  assertEquals(result.status, "complete");
  return sink.text();
}

const jsonl = (text: string): Json[] => text.trim().split("\n").map((l) => JSON.parse(l));
const ms = (seconds: unknown): number => Math.round(((seconds as number | null) ?? 0) * 1000);

Deno.test("a day of simulator conversations as tables: filled, summed as documented, one row per segment", async () => {
  await using sim = await startSimulator({
    seed: 17,
    users: 40,
    queues: 6,
    conversations: 3000,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-11T00:00:00Z",
  });
  const raw = jsonl(await extractDay(sim, "jsonl", "raw"));
  assertEquals(raw.map((c) => c.conversationId), sim.conversationIds(DAY));
  assert(raw.length > 200, `${raw.length} conversations`);

  // conversations, as CSV (the default for CSV) and as JSON Lines: the same values.
  const csv = parseCsv(await extractDay(sim, "csv", "conversations"));
  const header = csv[0];
  assertEquals(header, [...conversationTable("conversations").columns(false)]);
  const rows = jsonl(await extractDay(sim, "jsonl", "conversations"));
  assertEquals(rows.length, raw.length);
  assertEquals(csv.length - 1, raw.length);
  let answeredVoice = 0;
  for (const [i, row] of rows.entries()) {
    const id = row.conversationId as string;
    assertEquals(csv[i + 1][header.indexOf("conversationId")], id);
    const end = row.conversationEnd as string | null;
    assertEquals(
      row.durationSeconds === null ? null : ms(row.durationSeconds),
      end === null ? null : Date.parse(end) - Date.parse(row.conversationStart as string),
      id,
    );
    // Every answered voice call that has ended has its queue, agent, wrap-up and handle time.
    if (row.answered && end !== null && (row.mediaTypes as string[]).includes("voice")) {
      answeredVoice++;
      assert(row.queueId !== null, `${id}: no queue`);
      assert((row.userIds as string[]).length > 0, `${id}: no agent`);
      assert((row.wrapUpCodes as string[]).length > 0, `${id}: no wrap-up code`);
      assert(row.tHandleSeconds !== null, `${id}: no handle time`);
      assert(row.ani !== null && row.dnis !== null, `${id}: no ANI/DNIS`);
    }
    // Handle = talk + hold + ACW (+ dialing + contacting), as Genesys defines handle time.
    if (row.tHandleSeconds !== null) {
      assertEquals(
        ms(row.tHandleSeconds),
        ms(row.tTalkCompleteSeconds) + ms(row.tHeldCompleteSeconds) + ms(row.tAcwSeconds) +
          ms(row.tDialingSeconds) + ms(row.tContactingSeconds),
        `${id}: handle`,
      );
    }
  }
  assert(answeredVoice > 50, `${answeredVoice} answered voice calls`);

  // participants: one row per participant; per conversation, the rows sum to the conversation's.
  const participants = jsonl(await extractDay(sim, "jsonl", "participants"));
  const list = (value: unknown) => (value ?? []) as Json[];
  const count = (c: Json) => list(c.participants).length;
  assertEquals(participants.length, raw.reduce((n, c) => n + count(c), 0));
  const byConversation = Map.groupBy(participants, (p) => p.conversationId as string);
  for (const row of rows) {
    const own = byConversation.get(row.conversationId as string) ?? [];
    for (const metric of ["tHandleSeconds", "tAnsweredSeconds", "tAcdSeconds", "nOffered"]) {
      assertEquals(
        own.reduce((sum, p) => sum + ms(p[metric]), 0),
        ms(row[metric]),
        `${row.conversationId}: ${metric}`,
      );
    }
  }

  // segments: exactly one row per segment of the source records, in record order.
  const segmentsText = await extractDay(sim, "csv", "segments");
  const [segmentHeader, ...segments] = parseCsv(segmentsText);
  const start = segmentHeader.indexOf("segmentStart");
  const sourceSegments = raw.flatMap((c) =>
    list(c.participants).flatMap((p) =>
      list(p.sessions).flatMap((s) =>
        list(s.segments).map((g) => [c.conversationId, p.participantId, g.segmentStart])
      )
    )
  );
  assertEquals(segments.length, sourceSegments.length);
  assertEquals(segments.map((r) => [r[0], r[1], r[start]]), sourceSegments);
});
