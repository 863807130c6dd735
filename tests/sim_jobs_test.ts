import { type Simulator, startSimulator } from "../testing.ts";
import { assert, assertEquals } from "./_assert.ts";
import { type Json, simCall, simToken } from "./_sim_fetch.ts";

const JOBS = "/api/v2/analytics/conversations/details/jobs";

async function submit(sim: Simulator, auth: string, body: unknown): Promise<string> {
  const { status, json } = await simCall(sim, auth, "POST", JOBS, body);
  assertEquals(status, 202);
  return json.jobId;
}

async function waitFulfilled(sim: Simulator, auth: string, jobId: string): Promise<string[]> {
  const states: string[] = [];
  for (let i = 0; i < 10; i++) {
    const { json } = await simCall(sim, auth, "GET", `${JOBS}/${jobId}`);
    states.push(json.state);
    if (json.state !== "QUEUED" && json.state !== "PENDING") break;
  }
  return states;
}

/** Every results page; each reports the same data availability date, at most the current one. */
async function readAll(sim: Simulator, auth: string, jobId: string, pageSize: number) {
  const ids: string[] = [];
  const conversations: Json[] = [];
  const dates = new Set<string>();
  let cursor: string | undefined;
  for (let i = 0; i < 500; i++) {
    const q = new URLSearchParams({ pageSize: String(pageSize) });
    if (cursor) q.set("cursor", cursor);
    const { status, json } = await simCall(sim, auth, "GET", `${JOBS}/${jobId}/results?${q}`);
    assertEquals(status, 200);
    dates.add(json.dataAvailabilityDate);
    assert(json.dataAvailabilityDate <= sim.dataAvailabilityDate, json.dataAvailabilityDate);
    assertEquals(dates.size, 1);
    conversations.push(...json.conversations);
    ids.push(...json.conversations.map((c: Json) => c.conversationId));
    cursor = json.cursor;
    if (!cursor) break;
  }
  return { ids, conversations };
}

Deno.test("startSimulator jobs move QUEUED, PENDING, FULFILLED over the configured polls", async () => {
  await using sim = await startSimulator({ conversations: 100, jobPolls: 3 });
  const auth = await simToken(sim);
  const jobId = await submit(sim, auth, { interval: "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z" });
  assertEquals(await waitFulfilled(sim, auth, jobId), [
    "QUEUED",
    "PENDING",
    "PENDING",
    "FULFILLED",
  ]);
  const { json } = await simCall(sim, auth, "GET", `${JOBS}/${jobId}`);
  assertEquals(json.state, "FULFILLED");
  for (const field of ["submissionDate", "completionDate", "expirationDate"]) {
    assert(!Number.isNaN(Date.parse(json[field])), field);
  }
  assertEquals(json.errorMessage, undefined);
  assertEquals(sim.stats.jobsSubmitted, 1);
});

Deno.test("startSimulator job results page by cursor to exactly the expected overlap ids", async () => {
  await using sim = await startSimulator({
    conversations: 8000,
    longConversationShare: 0.1,
    jobPolls: 1,
  });
  const auth = await simToken(sim);
  const interval = "2026-01-10T00:30:00Z/2026-01-17T18:00:00Z";
  const jobId = await submit(sim, auth, { interval });
  assertEquals(await waitFulfilled(sim, auth, jobId), ["QUEUED", "FULFILLED"]);
  const { ids, conversations } = await readAll(sim, auth, jobId, 37);
  assertEquals(ids, sim.jobConversationIds({ interval }));
  // Overlap matching: every conversation overlaps the interval, and some started before it.
  const [from, to] = interval.split("/").map(Date.parse);
  for (const c of conversations) {
    assert(Date.parse(c.conversationStart) < to && Date.parse(c.conversationEnd) > from);
  }
  const early = conversations.filter((c) => Date.parse(c.conversationStart) < from);
  assert(early.length > 0, "no conversation started before the interval");
  const dayBefore = early.filter((c) => c.conversationStart < "2026-01-10T00:00:00.000Z");
  assert(dayBefore.length > 0, "no conversation started the day before");
  // startOfDayIntervalMatching: only those that started on or after 00:00 UTC of the first day,
  // like the query endpoint.
  const sod = await submit(sim, auth, { interval, startOfDayIntervalMatching: true });
  await waitFulfilled(sim, auth, sod);
  const sodIds = (await readAll(sim, auth, sod, 1000)).ids;
  assertEquals(sodIds, sim.detailsQueryIds(interval));
  assertEquals(
    sodIds,
    conversations.filter((c) => c.conversationStart >= "2026-01-10T00:00:00.000Z")
      .map((c) => c.conversationId),
  );
  // Cursors stay valid while the job lives: re-reading from the first page gives the same ids.
  assertEquals((await readAll(sim, auth, jobId, 37)).ids, ids);
});

