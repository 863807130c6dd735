import { assert, assertEquals, assertRejects } from "../../tests/_assert.ts";
import { conversationDetails, conversationDetailsPages } from "./conversation_details.ts";
import type { ConversationDetailsOptions } from "./_details_state.ts";
import type { ConversationDetailsQuery } from "./details_query.ts";
import { GenesysError, UsageError } from "../errors.ts";
import { parseInterval } from "./interval.ts";
import type { Call } from "../../tests/_fake_client.ts";
import {
  at,
  conv,
  details,
  H,
  ids,
  longCalls,
  QueryClient,
  spread,
  startedIn,
} from "./_test_details_query.ts";

Deno.test("conversationDetailsPages splits the interval into UTC days by default", async () => {
  const data = spread("2026-01-01T12:00:00Z", 6, 12 * H); // 12:00 and 00:00 each day
  const client = new QueryClient(details(data));
  const query = { interval: "2026-01-01T12:00:00Z/2026-01-03T18:00:00Z" };
  const pages = await Array.fromAsync(conversationDetailsPages(client, query));
  assertEquals(ids(pages), ["c0", "c1", "c2", "c3", "c4"]);
  // Each day ends on its first empty page.
  assertEquals(client.asked, [
    "2026-01-01T12:00:00Z/2026-01-02T00:00:00Z#1",
    "2026-01-01T12:00:00Z/2026-01-02T00:00:00Z#2",
    "2026-01-02T00:00:00Z/2026-01-03T00:00:00Z#1",
    "2026-01-02T00:00:00Z/2026-01-03T00:00:00Z#2",
    "2026-01-03T00:00:00Z/2026-01-03T18:00:00Z#1",
    "2026-01-03T00:00:00Z/2026-01-03T18:00:00Z#2",
  ]);
  for (const call of client.calls) {
    assertEquals(call.method, "POST");
    assertEquals(call.path, "/api/v2/analytics/conversations/details/query");
    assertEquals(call.options.idempotent, true);
  }
});

Deno.test("conversationDetailsPages chunk sizes: 6h, and the 7-day and 31-day caps", async () => {
  const client = new QueryClient(details([]));
  await Array.fromAsync(
    conversationDetailsPages(client, { interval: "2026-01-01T03:00:00Z/2026-01-01T13:00:00Z" }, {
      chunk: "6h",
    }),
  );
  assertEquals(client.asked, [
    "2026-01-01T03:00:00Z/2026-01-01T06:00:00Z#1",
    "2026-01-01T06:00:00Z/2026-01-01T12:00:00Z#1",
    "2026-01-01T12:00:00Z/2026-01-01T13:00:00Z#1",
  ]);
  const interval = "2026-01-01/2026-03-01";
  const weekly = new QueryClient(details([]));
  await Array.fromAsync(conversationDetailsPages(weekly, { interval }, { chunk: "7d" }));
  assertEquals(weekly.asked.length, 9); // 59 days
  await assertRejects(
    () => Array.fromAsync(conversationDetailsPages(client, { interval }, { chunk: "8d" })),
    UsageError,
    "7-day interval limit of the details query without filters",
  );
  const filtered = {
    interval,
    segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "voice" }] }],
  };
  const monthly = new QueryClient(details([]));
  await Array.fromAsync(conversationDetailsPages(monthly, filtered, { chunk: "31d" }));
  assertEquals(monthly.asked, [
    "2026-01-01T00:00:00Z/2026-02-01T00:00:00Z#1",
    "2026-02-01T00:00:00Z/2026-03-01T00:00:00Z#1",
  ]);
  assertEquals(
    (monthly.calls[0].options.body as typeof filtered).segmentFilters,
    filtered.segmentFilters,
  );
  await assertRejects(
    () => Array.fromAsync(conversationDetailsPages(client, filtered, { chunk: "32d" })),
    UsageError,
    "31-day",
  );
  // an empty filter list does not lift the 7-day cap
  await assertRejects(
    () =>
      Array.fromAsync(
        conversationDetailsPages(client, { interval, conversationFilters: [] }, { chunk: "8d" }),
      ),
    UsageError,
    "7-day",
  );
});

