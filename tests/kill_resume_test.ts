/**
 * Kill-and-resume through the real CLI: `deno run` with the extract task's grants, the simulator
 * in-process (its URL as the region, its credentials in the environment, latency so kills land
 * mid-run), SIGKILL at seeded random moments, started again until done. The output must be
 * byte-identical to an uninterrupted run's, with no `.partial`, temp or lock file left (each kill
 * leaves a lock that the next start takes over), and hold each conversation that started in the
 * interval exactly once and nothing else (`sim.conversationIds`). The simulator models the real
 * API: an interval from 06:00, 6-hour chunks, a day split at a lowered paging limit, calls of
 * 1-4 h crossing every boundary, calls still live at the simulator's now (fixed, so a resumed run
 * sees the same data), jobs that return every overlapping call, and two back-to-back intervals.
 * One test runs every scenario (a step each) and then checks the summary, so the summary never
 * depends on which other tests ran. `deno task soak` runs at least 20 kills for every kind and
 * format.
 */
import { type Simulator, type SimulatorOptions, startSimulator } from "../testing.ts";
import { type Format, idsOf, tempDir } from "./chaos/files.ts";
import { killAndResume, type KillReport, type KillScenario } from "./chaos/kill.ts";
import { assert, assertEquals } from "./_assert.ts";

const INTERVAL = "2026-01-01T06:00:00Z/2026-01-03T00:00:00Z";
const END = Date.parse("2026-01-03T00:00:00Z");
/** The split scenario's paging limit (the real one is 100,000): each day is split in four. */
const RESULT_LIMIT = 100;

/** A scenario, the conversations its outputs must hold, and its simulator's options. */
interface Scenario extends KillScenario {
  /** The interval whose conversations the output holds (none for users). */
  interval?: string;
  /** A table shape repeats a conversation's id on several rows: compare the set of ids. */
  rowsPerConversation?: boolean;
  /** Options for this scenario's simulator. */
  sim?: SimulatorOptions;
}

/**
 * Scenarios of the CI run: 17 kills over the three kinds, the three formats, the table shapes
 * (the CSV of conversations is the `conversations` table) and the real API's interval semantics.
 * The two back-to-back runs share one simulator and are checked together.
 */
const SCENARIOS: Scenario[] = [
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
const BACK_TO_BACK: Scenario[] = [
  ["2026-01-01T12:00:00Z", "2026-01-02T12:00:00Z"],
  ["2026-01-02T12:00:00Z", "2026-01-03T00:00:00Z"],
].map(([from, to], i) => ({
  name: `back-to-back ${i + 1} of 2 → jsonl`,
  args: ["conversations", "--interval", `${from}/${to}`, "--page-size", "25"],
  output: `output/day${i + 1}.jsonl`,
  kills: 1,
  interval: `${from}/${to}`,
}));

function simOptions(seed: number, extra: SimulatorOptions = {}): SimulatorOptions {
  return {
    seed,
    users: 300,
    conversations: 400,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-04T00:00:00Z",
    clientSecret: "kill-test-secret-9d2f",
    jobPolls: 0,
    // A tenth of the calls last 1-4 h (the real share is 2 %), so 400 calls cross every boundary.
    longConversationShare: 0.1,
    // Two hours after the interval: calls of its last hours are live, and jobs (2 h behind) see
    // the interval whole. Fixed, so every run sees the same data.
    now: () => END + 2 * 3_600_000,
    // Many CLI runs share this simulator within a minute: no pacing to its per-minute window.
    rateLimitAllowed: 1_000_000,
    faults: { latency: [{ ms: 6, jitterMs: 10 }] },
    ...extra,
  };
}

const formatOf = (path: string) => path.split(".").at(-1) as Format;

/**
 * The ids in an output, checked against what it must hold (the users; the conversations that
 * started in the interval): returns the problems.
 */
function exactlyOnce(scenario: Scenario, text: string, sim: Simulator): string[] {
  const expected = scenario.interval ? sim.conversationIds(scenario.interval) : [...sim.ids.users];
  const ids = idsOf(formatOf(scenario.output), text, scenario.interval ? "conversationId" : "id");
  if (scenario.rowsPerConversation) {
    const unique = [...new Set(ids)];
    return unique.join() === expected.join() ? [] : [
      `${unique.length} conversations in the table, ${expected.length} started in the interval`,
    ];
  }
  const duplicates = ids.length - new Set(ids).size;
  const want = new Set(expected);
  const outside = ids.filter((id) => !want.has(id)).length;
  return ids.join() === expected.join()
    ? []
    : [`${ids.length} ids, ${duplicates} duplicates, ${outside} unexpected`];
}

Deno.test("CLI killed with SIGKILL at random moments resumes to identical bytes, each conversation once (17 kills over 3 kinds, 3 formats, the table shapes, 6-hour chunks, split days and back-to-back intervals)", async (t) => {
  const reports: KillReport[] = [];
  /** Runs the scenarios one after another on `sim`; returns their outputs. */
  const check = async (sim: Simulator, scenarios: Scenario[], seed: number, root: string) => {
    const outputs: string[] = [];
    for (const [k, scenario] of scenarios.entries()) {
      const report = await killAndResume(sim, scenario, `${root}/${k}`, seed + k, {
        GENESYSCLOUD_OAUTHCLIENT_ID: sim.clientId,
        GENESYSCLOUD_OAUTHCLIENT_SECRET: sim.clientSecret,
      });
      reports.push(report);
      assert(report.ok, `${scenario.name}: ${report.problems.join("; ")}`);
      assert(report.kills >= scenario.kills, `only ${report.kills} kills landed`);
      // Every finished series is byte-identical to the reference run: its ids speak for all.
      const text = await Deno.readTextFile(`${root}/${k}/reference/${scenario.output}`);
      const problems = exactlyOnce(scenario, text, sim);
      assertEquals(problems, [], scenario.name);
      outputs.push(text);
    }
    return outputs;
  };
  for (const [i, scenario] of SCENARIOS.entries()) {
    await t.step(`${scenario.name}: ${scenario.kills} kills`, async () => {
      await using sim = await startSimulator(simOptions(5 + i, scenario.sim));
      const root = await tempDir("kill");
      try {
        await check(sim, [scenario], 2000 + i, root);
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    });
  }
  await t.step("back-to-back intervals, each killed: together each conversation once", async () => {
    await using sim = await startSimulator(simOptions(17));
    const root = await tempDir("kill");
    try {
      const texts = await check(sim, BACK_TO_BACK, 2100, root);
      const ids = texts.flatMap((text) => idsOf("jsonl", text, "conversationId"));
      const both = `${BACK_TO_BACK[0].interval!.split("/")[0]}/${
        BACK_TO_BACK[1].interval!.split("/")[1]
      }`;
      assertEquals(ids, sim.conversationIds(both));
      // The second interval's query also returns calls of the first still going at noon.
      const own = new Set(sim.conversationIds(BACK_TO_BACK[1].interval!));
      assert(sim.detailsQueryIds(BACK_TO_BACK[1].interval!).some((id) => !own.has(id)));
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