Deno.test("startSimulator jobs honour limit, order, filters and the data availability date", async () => {
  await using sim = await startSimulator({
    conversations: 500,
    jobPolls: 0,
    dataAvailabilityDate: "2026-01-20T00:00:00Z",
  });
  const auth = await simToken(sim);
  assertEquals((await simCall(sim, auth, "GET", `${JOBS}/availability`)).json, {
    dataAvailabilityDate: "2026-01-20T00:00:00.000Z",
  });
  const interval = "2026-01-15T00:00:00Z/2026-01-25T00:00:00Z";
  const body = {
    interval,
    order: "desc",
    limit: 20,
    segmentFilters: [{ type: "or", predicates: [{ dimension: "mediaType", value: "voice" }] }],
  };
  const jobId = await submit(sim, auth, body);
  await waitFulfilled(sim, auth, jobId);
  const { ids, conversations } = await readAll(sim, auth, jobId, 7);
  assertEquals(ids.length, 20);
  assertEquals(ids, sim.jobConversationIds(body as Parameters<Simulator["jobConversationIds"]>[0]));
  for (let i = 1; i < conversations.length; i++) {
    assert(conversations[i - 1].conversationStart > conversations[i].conversationStart);
  }
  for (const c of conversations) {
    assert(c.conversationStart < "2026-01-20T00:00:00.000Z", "beyond data availability");
    assertEquals(c.participants[0].sessions[0].mediaType, "voice");
  }
});

Deno.test("startSimulator job results before FULFILLED answer 400 job.not.fulfilled", async () => {
  await using sim = await startSimulator({ conversations: 50, jobPolls: 2 });
  const auth = await simToken(sim);
  const jobId = await submit(sim, auth, { interval: "2026-01-01T00:00:00Z/2026-01-31T00:00:00Z" });
  const early = await simCall(sim, auth, "GET", `${JOBS}/${jobId}/results`);
  assertEquals(early.status, 400);
  assertEquals(early.json.code, "job.not.fulfilled");
});

Deno.test("startSimulator jobs expire after jobExpirySeconds", async () => {
  let now = Date.UTC(2026, 1, 1);
  await using sim = await startSimulator({
    conversations: 50,
    jobPolls: 0,
    jobExpirySeconds: 60,
    now: () => now,
  });
  const auth = await simToken(sim);
  const jobId = await submit(sim, auth, { interval: "2026-01-01T00:00:00Z/2026-01-31T00:00:00Z" });
  await waitFulfilled(sim, auth, jobId);
  const first = await simCall(sim, auth, "GET", `${JOBS}/${jobId}/results?pageSize=10`);
  assertEquals(first.status, 200);
  assertEquals(
    (await simCall(sim, auth, "GET", `${JOBS}/${jobId}`)).json.expirationDate,
    new Date(Date.UTC(2026, 1, 1) + 60_000).toISOString(),
  );
  now += 60_000;
  assertEquals((await simCall(sim, auth, "GET", `${JOBS}/${jobId}`)).json.state, "EXPIRED");
  const gone = await simCall(
    sim,
    auth,
    "GET",
    `${JOBS}/${jobId}/results?cursor=${first.json.cursor}&pageSize=10`,
  );
  assertEquals(gone.status, 404);
  assertEquals(gone.json.code, "job.expired");
});

