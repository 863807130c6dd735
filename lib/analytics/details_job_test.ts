import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/_assert.ts";
import { conversationDetailsJobPages, conversationDetailsJobSource } from "./details_job.ts";
import type { JsonValue } from "../types.ts";
import { CheckpointError, DeadlineError, JobError, UsageError } from "../errors.ts";
import { formatInstant } from "./interval.ts";
import { items } from "../paginate/items.ts";
import {
  at,
  clock,
  FakeJobs,
  ids,
  JOBS,
  options,
  QUERY,
  range,
  START,
  started,
} from "./_test_details_job.ts";

Deno.test("conversationDetailsJobPages submits, polls through QUEUED and PENDING, reads results by cursor", async () => {
  const api = new FakeJobs(8);
  const c = clock();
  const events: string[] = [];
  const pages = await Array.fromAsync(
    conversationDetailsJobPages(api, { ...QUERY, order: "asc" }, {
      ...options(c),
      onJob: (e) => events.push(`${e.type}:${e.state ?? e.jobId}`),
    }),
  );
  assertEquals(ids(pages), range(0, 8));
  assertEquals(pages.map((p) => p.conversations.length), [0, 3, 3, 2]);
  assertEquals(pages[0].position, {
    kind: "details-job",
    window: QUERY.interval,
    jobId: "job1",
    offset: 0,
    emitted: 0,
    submittedAt: "2026-02-01T00:00:00Z",
  });
  assertEquals(pages[1].position, {
    kind: "details-job",
    window: QUERY.interval,
    jobId: "job1",
    offset: 3,
    cursor: "k3",
    emitted: 3,
    lastId: "c2",
    submittedAt: "2026-02-01T00:00:00Z",
    expirationDate: "2026-02-01T00:00:00Z",
  });
  assertEquals(pages.at(-1)!.position, { kind: "details-job", done: true, emitted: 8 });
  assertEquals(events, ["submitted:job1", "state:QUEUED", "state:PENDING", "state:FULFILLED"]);
  assertEquals(c.waits, [2000, 3000]);
  const submit = api.calls.find((x) => x.method === "POST")!;
  assertEquals(submit.options.body, { order: "asc", interval: QUERY.interval });
  assertEquals(submit.options.idempotent, false);
  assertEquals(
    api.calls.filter((x) => x.path.endsWith("/results")).map((x) => x.options.query?.cursor),
    [undefined, "k3", "k6"],
  );
  assertEquals(api.count("GET", "/availability"), 1);
  assertEquals(api.count("DELETE"), 0);
});

Deno.test("conversationDetailsJobPages backs off polls up to maxPollInterval", async () => {
  const api = new FakeJobs(1);
  api.states = [...Array(8).fill("PENDING"), "FULFILLED"];
  const c = clock();
  await Array.fromAsync(
    conversationDetailsJobPages(api, QUERY, options(c, { pollBackoff: 2, maxPollInterval: "10s" })),
  );
  assertEquals(c.waits, [2000, 4000, 8000, 10000, 10000, 10000, 10000, 10000]);
});

Deno.test("conversationDetailsJobPages sends pageSize, retries the submit only when told", async () => {
  const api = new FakeJobs(5);
  const pages = await Array.fromAsync(
    conversationDetailsJobPages(api, QUERY, options(clock(), { pageSize: 2, retrySubmit: true })),
  );
  assertEquals(pages.map((p) => p.conversations.length), [0, 2, 2, 1]);
  assertEquals(api.calls.find((x) => x.method === "POST")!.options.idempotent, true);
});

for (const state of ["FAILED", "CANCELLED", "EXPIRED"]) {
  Deno.test(`conversationDetailsJobPages fails with a JobError when the job ends ${state}`, async () => {
    const api = new FakeJobs();
    api.states = ["QUEUED", state];
    if (state === "FAILED") api.errorMessage = "Query timed out";
    const error = await assertRejects(
      () => Array.fromAsync(conversationDetailsJobPages(api, QUERY, options())),
      JobError,
      `Details job 'job1' ended '${state}'`,
    );
    assertEquals([error.jobId, error.state], ["job1", state]);
    if (state === "FAILED") assert.match(error.message, /Query timed out/);
    assertEquals(api.count("DELETE"), 0); // a dead job is not cancelled
  });
}

