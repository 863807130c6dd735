/**
 * The simulator's details query selects like the real one (UTC-day index + overlap) and knows
 * "now": long calls, live calls, conversations that have not started yet. Expected sets are
 * computed by brute force from the complete records.
 */
import { Dataset } from "../lib/sim/dataset.ts";
import { type Simulator, startSimulator } from "../testing.ts";
import { assert, assertEquals } from "./_assert.ts";
import { type Json, simCall, simToken } from "./_sim_fetch.ts";

const QUERY = "/api/v2/analytics/conversations/details/query";
const DAY = 86_400_000;
const SPAN = { start: "2026-01-01T00:00:00Z", end: "2026-01-04T00:00:00Z" };
const NOW = Date.parse("2026-01-02T15:00:00Z");
const OPTIONS = {
  seed: 5,
  users: 30,
  queues: 4,
  conversations: 6000,
  longConversationShare: 0.2,
  ...SPAN,
};

/** Start and end of every conversation, from its complete record. */
function lifetimes(): { id: string; start: number; end: number }[] {
  const data = new Dataset({
    ...OPTIONS,
    inactiveUsers: 3,
    wrapUpCodes: 8,
    startMs: Date.parse(SPAN.start),
    endMs: Date.parse(SPAN.end),
    longShare: 0.2,
  });
  return Array.from({ length: OPTIONS.conversations }, (_, i) => {
    const c = data.conversation(i);
    return {
      id: c.conversationId as string,
      start: Date.parse(c.conversationStart as string),
      end: Date.parse(c.conversationEnd as string),
    };
  });
}

/** Pages a details query until an empty page. */
async function pageAll(sim: Simulator, auth: string, interval: string): Promise<Json[]> {
  const out: Json[] = [];
  for (let page = 1; page <= 100; page++) {
    const { status, json } = await simCall(sim, auth, "POST", QUERY, {
      interval,
      paging: { pageSize: 100, pageNumber: page },
    });
    assertEquals(status, 200);
    if (!json.conversations) return out;
    out.push(...json.conversations);
  }
  throw new Error("More than 100 pages");
}

Deno.test("startSimulator details query returns a conversation when it started on a UTC day the interval touches and its lifetime overlaps the interval", async () => {
  await using sim = await startSimulator({ ...OPTIONS, now: () => NOW });
  const auth = await simToken(sim);
  const all = lifetimes();
  const cases = [
    "2026-01-02T06:00:00Z/2026-01-02T12:00:00Z", // sub-day, before now
    "2026-01-01T22:00:00Z/2026-01-02T02:00:00Z", // across midnight: two UTC days
    "2026-01-02T01:00:00Z/2026-01-02T03:00:00Z", // calls from the day before overlap, not returned
    "2026-01-02T14:00:00Z/2026-01-02T20:00:00Z", // reaching past now
    "2026-01-02T18:00:00Z/2026-01-02T19:00:00Z", // after now: only calls still live
  ];
  for (const interval of cases) {
    const [from, to] = interval.split("/").map(Date.parse);
    const firstDay = Math.floor(from / DAY) * DAY;
    const expected = all.filter((c) =>
      c.start >= firstDay && c.start < to && c.start < NOW && (c.end > from || c.end > NOW)
    ).map((c) => c.id);
    const got = (await pageAll(sim, auth, interval)).map((c) => c.conversationId);
    assertEquals(got, expected, interval);
    assertEquals(sim.detailsQueryIds(interval), expected, interval);
    // Every case differs from "started in the interval" (what the old simulator returned).
    const startedIn = all.filter((c) => c.start >= from && c.start < to && c.start < NOW);
    assert(expected.length > startedIn.length, `${interval}: no call from before the interval`);
    assertEquals(sim.conversationIds(interval), startedIn.map((c) => c.id), interval);
  }
  // Overlapping calls that started the day before exist, and the query leaves them out.
  const [from, to] = cases[2].split("/").map(Date.parse);
  const earlier = all.filter((c) => c.start < Date.parse("2026-01-02T00:00:00Z") && c.end > from);
  assert(earlier.length > 0, "no call from the day before overlaps 01:00");
  const got = new Set(sim.detailsQueryIds(cases[2]));
  for (const c of earlier) assert(!got.has(c.id) && c.start < to);
});

