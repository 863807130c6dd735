/**
 * The CLI as a subprocess against the independent stand-in served over loopback, on the real
 * API's semantics (issue 11): repeated query parameters, capped listings, listings that only
 * `nextUri` ends.
 */
import { assert, assertEquals } from "./_assert.ts";
import { pageListing, serveStandIn, StandIn, type StandInUser, usersRoute } from "./_standin.ts";
import { cli, ROOT, tempDir } from "./_cli.ts";
import { detailsQueryRoute, grid, JobsStandIn } from "./_standin_analytics.ts";

const QUERY = "/api/v2/analytics/conversations/details/query";

const users = (n: number): StandInUser[] =>
  Array.from({ length: n }, (_, i) => ({ id: `u${String(i).padStart(5, "0")}`, state: "active" }));

/** Why to stop a run at once: it asked the stand-in for something again that answered 400. */
function askedAgainAfter400(standIn: StandIn): () => string | undefined {
  return () => {
    const refused = new Set<string>();
    for (const seen of standIn.apiRequests) {
      const key = `${seen.method} ${seen.url.pathname}${seen.url.search}`;
      if (refused.has(key)) return `${key} was asked again after its 400: a 400 is not retried`;
      if (seen.status === 400) refused.add(key);
    }
    return undefined;
  };
}

