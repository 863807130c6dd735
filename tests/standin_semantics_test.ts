/**
 * The sources through the real client against the independent stand-in, on the API's real
 * semantics as genesys-api.md documents them (issue 11): repeated query parameters, listings that
 * only `nextUri` ends, capped listings, approximate `totalHits`, short pages, interval overlap.
 */
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import {
  errorResponse,
  pageListing,
  type StandIn,
  standInClient,
  type StandInUser,
  usersRoute,
} from "./_standin.ts";
import { detailsQueryRoute, grid, JobsStandIn } from "./_standin_analytics.ts";
import { listingSource } from "../lib/paginate/listing_source.ts";
import { paginate } from "../lib/paginate/paginate.ts";
import {
  conversationDetailsPages,
  conversationDetailsSource,
} from "../lib/analytics/conversation_details.ts";
import { conversationDetailsJobPages } from "../lib/analytics/details_job.ts";
import type { JsonValue } from "../lib/types.ts";
import { ApiError } from "../lib/errors.ts";
import { parseInterval } from "../lib/analytics/interval.ts";

const H = 3_600_000;

type User = StandInUser;

const users = (n: number, state: User["state"] = "active"): User[] =>
  Array.from({ length: n }, (_, i) => ({ id: `u${String(i).padStart(5, "0")}`, state }));

const apiGets = (standIn: StandIn, path: string) =>
  standIn.apiRequests.filter((r) => r.method === "GET" && r.url.pathname === path);

// ---------------------------------------------------------------------------------------------
// Repeated query parameters

Deno.test("Stand-in listing: repeated query values (id=a&id=b) are all sent on every page, also onto a query-less nextUri", async () => {
  const { standIn, client } = standInClient();
  const all = users(30);
  standIn.on("GET", "/api/v2/users", (seen) => {
    const wanted = seen.url.searchParams.getAll("id");
    return pageListing(seen.url, all.filter((u) => wanted.includes(u.id)));
  });
  const wanted = ["u00001", "u00004", "u00007", "u00010", "u00020"];
  const pages = await Array.fromAsync(
    paginate<User>(client, "/api/v2/users", { pageSize: 2, query: { id: wanted } }),
  );
  assertEquals(pages.flatMap((p) => p.entities.map((u) => u.id)), wanted);
  const requests = apiGets(standIn, "/api/v2/users");
  assertEquals(requests.length, 3);
  for (const r of requests) assertEquals(r.url.searchParams.getAll("id"), wanted, r.url.href);
  const source = listingSource<User>(client, "/api/v2/users", { query: { id: wanted } });
  assertEquals(source.description, {
    endpoint: "GET /api/v2/users",
    pageSize: 100,
    query: { id: wanted },
  });
});

Deno.test("GenesysClient.request sends every value of a query list, replacing the path's own", async () => {
  const { standIn, client } = standInClient();
  standIn.on("GET", "/api/v2/users", () => Response.json({ entities: [] }));
  await client.request("GET", "/api/v2/users?expand=old&state=any", {
    query: { expand: ["skills", "locations"], pageSize: 5 },
  });
  const [request] = apiGets(standIn, "/api/v2/users");
  assertEquals(request.url.search, "?state=any&expand=skills&expand=locations&pageSize=5");
  assert(request.url.searchParams.getAll("expand").length === 2);
});

// ---------------------------------------------------------------------------------------------
// Capped listings

const INACTIVE = users(12_000, "inactive");

