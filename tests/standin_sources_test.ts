/**
 * The sources (page-number listings, the details query, the details jobs API) through the real
 * client against the independent Genesys stand-in (tests/_standin.ts), in the variations
 * genesys-api.md allows rather than the ones our simulator happens to produce.
 */
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { detailsQueryRoute, grid, JobsStandIn } from "./_standin_analytics.ts";
import {
  pageListing,
  type PageListingOptions,
  type Seen,
  type StandIn,
  standInClient,
} from "./_standin.ts";
import { listingSource } from "../lib/paginate/listing_source.ts";
import { paginate } from "../lib/paginate/paginate.ts";
import {
  conversationDetailsPages,
  conversationDetailsSource,
} from "../lib/analytics/conversation_details.ts";
import { conversationDetailsJobPages } from "../lib/analytics/details_job.ts";
import { items } from "../lib/paginate/items.ts";
import type { JsonValue } from "../lib/types.ts";
import { JobError, UsageError } from "../lib/errors.ts";

interface User {
  id: string;
  state: string;
}

/** 230 users; every third is inactive. */
const USERS: User[] = Array.from({ length: 230 }, (_, i) => ({
  id: `u${String(i).padStart(3, "0")}`,
  state: i % 3 === 2 ? "inactive" : "active",
}));
const ACTIVE = USERS.filter((u) => u.state === "active").map((u) => u.id);

/** `/api/v2/users` honouring `state` (default all) and the given listing options. */
function usersRoute(standIn: StandIn, options: PageListingOptions = {}) {
  standIn.on("GET", "/api/v2/users", (seen) => {
    const state = seen.url.searchParams.get("state");
    const all = state === null ? USERS : USERS.filter((u) => u.state === state);
    return pageListing(seen.url, all, options);
  });
}

const ids = (pages: { entities: unknown[] }[]) =>
  pages.flatMap((p) => (p.entities as User[]).map((u) => u.id));
const apiGets = (standIn: StandIn) => standIn.apiRequests.filter((r) => r.method === "GET");

// ---------------------------------------------------------------------------------------------
// Page-number listings

Deno.test("Stand-in listing: a documented nextUri without the caller's query keeps the filter on every page", async () => {
  const { standIn, client } = standInClient();
  usersRoute(standIn); // nextUri like the doc: /api/v2/users?pageSize=100&pageNumber=2
  const pages = await Array.fromAsync(
    paginate(client, "/api/v2/users", { pageSize: 50, query: { state: "active" } }),
  );
  assertEquals(ids(pages), ACTIVE);
  for (const request of apiGets(standIn)) {
    assertEquals(request.url.searchParams.get("state"), "active", request.url.href);
  }
});

Deno.test("Stand-in listing: a nextUri with its query in another order still allows concurrent pages", async () => {
  const { standIn, client } = standInClient();
  let inFlight = 0;
  let most = 0;
  standIn.on("GET", "/api/v2/users", async (seen) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    inFlight--;
    return pageListing(seen.url, USERS, {
      uri: (path, size, n) => `${path}?pageNumber=${n}&state=any&pageSize=${size}`,
    });
  });
  const pages = await Array.fromAsync(
    paginate(client, "/api/v2/users", { pageSize: 20, concurrency: 4, query: { state: "any" } }),
  );
  assertEquals(ids(pages), USERS.map((u) => u.id));
  assertEquals(pages.map((p) => p.pageNumber), Array.from({ length: 12 }, (_, i) => i + 1));
  assertEquals(apiGets(standIn).length, 12);
  assert.ok(most >= 3, `at most ${most} requests were in flight`);
});

Deno.test("Stand-in listing: no pageCount, no total, no lastUri: the missing nextUri ends it", async () => {
  const { standIn, client } = standInClient();
  usersRoute(standIn, { omit: ["pageCount", "total", "lastUri"] });
  const pages = await Array.fromAsync(paginate(client, "/api/v2/users", { pageSize: 100 }));
  assertEquals(ids(pages), USERS.map((u) => u.id));
  assertEquals(pages.map((p) => p.total), [undefined, undefined, undefined]);
  assertEquals(pages.map((p) => p.nextPageNumber), [2, 3, undefined]);
  assertEquals(apiGets(standIn).length, 3);
});

Deno.test("Stand-in listing: an empty listing is one empty page", async () => {
  const { standIn, client } = standInClient();
  standIn.on("GET", "/api/v2/routing/queues", (seen) => pageListing(seen.url, []));
  const pages = await Array.fromAsync(paginate(client, "/api/v2/routing/queues"));
  assertEquals(pages.length, 1);
  assertEquals(pages[0].entities, []);
  assertEquals(pages[0].total, 0);
  assertEquals(apiGets(standIn).length, 1);
});

