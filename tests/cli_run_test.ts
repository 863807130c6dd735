/**
 * The CLI end to end, as a subprocess with the task's permission flags (writes pointed at a temp
 * folder), against a simulator started in the test: exit codes 0, 1 and 3, output formats,
 * stdout, logging modes, env files and the `auth` command.
 */
import { assert, assertEquals } from "./_assert.ts";
import { startSimulator } from "../testing.ts";
import { cli, cliCommand, ROOT, simEnv, tempDir } from "./_cli.ts";
import { pastDeadline } from "./chaos/cli.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(`${ROOT}${path}`);
    return true;
  } catch {
    return false;
  }
}

Deno.test("CLI users extracts every user to JSONL with a summary and exits 0", async () => {
  await using sim = await startSimulator({
    users: 130,
    conversations: 10,
    tokenLifetimeSeconds: 1,
  });
  const dir = await tempDir("cli_run");
  try {
    const run = await cli(["users", "-o", `${dir}/users.jsonl`, "--page-size", "25"], {
      env: simEnv(sim),
      write: dir,
    });
    assertEquals(run.code, 0, run.stderr);
    const ids = (await Deno.readTextFile(`${ROOT}${dir}/users.jsonl`)).trim().split("\n")
      .map((line) => JSON.parse(line).id);
    assertEquals(ids, [...sim.ids.users]);
    assert(run.stderr.includes(`Done: 130 users (6 pages)`), run.stderr);
    assert(run.stderr.includes(`→ ${dir}/users.jsonl`), run.stderr);
    const checkpoint = JSON.parse(
      await Deno.readTextFile(`${ROOT}${dir}/users.jsonl.checkpoint.json`),
    );
    assertEquals([checkpoint.status, checkpoint.records], ["complete", 130]);
    assert(!/sim_[0-9a-f]{8}/.test(run.stderr + run.stdout), "a token was printed");
    assert(!run.stderr.includes(sim.clientSecret));
    // Running it again is a no-op that says so.
    const again = await cli(["users", "-o", `${dir}/users.jsonl`, "--page-size", "25"], {
      env: simEnv(sim),
      write: dir,
    });
    assertEquals(again.code, 0, again.stderr);
    assert(again.stderr.includes("already complete"), again.stderr);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI queues to stdout as CSV writes records to stdout and messages to stderr", async () => {
  await using sim = await startSimulator({ queues: 30, users: 5, conversations: 10 });
  const run = await cli(["queues", "-o", "-", "--format", "csv", "--page-size", "7"], {
    env: simEnv(sim),
    write: ".test-tmp/none",
  });
  assertEquals(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split("\n");
  assert(lines[0].startsWith("id,name"), lines[0]);
  assertEquals(lines.length, 31);
  assertEquals(lines.slice(1).map((l) => l.split(",")[0]), [...sim.ids.queues]);
  assert(run.stderr.includes("no checkpoint"), run.stderr);
  assert(!run.stdout.includes("Done"));
});

Deno.test("CLI --quiet prints nothing on success and --log-format json prints only JSON lines", async () => {
  await using sim = await startSimulator({ users: 40, conversations: 10 });
  const dir = await tempDir("cli_run");
  try {
    const quiet = await cli(["users", "-q", "-o", `${dir}/q.jsonl`], {
      env: simEnv(sim),
      write: dir,
    });
    assertEquals([quiet.code, quiet.stderr.trim(), quiet.stdout], [0, "", ""]);
    const json = await cli(
      ["users", "--log-format", "json", "--log-level", "debug", "-o", `${dir}/j.csv`],
      { env: simEnv(sim), write: dir },
    );
    assertEquals(json.code, 0, json.stderr);
    const records = json.stderr.trim().split("\n").map((line) => JSON.parse(line));
    assert(records.length >= 3);
    assert(records.some((r) => r.level === "debug" && /answered 200/.test(r.msg)));
    const done = records.at(-1);
    assertEquals([done.level, done.records], ["info", 40]);
    assert(!json.stderr.includes(sim.clientSecret));
    const bad = await cli(["users", "--log-format", "json", "--page-size", "x"], {
      env: simEnv(sim),
    });
    assertEquals(bad.code, 2);
    assertEquals(JSON.parse(bad.stderr.trim()).exitCode, 2);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI exits 3 with invalid_client and the region when the secret is wrong", async () => {
  await using sim = await startSimulator({ users: 5, conversations: 10 });
  const dir = await tempDir("cli_run");
  try {
    const run = await cli(["users", "-o", `${dir}/u.jsonl`], {
      env: { ...simEnv(sim), GENESYSCLOUD_OAUTHCLIENT_SECRET: "wrong-secret-value" },
      write: dir,
    });
    assertEquals(run.code, 3, run.stderr);
    assert(run.stderr.includes("invalid_client"), run.stderr);
    assert(!run.stderr.includes("wrong-secret-value"), run.stderr);
    assertEquals(run.stderr.trim().split("\n").filter((l) => l.startsWith("error:")).length, 1);
    assert(!run.stderr.includes("    at "), "stack trace printed");
    assertEquals(await exists(`${dir}/u.jsonl`), false);
    assertEquals(await exists(`${dir}/u.jsonl.checkpoint.json`), false);
    assertEquals(await exists(`${dir}/u.jsonl.partial`), false);
    const none = await cli(["users", "-o", `${dir}/u.jsonl`], {
      env: { GENESYSCLOUD_REGION: sim.url },
      write: dir,
    });
    assertEquals(none.code, 3, none.stderr);
    assert(none.stderr.includes("No credentials"), none.stderr);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI exits 1 when the server asks to wait longer than allowed, keeping saved pages", async () => {
  await using sim = await startSimulator({
    users: 60,
    conversations: 10,
    faults: { errors: [{ route: "users", status: 429, after: 2, retryAfterSeconds: 3600 }] },
  });
  const dir = await tempDir("cli_run");
  try {
    const run = await cli(
      ["users", "-o", `${dir}/u.jsonl`, "--page-size", "10", "--concurrency", "1"],
      { env: simEnv(sim), write: dir },
    );
    assertEquals(run.code, 1, run.stderr);
    assert(/3600|1h/.test(run.stderr), run.stderr);
    assert(run.stderr.includes("20 of 60 users saved (2 pages)"), run.stderr);
    assert(run.stderr.includes("Fix the cause, then resume with:"), run.stderr);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI reads credentials from --env-file and never prints the secret", async () => {
  await using sim = await startSimulator({ users: 12, conversations: 10 });
  const dir = await tempDir("cli_run");
  try {
    await Deno.writeTextFile(
      `${ROOT}${dir}/sim.env`,
      `# simulator\nexport GENESYSCLOUD_REGION=${sim.url}\nGENESYS_CLIENT_ID="${sim.clientId}"\nGENESYS_CLIENT_SECRET='${sim.clientSecret}'\n`,
    );
    const run = await cli(
      ["users", "--env-file", `${dir}/sim.env`, "-o", `${dir}/u.json`, "--log-level", "debug"],
      { write: dir },
    );
    assertEquals(run.code, 0, run.stderr);
    assertEquals(JSON.parse(await Deno.readTextFile(`${ROOT}${dir}/u.json`)).length, 12);
    assert(!run.stderr.includes(sim.clientSecret), run.stderr);
    const missing = await cli(["users", "--env-file", `${dir}/nope.env`], { write: dir });
    assertEquals(missing.code, 2);
    assert(missing.stderr.includes("does not exist"), missing.stderr);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI auth prints the token lifetime, the start rate and the org's limits but never the token", async () => {
  await using sim = await startSimulator({
    users: 7,
    conversations: 10,
    tokenLifetimeSeconds: 300,
  });
  const text = await cli(["auth"], { env: simEnv(sim) });
  assertEquals(text.code, 0, text.stderr);
  assert(text.stderr.includes("lifetime 300 s (5m00s)"), text.stderr);
  assert(text.stderr.includes("nothing held back until the first 429"), text.stderr);
  assert(
    text.stderr.includes("Org limits:   not available (answered 404 'not.found')"),
    text.stderr,
  );
  assert(!text.stderr.includes("inin-ratelimit"), text.stderr);
  assert(text.stderr.includes("answered 200"), text.stderr);
  assert(text.stderr.includes("OK: these credentials work"), text.stderr);
  const json = await cli(["auth", "--json"], { env: simEnv(sim) });
  assertEquals(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout);
  assertEquals([result.token.lifetimeSeconds, result.call.status, result.call.total], [
    300,
    200,
    7,
  ]);
  assertEquals(result.pacing, { startRatePerMinute: 300, fromFirstRequest: false });
  assertEquals(result.limits.status, "unavailable");
  const paced = await cli(["auth", "--json", "--rate", "120", "--timeout", "10s"], {
    env: simEnv(sim),
  });
  assertEquals(paced.code, 0, paced.stderr);
  assertEquals(JSON.parse(paced.stdout).pacing, {
    startRatePerMinute: 120,
    fromFirstRequest: true,
  });
  assert(typeof result.call.correlationId === "string");
  assert(!/sim_[0-9a-f]{8}/.test(text.stderr + json.stdout), "a token was printed");
  const refused = await cli(["auth"], {
    env: { ...simEnv(sim), GENESYSCLOUD_OAUTHCLIENT_ID: "someone-else" },
  });
  assertEquals(refused.code, 3, refused.stderr);
});

Deno.test("CLI conversations --jobs extracts every conversation that started in the interval, and refuses one past data availability", async () => {
  // Jobs see data up to the end of the span (a fixed date, not the default 2 h behind now).
  await using sim = await startSimulator({
    conversations: 1500,
    jobPolls: 0,
    dataAvailabilityDate: "2026-01-31T00:00:00Z",
    longConversationShare: 0.3, // calls from Jan 1 still going at midnight: the job returns them
  });
  const dir = await tempDir("cli_run");
  const interval = "2026-01-02T00:00:00Z/2026-01-05T00:00:00Z";
  try {
    const run = await cli(
      [
        "conversations",
        "--jobs",
        "--interval",
        interval,
        "-o",
        `${dir}/c.jsonl`,
        "--page-size",
        "20",
      ],
      { env: simEnv(sim), write: dir },
    );
    assertEquals(run.code, 0, run.stderr);
    const ids = (await Deno.readTextFile(`${ROOT}${dir}/c.jsonl`)).trim().split("\n")
      .map((line) => JSON.parse(line).conversationId);
    assertEquals(ids, sim.conversationIds(interval));
    const job = sim.jobConversationIds({ interval });
    assert(job.length > ids.length, `the job returned no earlier call (${job.length})`);
    // An interval past the jobs' data availability is bad input: exit 2, nothing left behind.
    const late = await cli(
      ["conversations", "--jobs", "--interval", "2026-01-30/2026-02-02", "-o", `${dir}/late.jsonl`],
      { env: simEnv(sim), write: dir },
    );
    assertEquals(late.code, 2, late.stderr);
    assert(late.stderr.includes("availability"), late.stderr);
    assertEquals(await exists(`${dir}/late.jsonl.partial`), false);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI conversations --jobs stopped by its deadline while the job runs resumes the same job", async () => {
  await using sim = await startSimulator({ conversations: 300, jobPolls: 3 });
  const dir = await tempDir("cli_run");
  const interval = "2026-01-02T00:00:00Z/2026-01-05T00:00:00Z";
  const args = ["conversations", "--jobs", "--interval", interval, "-o", `${dir}/c.jsonl`];
  try {
    // The job needs 3 polls (2 s apart by default): a 3 s deadline ends the run before any record.
    const first = await cli([...args, "--deadline", "3s"], { env: simEnv(sim), write: dir });
    assertEquals(first.code, 4, first.stderr);
    assert(first.stderr.includes("Resume with"), first.stderr);
    assert(await exists(`${dir}/c.jsonl.checkpoint.json`), "no checkpoint naming the job");
    const second = await cli(args, { env: simEnv(sim), write: dir });
    assertEquals(second.code, 0, second.stderr);
    assertEquals(sim.stats.jobsSubmitted, 1, "the resumed run submitted another job");
    const ids = (await Deno.readTextFile(`${ROOT}${dir}/c.jsonl`)).trim().split("\n")
      .map((line) => JSON.parse(line).conversationId);
    assertEquals(ids, sim.conversationIds(interval));
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI summary says 1 page and 1 request, and counts only granted tokens as refreshes", async () => {
  await using sim = await startSimulator({
    queues: 5,
    users: 5,
    conversations: 10,
    faults: { errors: [{ route: "token", status: 503, times: 2 }] },
  });
  const dir = await tempDir("cli_run");
  try {
    const run = await cli(["queues", "-o", `${dir}/q.jsonl`], { env: simEnv(sim), write: dir });
    assertEquals(run.code, 0, run.stderr);
    // Two token requests failed before the one that was granted: no token was refreshed.
    assertEquals(sim.stats.byRouteStatus.token, { "200": 1, "503": 2 });
    assert(
      run.stderr.includes("Done: 5 queues (1 page) in ") &&
        run.stderr.includes(" · 1 request · 0 token refreshes · "),
      run.stderr,
    );
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI stopped by its deadline before the first page says nothing was saved", async () => {
  await using sim = await startSimulator({
    users: 30,
    conversations: 10,
    faults: { latency: [{ ms: 1000 }] },
  });
  const dir = await tempDir("cli_run");
  try {
    const run = await cli(["users", "-o", `${dir}/u.jsonl`, "--deadline", "1ms"], {
      env: simEnv(sim),
      write: dir,
    });
    assertEquals(run.code, 4, run.stderr);
    assert(run.stderr.includes("Deadline of 1ms reached: nothing was saved yet"), run.stderr);
    assert(!run.stderr.includes("; checkpoint "), run.stderr);
    assertEquals(await exists(`${dir}/u.jsonl.checkpoint.json`), false);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI stopped by its deadline while the server is unreachable says what it was retrying", async () => {
  await using sim = await startSimulator({ users: 3, conversations: 10 });
  const env = simEnv(sim);
  await sim.close(); // nothing listens on that port any more: connection refused
  const dir = await tempDir("cli_run");
  try {
    const run = await cli(["users", "-o", `${dir}/u.jsonl`, "--deadline", "3s"], {
      env,
      write: dir,
      stop: pastDeadline(3_000),
    });
    assertEquals(run.code, 4, run.stderr);
    assert(
      /Deadline of 3s reached while retrying POST \/oauth\/token: .*Connection refused/.test(
        run.stderr,
      ),
      run.stderr,
    );
    assertEquals(await exists(`${dir}/u.jsonl.checkpoint.json`), false);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI writing to stdout whose reader closes early says so in one line, not 'Unexpected BrokenPipe'", async () => {
  await using sim = await startSimulator({ users: 2_000, conversations: 10 });
  const child = cliCommand(["users", "-o", "-", "--page-size", "50", "--concurrency", "1"], {
    env: simEnv(sim),
    write: ".test-tmp/none",
  }).spawn();
  // Read the first chunk, then close the pipe as `| head -1` would.
  const reader = child.stdout.getReader();
  await reader.read();
  await reader.cancel();
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  assertEquals(status.code, 1, stderr);
  const errors = stderr.split("\n").filter((l) => l.startsWith("error:"));
  assertEquals(errors.length, 1, stderr);
  assert(errors[0].includes("Output closed early"), stderr);
  assert(!stderr.includes("Unexpected"), stderr);
});