Deno.test("Stand-in listing: inactive users past 10,000 end capped after exactly 10,000, also with pages fetched ahead", async () => {
  for (const concurrency of [1, 4]) {
    const { standIn, client } = standInClient();
    standIn.on("GET", "/api/v2/users", usersRoute([...users(50), ...INACTIVE]));
    const source = listingSource<User>(client, "/api/v2/users", {
      query: { state: "inactive" },
      concurrency,
    });
    const pages = await Array.fromAsync(source.pages());
    const last = pages.at(-1)!;
    assertEquals(
      pages.flatMap((p) => p.records.map((u) => u.id)),
      INACTIVE.slice(0, 10_000).map((u) => u.id),
    );
    assertEquals(last.records, []);
    assertEquals(last.capped?.limit, 10_000);
    assertEquals(last.position, { pageNumber: 102, done: true });
    assertEquals(pages.filter((p) => p.capped).length, 1);
    // Resumed at the cap (a run killed before the capped page was saved): capped at once.
    const resumed = await Array.fromAsync(source.pages({ pageNumber: 101 }));
    assertEquals(resumed.map((p) => [p.records.length, p.capped?.limit]), [[0, 10_000]]);
    // Resumed after it: nothing is asked again.
    const before = standIn.apiRequests.length;
    assertEquals(await Array.fromAsync(source.pages(last.position)), []);
    assertEquals(standIn.apiRequests.length, before);
  }
});

Deno.test("Stand-in listing: a page size that does not divide 10,000 ends capped at the page that straddles it", async () => {
  const { standIn, client } = standInClient();
  standIn.on("GET", "/api/v2/users", usersRoute(INACTIVE));
  const pages = await Array.fromAsync(
    paginate<User>(client, "/api/v2/users", { pageSize: 300, query: { state: "inactive" } }),
  );
  assertEquals(pages.reduce((n, p) => n + p.entities.length, 0), 9_900);
  assertEquals(pages.at(-1)?.capped?.limit, 10_000);
});

Deno.test("Stand-in listing: a 400 is an error before the cap and on listings without a documented cap", async () => {
  const { standIn, client } = standInClient();
  let fail = 3;
  standIn.on("GET", "/api/v2/users", (seen, ctx) => {
    if (Number(seen.url.searchParams.get("pageNumber")) === fail) {
      return errorResponse(400, "bad.request", "Bad page");
    }
    return usersRoute(INACTIVE)(seen, ctx);
  });
  await assertRejects(
    () => Array.fromAsync(paginate(client, "/api/v2/users", { query: { state: "inactive" } })),
    ApiError,
    "Bad page",
  );
  // Active users have no documented cap: a 400 at page 101 is an error.
  fail = 101;
  standIn.on(
    "GET",
    "/api/v2/groups",
    (seen) =>
      Number(seen.url.searchParams.get("pageNumber")) === 101
        ? errorResponse(400, "bad.request", "Past the end")
        : pageListing(seen.url, INACTIVE),
  );
  await assertRejects(
    () => Array.fromAsync(paginate(client, "/api/v2/groups")),
    ApiError,
    "Past the end",
  );
});

// ---------------------------------------------------------------------------------------------
// The details query on the API's interval semantics

const QUERY = "/api/v2/analytics/conversations/details/query";
const gridIds = (start: number, end: number, stepMs: number) => {
  const g = grid(start, end, stepMs);
  return Array.from({ length: g.count }, (_, k) => g.at(k).conversationId);
};

Deno.test("Stand-in details query: 3-hour calls, 6-hour chunks, a non-midnight start, totalHits 10 % low: each conversation that started in the interval once, nothing else", async () => {
  const stepMs = 7 * 60_000;
  for (
    const [interval, options] of [
      ["2026-01-05T06:00:00Z/2026-01-07T00:00:00Z", { chunk: "6h" }],
      ["2026-01-05T06:30:00Z/2026-01-06T17:00:00Z", {}],
      ["2026-01-05T00:00:00Z/2026-01-06T00:00:00Z", { maxResults: 100 }], // bisected down to 3 h
    ] as const
  ) {
    for (const order of ["asc", "desc"] as const) {
      const { standIn, client } = standInClient();
      standIn.on("POST", QUERY, detailsQueryRoute({ stepMs, lastsMs: 3 * H, hitsFactor: 0.9 }));
      const pages = await Array.fromAsync(
        conversationDetailsPages(client, { interval, order }, { pageSize: 50, ...options }),
      );
      const got = pages.flatMap((p) => p.conversations.map((c) => c.conversationId));
      const { start, end } = parseInterval(interval);
      assertEquals(new Set(got).size, got.length, `${interval} ${order}: written twice`);
      assertEquals([...got].sort(), gridIds(start, end, stepMs).sort(), `${interval} ${order}`);
      assert(pages.reduce((n, p) => n + p.dropped, 0) > 0, "the overlapping calls were dropped");
      assert(standIn.apiRequests.every((r) => r.status === 200));
    }
  }
});

