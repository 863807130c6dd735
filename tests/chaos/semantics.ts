/**
 * The real API's interval semantics, end to end: the CLI as a subprocess (the extract task's
 * grants) against the simulator's default model (UTC-day index + overlap for the details query,
 * overlap for jobs, calls of 1-4 h, calls still live at the simulator's now, an approximate
 * `totalHits`, short pages, the 10,000 cap on inactive users). Each case is one or more CLI runs
 * whose output must hold exactly the expected ids (`sim.conversationIds`: the conversations that
 * started in the interval), in order, each once, and nothing else.
 *
 * Shared by `tests/cli_semantics_sim_test.ts` (which asserts) and `bench/semantics.ts` (which
 * prints the figures, also for another checkout's `cli.ts`, such as the code before issue 11).
 *
 * @module
 */
import { type Simulator, type SimulatorOptions, startSimulator } from "../../testing.ts";
import { absolute, type CliResult, credentials, runCli } from "./cli.ts";

/** One CLI run of a case. */
export interface Step {
  /** The CLI's arguments, without `-o` and the region (added). */
  args: string[];
  /** The output file, relative to the case's folder. */
  output: string;
}

/** What a case may look at to work out its expected ids. */
export interface CaseContext {
  /** The simulator. */
  sim: Simulator;
  /** The case's folder (absolute). */
  dir: string;
  /** What each run gave. */
  runs: CliResult[];
  /** When each run started, epoch ms (real time). */
  startedAt: number[];
}

/** One row of the table. */
export interface SemanticsCase {
  /** A short label. */
  id: string;
  /** What it proves. */
  title: string;
  /** The simulator's options (a fresh object per run: clocks are functions). */
  sim: () => SimulatorOptions;
  /** The CLI runs, in order; the outputs are read in this order. */
  steps: Step[];
  /** Waits between two runs (given the runs so far). */
  between?: (ctx: CaseContext) => Promise<void>;
  /** The ids the outputs must hold, in order. */
  expected: (ctx: CaseContext) => Promise<string[]> | string[];
  /** The field holding the id (default `conversationId`). */
  idField?: string;
  /** The exit code every run must end with (default 0). */
  code?: number;
  /** Why to stop a run at once, from what the simulator saw (see `outputUnless`). */
  stop?: (sim: Simulator) => string | undefined;
  /** Uses options the code before issue 11 lacks (no "before" figure). */
  newFlags?: boolean;
  /** What must also hold, including proof that the case bites: returns the problems. */
  check?: (ctx: CaseContext) => Promise<string[]> | string[];
}

/** What a case gave. */
export interface SemanticsFigures {
  /** The case's id. */
  id: string;
  /** Lines written over every output. */
  lines: number;
  /** Lines whose id came earlier. */
  duplicates: number;
  /** Distinct ids that are not expected (started outside the interval, or past the cap). */
  outside: number;
  /** Expected ids that are absent. */
  missing: number;
  /** Expected ids. */
  expected: number;
  /** Requests the simulator served (token requests included). */
  requests: number;
  /** The exit codes of the runs. */
  codes: number[];
  /** Whether the output is exactly the expected ids, in order, with the expected exit codes. */
  ok: boolean;
  /** What is wrong. */
  problems: string[];
  /** Real milliseconds. */
  ms: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** The data span of the interval cases: three UTC days. */
const SPAN = { start: "2026-01-01T00:00:00Z", end: "2026-01-04T00:00:00Z" };
/** A non-midnight start, two days after it: sub-day chunks, split days, long and live calls. */
const INTERVAL = "2026-01-01T06:00:00Z/2026-01-03T00:00:00Z";
const END = Date.parse(INTERVAL.split("/")[1]);
const NOON_1 = "2026-01-01T12:00:00Z";
const NOON_2 = "2026-01-02T12:00:00Z";
/** The bisected case's paging limit (the real one is 100,000). */
const RESULT_LIMIT = 300;

/**
 * The interval cases' simulator: 2,000 conversations over three days, a tenth of them 1-4 h long
 * (the default is 2 %: small data must still hold calls crossing every boundary), its clock 2 h
 * after the interval's end, so calls that started in the interval's last hours are still live,
 * and jobs (whose data lags 2 h) see the data as it stood at the interval's end.
 */
function intervalSim(extra: SimulatorOptions = {}): () => SimulatorOptions {
  return () => ({
    seed: 11,
    users: 40,
    conversations: 2000,
    ...SPAN,
    longConversationShare: 0.1,
    jobPolls: 0,
    now: () => END + 2 * HOUR,
    ...extra,
  });
}

/** Ids that the details query or a job also returns for `interval` but that started outside it. */
function foreign(sim: Simulator, interval: string, jobs = false): number {
  const own = new Set(sim.conversationIds(interval));
  const returned = jobs ? sim.jobConversationIds({ interval }) : sim.detailsQueryIds(interval);
  return returned.filter((id) => !own.has(id)).length;
}

/** Problems unless the chunks of `interval` (of `chunkMs`) return calls another chunk owns. */
function crossesChunks(sim: Simulator, interval: string, chunkMs: number): string[] {
  const [from, to] = interval.split("/").map(Date.parse);
  let crossing = 0;
  for (let t = from; t < to; t += chunkMs) {
    crossing += foreign(sim, `${iso(t)}/${iso(Math.min(t + chunkMs, to))}`);
  }
  return crossing > 0 ? [] : [`no call crosses a ${chunkMs / HOUR} h chunk boundary`];
}

async function liveIn(ctx: CaseContext, output: string): Promise<number> {
  const text = await Deno.readTextFile(`${ctx.dir}/${output}`);
  return text.split("\n").filter((l) => l.trim() && !("conversationEnd" in JSON.parse(l)))
    .length;
}

/** Problems unless the output holds calls still live at the simulator's now. */
async function hasLive(ctx: CaseContext, output: string): Promise<string[]> {
  return await liveIn(ctx, output) > 0 ? [] : [`${output} holds no live call`];
}

async function checkpointOf(ctx: CaseContext, output: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(`${ctx.dir}/${output}.checkpoint.json`));
}