/** A stand-in with `route` installed, served over loopback; the CLI's environment for it. */
async function served(
  install: (standIn: StandIn) => void,
  run: (ctx: { standIn: StandIn; env: Record<string, string>; dir: string }) => Promise<void>,
): Promise<void> {
  const standIn = new StandIn();
  install(standIn);
  const server = serveStandIn(standIn);
  const dir = await tempDir("cli_standin");
  const env = {
    GENESYSCLOUD_REGION: server.base,
    GENESYSCLOUD_OAUTHCLIENT_ID: standIn.clientId,
    GENESYSCLOUD_OAUTHCLIENT_SECRET: standIn.clientSecret,
  };
  try {
    await run({ standIn, env, dir });
  } finally {
    await server.shutdown();
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
}

const lines = async (path: string): Promise<Record<string, unknown>[]> =>
  (await Deno.readTextFile(`${ROOT}${path}`)).trim().split("\n").filter(Boolean).map((l) =>
    JSON.parse(l)
  );

Deno.test("CLI get and users send every value of a repeated query key (path and --query)", async () => {
  const all = users(20);
  await served((standIn) => {
    standIn.on("GET", "/api/v2/users", (seen) => {
      const wanted = seen.url.searchParams.getAll("id");
      return pageListing(seen.url, all.filter((u) => wanted.includes(u.id)));
    });
  }, async ({ standIn, env, dir }) => {
    const out = `${dir}/ids.jsonl`;
    const run = await cli(
      ["get", "/api/v2/users?id=u00002&id=u00005", "--query", "id=u00009", "-o", out],
      { env },
    );
    assertEquals(run.code, 0, run.stderr);
    assertEquals((await lines(out)).map((u) => u.id), ["u00002", "u00005", "u00009"]);
    const expand = await cli(
      ["users", "--query", "expand=skills", "--query", "expand=locations", "-o", `${dir}/u.jsonl`],
      { env },
    );
    assertEquals(expand.code, 0, expand.stderr);
    const last = standIn.apiRequests.at(-1)!;
    assertEquals(last.url.searchParams.getAll("expand"), ["skills", "locations"]);
    assert(standIn.apiRequests.length >= 2);
  });
});

Deno.test("CLI users --query state=inactive past 10,000: the 10,000 read are in the finished file, a warning, exit 5; a rerun asks nothing and exits 5", async () => {
  const all: StandInUser[] = [
    ...users(300),
    ...Array.from(
      { length: 12_000 },
      (_, i) => ({ id: `i${String(i).padStart(5, "0")}`, state: "inactive" as const }),
    ),
  ];
  await served((standIn) => {
    standIn.on("GET", "/api/v2/users", usersRoute(all));
  }, async ({ standIn, env, dir }) => {
    const out = `${dir}/inactive.jsonl`;
    const args = ["users", "--query", "state=inactive", "--concurrency", "4", "-o", out];
    const first = await cli(args, { env, stop: askedAgainAfter400(standIn) });
    assertEquals(first.code, 5, first.stderr);
    const ids = (await lines(out)).map((u) => u.id);
    assertEquals(ids.length, 10_000);
    assertEquals(ids, all.filter((u) => u.state === "inactive").slice(0, 10_000).map((u) => u.id));
    assert(
      first.stderr.includes(
        "warning: Capped: GET /api/v2/users with state=inactive pages through at most 10,000 users",
      ),
      first.stderr,
    );
    assert(first.stderr.includes("exit code 5"), first.stderr);
    const checkpoint = JSON.parse(await Deno.readTextFile(`${ROOT}${out}.checkpoint.json`));
    assertEquals([checkpoint.status, checkpoint.capped.limit], ["complete", 10_000]);
    const asked = standIn.apiRequests.length;
    const rerun = await cli(args, { env });
    assertEquals(rerun.code, 5, rerun.stderr);
    assert(rerun.stderr.includes("already complete"), rerun.stderr);
    assert(rerun.stderr.includes("Capped"), rerun.stderr);
    assertEquals(standIn.apiRequests.length, asked, "the rerun asked the API again");
  });
});

Deno.test("CLI summary warns when the records that arrived differ from the server's total", async () => {
  await served((standIn) => {
    standIn.on("GET", "/api/v2/routing/queues", (seen) => {
      const response = pageListing(seen.url, users(30), {});
      return response.json().then((body) => Response.json({ ...body, total: 31 }));
    });
  }, async ({ env, dir }) => {
    const run = await cli(["queues", "--page-size", "10", "-o", `${dir}/q.jsonl`], { env });
    assertEquals(run.code, 0, run.stderr);
    assert(
      run.stderr.includes("warning: The server reported 31 queues but 30 arrived"),
      run.stderr,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Conversations: jobs flags, and intervals that reach past now

const JOB_INTERVAL = "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z";

Deno.test("CLI conversations --jobs: --availability refuse|warn|ignore and --job-wait, with messages that name the flags", async () => {
  let jobs: JobsStandIn | undefined;
  await served((standIn) => {
    jobs = new JobsStandIn({ availability: "2026-01-05T12:00:00Z", pollsBeforeDone: 0 });
    jobs.install(standIn);
  }, async ({ standIn, env, dir }) => {
    const args = (name: string, ...more: string[]) => [
      "conversations",
      "--jobs",
      "--interval",
      JOB_INTERVAL,
      "-o",
      `${dir}/${name}.jsonl`,
      ...more,
    ];
    const refused = await cli(args("refused"), { env });
    assertEquals(refused.code, 2, refused.stderr);
    assert(refused.stderr.includes("or pass --availability warn"), refused.stderr);
    assert(!refused.stderr.includes("checkAvailability"), refused.stderr);
    assertEquals(jobs!.jobs.size, 0);
    const warned = await cli(args("warned", "--availability", "warn"), { env });
    assertEquals(warned.code, 0, warned.stderr);
    assert(warned.stderr.includes("warning: The interval ends at"), warned.stderr);
    assertEquals((await lines(`${dir}/warned.jsonl`)).length, 24);
    const asked = standIn.apiRequests.filter((r) =>
      r.url.pathname.endsWith("/availability")
    ).length;
    const ignored = await cli(args("ignored", "--availability", "ignore"), { env });
    assertEquals(ignored.code, 0, ignored.stderr);
    assertEquals(
      standIn.apiRequests.filter((r) => r.url.pathname.endsWith("/availability")).length,
      asked,
    );
    const bad = await cli(args("bad", "--availability", "maybe"), { env });
    assertEquals(bad.code, 2, bad.stderr);
    assert(bad.stderr.includes("use refuse, warn or ignore"), bad.stderr);
    const notJobs = await cli(
      ["conversations", "--interval", JOB_INTERVAL, "--job-wait", "1h", "-o", `${dir}/x.jsonl`],
      { env },
    );
    assertEquals(notJobs.code, 2, notJobs.stderr);
    assert(notJobs.stderr.includes("'--job-wait' applies to --jobs only"), notJobs.stderr);
  });
  await served((standIn) => {
    jobs = new JobsStandIn({ availability: "2026-01-19T00:00:00Z", pollsBeforeDone: 1_000 });
    jobs.install(standIn);
  }, async ({ env, dir }) => {
    const args = [
      "conversations",
      "--jobs",
      "--interval",
      JOB_INTERVAL,
      "--filter",
      '{"order":"unordered"}',
      "--job-wait",
      "1s",
      "-o",
      `${dir}/slow.jsonl`,
    ];
    const slow = await cli(args, { env });
    assertEquals(slow.code, 1, slow.stderr);
    assert(slow.stderr.includes("(--job-wait '1s'); raise --job-wait"), slow.stderr);
    assert(!slow.stderr.includes("maxWait"), slow.stderr);
    const [job] = jobs!.jobs.values();
    assertEquals(job.body.order, "unordered");
    // The job is kept: the next run waits for the same one.
    job.polls = 10_000;
    const resumed = await cli(args, { env });
    assertEquals(resumed.code, 0, resumed.stderr);
    assertEquals(jobs!.jobs.size, 1);
    assertEquals((await lines(`${dir}/slow.jsonl`)).length, 24);
  });
});

Deno.test("CLI conversations: an interval ending tomorrow is read up to now, and the same command later adds the rest, each conversation once", async () => {
  const stepMs = 5_000; // a few dozen requests: the stand-in allows 300 a minute
  const now = Date.now();
  const start = Math.floor(now / 1000) * 1000 - 3 * 3_600_000 - 750;
  const interval = `${new Date(start).toISOString()}/${new Date(now + 86_400_000).toISOString()}`;
  await served((standIn) => {
    standIn.on("POST", QUERY, detailsQueryRoute({ stepMs, lastsMs: 20 * 60_000 }));
  }, async ({ env, dir }) => {
    const out = `${dir}/live.jsonl`;
    const args = ["conversations", "--interval", interval, "--chunk", "1h", "-o", out];
    const first = await cli(args, { env });
    assertEquals(first.code, 0, first.stderr);
    assert(first.stderr.includes("The interval ends in the future"), first.stderr);
    assert(first.stderr.includes("Run the same command again later to add it"), first.stderr);
    const checkpoint = JSON.parse(await Deno.readTextFile(`${ROOT}${out}.checkpoint.json`));
    assertEquals(checkpoint.status, "complete");
    const until1 = Date.parse(checkpoint.openEnd.until);
    const expected = (until: number) => {
      const g = grid(start, until, stepMs);
      return Array.from({ length: g.count }, (_, k) => g.at(k).conversationId);
    };
    assertEquals((await lines(out)).map((c) => c.conversationId), expected(until1));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await cli(args, { env });
    assertEquals(second.code, 0, second.stderr);
    assert(second.stderr.includes("Continuing"), second.stderr);
    assert(!second.stderr.includes("already complete"), second.stderr);
    const until2 = Date.parse(
      JSON.parse(await Deno.readTextFile(`${ROOT}${out}.checkpoint.json`)).openEnd.until,
    );
    assert(until2 > until1, `${until2} > ${until1}`);
    const ids = (await lines(out)).map((c) => c.conversationId);
    assertEquals(new Set(ids).size, ids.length);
    assertEquals(ids, expected(until2));
  });
});

Deno.test("CLI refuses a checkpoint of the earlier format (1) with what to do, and writes nothing", async () => {
  await served((standIn) => {
    standIn.on("GET", "/api/v2/users", usersRoute(users(5)));
  }, async ({ standIn, env, dir }) => {
    const out = `${dir}/c.jsonl`;
    const v1 = {
      version: 1,
      jobKey: "ab".repeat(32),
      recordType: "conversation",
      format: "jsonl",
      position: { kind: "details-query", from: "2026-01-02T00:00:00Z", emitted: 9, prev: ["x"] },
      pages: 1,
      records: 9,
      bytes: 900,
      sinkState: null,
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
      status: "running",
    };
    await Deno.writeTextFile(`${ROOT}${out}.checkpoint.json`, JSON.stringify(v1));
    const run = await cli(["users", "-o", out], { env });
    assertEquals(run.code, 2, run.stderr);
    assert(
      run.stderr.includes(
        "was written by an earlier version of this toolkit (checkpoint format 1)",
      ),
      run.stderr,
    );
    assert(run.stderr.includes("--restart"), run.stderr);
    assertEquals(standIn.apiRequests.length, 0);
    const restarted = await cli(["users", "-o", out, "--restart"], { env });
    assertEquals(restarted.code, 0, restarted.stderr);
  });
});