Deno.test("conversationDetailsPages ends a chunk on an empty page, whatever totalHits says", async () => {
  const data = spread("2026-01-01T00:00:00Z", 25, 60_000);
  const query = { interval: "2026-01-01/2026-01-02" };
  const client = new QueryClient(details(data));
  const pages = await Array.fromAsync(conversationDetailsPages(client, query, { pageSize: 10 }));
  assertEquals(pages.map((p) => p.conversations.length), [10, 10, 5, 0]);
  assertEquals(pages.map((p) => p.pageNumber), [1, 2, 3, 4]);
  assertEquals(ids(pages), data.map((c) => c.conversationId));
  const exact = new QueryClient(details(data.slice(0, 20)));
  await Array.fromAsync(conversationDetailsPages(exact, query, { pageSize: 10 }));
  assertEquals(exact.calls.length, 3);
  // totalHits 10 % low or high, short pages (records the server filters out): every record.
  for (const opts of [{ hitsFactor: 0.9 }, { hitsFactor: 1.1 }, { ghostsEvery: 3 }]) {
    for (const concurrency of [1, 4]) {
      const c = new QueryClient(details(data, opts));
      const got = await Array.fromAsync(
        conversationDetailsPages(c, query, { pageSize: 10, concurrency }),
      );
      assertEquals(ids(got), data.map((d) => d.conversationId), JSON.stringify(opts));
      assertEquals(got.at(-1)?.total, 25);
    }
  }
});

Deno.test("conversationDetailsPages stops a chunk when conversations is absent", async () => {
  let n = 0;
  const client = new QueryClient(() =>
    ++n === 1
      ? { totalHits: 1000, conversations: [conv("a", at("2026-01-01T01:00:00Z"))] }
      : { totalHits: 1000 }
  );
  const pages = await Array.fromAsync(
    conversationDetailsPages(client, { interval: "2026-01-01/2026-01-02" }, { pageSize: 1 }),
  );
  assertEquals(ids(pages), ["a"]);
  assertEquals(client.calls.length, 2);
});

Deno.test("conversationDetailsPages uses paging.pageSize and refuses paging.pageNumber", async () => {
  const client = new QueryClient(details(spread("2026-01-01T00:00:00Z", 5, 60_000)));
  const query = { interval: "2026-01-01/2026-01-02", paging: { pageSize: 2, pageNumber: 1 } };
  const pages = await Array.fromAsync(conversationDetailsPages(client, query));
  assertEquals(pages.map((p) => p.conversations.length), [2, 2, 1, 0]);
  const bad = { interval: "2026-01-01/2026-01-02", paging: { pageNumber: 3 } };
  await assertRejects(
    () => Array.fromAsync(conversationDetailsPages(client, bad)),
    UsageError,
    "'paging.pageNumber' is '3'",
  );
  await assertRejects(
    () =>
      Array.fromAsync(
        conversationDetailsPages(client, { interval: "2026-01-01/2026-01-02" }, { pageSize: 101 }),
      ),
    UsageError,
    "from 1 to 100",
  );
});

Deno.test("conversationDetailsPages keeps order and orderBy and walks chunks backwards for desc", async () => {
  const data = spread("2026-01-01T06:00:00Z", 4, 12 * H);
  const client = new QueryClient(details(data));
  const query: ConversationDetailsQuery = {
    interval: "2026-01-01/2026-01-03",
    order: "desc",
    orderBy: "conversationStart",
  };
  const pages = await Array.fromAsync(conversationDetailsPages(client, query));
  assertEquals(ids(pages), ["c3", "c2", "c1", "c0"]);
  assertEquals(client.asked, [
    "2026-01-02T00:00:00Z/2026-01-03T00:00:00Z#1",
    "2026-01-02T00:00:00Z/2026-01-03T00:00:00Z#2",
    "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z#1",
    "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z#2",
  ]);
  const body = client.calls[0].options.body as Record<string, unknown>;
  assertEquals([body.order, body.orderBy], ["desc", "conversationStart"]);
});

/**
 * A synthetic endpoint with one conversation every `stepMs` from `origin` (ids `n<index>`),
 * generated per page, for the 100,000-hit bisection.
 */
