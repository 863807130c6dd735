import { assertEquals, assertRejects } from "../../tests/_assert.ts";
import { conversationDetailsJobPages } from "./details_job.ts";
import type { JsonValue } from "../types.ts";
import { CheckpointError, JobError, UsageError } from "../errors.ts";
import { conversationDetailsPages } from "./conversation_details.ts";
import {
  clock,
  FakeJobs,
  ids,
  JOBS,
  options,
  QUERY,
  range,
  resume,
  started,
} from "./_test_details_job.ts";

Deno.test("conversationDetailsJobPages resumes from every saved cursor while the job lives", async () => {
  const api = new FakeJobs(10);
  const pages = await Array.fromAsync(conversationDetailsJobPages(api, QUERY, options()));
  const all = ids(pages);
  assertEquals(all, range(0, 10));
  let offset = 0;
  for (const page of pages) {
    offset += page.conversations.length;
    const resumeFrom = JSON.parse(JSON.stringify(page.position)) as JsonValue;
    const before = api.submitted;
    const rest = await resume(api, resumeFrom);
    assertEquals(ids(rest), all.slice(offset));
    assertEquals(api.submitted, before, "no resubmit while the job lives");
  }
});

Deno.test("conversationDetailsJobPages resubmits an expired job and skips what was emitted", async () => {
  const api = new FakeJobs(10);
  const pages = await Array.fromAsync(conversationDetailsJobPages(api, QUERY, options()));
  api.expire("job1");
  const events: string[] = [];
  const rest = await Array.fromAsync(
    conversationDetailsJobPages(api, QUERY, {
      ...options(),
      resumeFrom: pages[2].position,
      onJob: (e) => e.type !== "state" && events.push(`${e.type}:${e.jobId}`),
    }),
  );
  assertEquals(events, ["resumed:job1", "submitted:job2"]);
  assertEquals(ids(rest), range(6, 10));
  assertEquals(rest[0].conversations.length, 0);
  assertEquals((rest[0].position as Record<string, JsonValue>).jobId, "job2");
  assertEquals(rest.map((p) => p.skipped), [0, 3, 3, 0, 0]);
  // resuming the resubmitted job's own positions works the same way
  for (let i = 0; i < rest.length; i++) {
    const again = await resume(api, rest[i].position);
    assertEquals(ids(again), ids(rest.slice(i + 1)));
  }
  assertEquals(api.submitted, 2);
});

Deno.test("conversationDetailsJobPages resubmits a job that is gone (404) or was cancelled", async () => {
  const api = new FakeJobs(4);
  const pages = await Array.fromAsync(conversationDetailsJobPages(api, QUERY, options()));
  api.jobs.delete("job1");
  assertEquals(ids(await resume(api, pages[1].position)), ["c3"]);
  await api.request("DELETE", `${JOBS}/job2`);
  assertEquals(ids(await resume(api, pages[0].position)), range(0, 4));
  assertEquals(api.submitted, 3);
});

Deno.test("conversationDetailsJobPages resubmits a resumed job that ended FAILED", async () => {
  const api = new FakeJobs(6);
  const pages = await Array.fromAsync(conversationDetailsJobPages(api, QUERY, options()));
  api.jobs.get("job1")!.states = ["FAILED"];
  const rest = await resume(api, pages[1].position);
  assertEquals(ids(rest), range(3, 6));
  assertEquals(api.submitted, 2);
});

Deno.test("conversationDetailsJobPages refuses to resubmit when resubmitExpired is false", async () => {
  const api = new FakeJobs(4);
  const pages = await Array.fromAsync(conversationDetailsJobPages(api, QUERY, options()));
  api.expire("job1");
  const error = await assertRejects(
    () => resume(api, pages[1].position, { resubmitExpired: false }),
    JobError,
    "ended 'EXPIRED'",
  );
  assertEquals(error.state, "EXPIRED");
  assertEquals(api.submitted, 1);
});