Deno.test("Stand-in listing: a server that caps pageSize (asked 500, answers 100) gives every entity once, resumed or not", async () => {
  const { standIn, client } = standInClient();
  usersRoute(standIn, { maxPageSize: 100 });
  const source = listingSource<User>(client, "/api/v2/users", { pageSize: 500 });
  const pages = await Array.fromAsync(source.pages());
  assertEquals(pages.flatMap((p) => p.records.map((u) => u.id)), USERS.map((u) => u.id));
  assertEquals(pages.map((p) => p.position), [
    { pageNumber: 2 },
    { pageNumber: 3 },
    { pageNumber: 4, done: true },
  ]);
  const rest = await Array.fromAsync(source.pages(pages[0].position));
  assertEquals(rest.flatMap((p) => p.records.map((u) => u.id)), USERS.slice(100).map((u) => u.id));
});

Deno.test("Stand-in listing: a nextUri with extra parameters (&sortOrder=ASC) is followed as given", async () => {
  const { standIn, client } = standInClient();
  usersRoute(standIn, {
    uri: (path, size, n) => `${path}?pageSize=${size}&pageNumber=${n}&sortOrder=ASC`,
  });
  const pages = await Array.fromAsync(paginate(client, "/api/v2/users", { pageSize: 100 }));
  assertEquals(ids(pages), USERS.map((u) => u.id));
  assertEquals(
    apiGets(standIn).map((r) => r.url.searchParams.get("sortOrder")),
    [null, "ASC", "ASC"],
  );
});

Deno.test("Stand-in listing: an absolute nextUri on the API host is followed on that host", async () => {
  const { standIn, client } = standInClient();
  usersRoute(standIn, {
    uri: (path, size, n) =>
      `https://api.mypurecloud.ie${path}?pageSize=${size}&pageNumber=${n}&state=active`,
  });
  const source = listingSource<User>(client, "/api/v2/users", {
    pageSize: 40,
    query: { state: "active" },
  });
  const pages = await Array.fromAsync(source.pages());
  assertEquals(pages.flatMap((p) => p.records.map((u) => u.id)), ACTIVE);
  for (const request of standIn.apiRequests) assertEquals(request.url.host, "api.mypurecloud.ie");
});

Deno.test("Stand-in listing: listingSource resumed from every position under a query-less nextUri gives the same records", async () => {
  const { standIn, client } = standInClient();
  usersRoute(standIn);
  const source = listingSource<User>(client, "/api/v2/users", {
    pageSize: 30,
    query: { state: "inactive" },
  });
  const full = await Array.fromAsync(source.pages());
  const expected = USERS.filter((u) => u.state === "inactive").map((u) => u.id);
  assertEquals(full.flatMap((p) => p.records.map((u) => u.id)), expected);
  for (let i = 0; i < full.length; i++) {
    const rest = await Array.fromAsync(source.pages(full[i].position));
    const before = full.slice(0, i + 1).flatMap((p) => p.records.map((u) => u.id));
    assertEquals([...before, ...rest.flatMap((p) => p.records.map((u) => u.id))], expected);
  }
});

// ---------------------------------------------------------------------------------------------
// The details query

const bodies = (standIn: StandIn, path: string) =>
  standIn.apiRequests.filter((r) => r.url.pathname === path).map((r: Seen) =>
    JSON.parse(r.body) as Record<string, unknown>
  );
const QUERY = "/api/v2/analytics/conversations/details/query";

Deno.test("Stand-in details query: the body is exactly interval 'start/end', paging {pageSize, pageNumber}, and only the fields given", async () => {
  const { standIn, client } = standInClient();
  standIn.on("POST", QUERY, detailsQueryRoute({ stepMs: 6 * 3_600_000 }));
  const interval = "2026-01-05T00:00:00Z/2026-01-07T00:00:00Z";
  await Array.fromAsync(conversationDetailsPages(client, { interval }));
  // Each day ends on its empty second page.
  assertEquals(bodies(standIn, QUERY), [
    {
      interval: "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z",
      paging: { pageSize: 100, pageNumber: 1 },
    },
    {
      interval: "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z",
      paging: { pageSize: 100, pageNumber: 2 },
    },
    {
      interval: "2026-01-06T00:00:00Z/2026-01-07T00:00:00Z",
      paging: { pageSize: 100, pageNumber: 1 },
    },
    {
      interval: "2026-01-06T00:00:00Z/2026-01-07T00:00:00Z",
      paging: { pageSize: 100, pageNumber: 2 },
    },
  ]);
  for (const r of standIn.apiRequests) {
    assertEquals(r.headers.get("content-type"), "application/json");
    assertEquals(r.method, "POST");
  }
  const filters = [{ type: "or", predicates: [{ dimension: "mediaType", value: "voice" }] }];
  const second = standInClient();
  second.standIn.on("POST", QUERY, detailsQueryRoute({ stepMs: 6 * 3_600_000 }));
  await Array.fromAsync(conversationDetailsPages(second.client, {
    interval: "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z",
    order: "desc",
    orderBy: "conversationStart",
    segmentFilters: filters,
    paging: { pageSize: 50 },
  }));
  assertEquals(
    bodies(second.standIn, QUERY),
    [1, 2].map((pageNumber) => ({
      interval: "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z",
      order: "desc",
      orderBy: "conversationStart",
      segmentFilters: filters,
      paging: { pageSize: 50, pageNumber },
    })),
  );
});