Deno.test("conversationDetailsJobPages gives up after maxWait and cancels the job", async () => {
  const api = new FakeJobs();
  api.states = ["PENDING"];
  const c = clock();
  const error = await assertRejects(
    () => Array.fromAsync(conversationDetailsJobPages(api, QUERY, options(c, { maxWait: "1m" }))),
    JobError,
    "still 'PENDING'",
  );
  assert.match(error.message, /maxWait '1m'\); raise maxWait, or run again later/);
  assertEquals(error.state, "PENDING");
  assert.ok(c.now() - START <= 60_000);
  assertEquals(api.count("DELETE"), 1);
});

Deno.test("conversationDetailsJobPages stops before a poll would pass the deadline", async () => {
  const api = new FakeJobs();
  api.states = ["PENDING"];
  const c = clock(START + 1_000);
  const deadline = START + 8_000;
  await assertRejects(
    () => Array.fromAsync(conversationDetailsJobPages(api, QUERY, options(c, { deadline }))),
    DeadlineError,
    "waiting for details job 'job1'",
  );
  assert.ok(c.now() <= deadline);
  for (const call of api.calls.filter((x) => x.method !== "DELETE")) {
    assertEquals(call.options.deadline, deadline);
  }
});

Deno.test("items(conversationDetailsJobPages) cancels the job when the consumer stops early", async () => {
  const api = new FakeJobs(8);
  for await (const conv of items(conversationDetailsJobPages(api, QUERY, options()))) {
    assertEquals(conv.conversationId, "c0");
    break;
  }
  assertEquals(api.count("DELETE"), 1);
  assertEquals(api.calls.at(-1)!.method, "DELETE");
  assertEquals(api.calls.at(-1)!.path, `${JOBS}/job1`);
  // the prefetched results page was aborted
  const results = api.calls.filter((x) => x.path.endsWith("/results"));
  assertEquals(results.at(-1)!.options.signal!.aborted, true);
});

Deno.test("items(conversationDetailsJobPages) leaves the job alone with cancelOnEarlyExit false", async () => {
  const api = new FakeJobs(8);
  const jobOptions = options(clock(), { cancelOnEarlyExit: false });
  for await (const _ of items(conversationDetailsJobPages(api, QUERY, jobOptions))) {
    break;
  }
  assertEquals(api.count("DELETE"), 0);
});

Deno.test("conversationDetailsJobPages cancels the job when the caller's signal aborts a wait", async () => {
  const api = new FakeJobs();
  api.states = ["PENDING"];
  const controller = new AbortController();
  const sleep = (_ms: number, signal?: AbortSignal) => {
    controller.abort(new DOMException("stop", "AbortError"));
    return Promise.reject(signal!.reason);
  };
  await assertRejects(
    () =>
      Array.fromAsync(
        conversationDetailsJobPages(api, QUERY, { clock: { sleep }, signal: controller.signal }),
      ),
    DOMException,
  );
  assertEquals(api.count("DELETE"), 1);
});

Deno.test({
  name: "conversationDetailsJobPages clears its poll timer when the signal aborts mid-wait",
  sanitizeOps: true,
  sanitizeResources: true,
}, async () => {
  const api = new FakeJobs();
  api.states = ["PENDING"];
  const controller = new AbortController();
  const pages = conversationDetailsJobPages(api, QUERY, {
    pollInterval: "10s",
    signal: controller.signal,
    onJob: (e) => {
      // abort once the first poll answered, while the default 10 s timer is pending
      if (e.type === "state") {
        setTimeout(() => controller.abort(new DOMException("stop", "AbortError")), 1);
      }
    },
  });
  await assertRejects(() => Array.fromAsync(pages), DOMException, "stop");
  assertEquals(api.count("GET", "/job1"), 1);
  assertEquals(api.count("DELETE"), 1);
  // the ops sanitizer (on for this test) fails it if the 10 s timer were still pending
});

