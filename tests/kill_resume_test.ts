/**
 * Kill-and-resume through the real CLI: `deno run` with the extract task's grants, the simulator
 * in-process (its URL as the region, its credentials in the environment, latency so kills land
 * mid-run), SIGKILL at seeded random moments, started again until done. The output must be
 * byte-identical to an uninterrupted run's, with no `.partial`, temp or lock file left (each kill
 * leaves a lock that the next start takes over), and hold each conversation that started in the
 * interval exactly once and nothing else (`sim.conversationIds`). The simulator models the real
 * API (`killSimOptions`): an interval from 06:00, 6-hour chunks, days split at a lowered paging
 * limit, calls of 1-4 h crossing every boundary, calls still live at the simulator's now (fixed,
 * so a resumed run sees the same data), jobs that return every overlapping call, and two
 * back-to-back intervals. One test runs every scenario (a step each) and then checks the
 * summary, so the summary never depends on which other tests ran. `deno task soak` runs at least
 * 20 kills for every kind and format.
 */
import { type SimulatorOptions, startSimulator } from "../testing.ts";
import { tempDir } from "./chaos/files.ts";
import {
  backToBack,
  checkBackToBack,
  KILL_INTERVAL as INTERVAL,
  killAndResume,
  type KillReport,
  type KillScenario,
  killSimOptions,
} from "./chaos/kill.ts";
import { assert, assertEquals } from "./_assert.ts";

/** The split scenario's paging limit (the real one is 100,000): each day is split in two. */
const RESULT_LIMIT = 100;

/**
 * Scenarios of the CI run: 17 kills over the three kinds, the three formats, the table shapes
 * (the CSV of conversations is the `conversations` table) and the real API's interval semantics.
 */
const SCENARIOS: (KillScenario & { sim?: SimulatorOptions })[] = [
  {
    name: "users → jsonl",
    args: ["users", "--page-size", "20"],
    output: "output/users.jsonl",
    kills: 5,
  },
  {
    name: "conversations --chunk 6h → csv",
    args: ["conversations", "--interval", INTERVAL, "--chunk", "6h", "--page-size", "25"],
    output: "output/conversations.csv",
    kills: 3,
    interval: INTERVAL,
  },
  {
    name: "conversations --jobs → json",
    args: ["conversations", "--interval", INTERVAL, "--jobs", "--page-size", "25"],
    output: "output/conversations.json",
    kills: 2,
    interval: INTERVAL,
  },
  {
    name: "split days, --table segments → csv",
    args: [
      "conversations",
      "--interval",
      INTERVAL,
      "--max-results",
      String(RESULT_LIMIT),
      "--table",
      "segments",
      "--page-size",
      "25",
    ],
    output: "output/segments.csv",
    kills: 2,
    interval: INTERVAL,
    rowsPerConversation: true,
    sim: { detailsResultLimit: RESULT_LIMIT },
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
    interval: INTERVAL,
    rowsPerConversation: true,
  },
];

/** Yesterday, then today: two runs whose intervals meet at noon, each killed. */
const BACK_TO_BACK = backToBack(
  ["2026-01-01T12:00:00Z", "2026-01-02T12:00:00Z", "2026-01-03T00:00:00Z"],
  1,
  "jsonl",
);

const SIM = { users: 300, conversations: 400, clientSecret: "kill-test-secret-9d2f" };

Deno.test("CLI killed with SIGKILL at random moments resumes to identical bytes, each conversation once (17 kills over 3 kinds, 3 formats, the table shapes, 6-hour chunks, split days and back-to-back intervals)", async (t) => {
  const reports: KillReport[] = [];
  for (const [i, scenario] of SCENARIOS.entries()) {
    await t.step(`${scenario.name}: ${scenario.kills} kills`, async () => {
      await using sim = await startSimulator(
        killSimOptions({ ...SIM, seed: 5 + i, ...scenario.sim }),
      );
      const root = await tempDir("kill");
      try {
        const report = await killAndResume(sim, scenario, root, 2000 + i);
        reports.push(report);
        assert(report.ok, `${scenario.name}: ${report.problems.join("; ")}`);
        assert(report.kills >= scenario.kills, `only ${report.kills} kills landed`);
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    });
  }
  await t.step("back-to-back intervals, each killed: together each conversation once", async () => {
    await using sim = await startSimulator(killSimOptions({ ...SIM, seed: 17 }));
    const root = await tempDir("kill");
    try {
      const both: KillReport[] = [];
      for (const [k, scenario] of BACK_TO_BACK.entries()) {
        const report = await killAndResume(sim, scenario, `${root}/${k}`, 2100 + k);
        both.push(report);
        assert(report.ok, `${scenario.name}: ${report.problems.join("; ")}`);
      }
      reports.push(...both);
      assertEquals(await checkBackToBack(sim, both, BACK_TO_BACK), []);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
  const lines = reports.map((r) =>
    `${r.name.padEnd(46)} kills ${String(r.kills).padStart(2)} (at pages ${
      r.killedAt.join(",")
    } of ${r.pages})  starts ${r.starts}  series ${r.series}  ${r.bytes} bytes  ${
      r.ok ? "identical" : "FAIL"
    }  ${r.ms} ms`
  );
  console.log(`\n${lines.join("\n")}`);
  assertEquals(reports.length, SCENARIOS.length + BACK_TO_BACK.length, "scenarios that ran");
  const kills = reports.reduce((a, r) => a + r.kills, 0);
  assert(kills >= 17, `only ${kills} kills landed`);
  assert(reports.every((r) => r.ok));
});
