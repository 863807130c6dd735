import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/_assert.ts";
import {
  type ConversationDetailsPage,
  conversationDetailsPages,
  conversationDetailsSource,
} from "./conversation_details.ts";
import type { ConversationDetailsOptions } from "./_details_state.ts";
import type { ConversationDetailsQuery } from "./details_query.ts";
import type { JsonValue } from "../types.ts";
import { CheckpointError, UsageError } from "../errors.ts";
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

/** Collects every page, then checks resuming from each position gives the same remaining ids. */
async function checkResumeEverywhere(
  handler: (call: Call) => unknown,
  query: ConversationDetailsQuery,
  options: ConversationDetailsOptions,
): Promise<ConversationDetailsPage[]> {
  const client = new QueryClient(handler);
  const pages: ConversationDetailsPage[] = await Array.fromAsync(
    conversationDetailsPages(client, query, options),
  );
  const all = ids(pages);
  assertEquals(new Set(all).size, all.length, "no repeats");
  let offset = 0;
  for (const page of pages) {
    offset += page.conversations.length;
    const position = JSON.parse(JSON.stringify(page.position)) as JsonValue;
    const rest = await Array.fromAsync(
      conversationDetailsPages(new QueryClient(handler), query, {
        ...options,
        resumeFrom: position,
      }),
    );
    assertEquals(ids(rest), all.slice(offset), `resume from ${JSON.stringify(position)}`);
    assert.ok(JSON.stringify(position).length < 600, "positions stay small");
  }
  return pages;
}

Deno.test("conversationDetailsPages resumes from every position with the same remaining records", async () => {
  const data = [
    ...spread("2026-01-01T20:00:00Z", 9, 40 * 60_000),
    conv("edge1", at("2026-01-02T00:00:00Z")),
    conv("edge2", at("2026-01-03T00:00:00Z")),
    ...spread("2026-01-03T01:00:00Z", 7, 5 * 60_000).map((c) => ({
      ...c,
      conversationId: `d${c.conversationId}`,
    })),
  ];
  const handler = details(data, { inclusiveEnd: true });
  for (const order of ["asc", "desc"] as const) {
    const query = { interval: "2026-01-01T18:00:00Z/2026-01-03T12:00:00Z", order };
    const pages = await checkResumeEverywhere(handler, query, { pageSize: 3 });
    assert.ok(pages.length >= 8);
    assert.ok(pages.some((p) => p.dropped > 0), "a boundary repeat was dropped");
    // with bisection (at most 4 hits per span), spans shorter than the day chunk appear
    const split = await checkResumeEverywhere(handler, query, {
      pageSize: 2,
      maxResults: 4,
      minChunk: "1m",
    });
    assertEquals(ids(split), ids(pages));
    assert.ok(
      split.some((p) => parseInterval(p.interval).end - parseInterval(p.interval).start < 6 * H),
    );
    // Long and live calls under the API's overlap semantics, 6-hour chunks, short pages.
    const real = details(longCalls(), { semantics: "real", ghostsEvery: 4, hitsFactor: 0.9 });
    const interval = "2026-01-01T06:00:00Z/2026-01-02T20:00:00Z";
    const overlap = await checkResumeEverywhere(real, { interval, order }, {
      pageSize: 6,
      chunk: "6h",
    });
    assertEquals([...ids(overlap)].sort(), startedIn(longCalls(), interval).sort());
  }
});

Deno.test("conversationDetailsSource describes the query and resumes like the page API", async () => {
  const data = spread("2026-01-01T10:00:00Z", 5, 6 * H);
  const client = new QueryClient(details(data));
  const query = { interval: "2026-01-01/2026-01-03", orderBy: "conversationStart" };
  const source = conversationDetailsSource(client, query, { pageSize: 2 });
  assertEquals(source.recordType, "conversation");
  assertEquals(source.description, {
    endpoint: "POST /api/v2/analytics/conversations/details/query",
    interval: "2026-01-01T00:00:00Z/2026-01-03T00:00:00Z",
    body: { orderBy: "conversationStart" },
    chunk: "1d",
    pageSize: 2,
    maxResults: 100_000,
  });
  const pages = await Array.fromAsync(source.pages());
  assertEquals(pages.flatMap((p) => p.records.map((r) => r.conversationId)), [
    "c0",
    "c1",
    "c2",
    "c3",
    "c4",
  ]);
  const rest = await Array.fromAsync(source.pages(pages[1].position));
  assertEquals(rest.flatMap((p) => p.records.map((r) => r.conversationId)), ["c3", "c4"]);
  const calls = client.calls.length;
  assertEquals(await Array.fromAsync(source.pages(pages.at(-1)!.position)), []);
  assertEquals(client.calls.length, calls);
  assertThrows(
    () => conversationDetailsSource(client, { interval: "2026-01-02/2026-01-01" }),
    UsageError,
    "reversed",
  );
});

