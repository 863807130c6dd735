import { type Simulator, startSimulator } from "../testing.ts";
import { assert, assertEquals } from "./_assert.ts";
import { type Json, simCall, simToken } from "./_sim_fetch.ts";

const QUERY = "/api/v2/analytics/conversations/details/query";
const DAY = 86_400_000;

type Conversation = Json;

function query(sim: Simulator, auth: string, body: unknown) {
  return simCall(sim, auth, "POST", QUERY, body);
}

/** Every page until an empty one (`totalHits` is approximate and pages can be short). */
async function all(sim: Simulator, auth: string, body: Record<string, unknown>) {
  const out: Conversation[] = [];
  for (let page = 1; page <= 200; page++) {
    const { status, json } = await query(sim, auth, {
      ...body,
      paging: { pageSize: 100, pageNumber: page },
    });
    assertEquals(status, 200);
    if (!json.conversations) return out;
    out.push(...json.conversations);
  }
  throw new Error("More than 200 pages");
}

const iso = (ms: number) => new Date(ms).toISOString();

Deno.test("startSimulator details query pages every conversation of the span, in 7-day chunks, exactly once", async () => {
  await using sim = await startSimulator({ conversations: 1500, seed: 9 });
  const auth = await simToken(sim);
  const ids: string[] = [];
  let previous = "";
  for (let from = Date.parse(sim.start); from < Date.parse(sim.end); from += 7 * DAY) {
    const to = Math.min(from + 7 * DAY, Date.parse(sim.end));
    const conversations = await all(sim, auth, { interval: `${iso(from)}/${iso(to)}` });
    for (const c of conversations) {
      const start = Date.parse(c.conversationStart);
      assert(start >= from && start < to, `${c.conversationStart} outside the chunk`);
      assert(c.conversationStart > previous, "not in conversationStart order");
      previous = c.conversationStart;
      ids.push(c.conversationId);
    }
  }
  assertEquals(ids, sim.conversationIds());
  assertEquals(ids.length, 1500);
  assertEquals(new Set(ids).size, 1500);
});

Deno.test("startSimulator details query with the simple model (no duplicates, exact totalHits) omits conversations past the last page", async () => {
  await using sim = await startSimulator({
    conversations: 300,
    duplicateShare: 0,
    totalHitsError: 0,
  });
  const auth = await simToken(sim);
  const interval = "2026-01-02T00:00:00Z/2026-01-05T00:00:00Z";
  const expected = sim.conversationIds(interval);
  const first = await query(sim, auth, { interval });
  assertEquals(first.json.totalHits, expected.length);
  assertEquals(first.json.conversations.length, 25); // default pageSize
  const last = Math.ceil(expected.length / 10);
  const end = await query(sim, auth, { interval, paging: { pageSize: 10, pageNumber: last } });
  assertEquals(end.json.conversations.length, expected.length - (last - 1) * 10);
  const past = await query(sim, auth, { interval, paging: { pageSize: 10, pageNumber: last + 1 } });
  assertEquals(past.status, 200);
  assertEquals(past.json, { totalHits: expected.length });
});

Deno.test("startSimulator details query records are nested like real ones and a few KB each", async () => {
  await using sim = await startSimulator({ conversations: 200 });
  const auth = await simToken(sim);
  const { json } = await query(sim, auth, {
    interval: "2026-01-01T00:00:00Z/2026-01-08T00:00:00Z",
    paging: { pageSize: 50, pageNumber: 1 },
  });
  const conversations: Conversation[] = json.conversations;
  const size = JSON.stringify(conversations).length / conversations.length;
  assert(size > 1500 && size < 8000, `average record size ${size}`);
  for (const c of conversations) {
    assert(Date.parse(c.conversationEnd) > Date.parse(c.conversationStart));
    assert(["inbound", "outbound"].includes(c.originatingDirection));
    assertEquals(c.divisionIds.length, 1);
    assert(c.participants.length >= 1);
    for (const p of c.participants) {
      assert(p.participantId && p.purpose);
      for (const s of p.sessions) {
        assert(s.sessionId && s.mediaType && s.segments.length > 0);
        for (const seg of s.segments) assert(seg.segmentStart <= seg.segmentEnd);
        for (const m of s.metrics ?? []) {
          assert(m.name && typeof m.value === "number" && m.emitDate);
        }
      }
    }
  }
  assert(
    conversations.some((c) => c.participants.some((p: Conversation) => p.purpose === "agent")),
  );
  assert(conversations.some((c) => typeof c.mediaStatsMinConversationMos === "number"));
});