Deno.test("Stand-in details query: an interval ending after now is read up to now and, run again later, to its end, each conversation once", async () => {
  const stepMs = 11 * 60_000;
  const interval = "2026-01-05T00:00:00Z/2026-01-07T00:00:00Z";
  const { start, end } = parseInterval(interval);
  for (const order of ["asc", "desc"] as const) {
    const { standIn, client } = standInClient();
    standIn.on("POST", QUERY, detailsQueryRoute({ stepMs, lastsMs: 2 * H }));
    const source = conversationDetailsSource(client, { interval, order }, { chunk: "6h" });
    const runs = [
      Date.parse("2026-01-05T15:20:00.400Z"),
      Date.parse("2026-01-05T15:20:00.900Z"), // the same second: nothing new
      Date.parse("2026-01-06T10:00:00Z"),
      Date.parse("2026-01-09T00:00:00Z"), // past the end
    ];
    let position: JsonValue | undefined;
    const got: string[] = [];
    const opens: (string | undefined)[] = [];
    for (const now of runs) {
      const run = conversationDetailsSource(client, { interval, order }, {
        chunk: "6h",
        clock: { now: () => now },
      });
      assertEquals(run.description, source.description);
      const pages = await Array.fromAsync(run.pages(position));
      if (pages.length === 0) break;
      got.push(...pages.flatMap((p) => p.records.map((c) => c.conversationId)));
      position = pages.at(-1)!.position;
      opens.push(pages.at(-1)!.openUntil);
      // No request reaches past the run's now.
      for (const r of standIn.apiRequests) {
        assert(parseInterval(JSON.parse(r.body).interval).end <= Math.max(now, start));
      }
    }
    assertEquals(opens, [
      "2026-01-05T15:20:00Z",
      "2026-01-05T15:20:00Z",
      "2026-01-06T10:00:00Z",
      undefined,
    ]);
    assertEquals(new Set(got).size, got.length, `${order}: written twice`);
    assertEquals([...got].sort(), gridIds(start, end, stepMs).sort(), order);
    assertEquals(position, { kind: "details-query", done: true, emitted: got.length });
  }
});

// ---------------------------------------------------------------------------------------------
// Details jobs on the API's semantics

Deno.test("Stand-in jobs: overlap semantics (3-hour calls), with and without startOfDayIntervalMatching, keep each conversation that started in the interval once", async () => {
  const stepMs = 13 * 60_000;
  const interval = "2026-01-05T07:00:00Z/2026-01-06T05:00:00Z";
  const { start, end } = parseInterval(interval);
  for (const startOfDayIntervalMatching of [false, true]) {
    const { standIn, client } = standInClient();
    new JobsStandIn({ availability: "2026-01-19T00:00:00Z", stepMs, lastsMs: 3 * H }).install(
      standIn,
    );
    const pages = await Array.fromAsync(
      conversationDetailsJobPages(client, { interval, startOfDayIntervalMatching }, {
        clock: { sleep: () => Promise.resolve(), now: () => Date.parse("2026-01-20T00:00:00Z") },
        pageSize: 40,
      }),
    );
    const got = pages.flatMap((p) => p.conversations.map((c) => c.conversationId));
    assertEquals(new Set(got).size, got.length);
    assertEquals(got, gridIds(start, end, stepMs));
    assert(pages.reduce((n, p) => n + p.dropped, 0) > 0, "the earlier conversations were dropped");
  }
});