Deno.test("conversationDetailsJobPages checks the data availability date", async () => {
  const api = new FakeJobs(2);
  api.availability = "2026-01-01T12:00:00Z";
  const error = await assertRejects(
    () => Array.fromAsync(conversationDetailsJobPages(api, QUERY, options())),
    UsageError,
    "after the jobs' data availability date '2026-01-01T12:00:00Z'",
  );
  assert.match(error.message, /checkAvailability: 'warn'/);
  assertEquals(api.submitted, 0);
  const warnings: string[] = [];
  const all = await Array.fromAsync(
    items(conversationDetailsJobPages(
      api,
      QUERY,
      options(clock(), { checkAvailability: "warn", onWarning: (m) => warnings.push(m) }),
    )),
  );
  assertEquals([all.length, warnings.length], [2, 1]);
  const before = api.count("GET", "/availability");
  await Array.fromAsync(
    items(conversationDetailsJobPages(api, QUERY, options(clock(), { checkAvailability: "off" }))),
  );
  assertEquals(api.count("GET", "/availability"), before);
});

Deno.test("conversationDetailsJobPages checks the body and its options before any request", async () => {
  const api = new FakeJobs();
  await assertRejects(
    () => Array.fromAsync(conversationDetailsJobPages(api, { ...QUERY, paging: { pageSize: 5 } })),
    UsageError,
    "'paging' belongs to POST /api/v2/analytics/conversations/details/query",
  );
  await assertRejects(
    () => Array.fromAsync(conversationDetailsJobPages(api, QUERY, { pollInterval: "soon" })),
    UsageError,
    "'soon'",
  );
  await assertRejects(
    () => Array.fromAsync(conversationDetailsJobPages(api, QUERY, { pollBackoff: 0.5 })),
    UsageError,
    "pollBackoff",
  );
  for (const bad of [{ kind: "details-query" }, { kind: "details-job", jobId: "x" }, "job1"]) {
    await assertRejects(
      () =>
        Array.fromAsync(conversationDetailsJobPages(api, QUERY, { resumeFrom: bad as JsonValue })),
      CheckpointError,
      "delete the checkpoint",
    );
  }
  assertEquals(api.calls.length, 0);
});

Deno.test("conversationDetailsJobSource announces the job first and does not cancel on early exit", async () => {
  const api = new FakeJobs(5);
  const c = clock();
  const source = conversationDetailsJobSource(api, { ...QUERY, orderBy: "conversationStart" }, {
    clock: { now: c.now, sleep: c.sleep },
  });
  assertEquals(source.recordType, "conversation");
  assertEquals(source.description, {
    endpoint: `POST ${JOBS}`,
    interval: QUERY.interval,
    body: { orderBy: "conversationStart" },
  });
  for await (const page of source.pages()) {
    assertEquals(page.records, []);
    break;
  }
  assertEquals(api.count("DELETE"), 0);
  assertEquals(api.count("POST"), 1);
  // a killed run resumes waiting for the same job
  const first = await Array.fromAsync(source.pages());
  const rest = await Array.fromAsync(source.pages(first[0].position));
  assertEquals(rest.flatMap((p) => p.records.map((r) => r.conversationId)), range(0, 5));
  assertEquals(api.submitted, 2);
  assertEquals(await Array.fromAsync(source.pages(first.at(-1)!.position)), []);
  assertThrows(() => conversationDetailsJobSource(api, { interval: "bad" }), UsageError);
});

// ---------------------------------------------------------------------------------------------
// The real API's semantics: overlap, now, unordered, messages in the caller's words

Deno.test("conversationDetailsJobPages keeps only the conversations that started in the job's interval", async () => {
  const api = new FakeJobs();
  // A job returns every conversation that overlaps its interval: some started before it.
  api.data = [
    started("early", "2025-12-31T22:00:00Z"),
    started("a", "2026-01-01T00:00:00Z"),
    started("b", "2026-01-01T13:00:00Z"),
    started("late", "2026-01-02T00:00:00Z"),
    started("c", "2026-01-01T23:59:59.999Z"),
  ];
  const pages = await Array.fromAsync(conversationDetailsJobPages(api, QUERY, options()));
  assertEquals(ids(pages), ["a", "b", "c"]);
  assertEquals(pages.map((p) => p.dropped), [0, 1, 1]);
});