Deno.test("conversationDetailsPages refuses positions of another query", async () => {
  const client = new QueryClient(details([]));
  const query = { interval: "2026-01-01/2026-01-02" };
  const walk = "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z";
  const bad: JsonValue[] = [
    { pageNumber: 2 },
    { kind: "details-query", emitted: 0, from: "2025-01-01T00:00:00Z", spanMs: 1000 },
    {
      kind: "details-query",
      emitted: 0,
      walk,
      span: "2026-01-01/2026-01-05",
      pageNumber: 2,
      spanMs: 1000,
    },
    { kind: "details-query", emitted: 0, walk, from: "garbage", spanMs: 1000 },
    {
      kind: "details-query",
      emitted: 0,
      walk: "2026-01-01/2026-01-09",
      from: "2026-01-01",
      spanMs: 1,
    },
    { kind: "details-query", emitted: 0, until: "2025-01-01T00:00:00Z" },
  ];
  for (const position of bad) {
    await assertRejects(
      () => Array.fromAsync(conversationDetailsPages(client, query, { resumeFrom: position })),
      CheckpointError,
      "delete the checkpoint",
    );
  }
  // A position of the earlier format (boundary-dedupe lists): refused, saying why.
  const old = {
    kind: "details-query",
    emitted: 3,
    from: "2026-01-01T06:00:00Z",
    spanMs: 1,
    prev: [],
  };
  await assertRejects(
    () => Array.fromAsync(conversationDetailsPages(client, query, { resumeFrom: old })),
    CheckpointError,
    "written by an earlier version that removed repeats at chunk boundaries",
  );
  assertEquals(client.calls.length, 0);
});

Deno.test("conversationDetailsPages resumed later from every position of an interval clamped to now reads on to the new now, each conversation once", async () => {
  const data = longCalls();
  const interval = "2026-01-01T05:00:00Z/2026-01-04T00:00:00Z";
  const now1 = at("2026-01-02T03:17:00Z");
  const now2 = at("2026-01-02T21:40:00Z");
  const handler = details(data, { semantics: "real" });
  for (const order of ["asc", "desc"] as const) {
    const options = { pageSize: 5, chunk: "6h", clock: { now: () => now1 } };
    const pages = await Array.fromAsync(
      conversationDetailsPages(new QueryClient(handler), { interval, order }, options),
    );
    assertEquals(pages.at(-1)!.openUntil, "2026-01-02T03:17:00Z");
    const first = ids(pages);
    assertEquals(
      [...first].sort(),
      startedIn(data, "2026-01-01T05:00:00Z/2026-01-02T03:17:00Z").sort(),
    );
    const until2 = startedIn(data, "2026-01-01T05:00:00Z/2026-01-02T21:40:00Z");
    let offset = 0;
    for (const page of pages) {
      offset += page.conversations.length;
      const rest = await Array.fromAsync(
        conversationDetailsPages(new QueryClient(handler), { interval, order }, {
          ...options,
          clock: { now: () => now2 },
          resumeFrom: JSON.parse(JSON.stringify(page.position)),
        }),
      );
      const all = [...first.slice(0, offset), ...ids(rest)];
      assertEquals(new Set(all).size, all.length, `${order}: written twice`);
      assertEquals(
        all.sort(),
        [...until2].sort(),
        `${order} from ${JSON.stringify(page.position)}`,
      );
      assertEquals(rest.at(-1)?.openUntil, "2026-01-02T21:40:00Z");
    }
  }
});