Deno.test("Stand-in details query: a chunk of exactly two full pages ends on its empty third page", async () => {
  const { standIn, client } = standInClient();
  standIn.on("POST", QUERY, detailsQueryRoute({ stepMs: 432_000 })); // 200 a day
  const interval = "2026-01-05T00:00:00Z/2026-01-07T00:00:00Z";
  const pages = await Array.fromAsync(conversationDetailsPages(client, { interval }));
  const got = pages.flatMap((p) => p.conversations.map((c) => c.conversationId));
  assertEquals(got.length, 400);
  assertEquals(new Set(got).size, 400);
  assertEquals(
    bodies(standIn, QUERY).map((b) => (b.paging as { pageNumber: number }).pageNumber),
    [1, 2, 3, 1, 2, 3],
  );
});

Deno.test("Stand-in details query: totalHits 0 without a conversations key is an empty chunk", async () => {
  const { standIn, client } = standInClient();
  standIn.on("POST", QUERY, detailsQueryRoute({ stepMs: 10 * 86_400_000 }));
  const interval = "2026-01-08T00:00:00Z/2026-01-11T00:00:00Z"; // no grid point inside
  const pages = await Array.fromAsync(conversationDetailsPages(client, { interval }));
  assertEquals(pages.flatMap((p) => p.conversations), []);
  assertEquals(standIn.apiRequests.length, 3);
  assertEquals(standIn.apiRequests.map((r) => r.status), [200, 200, 200]);
});

Deno.test("Stand-in details query: a day with 172,800 hits is split until a span has no more than 80,000", async () => {
  const { standIn, client } = standInClient();
  standIn.on("POST", QUERY, detailsQueryRoute({ stepMs: 500 }));
  const seen: string[] = [];
  const interval = "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z";
  for await (const page of conversationDetailsPages(client, { interval })) {
    seen.push(`${page.interval}#${page.pageNumber}`);
    if (seen.length === 2) break;
  }
  assertEquals(
    bodies(standIn, QUERY).slice(0, 3).map((b) =>
      `${b.interval}#${(b.paging as { pageNumber: number }).pageNumber}`
    ),
    [
      "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z#1",
      "2026-01-05T00:00:00Z/2026-01-05T12:00:00Z#1",
      "2026-01-05T00:00:00Z/2026-01-05T06:00:00Z#1",
    ],
  );
  assertEquals(seen, [
    "2026-01-05T00:00:00Z/2026-01-05T06:00:00Z#1",
    "2026-01-05T00:00:00Z/2026-01-05T06:00:00Z#2",
  ]);
  assert.ok(standIn.apiRequests.every((r) => r.status === 200));
});

Deno.test("Stand-in details query: a page size that does not divide the paging limit never asks past it", async () => {
  // The stand-in refuses pageNumber * pageSize > limit, as "Pagination may not exceed N results"
  // reads; with pageSize 30 a chunk of 245 hits needs page 9 (up to 270) past a limit of 250.
  const { standIn, client } = standInClient();
  const stepMs = 352_654;
  standIn.on("POST", QUERY, detailsQueryRoute({ stepMs, limit: 250 }));
  const start = Date.UTC(2026, 0, 5);
  const end = Date.UTC(2026, 0, 7);
  const source = conversationDetailsSource(client, {
    interval: "2026-01-05T00:00:00Z/2026-01-07T00:00:00Z",
  }, { pageSize: 30, maxResults: 250 });
  const pages = await Array.fromAsync(source.pages());
  const expected = grid(start, end, stepMs);
  assert.ok(grid(start, start + 86_400_000, stepMs).count > 240);
  const got = pages.flatMap((p) => p.records.map((c) => c.conversationId));
  assertEquals(
    got,
    Array.from({ length: expected.count }, (_, k) => expected.at(k).conversationId),
  );
  assertEquals(standIn.apiRequests.filter((r) => r.status !== 200).length, 0);
  // And the resume positions hold against the same stand-in.
  const middle = pages[Math.floor(pages.length / 2)].position as JsonValue;
  const rest = await Array.fromAsync(source.pages(middle));
  const head = pages.slice(0, Math.floor(pages.length / 2) + 1)
    .flatMap((p) => p.records.map((c) => c.conversationId));
  assertEquals([...head, ...rest.flatMap((p) => p.records.map((c) => c.conversationId))], got);
});