Deno.test("conversationDetailsJobPages reads an interval past now up to now, and the rest on later runs", async () => {
  const api = new FakeJobs();
  const interval = "2026-01-01T00:00:00Z/2026-01-03T00:00:00Z";
  const data = Array.from(
    { length: 12 },
    (_, i) => started(`h${i}`, formatInstant(at("2026-01-01T00:00:00Z") + i * 4 * 3_600_000)),
  );
  api.data = data;
  const run = (now: number, resumeFrom?: JsonValue) =>
    Array.fromAsync(
      conversationDetailsJobPages(api, { interval }, options(clock(now), { resumeFrom })),
    );
  // The fake answers every job with all the data: the jobs' windows decide what is kept.
  const first = await run(at("2026-01-01T10:30:00.500Z"));
  assertEquals(ids(first), ["h0", "h1", "h2"]);
  assertEquals(first.at(-1)!.openUntil, "2026-01-01T10:30:00Z");
  assertEquals(first.at(-1)!.position, {
    kind: "details-job",
    until: "2026-01-01T10:30:00Z",
    emitted: 3,
  });
  const submitted = api.calls.filter((c) => c.method === "POST").map((c) =>
    (c.options.body as { interval: string }).interval
  );
  assertEquals(submitted, ["2026-01-01T00:00:00Z/2026-01-01T10:30:00Z"]);
  // Nothing new yet: no job, one page saying where the output stands.
  const idle = await run(at("2026-01-01T10:30:00.900Z"), first.at(-1)!.position);
  assertEquals(idle.map((p) => [p.jobId, p.openUntil]), [["", "2026-01-01T10:30:00Z"]]);
  assertEquals(api.submitted, 1);
  const second = await run(at("2026-01-02T09:00:00Z"), first.at(-1)!.position);
  assertEquals(ids(second), ["h3", "h4", "h5", "h6", "h7", "h8"]);
  const third = await run(at("2026-02-01T00:00:00Z"), second.at(-1)!.position);
  assertEquals(ids(third), ["h9", "h10", "h11"]);
  assertEquals(third.at(-1)!.openUntil, undefined);
  assertEquals(third.at(-1)!.position, { kind: "details-job", done: true, emitted: 12 });
  // A job resumed after its window ended before now is followed by one for the rest, same run.
  const api2 = new FakeJobs();
  api2.data = data;
  const started1 = await Array.fromAsync(
    conversationDetailsJobPages(api2, { interval }, options(clock(at("2026-01-01T12:00:00Z")))),
  );
  const resumed = await Array.fromAsync(
    conversationDetailsJobPages(
      api2,
      { interval },
      options(clock(at("2026-01-05T00:00:00Z")), {
        resumeFrom: started1[1].position,
      }),
    ),
  );
  assertEquals([...ids(started1.slice(0, 2)), ...ids(resumed)], data.map((c) => c.conversationId));
  assertEquals(api2.submitted, 2);
});

Deno.test("conversationDetailsJobPages names the caller's settings in its messages", async () => {
  const api = new FakeJobs(2);
  api.availability = "2026-01-01T12:00:00Z";
  const hints = { allowUnavailable: "--availability warn", maxWait: "--job-wait" };
  const error = await assertRejects(
    () => Array.fromAsync(conversationDetailsJobPages(api, QUERY, options(clock(), { hints }))),
    UsageError,
    "or pass --availability warn",
  );
  assert(!error.message.includes("checkAvailability"), error.message);
  api.availability = "2030-01-01T00:00:00Z";
  api.states = ["PENDING"];
  const slow = await assertRejects(
    () =>
      Array.fromAsync(
        conversationDetailsJobPages(api, QUERY, options(clock(), { hints, maxWait: "1m" })),
      ),
    JobError,
    "(--job-wait '1m'); raise --job-wait",
  );
  assert(!slow.message.includes("maxWait"), slow.message);
});