Deno.test("startSimulator DELETE cancels a job", async () => {
  await using sim = await startSimulator({ conversations: 50, jobPolls: 0 });
  const auth = await simToken(sim);
  const jobId = await submit(sim, auth, { interval: "2026-01-01T00:00:00Z/2026-01-31T00:00:00Z" });
  const del = await simCall(sim, auth, "DELETE", `${JOBS}/${jobId}`);
  assertEquals(del.status, 202);
  assertEquals((await simCall(sim, auth, "GET", `${JOBS}/${jobId}`)).json.state, "CANCELLED");
  const results = await simCall(sim, auth, "GET", `${JOBS}/${jobId}/results`);
  assertEquals(results.status, 404);
  assertEquals(results.json.code, "job.cancelled");
  assertEquals((await simCall(sim, auth, "DELETE", `${JOBS}/no-such-job`)).status, 404);
  assertEquals((await simCall(sim, auth, "GET", `${JOBS}/no-such-job`)).json.code, "not.found");
});

Deno.test("startSimulator failJobs fault ends jobs in FAILED with an errorMessage", async () => {
  await using sim = await startSimulator({
    conversations: 50,
    jobPolls: 1,
    faults: { failJobs: { everyNth: 2 } },
  });
  const auth = await simToken(sim);
  const body = { interval: "2026-01-01T00:00:00Z/2026-01-31T00:00:00Z" };
  const ok = await submit(sim, auth, body);
  const failing = await submit(sim, auth, body);
  assertEquals(await waitFulfilled(sim, auth, ok), ["QUEUED", "FULFILLED"]);
  assertEquals(await waitFulfilled(sim, auth, failing), ["QUEUED", "FAILED"]);
  const status = await simCall(sim, auth, "GET", `${JOBS}/${failing}`);
  assert(status.json.errorMessage.length > 0);
  assertEquals(
    (await simCall(sim, auth, "GET", `${JOBS}/${failing}/results`)).json.code,
    "job.failed",
  );
  assertEquals(sim.stats.faults["job.failed"], 1);
});

Deno.test("startSimulator jobs reject paging, bad limits, bad cursors and too large pages", async () => {
  await using sim = await startSimulator({
    conversations: 50,
    jobPolls: 0,
    maxJobResultsPageSize: 20,
  });
  const auth = await simToken(sim);
  const interval = "2026-01-01T00:00:00Z/2026-01-31T00:00:00Z";
  for (
    const body of [
      { interval, paging: { pageSize: 10, pageNumber: 1 } },
      { interval, limit: 0 },
      { interval, startOfDayIntervalMatching: "yes" },
      { interval, groupBy: [] },
      { interval: "2026-01-02T00:00:00Z/2026-01-01T00:00:00Z" },
    ]
  ) {
    const { status, json } = await simCall(sim, auth, "POST", JOBS, body);
    assertEquals(status, 400, JSON.stringify(body));
    assertEquals(json.code, "bad.request");
  }
  const jobId = await submit(sim, auth, { interval });
  await waitFulfilled(sim, auth, jobId);
  const other = await submit(sim, auth, { interval });
  await waitFulfilled(sim, auth, other);
  const page = await simCall(sim, auth, "GET", `${JOBS}/${other}/results?pageSize=5`);
  for (
    const q of [
      "cursor=not-a-cursor",
      `cursor=${page.json.cursor}`, // another job's cursor
      "pageSize=21",
      "pageSize=0",
    ]
  ) {
    assertEquals((await simCall(sim, auth, "GET", `${JOBS}/${jobId}/results?${q}`)).status, 400, q);
  }
});

