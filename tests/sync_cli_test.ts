/**
 * `sync` through the real CLI, as a subprocess with the extract task's grants, against the
 * simulator in-process with the real API's semantics at the real clock (long calls across
 * midnight, live calls now): 4 settled days, each file exactly the conversations that started
 * that day; 3 SIGKILLs during the run and a rerun change nothing byte for byte (via the query and
 * via jobs); a further rerun sends no analytics request; an overlapping run is refused (exit 6)
 * without harm; a deadline stops cleanly (exit 4); snapshots of users; bad input.
 */
import { type Simulator, startSimulator } from "../testing.ts";
import { absolute, cliCommand, type CliResult, credentials, runCli } from "./chaos/cli.ts";
import { listFiles, tempDir } from "./chaos/files.ts";
import { gatedProxy, until } from "./_gated_proxy.ts";
import { assert, assertEquals } from "./_assert.ts";
import { makeSymlinks } from "./_symlink.ts";

const DAY = 86_400_000;

/**
 * Today's start and the CLI's four settled days from `today - 6` (settle 48 h: up to today - 3).
 * The CLI runs on the real clock, so a test that would straddle UTC midnight (its days would
 * shift between runs) waits until just after it first: at most 2 minutes, rarely.
 */
async function days() {
  const left = DAY - (Date.now() % DAY);
  if (left < 120_000) await new Promise((r) => setTimeout(r, left + 1000));
  const today = Math.floor(Date.now() / DAY) * DAY;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return {
    since: day(today - 6 * DAY),
    final: [6, 5, 4, 3].map((n) => day(today - n * DAY)),
    today: day(today),
    interval: (d: string) => {
      const start = Date.parse(`${d}T00:00:00Z`);
      return `${d}T00:00:00Z/${day(start + DAY)}T00:00:00Z`;
    },
  };
}

function startSim(seed: number): Promise<Simulator> {
  const today = Math.floor(Date.now() / DAY) * DAY;
  return startSimulator({
    seed,
    conversations: 2100,
    start: new Date(today - 7 * DAY),
    end: new Date(today + DAY),
    // Long calls up to 6 hours cross every midnight; the ones going on now are live.
    longConversationShare: 0.1,
    maxConversationHours: 6,
    jobPolls: 1,
    rateLimitAllowed: 1_000_000,
    faults: { latency: [{ ms: 4, jitterMs: 6 }] },
  });
}