Deno.test("conversationDetailsJobPages fails clearly when a resubmitted job orders records differently", async () => {
  const api = new FakeJobs(9);
  const pages = await Array.fromAsync(conversationDetailsJobPages(api, QUERY, options()));
  api.expire("job1");
  api.data = [...api.data].reverse();
  await assertRejects(() => resume(api, pages[2].position), CheckpointError, "its order differs");
  api.data = api.data.slice(0, 4).reverse();
  api.expire("job2");
  await assertRejects(
    () => resume(api, pages[2].position),
    CheckpointError,
    "gives 4 results, fewer than the 6 already read",
  );
});

Deno.test("conversationDetailsJobPages turns a results 404 of an expired job into a JobError", async () => {
  const api = new FakeJobs(9);
  const seen: string[] = [];
  await assertRejects(
    async () => {
      for await (
        const page of conversationDetailsJobPages(api, QUERY, options(clock(), { prefetch: false }))
      ) {
        seen.push(...page.conversations.map((c) => c.conversationId));
        if (seen.length === 3) api.expire("job1");
      }
    },
    JobError,
    "ended 'EXPIRED'",
  );
  assertEquals(seen, range(0, 3));
});

Deno.test("conversationDetailsJobPages resubmits an expired job and skips by results read, not records kept", async () => {
  const api = new FakeJobs();
  api.data = Array.from(
    { length: 9 },
    (_, i) => started(`r${i}`, i % 3 === 0 ? "2025-12-31T23:00:00Z" : `2026-01-01T0${i}:00:00Z`),
  );
  const pages = await Array.fromAsync(conversationDetailsJobPages(api, QUERY, options()));
  const all = ids(pages);
  assertEquals(all, ["r1", "r2", "r4", "r5", "r7", "r8"]);
  for (let i = 1; i < pages.length - 1; i++) {
    api.expire(`job${api.submitted}`);
    const rest = await resume(api, pages[i].position);
    const before = pages.slice(0, i + 1).flatMap((p) =>
      p.conversations.map((c) => c.conversationId)
    );
    assertEquals([...before, ...ids(rest)], all, `after page ${i}`);
  }
});

Deno.test("conversationDetailsJobPages accepts order 'unordered', but will not continue an expired unordered job", async () => {
  const api = new FakeJobs(6);
  const query = { ...QUERY, order: "unordered" as const };
  const pages = await Array.fromAsync(conversationDetailsJobPages(api, query, options()));
  assertEquals(ids(pages), range(0, 6));
  assertEquals(
    (api.calls.find((c) => c.method === "POST")!.options.body as { order: string }).order,
    "unordered",
  );
  api.expire("job1");
  const fresh = await Array.fromAsync(
    conversationDetailsJobPages(api, query, options(clock(), { resumeFrom: pages[0].position })),
  );
  assertEquals(ids(fresh), range(0, 6)); // nothing was read yet: a new job is fine
  api.expire("job2");
  await assertRejects(
    () =>
      Array.fromAsync(
        conversationDetailsJobPages(
          api,
          query,
          options(clock(), { resumeFrom: pages[1].position }),
        ),
      ),
    CheckpointError,
    "with order 'unordered' a new job may give them in another order",
  );
  await assertRejects(
    () =>
      Array.fromAsync(
        conversationDetailsPages(api, { interval: QUERY.interval, order: "unordered" }),
      ),
    UsageError,
    "'unordered' is for details jobs",
  );
});

Deno.test("conversationDetailsJobPages refuses a position of the earlier format (no window)", async () => {
  const api = new FakeJobs();
  const old = {
    kind: "details-job",
    jobId: "job9",
    offset: 3,
    emitted: 3,
    submittedAt: "2026-01-01T00:00:00Z",
  };
  await assertRejects(
    () => Array.fromAsync(conversationDetailsJobPages(api, QUERY, { resumeFrom: old })),
    CheckpointError,
    "written by an earlier version",
  );
  assertEquals(api.calls.length, 0);
});