Deno.test("startSimulator details query orders by conversationStart desc and by conversationEnd", async () => {
  await using sim = await startSimulator({ conversations: 400 });
  const auth = await simToken(sim);
  const interval = "2026-01-03T00:00:00Z/2026-01-10T00:00:00Z";
  const asc = sim.conversationIds(interval);
  const desc = (await all(sim, auth, { interval, order: "desc" })).map((c) => c.conversationId);
  assertEquals(desc, [...asc].reverse());
  assertEquals(desc, sim.conversationIds(interval, { order: "desc" }));
  const byEnd = await all(sim, auth, { interval, orderBy: "conversationEnd" });
  assertEquals(byEnd.length, asc.length);
  for (let i = 1; i < byEnd.length; i++) {
    assert(
      byEnd[i - 1].conversationEnd <= byEnd[i].conversationEnd,
      "not in conversationEnd order",
    );
  }
  assertEquals(
    byEnd.map((c) => c.conversationId),
    sim.conversationIds(interval, { orderBy: "conversationEnd" }),
  );
});

Deno.test("startSimulator details query segment and conversation filters really filter", async () => {
  await using sim = await startSimulator({ conversations: 600, queues: 4 });
  const auth = await simToken(sim);
  const interval = "2026-01-05T00:00:00Z/2026-01-12T00:00:00Z";
  const everything = await all(sim, auth, { interval });
  const sessions = (c: Conversation) =>
    c.participants.flatMap((p: Conversation) => p.sessions.map((s: Conversation) => ({ p, s })));
  const queue = sim.ids.queues[1];
  const cases: [string, Record<string, unknown>, (c: Conversation) => boolean][] = [
    [
      "voice",
      {
        segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "voice" }] }],
      },
      (c) => sessions(c).some(({ s }: Conversation) => s.mediaType === "voice"),
    ],
    [
      "chat or email in one queue",
      {
        segmentFilters: [{
          type: "and",
          clauses: [
            {
              type: "or",
              predicates: [
                { dimension: "mediaType", value: "chat" },
                { dimension: "mediaType", value: "email" },
              ],
            },
            { type: "and", predicates: [{ dimension: "queueId", value: queue }] },
          ],
        }],
      },
      (c) =>
        sessions(c).some(({ s }: Conversation) =>
          (s.mediaType === "chat" || s.mediaType === "email") &&
          s.segments.some((seg: Conversation) => seg.queueId === queue)
        ),
    ],
    [
      "outbound",
      {
        conversationFilters: [{
          type: "or",
          predicates: [{ dimension: "originatingDirection", value: "outbound" }],
        }],
      },
      (c) => c.originatingDirection === "outbound",
    ],
    [
      "answered by an agent",
      {
        segmentFilters: [{
          type: "and",
          predicates: [{ dimension: "purpose", value: "agent" }, {
            dimension: "userId",
            operator: "exists",
          }],
        }],
      },
      (c) => c.participants.some((p: Conversation) => p.purpose === "agent" && p.userId),
    ],
  ];
  for (const [name, filters, expected] of cases) {
    const got = (await all(sim, auth, { interval, ...filters })).map((c) => c.conversationId);
    const want = everything.filter(expected).map((c) => c.conversationId);
    assert(want.length > 0 && want.length < everything.length, `${name}: degenerate case`);
    assertEquals(got, want, name);
    assertEquals(sim.conversationIds(interval, filters), want, name);
  }
});

Deno.test("startSimulator details query answers 400 like the real service", async () => {
  await using sim = await startSimulator({ conversations: 100 });
  const auth = await simToken(sim);
  const week = "2026-01-01T00:00:00Z/2026-01-08T00:00:00Z";
  const filter = [{ type: "and", predicates: [{ dimension: "mediaType", value: "voice" }] }];
  const bad: [string, unknown, RegExp][] = [
    ["pageSize over 100", { interval: week, paging: { pageSize: 101, pageNumber: 1 } }, /100/],
    ["8 days unfiltered", { interval: "2026-01-01T00:00:00Z/2026-01-09T00:00:00Z" }, /7 days/],
    [
      "32 days filtered",
      { interval: "2026-01-01T00:00:00Z/2026-02-02T00:00:00Z", segmentFilters: filter },
      /31 days/,
    ],
    [
      "past 100k",
      { interval: week, paging: { pageSize: 100, pageNumber: 1001 } },
      /Pagination may not exceed 100000 results/,
    ],
    ["no interval", {}, /interval/],
    ["not an interval", { interval: "last week" }, /ISO-8601/],
    [
      "end before start",
      { interval: "2026-01-08T00:00:00Z/2026-01-01T00:00:00Z" },
      /after the start/,
    ],
    [
      "empty interval",
      { interval: "2026-01-08T00:00:00Z/2026-01-08T00:00:00Z" },
      /after the start/,
    ],
    ["groupBy", { interval: week, groupBy: ["queueId"] }, /aggregates/],
    ["metrics", { interval: week, metrics: ["tHandle"] }, /aggregates/],
    ["granularity", { interval: week, granularity: "PT1H" }, /aggregates/],
    ["views", { interval: week, views: [] }, /aggregates/],
    ["made-up field", { interval: week, types: ["x"] }, /Unrecognized field 'types'/],
    ["bad order", { interval: week, order: "up" }, /order/],
    ["bad orderBy", { interval: week, orderBy: "name" }, /orderBy/],
    ["unknown dimension", {
      interval: week,
      segmentFilters: [{ type: "and", predicates: [{ dimension: "color", value: "x" }] }],
    }, /dimension/],
    ["bad filter type", {
      interval: week,
      conversationFilters: [{
        type: "xor",
        predicates: [{ dimension: "conversationId", value: "x" }],
      }],
    }, /'and' or 'or'/],
    ["not JSON", "{oops", /JSON/],
  ];
  for (const [name, body, message] of bad) {
    const { status, json, headers } = await query(sim, auth, body);
    assertEquals(status, 400, name);
    assertEquals(json.code, "bad.request", name);
    assert(message.test(json.message), `${name}: '${json.message}'`);
    assertEquals(json.contextId, headers.get("ININ-Correlation-Id"));
  }
  // The limits themselves are allowed.
  const ok: unknown[] = [
    { interval: week, paging: { pageSize: 100, pageNumber: 1000 } },
    { interval: "2026-01-01T00:00:00Z/2026-02-01T00:00:00Z", segmentFilters: filter },
    { interval: "2026-01-01T00:00:00Z/2026-02-01T00:00:00Z", evaluationFilters: [{ type: "and" }] },
  ];
  for (const body of ok) assertEquals((await query(sim, auth, body)).status, 200);
});

