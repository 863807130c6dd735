/**
 * The details query's paging as the real service documents it: `totalHits` is approximate and
 * pages can hold fewer than `pageSize` records (duplicates are filtered server-side), so only an
 * empty page ends a query.
 */
import { type Simulator, type SimulatorOptions, startSimulator } from "../testing.ts";
import { assert, assertEquals } from "./_assert.ts";
import { type Json, simCall, simToken } from "./_sim_fetch.ts";

const QUERY = "/api/v2/analytics/conversations/details/query";
const INTERVAL = "2026-01-05T00:00:00Z/2026-01-10T00:00:00Z";

async function page(
  sim: Simulator,
  auth: string,
  body: Json,
  pageSize: number,
  pageNumber: number,
) {
  const { status, json } = await simCall(sim, auth, "POST", QUERY, {
    interval: INTERVAL,
    ...body,
    paging: { pageSize, pageNumber },
  });
  assertEquals(status, 200);
  return json as { totalHits: number; conversations?: Json[] };
}

/** Every page until an empty one, with each page's size. */
async function pages(sim: Simulator, auth: string, pageSize: number, body: Json = {}) {
  const sizes: number[] = [];
  const ids: string[] = [];
  const hits = new Set<number>();
  for (let n = 1; n <= 2000; n++) {
    const json = await page(sim, auth, body, pageSize, n);
    hits.add(json.totalHits);
    if (!json.conversations) return { sizes, ids, hits };
    assert(json.conversations.length > 0, "an empty conversations array");
    sizes.push(json.conversations.length);
    ids.push(...json.conversations.map((c) => c.conversationId));
  }
  throw new Error("More than 2000 pages");
}

async function sim(options: SimulatorOptions = {}) {
  const s = await startSimulator({ conversations: 6000, seed: 21, ...options });
  return { sim: s, auth: await simToken(s) };
}

Deno.test("startSimulator details query: totalHits reported 10 % low still pages to every conversation when paging until an empty page", async () => {
  const { sim: s, auth } = await sim({ totalHitsError: -0.1, duplicateShare: 0 });
  await using _ = s;
  const expected = s.detailsQueryIds(INTERVAL);
  const { ids, hits } = await pages(s, auth, 100);
  assertEquals(ids, expected);
  assertEquals([...hits], [Math.round(expected.length * 0.9)]);
  // A client that trusts totalHits stops early and loses about a tenth.
  const trusting: string[] = [];
  for (let n = 1; (n - 1) * 100 < Math.round(expected.length * 0.9); n++) {
    trusting.push(...(await page(s, auth, {}, 100, n)).conversations!.map((c) => c.conversationId));
  }
  assert(trusting.length < expected.length * 0.91, `${trusting.length} of ${expected.length}`);
});

Deno.test("startSimulator details query: duplicates filtered server-side shorten pages, and every conversation still comes exactly once, in order", async () => {
  const { sim: s, auth } = await sim();
  await using _ = s;
  for (const order of ["asc", "desc"]) {
    const expected = s.detailsQueryIds(INTERVAL, { order: order as "asc" | "desc" });
    const { sizes, ids } = await pages(s, auth, 50, { order });
    assertEquals(ids, expected, order);
    const short = sizes.slice(0, -1).filter((n) => n < 50).length;
    assert(short >= 5, `${order}: only ${short} short pages of ${sizes.length}`);
    assert(sizes.length > Math.ceil(expected.length / 50), "no page was lost to duplicates");
  }
  // A page of one record cannot be shortened: no duplicates there.
  const ones = await pages(s, auth, 1, { interval: "2026-01-05T00:00:00Z/2026-01-05T03:00:00Z" });
  assert(ones.sizes.every((n) => n === 1));
  assertEquals(ones.ids, s.detailsQueryIds("2026-01-05T00:00:00Z/2026-01-05T03:00:00Z"));
});

Deno.test("startSimulator details query: totalHits is approximate by default, the same on every page, and exact in the simple model", async () => {
  const { sim: s, auth } = await sim();
  await using _ = s;
  const expected = s.detailsQueryIds(INTERVAL).length;
  const { hits } = await pages(s, auth, 100);
  assertEquals(hits.size, 1, "totalHits changed between pages");
  const [reported] = hits;
  assert(reported !== expected, "totalHits is exact");
  assert(Math.abs(reported / expected - 1) < 0.06, `${reported} for ${expected}`);
  const exact = await sim({ duplicateShare: 0, totalHitsError: 0 });
  await using __ = exact.sim;
  assertEquals([...(await pages(exact.sim, exact.auth, 100)).hits], [expected]);
});