/**
 * The instant an open-ended output covers up to, from its checkpoint; a checkpoint without an
 * open end (code that does not clamp to now) claims the whole interval, and the last run could
 * see what had started when it started.
 */
async function coveredUntil(ctx: CaseContext, output: string): Promise<number> {
  const cp = await checkpointOf(ctx, output);
  const until = (cp.openEnd as { until?: string } | undefined)?.until;
  return until !== undefined
    ? Date.parse(until)
    : Math.floor(ctx.startedAt[ctx.startedAt.length - 1] / 1000) * 1000;
}

/** The open-end case: its interval, from 20 minutes before the case starts to tomorrow. */
let openStart = 0;

/** Every case, in table order. */
export const CASES: readonly SemanticsCase[] = [
  {
    id: "chunk-6h",
    title: "--chunk 6h from a non-midnight start (3-hour calls cross every chunk boundary)",
    sim: intervalSim(),
    steps: [{ args: ["--interval", INTERVAL, "--chunk", "6h"], output: "c.jsonl" }],
    expected: ({ sim }) => sim.conversationIds(INTERVAL),
    check: async (ctx) => [
      ...crossesChunks(ctx.sim, INTERVAL, 6 * HOUR),
      ...await hasLive(ctx, "c.jsonl"),
    ],
  },
  {
    id: "non-midnight",
    title: "1-day chunks from 06:00: each chunk also returns that day's earlier calls",
    sim: intervalSim(),
    steps: [{ args: ["--interval", INTERVAL], output: "c.jsonl" }],
    expected: ({ sim }) => sim.conversationIds(INTERVAL),
    check: (ctx) => crossesChunks(ctx.sim, INTERVAL, DAY),
  },
  {
    id: "bisected-day",
    title:
      `days of ~670 conversations, paging limit ${RESULT_LIMIT} (real: 100,000): each day split`,
    sim: intervalSim({ detailsResultLimit: RESULT_LIMIT }),
    steps: [{
      args: ["--interval", INTERVAL, "--max-results", String(RESULT_LIMIT), "--page-size", "50"],
      output: "c.jsonl",
    }],
    expected: ({ sim }) => sim.conversationIds(INTERVAL),
    newFlags: true,
    check: ({ sim }) => {
      const day = sim.detailsQueryIds("2026-01-02T00:00:00Z/2026-01-03T00:00:00Z").length;
      const problems = day > RESULT_LIMIT ? [] : [`a day holds only ${day} conversations`];
      // Paging a day whole would have asked past the limit: a 400. None means it was split.
      const refused = sim.stats.byStatus["400"] ?? 0;
      if (refused > 0) problems.push(`${refused} requests answered 400`);
      return problems;
    },
  },
  {
    id: "jobs",
    title: "--jobs: the job returns every call overlapping the interval, live ones included",
    sim: intervalSim(),
    steps: [{ args: ["--interval", INTERVAL, "--jobs", "--page-size", "200"], output: "c.jsonl" }],
    expected: ({ sim }) => sim.conversationIds(INTERVAL),
    check: async (ctx) => [
      ...(foreign(ctx.sim, INTERVAL, true) > 0 ? [] : ["the job returns nothing extra"]),
      ...await hasLive(ctx, "c.jsonl"),
    ],
  },
  {
    id: "back-to-back",
    title: "two runs, noon to noon, then noon to midnight (the second also returns the first's)",
    sim: intervalSim(),
    steps: [
      { args: ["--interval", `${NOON_1}/${NOON_2}`], output: "day1.jsonl" },
      { args: ["--interval", `${NOON_2}/${iso(END)}`], output: "day2.jsonl" },
    ],
    expected: ({ sim }) => sim.conversationIds(`${NOON_1}/${iso(END)}`),
    check: ({ sim }) =>
      foreign(sim, `${NOON_2}/${iso(END)}`) > 0
        ? []
        : ["the second run's query returns nothing of the first"],
  },
  {
    id: "back-to-back-jobs",
    title: "two --jobs runs, one day each",
    sim: intervalSim(),
    steps: [
      { args: ["--interval", "2026-01-01/2026-01-02", "--jobs"], output: "day1.jsonl" },
      { args: ["--interval", "2026-01-02/2026-01-03", "--jobs"], output: "day2.jsonl" },
    ],
    expected: ({ sim }) => sim.conversationIds("2026-01-01T00:00:00Z/2026-01-03T00:00:00Z"),
    check: ({ sim }) =>
      foreign(sim, "2026-01-02T00:00:00Z/2026-01-03T00:00:00Z", true) > 0
        ? []
        : ["the second day's job returns nothing of the first"],
  },
  {
    id: "totalHits-10%-low",
    title: "totalHits reported 10 % low, pages shortened by server-side dedupe",
    sim: intervalSim({ totalHitsError: -0.1 }),
    steps: [{ args: ["--interval", INTERVAL], output: "c.jsonl" }],
    expected: ({ sim }) => sim.conversationIds(INTERVAL),
  },
  {
    id: "inactive-12000",
    title: "12,000 inactive users: the first 10,000, a warning, exit 5",
    sim: () => ({ seed: 3, users: 50, inactiveUsers: 12_000, conversations: 10 }),
    steps: [{
      args: ["users", "--query", "state=inactive", "--page-size", "500"],
      output: "inactive.jsonl",
    }],
    idField: "id",
    code: 5,
    // One page past the cap answers 400; were it retried, the real backoff would take minutes.
    stop: (sim) =>
      (sim.stats.byRouteStatus.users?.["400"] ?? 0) > 1
        ? "the 400 past 10,000 was asked again: a 400 is not retried"
        : undefined,
    expected: ({ sim }) => sim.ids.inactiveUsers.slice(0, 10_000),
    check: ({ runs }) =>
      runs.every((r) => /10,000/.test(r.stderr) && /warn/i.test(r.stderr))
        ? []
        : ["no warning naming the 10,000 cap"],
  },
  {
    id: "open-end",
    title: "an interval ending tomorrow, run now and again later (the sim's now is the real clock)",
    sim: () => {
      // Two conversations a second around now, so the second run has new ones to add.
      const now = Date.now();
      openStart = Math.floor(now / 1000) * 1000 - 20 * 60_000;
      const start = openStart - HOUR;
      const end = Math.ceil(now / DAY) * DAY + DAY;
      return {
        seed: 5,
        users: 40,
        start: new Date(start),
        end: new Date(end),
        conversations: Math.round((end - start) / 500),
        now: () => Date.now(), // the CLI's clock
      };
    },
    steps: [
      { args: ["--interval", "@open"], output: "open.jsonl" },
      { args: ["--interval", "@open"], output: "open.jsonl" },
    ],
    // Run again once the real clock is 3 s past what the first run covered: never a race.
    between: async (ctx) => {
      const until = await coveredUntil(ctx, "open.jsonl");
      for (let i = 0; i < 100 && Date.now() < until + 3_000; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    expected: async (ctx) =>
      ctx.sim.conversationIds(`${iso(openStart)}/${iso(await coveredUntil(ctx, "open.jsonl"))}`),
    check: (ctx) => {
      const [first, second] = ctx.runs;
      const problems: string[] = [];
      if (!first.stderr.includes("The interval ends in the future")) {
        problems.push("the first run gave no notice that the interval ends in the future");
      }
      if (!second.stderr.includes("Continuing")) problems.push("the second run did not continue");
      if (/already complete/.test(second.stderr)) problems.push("the second run said complete");
      return problems;
    },
  },
];

/** The open-end case's interval, resolved when its simulator starts. */
function resolveArgs(args: string[]): string[] {
  const tomorrow = Math.ceil(Date.now() / DAY) * DAY;
  return args.map((a) => a === "@open" ? `${iso(openStart)}/${iso(tomorrow)}` : a);
}

function idsOf(text: string, field: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => String(JSON.parse(l)[field]));
}

/**
 * Runs one case in a fresh folder under `root` against a fresh simulator.
 *
 * @param c The case.
 * @param root A folder (absolute) to create the case's folder in.
 * @param cli The `cli.ts` to run (default this checkout's).
 * @returns The figures (never throws for a failed check: `ok` is false).
 */
export async function runCase(
  c: SemanticsCase,
  root: string,
  cli?: string,
): Promise<SemanticsFigures> {
  const began = performance.now();
  const dir = absolute(`${root}/${c.id}`);
  const outputs = `${dir}/output`;
  await Deno.mkdir(outputs, { recursive: true });
  await using sim = await startSimulator(c.sim());
  const env = { GENESYSCLOUD_REGION: sim.url, ...credentials(sim) };
  const ctx: CaseContext = { sim, dir: outputs, runs: [], startedAt: [] };
  const figures: SemanticsFigures = {
    id: c.id,
    lines: 0,
    duplicates: 0,
    outside: 0,
    missing: 0,
    expected: 0,
    requests: 0,
    codes: [],
    ok: false,
    problems: [],
    ms: 0,
  };
  for (const [i, step] of c.steps.entries()) {
    if (i > 0) await c.between?.(ctx);
    const command = step.args[0] === "users" ? [] : ["conversations"];
    const args = [...command, ...resolveArgs(step.args), "-o", `output/${step.output}`];
    ctx.startedAt.push(Date.now());
    const run = await runCli(args, { cwd: dir, env, cli, stop: c.stop && (() => c.stop!(sim)) });
    ctx.runs.push(run);
    figures.codes.push(run.code);
  }
  figures.requests = sim.stats.requests;
  const wantCode = c.code ?? 0;
  const failed = ctx.runs.findIndex((r) => r.code !== wantCode);
  if (failed !== -1) {
    const last = ctx.runs[failed].stderr.trim().split("\n").at(-1);
    figures.problems.push(`run ${failed + 1} exited ${ctx.runs[failed].code}: ${last}`);
  }
  const ids: string[] = [];
  for (const output of new Set(c.steps.map((s) => s.output))) {
    try {
      const text = await Deno.readTextFile(`${outputs}/${output}`);
      ids.push(...idsOf(text, c.idField ?? "conversationId"));
    } catch (error) {
      figures.problems.push(`${output}: ${error instanceof Error ? error.message : error}`);
    }
  }
  let expected: string[] = [];
  try {
    expected = await c.expected(ctx);
  } catch (error) {
    figures.problems.push(`expected ids: ${error instanceof Error ? error.message : error}`);
  }
  const want = new Set(expected);
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) figures.duplicates++;
    seen.add(id);
  }
  figures.lines = ids.length;
  figures.expected = expected.length;
  figures.outside = [...seen].filter((id) => !want.has(id)).length;
  figures.missing = expected.filter((id) => !seen.has(id)).length;
  if (figures.duplicates || figures.outside || figures.missing) {
    figures.problems.push(
      `${figures.duplicates} duplicates, ${figures.outside} unexpected, ${figures.missing} missing`,
    );
  } else if (ids.join() !== expected.join()) figures.problems.push("ids out of order");
  if (figures.problems.length === 0) {
    try {
      figures.problems.push(...await c.check?.(ctx) ?? []);
    } catch (error) {
      figures.problems.push(`check: ${error instanceof Error ? error.message : error}`);
    }
  }
  figures.ok = figures.problems.length === 0;
  figures.ms = Math.round(performance.now() - began);
  return figures;
}

/**
 * The figures as a table.
 *
 * @param rows The figures, one per case.
 * @returns A Markdown table.
 */
export function figuresTable(rows: readonly (SemanticsFigures & { label?: string })[]): string {
  const head =
    "| case | expected | lines | duplicates | outside | missing | requests | exit | ok |";
  const lines = rows.map((r) =>
    `| ${
      r.label ?? r.id
    } | ${r.expected} | ${r.lines} | ${r.duplicates} | ${r.outside} | ${r.missing} | ${r.requests} | ${
      r.codes.join(",")
    } | ${r.ok ? "yes" : `NO: ${r.problems.join("; ")}`} |`
  );
  return [head, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |", ...lines].join("\n");
}