function dense(origin: number, stepMs: number): (call: Call) => unknown {
  return ({ options }) => {
    const body = options.body as {
      interval: string;
      paging: { pageSize: number; pageNumber: number };
    };
    const { start, end } = parseInterval(body.interval);
    const first = Math.max(0, Math.ceil((start - origin) / stepMs));
    const last = Math.ceil((end - origin) / stepMs); // exclusive
    const totalHits = last - first;
    const { pageSize, pageNumber } = body.paging;
    if (pageNumber * pageSize > 100_000 && (pageNumber - 1) * pageSize >= 100_000) {
      throw new Error("Pagination may not exceed 100000 results");
    }
    const from = first + (pageNumber - 1) * pageSize;
    const to = Math.min(from + pageSize, last);
    const conversations = [];
    for (let i = from; i < to; i++) conversations.push(conv(`n${i}`, origin + i * stepMs));
    return conversations.length ? { conversations, totalHits } : { totalHits };
  };
}

Deno.test("conversationDetailsPages bisects a chunk whose totalHits passes 80,000 (80 % of the paging limit)", async () => {
  const origin = at("2026-01-01T00:00:00Z");
  const client = new QueryClient(dense(origin, 360)); // 240,000 a day
  let count = 0;
  let expected = 0;
  let unordered = 0;
  let total: number | undefined;
  for await (
    const page of conversationDetailsPages(client, { interval: "2026-01-01/2026-01-02" }, {
      prefetch: false,
    })
  ) {
    for (const c of page.conversations) {
      if (c.conversationId !== `n${expected++}`) unordered++;
    }
    count += page.conversations.length;
    total ??= page.total;
  }
  assertEquals(count, 240_000);
  assertEquals(unordered, 0);
  assertEquals(total, 240_000);
  const probes = client.asked.filter((a) => a.endsWith("#1"));
  assertEquals(probes, [
    "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z#1",
    "2026-01-01T00:00:00Z/2026-01-01T12:00:00Z#1",
    "2026-01-01T00:00:00Z/2026-01-01T06:00:00Z#1",
    "2026-01-01T06:00:00Z/2026-01-01T12:00:00Z#1",
    "2026-01-01T12:00:00Z/2026-01-01T18:00:00Z#1",
    "2026-01-01T18:00:00Z/2026-01-02T00:00:00Z#1",
  ]);
  // 600 pages and the empty one per 6 h, plus 2 discarded probes: after a split the smaller span
  // sticks until the next chunk boundary
  assertEquals(client.calls.length, 4 * 601 + 2);
});

Deno.test("conversationDetailsPages fails clearly when a chunk is too dense at the minimum span", async () => {
  const client = new QueryClient(() => ({ totalHits: 200_000, conversations: [] }));
  const error = await assertRejects(
    () =>
      Array.fromAsync(
        conversationDetailsPages(client, { interval: "2026-01-01/2026-01-02" }, { minChunk: "1h" }),
      ),
    GenesysError,
    "alone has about 200000 conversations, more than the details query can page through (100000 in pages of 100)",
  );
  assert.match(error.message, /cannot be split below minChunk '1h'/);
  assert.match(error.message, /'2026-01-01T00:00:00Z\/2026-01-01T01:30:00Z'/);
  assertEquals(client.calls.length, 5); // 24h, 12h, 6h, 3h, 1.5h
});

Deno.test("conversationDetailsPages fails when a chunk needs a page past the paging limit, without asking for it", async () => {
  let n = 0;
  // totalHits says 3 (too low), but records keep coming.
  const client = new QueryClient(() => ({
    totalHits: 3,
    conversations: [conv(`g${++n}`, at("2026-01-01T01:00:00Z") + n)],
  }));
  const error = await assertRejects(
    () =>
      Array.fromAsync(
        conversationDetailsPages(client, { interval: "2026-01-01/2026-01-02" }, {
          pageSize: 1,
          maxResults: 5,
          concurrency: 4,
        }),
      ),
    GenesysError,
    "holds more conversations than the details query can page through (5 in pages of 1; its totalHits said 3, an estimate)",
  );
  assert.match(error.message, /smaller chunk/);
  assertEquals(client.asked.map((a) => Number(a.split("#")[1])).sort(), [1, 2, 3, 4, 5]);
});