/** Analytics requests the simulator served: the details query and every jobs route. */
function analytics(sim: Simulator): number {
  return Object.entries(sim.stats.byRoute)
    .filter(([route]) => route.startsWith("details.") || route.startsWith("jobs."))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** `sync conversations` into `output/sync` from `since`, read `via`, in pages of `pageSize`. */
function syncArgs(since: string, via: string, pageSize: number, ...more: string[]): string[] {
  return [
    "sync",
    "conversations",
    "--since",
    since,
    "--dir",
    "output/sync",
    "--via",
    via,
    "--page-size",
    String(pageSize),
    ...more,
  ];
}

function idsOf(text: string): string[] {
  return text.trim() === "" ? [] : text.trim().split("\n").map((l) => JSON.parse(l).conversationId);
}

/** The manifest's final days without their `at` (when each was written). */
async function manifestDays(dir: string): Promise<unknown> {
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
  return JSON.parse(JSON.stringify(manifest.days), (k, v) => k === "at" ? undefined : v);
}

function lastLine(r: CliResult): string {
  return r.stderr.trim().split("\n").at(-1) ?? "";
}

for (const [i, via] of (["query", "jobs"] as const).entries()) {
  Deno.test(`CLI sync conversations --via ${via}: 4 days, each exactly the conversations that started that day; 3 SIGKILLs and a rerun change nothing byte for byte; a further rerun sends no analytics request`, async () => {
    const d = await days();
    await using sim = await startSim(40 + i);
    const root = absolute(await tempDir("sync-cli"));
    const env = credentials(sim);
    const args = syncArgs(
      d.since,
      via,
      20,
      "--job-page-size",
      "50",
      "--provisional",
      "--region",
      sim.url,
    );
    try {
      // A clean run: the reference.
      await Deno.mkdir(`${root}/clean`);
      const before = sim.stats.requests;
      const clean = await runCli(args, { cwd: `${root}/clean`, env });
      assertEquals(clean.code, 0, clean.stderr);
      const requests = sim.stats.requests - before;
      const cleanDir = `${root}/clean/output/sync`;
      assertEquals(
        await listFiles(cleanDir),
        [...d.final.map((day) => `${day}.jsonl`), "manifest.json"].concat(
          (await listFiles(`${cleanDir}/provisional`)).map((f) => `provisional/${f}`),
        ).sort(),
      );
      let crossing = 0;
      for (const day of d.final) {
        const text = await Deno.readTextFile(`${cleanDir}/${day}.jsonl`);
        const expected = sim.conversationIds(d.interval(day));
        assert(expected.length > 200, `${day}: ${expected.length}`);
        assertEquals(idsOf(text), expected, day);
        const end = Date.parse(d.interval(day).split("/")[1]);
        crossing += text.trim().split("\n").filter((l) =>
          Date.parse(JSON.parse(l).conversationEnd) > end
        ).length;
      }
      assert(crossing > 0, "no conversation of a final day ran past its midnight");
      const manifest = JSON.parse(await Deno.readTextFile(`${cleanDir}/manifest.json`));
      assertEquals(Object.keys(manifest.days), d.final);
      for (const day of d.final) assertEquals(manifest.days[day].via, via);
      // Today is provisional, read up to now: it holds calls that are still live.
      const today = await Deno.readTextFile(`${cleanDir}/provisional/${d.today}.jsonl`);
      assert(
        today.trim().split("\n").some((l) => JSON.parse(l).conversationEnd === undefined),
        "no live call in today's provisional file",
      );
      assert(manifest.provisional[d.today].until !== undefined);

      // Three SIGKILLs, each after a quarter of a clean run's requests, then a run to the end.
      await Deno.mkdir(`${root}/killed`);
      const kills: string[] = [];
      for (let k = 0; k < 3; k++) {
        const child = (await cliCommand(args, { cwd: `${root}/killed`, env })).spawn();
        const output = child.output();
        const target = sim.stats.requests + Math.ceil(requests / 4);
        let exited = false;
        output.then(() => exited = true, () => exited = true);
        await until(() => exited || sim.stats.requests >= target, "the run to make progress");
        try {
          child.kill("SIGKILL");
        } catch {
          // it exited first
        }
        const out = await output;
        kills.push(out.signal ?? `exit ${out.code}`);
      }
      assertEquals(kills, ["SIGKILL", "SIGKILL", "SIGKILL"]);
      const resumed = await runCli(args, { cwd: `${root}/killed`, env });
      assertEquals(resumed.code, 0, resumed.stderr);
      const killedDir = `${root}/killed/output/sync`;
      for (const day of d.final) {
        assertEquals(
          await Deno.readFile(`${killedDir}/${day}.jsonl`),
          await Deno.readFile(`${cleanDir}/${day}.jsonl`),
          `${day} differs from the clean run's`,
        );
      }
      assertEquals(await manifestDays(killedDir), await manifestDays(cleanDir));
      const left = (await listFiles(killedDir)).filter((f) =>
        /\.(partial|lock|tmp)$|checkpoint/.test(f)
      );
      assertEquals(left, [], "files left by the killed runs");

      // Nothing is missing: no analytics request at all (no request of any kind, in fact).
      const sent = analytics(sim);
      const all = sim.stats.requests;
      const again = await runCli(args.filter((a) => a !== "--provisional"), {
        cwd: `${root}/killed`,
        env,
      });
      assertEquals(again.code, 0, again.stderr);
      assert(
        lastLine(again).startsWith("Nothing to do: output/sync holds every settled day"),
        again.stderr,
      );
      assertEquals(analytics(sim), sent, "the further rerun sent analytics requests");
      assertEquals(sim.stats.requests, all, "the further rerun sent requests");
      for (const day of d.final) {
        assertEquals(
          await Deno.readFile(`${killedDir}/${day}.jsonl`),
          await Deno.readFile(`${cleanDir}/${day}.jsonl`),
        );
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test("CLI sync: a second run while the first holds the lock exits 6 at once; the first finishes as a clean run would", async () => {
  const d = await days();
  await using sim = await startSim(50);
  const proxy = gatedProxy(sim.url, 4);
  const root = absolute(await tempDir("sync-lock"));
  const env = credentials(sim);
  const args = (region: string) => syncArgs(d.final[2], "query", 50, "--region", region);
  try {
    await Deno.mkdir(`${root}/a`);
    await Deno.mkdir(`${root}/clean`);
    const first = (await cliCommand(args(proxy.url), { cwd: `${root}/a`, env })).spawn();
    const firstDone = first.output();
    await until(() => proxy.state.waiting > 0, "the first run to reach the gate");
    const lockFile = `${root}/a/output/sync/manifest.json.lock`;
    assertEquals(JSON.parse(await Deno.readTextFile(lockFile)).pid, first.pid);
    const manifestBefore = await Deno.readTextFile(`${root}/a/output/sync/manifest.json`);
    const second = await runCli(args(proxy.url), { cwd: `${root}/a`, env });
    assertEquals(second.code, 6, second.stderr);
    assert(
      second.stderr.startsWith(
        `error: Another run of this job is already running (pid ${first.pid}, started `,
      ),
      second.stderr,
    );
    assert(second.stderr.includes("it holds the lock 'output/sync/manifest.json.lock'"));
    assertEquals(second.stderr.trim().split("\n").length, 1, second.stderr);
    assertEquals(await Deno.readTextFile(`${root}/a/output/sync/manifest.json`), manifestBefore);
    proxy.open();
    const done = await firstDone;
    assertEquals(done.code, 0, new TextDecoder().decode(done.stderr));
    const clean = await runCli(args(sim.url), { cwd: `${root}/clean`, env });
    assertEquals(clean.code, 0, clean.stderr);
    for (const day of d.final.slice(2)) {
      assertEquals(
        await Deno.readFile(`${root}/a/output/sync/${day}.jsonl`),
        await Deno.readFile(`${root}/clean/output/sync/${day}.jsonl`),
      );
    }
    assertEquals(await listFiles(`${root}/a/output/sync`), [
      `${d.final[2]}.jsonl`,
      `${d.final[3]}.jsonl`,
      "manifest.json",
    ]);
  } finally {
    await proxy.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("CLI sync: a deadline stops in a day (exit 4, finished days final); the next run finishes it; users snapshots once a day", async () => {
  const d = await days();
  await using sim = await startSim(60);
  const root = absolute(await tempDir("sync-deadline"));
  const env = credentials(sim);
  try {
    sim.setFaults({ latency: [{ ms: 150 }] });
    const args = syncArgs(d.since, "query", 10, "--concurrency", "1", "--region", sim.url);
    const stopped = await runCli([...args, "--deadline", "3s"], { cwd: root, env });
    assertEquals(stopped.code, 4, stopped.stderr);
    assert(
      /Deadline of 3s reached: \d+ days? written this run; \d{4}-\d{2}-\d{2} is saved up to \d+ conversations\. Run the same command again to continue/
        .test(stopped.stderr),
      stopped.stderr,
    );
    sim.setFaults({ latency: null });
    const finished = await runCli(args, { cwd: root, env });
    assertEquals(finished.code, 0, finished.stderr);
    assert(finished.stderr.includes("Resuming "), finished.stderr);
    for (const day of d.final) {
      const text = await Deno.readTextFile(`${root}/output/sync/${day}.jsonl`);
      assertEquals(idsOf(text), sim.conversationIds(d.interval(day)), day);
    }

    const users = ["sync", "users", "--dir", "output/users", "--region", sim.url];
    const first = await runCli(users, { cwd: root, env });
    assertEquals(first.code, 0, first.stderr);
    const file = `${root}/output/users/users-${d.today}.jsonl`;
    const ids = (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l).id);
    assertEquals(ids, [...sim.ids.users]);
    const served = sim.stats.byRoute.users;
    const second = await runCli(users, { cwd: root, env });
    assertEquals(second.code, 0, second.stderr);
    assert(lastLine(second).startsWith("Nothing to do"), second.stderr);
    assertEquals(sim.stats.byRoute.users, served);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("CLI sync bad input: one line, exit 2, nothing written", async () => {
  const root = absolute(await tempDir("sync-bad"));
  const env = { GENESYSCLOUD_OAUTHCLIENT_ID: "id", GENESYSCLOUD_OAUTHCLIENT_SECRET: "secret" };
  const cases: [string[], RegExp][] = [
    [["sync"], /needs <what>/],
    [["sync", "calls", "--dir", "output/x"], /keeps conversations, users or queues, not 'calls'/],
    [["sync", "conversations", "--dir", "output/x"], /'--since' is needed/],
    [["sync", "conversations", "--since", "2026-01-01"], /'--dir' is needed/],
    [
      ["sync", "users", "--dir", "output/x", "--since", "2026-01-01"],
      /'--since' applies to 'sync conversations' only/,
    ],
    [
      ["sync", "conversations", "--since", "2026-01-01", "--dir", "output/x", "--query", "a=b"],
      /'--query' applies to 'sync users' and 'sync queues' only/,
    ],
    [
      ["sync", "conversations", "--since", "2026-01-01T06:00:00Z", "--dir", "output/x"],
      /not the start of a UTC day/,
    ],
    [[
      "sync",
      "conversations",
      "--since",
      "2026-01-05",
      "--until",
      "2026-01-02",
      "--dir",
      "output/x",
    ], /must come after '--since'/],
    [["sync", "conversations", "--since", "2999-01-01", "--dir", "output/x"], /after today/],
    [
      ["sync", "conversations", "--since", "2026-01-01", "--dir", "output/x", "--via", "fast"],
      /'--via' is 'fast'/,
    ],
    [[
      "sync",
      "conversations",
      "--since",
      "2026-01-01",
      "--dir",
      "output/x",
      "--filter",
      '{"interval":"2026-01-01/P1D"}',
    ], /remove 'interval'/],
    [["sync", "conversations", "--since", "2026-01-01", "--dir", "../elsewhere"], /--allow-write=/],
  ];
  try {
    for (const [args, message] of cases) {
      const run = await runCli([...args, "--region", "http://127.0.0.1:9"], { cwd: root, env });
      assertEquals(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assertEquals(run.stderr.trim().split("\n").length, 1, run.stderr);
      assert(message.test(run.stderr), `${args.join(" ")}: ${run.stderr}`);
    }
    assertEquals(await listFiles(root), []);
    // A folder on the way that is a symbolic link (out of output/) is refused before anything.
    await Deno.mkdir(`${root}/output`);
    await Deno.mkdir(`${root}/elsewhere`);
    await makeSymlinks([[`${root}/elsewhere`, `${root}/output/lnk`]]);
    const linked = await runCli(
      ["sync", "users", "--dir", "output/lnk/users", "--region", "http://127.0.0.1:9"],
      { cwd: root, env },
    );
    assertEquals(linked.code, 2, linked.stderr);
    assert(
      linked.stderr.includes("The folder 'output/lnk' on the way to the manifest"),
      linked.stderr,
    );
    assertEquals(await listFiles(`${root}/elsewhere`), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("CLI sync --until: a rerun with every day of the range final says the range is complete, naming no day past --until", async () => {
  await using sim = await startSimulator({
    seed: 70,
    conversations: 400,
    start: "2026-01-05T00:00:00Z",
    end: "2026-01-09T00:00:00Z",
    rateLimitAllowed: 1_000_000,
  });
  const root = absolute(await tempDir("sync-until"));
  const env = credentials(sim);
  const args = ["sync", "conversations", "--since", "2026-01-05", "--until", "2026-01-08"];
  const run = [...args, "--dir", "output/sync", "--region", sim.url];
  try {
    const first = await runCli(run, { cwd: root, env });
    assertEquals(first.code, 0, first.stderr);
    const again = await runCli(run, { cwd: root, env });
    assertEquals(again.code, 0, again.stderr);
    assertEquals(
      lastLine(again),
      "Nothing to do: output/sync holds every day from 2026-01-05 … 2026-01-07, up to --until (2026-01-08): the range is complete",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