// ---------------------------------------------------------------------------------------------
// The details jobs API

const JOBS = "/api/v2/analytics/conversations/details/jobs";
const JOB_INTERVAL = "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z";

function jobsSetup(deleteStatus = 204, availability = "2026-01-19T00:00:00.000Z") {
  const { standIn, client, clock } = standInClient();
  const jobs = new JobsStandIn({ availability, deleteStatus, stepMs: 3_600_000 });
  jobs.install(standIn);
  return { standIn, client, clock, jobs };
}

Deno.test("Stand-in jobs: 202 {jobId}, QUEUED → PENDING → FULFILLED, cursor results ending without a cursor", async () => {
  const { standIn, client, clock } = jobsSetup();
  const states: string[] = [];
  const pages = await Array.fromAsync(conversationDetailsJobPages(client, {
    interval: JOB_INTERVAL,
  }, {
    pageSize: 10,
    clock: { now: clock.now, sleep: clock.sleep },
    onJob: (e) => e.state && states.push(e.state),
  }));
  const got = pages.flatMap((p) => p.conversations.map((c) => c.conversationId));
  const day = grid(Date.UTC(2026, 0, 5), Date.UTC(2026, 0, 6), 3_600_000);
  assertEquals(got, Array.from({ length: 24 }, (_, k) => day.at(k).conversationId));
  assertEquals(states, ["QUEUED", "PENDING", "PENDING", "FULFILLED"]);
  assertEquals(bodies(standIn, JOBS), [{ interval: JOB_INTERVAL }]);
  const submit = standIn.apiRequests.find((r) => r.method === "POST")!;
  assertEquals(submit.status, 202);
  const results = standIn.apiRequests.filter((r) => r.url.pathname.endsWith("/results"));
  assertEquals(results.map((r) => r.url.searchParams.has("cursor")), [false, true, true]);
  assertEquals(results.map((r) => r.url.searchParams.get("pageSize")), ["10", "10", "10"]);
  assertEquals(standIn.apiRequests.filter((r) => r.method === "DELETE").length, 0);
  assertEquals(pages.at(-1)!.position, { kind: "details-job", done: true, emitted: 24 });
});

Deno.test("Stand-in jobs: an interval past the availability date is refused before any job is submitted", async () => {
  const { standIn, client } = jobsSetup(204, "2026-01-05T12:00:00.000Z");
  await assertRejects(
    () => Array.fromAsync(items(conversationDetailsJobPages(client, { interval: JOB_INTERVAL }))),
    UsageError,
    "data availability date '2026-01-05T12:00:00.000Z'",
  );
  assertEquals(standIn.apiRequests.map((r) => `${r.method} ${r.url.pathname}`), [
    `GET ${JOBS}/availability`,
  ]);
});

Deno.test("Stand-in jobs: results that answer 404 after expiry end in a JobError", async () => {
  const { standIn, client, clock, jobs } = jobsSetup();
  const error = await assertRejects(async () => {
    for await (
      const page of conversationDetailsJobPages(client, { interval: JOB_INTERVAL }, {
        pageSize: 10,
        prefetch: false,
        cancelOnEarlyExit: false,
        clock: { now: clock.now, sleep: clock.sleep },
      })
    ) {
      if (page.conversations.length > 0) jobs.expire(page.jobId);
    }
  }, JobError);
  assertEquals(error.state, "EXPIRED");
  assert.ok(standIn.apiRequests.some((r) => r.status === 404));
});

for (const status of [202, 204]) {
  Deno.test(`Stand-in jobs: leaving early cancels the job with a DELETE answering ${status} and no body`, async () => {
    const { standIn, client, clock } = jobsSetup(status);
    for await (
      const page of conversationDetailsJobPages(client, { interval: JOB_INTERVAL }, {
        pageSize: 10,
        clock: { now: clock.now, sleep: clock.sleep },
      })
    ) {
      if (page.conversations.length > 0) break;
    }
    const deletes = standIn.apiRequests.filter((r) => r.method === "DELETE");
    assertEquals(deletes.map((r) => [r.url.pathname, r.status]), [[`${JOBS}/job-1`, status]]);
  });
}