Deno.test("conversationDetailsPages yields a conversation on a chunk boundary once", async () => {
  const midnight = at("2026-01-02T00:00:00Z");
  const data = [
    conv("before", midnight - 5 * 60_000),
    conv("edge", midnight),
    conv("after", midnight + 5 * 60_000),
    conv("next", midnight + H),
  ];
  for (const order of ["asc", "desc"] as const) {
    const client = new QueryClient(details(data, { inclusiveEnd: true }));
    const pages = await Array.fromAsync(
      conversationDetailsPages(client, { interval: "2026-01-01/2026-01-03", order }),
    );
    const got = ids(pages);
    assertEquals(got.length, 4, `${order}: ${got}`);
    assertEquals(new Set(got).size, 4);
    assertEquals(pages.reduce((n, p) => n + p.dropped, 0), 1);
  }
});

Deno.test("conversationDetailsPages keeps only the conversations that started in each chunk, under the API's overlap semantics", async () => {
  const data = longCalls();
  const cases: [string, ConversationDetailsOptions][] = [
    ["2026-01-01T06:00:00Z/2026-01-03T00:00:00Z", { chunk: "6h" }],
    ["2026-01-01T06:00:00Z/2026-01-03T00:00:00Z", {}],
    ["2026-01-01T07:30:00Z/2026-01-02T19:00:00Z", { chunk: "4h" }],
    // bisected: a span with more than 80 % of 20 hits is halved
    ["2026-01-01T00:00:00Z/2026-01-03T00:00:00Z", { maxResults: 20, pageSize: 5 }],
  ];
  for (const [interval, options] of cases) {
    for (const order of ["asc", "desc"] as const) {
      const client = new QueryClient(details(data, { semantics: "real" }));
      const pages = await Array.fromAsync(
        conversationDetailsPages(client, { interval, order }, { pageSize: 7, ...options }),
      );
      const got = ids(pages);
      const expected = startedIn(data, interval);
      const label = `${interval} ${order} ${JSON.stringify(options)}`;
      assertEquals(new Set(got).size, got.length, `${label}: a conversation written twice`);
      assertEquals([...got].sort(), [...expected].sort(), label);
      assert.ok(pages.reduce((n, p) => n + p.dropped, 0) > 0, `${label}: nothing was dropped`);
    }
  }
  // Two back-to-back intervals (yesterday, then today) give each conversation once.
  const client = new QueryClient(details(data, { semantics: "real" }));
  const first = await Array.fromAsync(
    conversationDetailsPages(client, { interval: "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z" }),
  );
  const second = await Array.fromAsync(
    conversationDetailsPages(client, { interval: "2026-01-02T00:00:00Z/2026-01-03T00:00:00Z" }),
  );
  const both = [...ids(first), ...ids(second)];
  assertEquals(new Set(both).size, both.length);
  assertEquals(both.sort(), startedIn(data, "2026-01-01T00:00:00Z/2026-01-03T00:00:00Z").sort());
});

Deno.test("conversationDetailsPages refuses conversations that are not objects", async () => {
  const client = new QueryClient(() => ({ totalHits: 2, conversations: ["c1", "c2"] }));
  await assertRejects(
    () => Array.fromAsync(conversationDetailsPages(client, { interval: "2026-01-01/2026-01-02" })),
    GenesysError,
    "conversations that are not records",
  );
});
Deno.test("conversationDetailsPages reports an estimated total from the last chunk on, exact at the end", async () => {
  const data = spread("2026-01-01T10:00:00Z", 6, 12 * H); // 3 days
  const client = new QueryClient(details(data));
  const pages = await Array.fromAsync(
    conversationDetailsPages(client, { interval: "2026-01-01/2026-01-04" }, { pageSize: 1 }),
  );
  const unknown = Array(6).fill(undefined);
  assertEquals(pages.map((p) => p.total), [...unknown, 6, 6, 6]);
  assertEquals(pages.map((p) => p.totalHits), Array(9).fill(2));
});

Deno.test("conversationDetailsPages aborts the prefetched page when the loop ends early", async () => {
  let first = true;
  const client = new QueryClient((call) => {
    if (first) {
      first = false;
      return { totalHits: 5, conversations: [conv("a", at("2026-01-01T01:00:00Z"))] };
    }
    return new Promise((_, reject) => {
      const signal = call.options.signal!;
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  });
  for await (
    const c of conversationDetails(client, { interval: "2026-01-01/2026-01-02" }, { pageSize: 1 })
  ) {
    assertEquals(c.conversationId, "a");
    break;
  }
  assertEquals(client.calls.length, 2);
  assertEquals(client.calls[1].options.signal!.aborted, true);
});