Deno.test("startSimulator overlap jobs give the same ids with and without an always-true filter", async () => {
  await using sim = await startSimulator({ conversations: 5000, jobPolls: 0 });
  const auth = await simToken(sim);
  const interval = "2026-01-08T13:00:00Z/2026-01-09T02:00:00Z";
  const always = [{ type: "or", predicates: [{ dimension: "purpose", operator: "exists" }] }];
  const plain = sim.jobConversationIds({ interval });
  assertEquals(sim.jobConversationIds({ interval, segmentFilters: always }), plain);
  assertEquals(
    sim.jobConversationIds({ interval, order: "desc" }),
    [...plain].reverse(),
  );
  const jobId = await submit(sim, auth, { interval, segmentFilters: always });
  await waitFulfilled(sim, auth, jobId);
  assertEquals((await readAll(sim, auth, jobId, 100)).ids, plain);
});

Deno.test("startSimulator job dataAvailabilityDate lags behind now by the configured amount, and a job sees the data as it stood then", async () => {
  let now = Date.parse("2026-01-20T12:00:00Z");
  await using sim = await startSimulator({
    conversations: 20_000,
    jobPolls: 0,
    dataAvailabilityLagSeconds: 6 * 3600,
    jobExpirySeconds: 86_400,
    now: () => now,
  });
  const auth = await simToken(sim);
  const cutoff = "2026-01-20T06:00:00.000Z";
  assertEquals(sim.dataAvailabilityDate, cutoff);
  assertEquals((await simCall(sim, auth, "GET", `${JOBS}/availability`)).json, {
    dataAvailabilityDate: cutoff,
  });
  const interval = "2026-01-20T00:00:00Z/2026-01-21T00:00:00Z";
  const jobId = await submit(sim, auth, { interval });
  await waitFulfilled(sim, auth, jobId);
  const { ids, conversations } = await readAll(sim, auth, jobId, 500);
  assertEquals(ids, sim.jobConversationIds({ interval }));
  const starts = conversations.map((c) => c.conversationStart);
  assert(starts.every((s) => s < cutoff), "a conversation from after the availability date");
  // The details query already sees what started between the cutoff and now.
  const queried = sim.conversationIds(interval);
  assert(queried.length > ids.length + 100, `${queried.length} queried, ${ids.length} in the job`);
  // Conversations still live at the cutoff come without an end, as they stood then.
  const live = conversations.filter((c) => c.conversationEnd === undefined);
  assert(live.length > 0, "no conversation live at the cutoff");
  for (const c of conversations) {
    for (const p of c.participants) {
      for (const s of p.sessions) {
        for (const seg of s.segments) assert(!seg.segmentEnd || seg.segmentEnd <= cutoff);
      }
    }
  }
  // Later, a new job sees more; the first job keeps what it had.
  now += 3 * 3_600_000;
  const later = await submit(sim, auth, { interval });
  await waitFulfilled(sim, auth, later);
  const more = await readAll(sim, auth, later, 500);
  assert(more.ids.length > ids.length);
  assertEquals((await readAll(sim, auth, jobId, 500)).ids, ids);
  const page = await simCall(sim, auth, "GET", `${JOBS}/${later}/results?pageSize=1`);
  assertEquals(page.json.dataAvailabilityDate, "2026-01-20T09:00:00.000Z");
});

Deno.test("startSimulator jobs accept order 'unordered' (a permutation of the matches); the details query does not", async () => {
  await using sim = await startSimulator({ conversations: 3000, jobPolls: 0 });
  const auth = await simToken(sim);
  const interval = "2026-01-05T00:00:00Z/2026-01-08T00:00:00Z";
  const jobId = await submit(sim, auth, { interval, order: "unordered" });
  await waitFulfilled(sim, auth, jobId);
  const { ids } = await readAll(sim, auth, jobId, 100);
  const ordered = sim.jobConversationIds({ interval });
  assertEquals(ids, sim.jobConversationIds({ interval, order: "unordered" }));
  assert(ids.join() !== ordered.join(), "unordered came in start order");
  assertEquals([...ids].sort(), [...ordered].sort());
  const query = await simCall(sim, auth, "POST", "/api/v2/analytics/conversations/details/query", {
    interval,
    order: "unordered",
  });
  assertEquals(query.status, 400);
  assert(/'asc' or 'desc'/.test(query.json.message), query.json.message);
});