Deno.test("startSimulator conversations live at now have no conversationEnd, open last segments and no metrics emitted later", async () => {
  await using sim = await startSimulator({ ...OPTIONS, now: () => NOW });
  const auth = await simToken(sim);
  const conversations = await pageAll(sim, auth, "2026-01-02T12:00:00Z/2026-01-02T16:00:00Z");
  const live = conversations.filter((c) => c.conversationEnd === undefined);
  assert(live.length >= 3, `${live.length} live conversations`);
  const nowIso = new Date(NOW).toISOString();
  let openSegments = 0;
  for (const c of conversations) {
    assert(c.conversationStart < nowIso, `${c.conversationId} starts after now`);
    const isLive = c.conversationEnd === undefined;
    assertEquals(c.mediaStatsMinConversationMos === undefined, isLive || !isVoice(c));
    for (const p of c.participants) {
      for (const s of p.sessions) {
        s.segments.forEach((seg: Json, k: number) => {
          assert(seg.segmentStart < nowIso);
          if (seg.segmentEnd === undefined) {
            openSegments++;
            assert(isLive, `${c.conversationId}: an open segment in an ended conversation`);
            assertEquals(k, s.segments.length - 1, "only the last segment is open");
            assertEquals(seg.disconnectType, undefined);
            assertEquals(seg.wrapUpCode, undefined);
          } else assert(seg.segmentEnd <= nowIso);
        });
        const names = (s.metrics ?? []).map((m: Json) => m.name);
        for (const m of s.metrics ?? []) assert(m.emitDate <= nowIso, `${m.name} emitted later`);
        const open = s.segments.at(-1).segmentEnd === undefined;
        if (open && p.purpose === "agent") {
          assert(!names.includes("tHandle") && !names.includes("tAcw"), names.join());
        }
      }
    }
  }
  assert(openSegments >= live.length);
  // Later, the same conversations are complete, and what was already there is unchanged.
  await using later = await startSimulator({ ...OPTIONS, now: () => NOW + 5 * 3_600_000 });
  const done = await pageAll(
    later,
    await simToken(later),
    "2026-01-02T12:00:00Z/2026-01-02T16:00:00Z",
  );
  const byId = new Map(done.map((c) => [c.conversationId, c]));
  for (const c of live) {
    const complete = byId.get(c.conversationId)!;
    assert(complete.conversationEnd > nowIso, complete.conversationEnd);
    assertEquals(complete.participants[0].participantId, c.participants[0].participantId);
    assertEquals(
      complete.participants[0].sessions[0].segments[0].segmentStart,
      c.participants[0].sessions[0].segments[0].segmentStart,
    );
  }
});

function isVoice(c: Json): boolean {
  const media = c.participants[0].sessions[0].mediaType;
  return media === "voice" || media === "callback";
}

Deno.test("startSimulator conversations that start after now do not exist yet, and appear as the clock moves", async () => {
  let now = NOW;
  await using sim = await startSimulator({ ...OPTIONS, now: () => now });
  const auth = await simToken(sim);
  const interval = "2026-01-02T00:00:00Z/2026-01-03T00:00:00Z";
  const before = (await pageAll(sim, auth, interval)).map((c) => c.conversationId);
  const all = lifetimes().filter((c) => c.start >= Date.parse("2026-01-02T00:00:00Z"))
    .filter((c) => c.start < Date.parse("2026-01-03T00:00:00Z"));
  assertEquals(before, all.filter((c) => c.start < NOW).map((c) => c.id));
  assert(before.length < all.length);
  now = Date.parse("2026-01-03T05:00:00Z"); // within the token's lifetime
  const after = (await pageAll(sim, auth, interval)).map((c) => c.conversationId);
  assertEquals(after, all.map((c) => c.id));
  assertEquals(sim.conversationIds(interval), after);
});

Deno.test("startSimulator long conversations: a configurable share lasts hours, none longer than the maximum", async () => {
  const hours = async (options: Parameters<typeof startSimulator>[0]) => {
    await using sim = await startSimulator({ ...SPAN, conversations: 3000, ...options });
    const auth = await simToken(sim);
    const all: Json[] = [];
    for (const [day, next] of [["01", "02"], ["02", "03"], ["03", "04"]]) {
      all.push(...await pageAll(sim, auth, `2026-01-${day}T00:00:00Z/2026-01-${next}T00:00:00Z`));
    }
    assertEquals(all.length, 3000);
    return all.map((c) =>
      (Date.parse(c.conversationEnd) - Date.parse(c.conversationStart)) / 3_600_000
    );
  };
  const byDefault = await hours({});
  const long = byDefault.filter((h) => h >= 1).length;
  assert(long > 30 && long < 90, `${long} of 3000 last an hour or more`); // 2 %
  assert(Math.max(...byDefault) <= 4);
  assert(Math.max(...await hours({ longConversationShare: 0 })) < 0.7);
  const short = await hours({ longConversationShare: 0.5, maxConversationHours: 2 });
  assert(Math.max(...short) <= 2);
  assert(short.filter((h) => h >= 0.5).length > 1200);
});