Deno.test("startSimulator detailsResultLimit lowers the paging limit: the last page it allows answers, the next 400", async () => {
  await using sim = await startSimulator({ conversations: 100, detailsResultLimit: 60 });
  const auth = await simToken(sim);
  const week = "2026-01-01T00:00:00Z/2026-01-08T00:00:00Z";
  const page = (pageNumber: number) =>
    query(sim, auth, { interval: week, paging: { pageSize: 20, pageNumber } });
  assertEquals((await page(3)).status, 200);
  const past = await page(4);
  assertEquals(past.status, 400);
  assert(/Pagination may not exceed 60 results/.test(past.json.message), past.json.message);
});

Deno.test("startSimulator details query evaluation, survey and resolution filters count as filters and match nothing", async () => {
  await using sim = await startSimulator({ conversations: 100 });
  const auth = await simToken(sim);
  for (const field of ["evaluationFilters", "surveyFilters", "resolutionFilters"]) {
    const { status, json } = await query(sim, auth, {
      interval: "2026-01-01T00:00:00Z/2026-01-20T00:00:00Z",
      [field]: [{ type: "and", predicates: [] }],
    });
    assertEquals(status, 200);
    assertEquals(json, { totalHits: 0 });
  }
});

Deno.test("startSimulator details query answers termFrequency aggregations over every match", async () => {
  await using sim = await startSimulator({ conversations: 300, queues: 3 });
  const auth = await simToken(sim);
  const interval = "2026-01-01T00:00:00Z/2026-01-08T00:00:00Z";
  const everything = await all(sim, auth, { interval });
  const { json } = await query(sim, auth, {
    interval,
    paging: { pageSize: 1, pageNumber: 1 },
    aggregations: [
      { type: "termFrequency", dimension: "mediaType" },
      { type: "termFrequency", dimension: "queueId", size: 2 },
    ],
  });
  assertEquals(json.conversations.length, 1);
  assertEquals(everything.length, sim.detailsQueryIds(interval).length);
  const count = (values: string[]) => {
    const m = new Map<string, number>();
    for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
    return m;
  };
  const media = count(everything.map((c) => c.participants[0].sessions[0].mediaType));
  const [byMedia, byQueue] = json.aggregations;
  assertEquals(byMedia.type, "termFrequency");
  assertEquals(byMedia.dimension, "mediaType");
  assertEquals(byMedia.results.length, media.size);
  for (const r of byMedia.results) assertEquals(r.count, media.get(r.value), r.value);
  const queues = count(everything.flatMap((c) => {
    const ids = new Set<string>();
    for (const p of c.participants) {
      for (const s of p.sessions) {
        for (const seg of s.segments) if (seg.queueId) ids.add(seg.queueId);
      }
    }
    return [...ids];
  }));
  assertEquals(byQueue.results.length, 2);
  for (const r of byQueue.results) assertEquals(r.count, queues.get(r.value), r.value);
  assert(byQueue.results[0].count >= byQueue.results[1].count);
  for (
    const aggregations of [[{ type: "numericRange", dimension: "mediaType" }], [{
      type: "termFrequency",
      dimension: "colour",
    }], "x"]
  ) {
    const bad = await query(sim, auth, { interval, aggregations });
    assertEquals(bad.status, 400, JSON.stringify(aggregations));
  }
});
