/**
 * Kill-and-resume through the real CLI: `deno run` with the extract task's grants, the simulator
 * in-process (its URL as the region, its credentials in the environment, latency so kills land
 * mid-run), SIGKILL at seeded random moments, started again until done. The output must be
 * byte-identical to an uninterrupted run's, with no `.partial`, temp or lock file left (each kill
 * leaves a lock that the next start takes over). One test runs every scenario (a step each) and
 * then checks the summary, so the summary never depends on which other tests ran. `deno task
 * soak` runs at least 20 kills for every kind and format.
 */
import { type Simulator, startSimulator } from "../testing.ts";
import { tempDir } from "./chaos/files.ts";
import { killAndResume, type KillReport, type KillScenario } from "./chaos/kill.ts";
import { startNamesProxy, wrapUpCodesOf } from "./_names_proxy.ts";
import { assert, assertEquals } from "./_assert.ts";

const INTERVAL = "2026-01-01T00:00:00Z/2026-01-03T00:00:00Z";

/**
 * Scenarios of the CI run: 15 kills over the three kinds, the three formats and the table shapes
 * (the CSV of conversations is the `conversations` table). `names` puts the proxy that adds the
 * wrap-up codes listing in front of the simulator, for `--resolve-names`.
 */
const SCENARIOS: (KillScenario & { names?: boolean })[] = [
  {
    name: "users → jsonl",
    args: ["users", "--page-size", "20"],
    output: "output/users.jsonl",
    kills: 5,
  },
  {
    name: "conversations (details query) → csv",
    args: ["conversations", "--interval", INTERVAL, "--page-size", "25"],
    output: "output/conversations.csv",
    kills: 3,
  },
  {
    name: "conversations --jobs → json",
    args: ["conversations", "--interval", INTERVAL, "--jobs", "--page-size", "25"],
    output: "output/conversations.json",
    kills: 2,
  },
  {
    name: "conversations --table segments → csv",
    args: ["conversations", "--interval", INTERVAL, "--table", "segments", "--page-size", "25"],
    output: "output/segments.csv",
    kills: 2,
  },
  {
    name: "--table participants --resolve-names → jsonl",
    args: [
      "conversations",
      "--interval",
      INTERVAL,
      "--table",
      "participants",
      "--resolve-names",
      "--page-size",
      "25",
    ],
    output: "output/participants.jsonl",
    kills: 3,
    names: true,
  },
];

Deno.test("CLI killed with SIGKILL at random moments resumes to identical bytes (15 kills over 3 kinds, 3 formats and the table shapes)", async (t) => {
  const reports: KillReport[] = [];
  for (const [i, scenario] of SCENARIOS.entries()) {
    await t.step(`${scenario.name}: ${scenario.kills} kills`, async () => {
      await using sim = await startSimulator({
        seed: 5 + i,
        users: 300,
        conversations: 400,
        start: "2026-01-01T00:00:00Z",
        end: "2026-01-04T00:00:00Z",
        clientSecret: "kill-test-secret-9d2f",
        jobPolls: 0,
        // Many CLI runs share this simulator within a minute: no pacing to its per-minute window.
        rateLimitAllowed: 1_000_000,
        faults: { latency: [{ ms: 6, jitterMs: 10 }] },
      });
      const root = await tempDir("kill");
      // The CLI talks to the proxy; kill moments still count the simulator's requests.
      await using proxy = scenario.names
        ? startNamesProxy(sim, await wrapUpCodesOf(sim, INTERVAL))
        : undefined;
      const target = proxy
        ? {
          get url() {
            return proxy.url;
          },
          get stats() {
            return sim.stats;
          },
        } as Simulator
        : sim;
      try {
        const report = await killAndResume(target, scenario, root, 2000 + i, {
          GENESYSCLOUD_OAUTHCLIENT_ID: sim.clientId,
          GENESYSCLOUD_OAUTHCLIENT_SECRET: sim.clientSecret,
        });
        reports.push(report);
        assert(report.ok, `${scenario.name}: ${report.problems.join("; ")}`);
        assert(report.kills >= scenario.kills, `only ${report.kills} kills landed`);
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    });
  }
  const lines = reports.map((r) =>
    `${r.name.padEnd(46)} kills ${String(r.kills).padStart(2)} (at pages ${
      r.killedAt.join(",")
    } of ${r.pages})  starts ${r.starts}  series ${r.series}  ${r.bytes} bytes  ${
      r.ok ? "identical" : "FAIL"
    }  ${r.ms} ms`
  );
  console.log(`\n${lines.join("\n")}`);
  assertEquals(reports.length, SCENARIOS.length, "scenarios that ran");
  const kills = reports.reduce((a, r) => a + r.kills, 0);
  assert(kills >= 15, `only ${kills} kills landed`);
  assert(reports.every((r) => r.ok));
});
