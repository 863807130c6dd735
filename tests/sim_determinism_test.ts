import { Timeline } from "../lib/sim/timeline.ts";
import { type Simulator, startSimulator } from "../testing.ts";
import { assert, assertEquals } from "./_assert.ts";
import { simCall, simToken } from "./_sim_fetch.ts";

const QUERY = "/api/v2/analytics/conversations/details/query";
const JOBS = "/api/v2/analytics/conversations/details/jobs";

async function text(sim: Simulator, auth: string, method: string, path: string, body?: unknown) {
  return (await simCall(sim, auth, method, path, body)).text;
}

/** Every data response of one session, as raw text, in a given request order. */
async function session(seed: number, reversed = false): Promise<string[]> {
  // Mid-span: some conversations are still live, later ones do not exist yet.
  const now = Date.parse("2026-01-20T12:00:00Z");
  await using sim = await startSimulator({
    seed,
    users: 80,
    queues: 6,
    conversations: 700,
    now: () => now,
  });
  const auth = await simToken(sim);
  const requests: [string, string, unknown?][] = [
    ["GET", "/api/v2/users?pageSize=30&pageNumber=1"],
    ["GET", "/api/v2/users?pageSize=30&pageNumber=3"],
    ["GET", "/api/v2/routing/queues"],
    ["POST", QUERY, { interval: "2026-01-02T00:00:00Z/2026-01-09T00:00:00Z" }],
    [
      "POST",
      QUERY,
      {
        interval: "2026-01-02T00:00:00Z/2026-01-09T00:00:00Z",
        order: "desc",
        paging: { pageSize: 100, pageNumber: 2 },
      },
    ],
    ["GET", `${JOBS}/availability`],
  ];
  const order = reversed ? [...requests].reverse() : requests;
  const out = new Map<number, string>();
  for (const r of order) out.set(requests.indexOf(r), await text(sim, auth, r[0], r[1], r[2]));
  const jobBody = { interval: "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z" };
  const { jobId } = JSON.parse(await text(sim, auth, "POST", JOBS, jobBody));
  for (let i = 0; i < 3; i++) await text(sim, auth, "GET", `${JOBS}/${jobId}`);
  const results = await text(sim, auth, "GET", `${JOBS}/${jobId}/results?pageSize=5`);
  return [...[...out.keys()].sort().map((k) => out.get(k)!), jobId, results];
}

Deno.test("startSimulator same seed gives byte-identical responses, whatever the request order", async () => {
  const a = await session(42);
  const b = await session(42);
  const c = await session(42, true);
  assertEquals(b, a);
  assertEquals(c, a);
  const other = await session(43);
  for (let i = 0; i < a.length - 2; i++) {
    if (a[i].includes("dataAvailabilityDate") && !a[i].includes("conversations")) continue;
    assert(a[i] !== other[i], `response ${i} is the same for another seed`);
  }
});

Deno.test("Timeline start times are strictly increasing and found by binary search", () => {
  const t = new Timeline(7, 5000, 1_000, 1_000 + 5000 * 3); // 3 ms per conversation
  let previous = -Infinity;
  for (let i = 0; i < t.count; i++) {
    const s = t.startOf(i);
    assert(s > previous && s >= t.startMs && s < t.endMs);
    previous = s;
  }
  for (const i of [0, 1, 777, 4999]) {
    assertEquals(t.lowerBound(t.startOf(i)), i);
    assertEquals(t.lowerBound(t.startOf(i) + 1), i + 1);
  }
  assertEquals(t.range(t.startOf(10), t.startOf(20)), [10, 20]);
  // The tightest span: one millisecond per conversation.
  const tight = new Timeline(1, 1000, 0, 1000);
  for (let i = 0; i < 1000; i++) assertEquals(tight.startOf(i), i);
});

Deno.test("startSimulator serves a million conversations generated on demand, long calls from earlier the same day included", async () => {
  await using sim = await startSimulator({ conversations: 1_000_000 });
  assertEquals(sim.conversationCount, 1_000_000);
  const auth = await simToken(sim);
  type Page = {
    totalHits: number;
    conversations?: {
      conversationId: string;
      conversationStart: string;
      conversationEnd: string;
    }[];
  };
  const post = async (body: unknown) =>
    JSON.parse(await text(sim, auth, "POST", QUERY, body)) as Page;
  const week = "2026-01-10T00:00:00Z/2026-01-17T00:00:00Z";
  const ids = sim.detailsQueryIds(week);
  assert(ids.length > 200_000 && ids.length < 270_000, `${ids.length} matches`);
  const whole = await post({ interval: week });
  // totalHits: the matches and their expected duplicates, within the seeded error.
  const ratio = whole.totalHits / (ids.length * 1.02);
  assert(ratio > 0.96 && ratio < 1.04, `totalHits ${whole.totalHits} for ${ids.length}`);
  // The last allowed page (index positions 99,900 to 100,000): a run of the matches, shortened
  // by the duplicates it holds.
  const deep = await post({ interval: week, paging: { pageSize: 100, pageNumber: 1000 } });
  const got = deep.conversations!.map((c) => c.conversationId);
  const at = ids.indexOf(got[0]);
  assert(got.length > 80 && got.length <= 100, `${got.length} records`);
  assert(at > 95_000 && at <= 99_900, `page 1000 starts at match ${at}`);
  assertEquals(got, ids.slice(at, at + got.length));
  // A noon-to-midnight window also returns the calls that started that morning and were still
  // running at noon, first (ascending start), and nothing from the day before.
  const afternoon = await post({
    interval: "2026-01-13T12:00:00Z/2026-01-14T00:00:00Z",
    paging: { pageSize: 100, pageNumber: 1 },
  });
  const first = afternoon.conversations![0];
  assert(first.conversationStart >= "2026-01-13T00:00:00.000Z", first.conversationStart);
  assert(first.conversationStart < "2026-01-13T12:00:00.000Z", first.conversationStart);
  assert(first.conversationEnd > "2026-01-13T12:00:00.000Z", first.conversationEnd);
});
