/**
 * Kill-and-resume: the CLI as a subprocess against a running simulator, killed with SIGKILL at
 * seeded random moments and started again with the same arguments until it finishes; the output
 * must be byte-identical to an uninterrupted run's, with no `.partial` or temp file left and the
 * checkpoint marked complete. A moment is "after the simulator has served n more requests, plus
 * 0–15 ms", with n drawn from what is left of the run, so kills land in requests, in writes and
 * in fsyncs alike. The reference output must also hold exactly what the simulator says it should:
 * the users, or each conversation that started in the interval once and nothing else.
 *
 * @module
 */
import type { Simulator, SimulatorOptions } from "../../testing.ts";
import { absolute, cliCommand, type CliResult, credentials, runCli } from "./cli.ts";
import { type Format, idsOf, listFiles, sameFiles } from "./files.ts";

/** One extraction to kill. */
export interface KillScenario {
  /** A label, such as `users/jsonl`. */
  name: string;
  /** The CLI's arguments (the region is appended). */
  args: string[];
  /** The output path, relative to the working directory (under `output/`). */
  output: string;
  /** How many kills to land in total. */
  kills: number;
  /** The interval of a conversations scenario: its output holds what started in it. */
  interval?: string;
  /** A table shape repeats a conversation's id on several rows: the set of ids is compared. */
  rowsPerConversation?: boolean;
}

/** The interval the kill scenarios extract: from 06:00, two days. */
export const KILL_INTERVAL = "2026-01-01T06:00:00Z/2026-01-03T00:00:00Z";

/**
 * A simulator for kill-and-resume on the real API's semantics: a tenth of the calls last 1-4 h
 * (the real share is 2 %, so small data crosses every boundary), and a fixed now two hours after
 * {@link KILL_INTERVAL}, so calls of its last hours are live, jobs (2 h behind) see it whole, and
 * every run sees the same data.
 *
 * @param options Seed, sizes and anything else.
 * @returns The simulator's options.
 */
export function killSimOptions(options: SimulatorOptions): SimulatorOptions {
  const end = Date.parse(KILL_INTERVAL.split("/")[1]);
  return {
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-04T00:00:00Z",
    jobPolls: 0,
    longConversationShare: 0.1,
    now: () => end + 2 * 3_600_000,
    // Many CLI runs share a simulator within a minute: no pacing to its per-minute window.
    rateLimitAllowed: 1_000_000,
    faults: { latency: [{ ms: 6, jitterMs: 10 }] },
    ...options,
  };
}

/**
 * Two scenarios whose intervals meet (yesterday, then today), for {@link checkBackToBack}.
 *
 * @param edges Start, meeting point and end.
 * @param kills Kills for each.
 * @param format The output format.
 * @param extra More arguments for both runs.
 * @returns The two scenarios.
 */
export function backToBack(
  edges: [string, string, string],
  kills: number,
  format: Format,
  extra: string[] = [],
): [KillScenario, KillScenario] {
  const make = (i: number): KillScenario => {
    const interval = `${edges[i]}/${edges[i + 1]}`;
    return {
      name: `back-to-back ${i + 1} of 2 → ${format}`,
      args: ["conversations", "--interval", interval, "--page-size", "25", ...extra],
      output: `output/day${i + 1}.${format}`,
      kills,
      interval,
    };
  };
  return [make(0), make(1)];
}

/**
 * Checks two back-to-back outputs together: each conversation that started in either interval
 * once, in order, and the second interval's query also returned calls the first one owns (else
 * the case proves nothing).
 *
 * @param sim The simulator.
 * @param reports The two reports (their reference outputs).
 * @param scenarios The two scenarios.
 * @returns What is wrong, if anything.
 */
export async function checkBackToBack(
  sim: Simulator,
  reports: readonly KillReport[],
  scenarios: readonly KillScenario[],
): Promise<string[]> {
  if (reports.some((r) => !r.reference)) return ["a reference run failed"];
  const ids: string[] = [];
  for (const [i, report] of reports.entries()) {
    const format = scenarios[i].output.split(".").at(-1) as Format;
    ids.push(...idsOf(format, await Deno.readTextFile(report.reference), "conversationId"));
  }
  const both = `${scenarios[0].interval!.split("/")[0]}/${scenarios[1].interval!.split("/")[1]}`;
  const problems = ids.join() === sim.conversationIds(both).join()
    ? []
    : [`together ${ids.length} ids, ${ids.length - new Set(ids).size} duplicates`];
  const own = new Set(sim.conversationIds(scenarios[1].interval!));
  if (!sim.detailsQueryIds(scenarios[1].interval!).some((id) => !own.has(id))) {
    problems.push("the second interval's query returns nothing of the first");
  }
  return problems;
}

/**
 * What a scenario's output must hold, checked: the users, or the conversations that started in
 * the interval (the set of them for a table shape), each once.
 *
 * @param sim The simulator.
 * @param scenario The scenario.
 * @param text The output.
 * @returns What is wrong, if anything.
 */
export function expectedContent(sim: Simulator, scenario: KillScenario, text: string): string[] {
  const conversations = scenario.interval !== undefined;
  if (!conversations && scenario.args[0] !== "users") return [];
  const expected = conversations ? sim.conversationIds(scenario.interval) : [...sim.ids.users];
  const format = scenario.output.split(".").at(-1) as Format;
  const ids = idsOf(format, text, conversations ? "conversationId" : "id");
  const got = scenario.rowsPerConversation ? [...new Set(ids)] : ids;
  if (got.join() === expected.join()) return [];
  const want = new Set(expected);
  return [
    `the output holds ${got.length} ids (${ids.length - new Set(ids).size} repeated, ${
      got.filter((id) => !want.has(id)).length
    } unexpected), ${expected.length} expected`,
  ];
}

/** What a scenario did. */
export interface KillReport {
  /** The scenario's label. */
  name: string;
  /** SIGKILLs that landed while the CLI was running. */
  kills: number;
  /** Durable pages (from the checkpoint) right after each kill, of `pages` in all. */
  killedAt: number[];
  /** Pages of a whole run. */
  pages: number;
  /** CLI starts, the final ones included. */
  starts: number;
  /** Series that finished before the next kill could land (each verified, then started over). */
  series: number;
  /** Output bytes. */
  bytes: number;
  /** Whether everything held: identical bytes, no stray files, complete checkpoint. */
  ok: boolean;
  /** What went wrong, if anything. */
  problems: string[];
  /** Real milliseconds. */
  ms: number;
  /** The slowest CLI start, in real milliseconds, and how it ended. */
  slowest: { ms: number; how: string };
  /** The uninterrupted run's output (absolute path), which every finished series equals. */
  reference: string;
}

/**
 * A seeded random number generator (Park–Miller).
 *
 * @param seed Any integer.
 * @returns Numbers in [0, 1).
 */
export function rng(seed: number): () => number {
  let s = (Math.abs(seed) * 48271 + 11) % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

/**
 * Polls `ready` every `everyMs` until it holds (true) or the run ends or 60 s pass (false).
 */
async function whileRunning(
  done: Promise<unknown>,
  ready: () => boolean | Promise<boolean>,
  everyMs: number,
): Promise<boolean> {
  let finished = false;
  done.then(() => finished = true, () => finished = true);
  for (let i = 0; i < 60_000 / everyMs && !finished; i++) {
    if (await ready()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}

async function checkpointPages(path: string): Promise<number> {
  try {
    return JSON.parse(await Deno.readTextFile(path)).pages ?? 0;
  } catch {
    return 0;
  }
}

function describeRun(r: CliResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ""}: ${r.stderr.trim().split("\n").at(-1)}`;
}

/**
 * Runs a scenario: one uninterrupted reference run, then kill-and-restart series until `kills`
 * kills have landed, each series finished and compared with the reference.
 *
 * @param sim The simulator (its URL is the region).
 * @param scenario What to run and how many kills.
 * @param root An empty directory for the runs.
 * @param seed Seeds the kill moments.
 * @returns The report (never throws for a failed check: `ok` is false).
 */
export async function killAndResume(
  sim: Simulator,
  scenario: KillScenario,
  root: string,
  seed: number,
): Promise<KillReport> {
  const began = performance.now();
  const random = rng(seed);
  const args = [...scenario.args, "-o", scenario.output, "--region", sim.url];
  const env = credentials(sim);
  const report: KillReport = {
    name: scenario.name,
    kills: 0,
    killedAt: [],
    pages: 0,
    starts: 0,
    series: 0,
    bytes: 0,
    ok: false,
    problems: [],
    ms: 0,
    slowest: { ms: 0, how: "" },
    reference: "",
  };
  const refDir = absolute(`${root}/reference`);
  await Deno.mkdir(refDir, { recursive: true });
  const before = sim.stats.requests;
  const ref = await runCli(args, { cwd: refDir, env });
  const refRequests = sim.stats.requests - before;
  if (ref.code !== 0) {
    report.problems.push(`reference run failed: ${describeRun(ref)}`);
    report.ms = Math.round(performance.now() - began);
    return report;
  }
  const expectedPath = `${refDir}/${scenario.output}`;
  report.reference = expectedPath;
  report.problems.push(
    ...expectedContent(sim, scenario, await Deno.readTextFile(expectedPath))
      .map((p) => `reference run: ${p}`),
  );
  const expectedBytes = (await Deno.stat(expectedPath)).size;
  const refPages = await checkpointPages(`${refDir}/${scenario.output}.checkpoint.json`);
  report.bytes = expectedBytes;
  report.pages = refPages;

  const verify = async (dir: string, label: string): Promise<void> => {
    const output = `${dir}/${scenario.output}`;
    if (!(await Deno.stat(output).then(() => true, () => false))) {
      report.problems.push(`${label}: no output file`);
      return;
    }
    if (!(await sameFiles(output, expectedPath))) {
      report.problems.push(`${label}: output differs from the uninterrupted run`);
    }
    const files = await listFiles(dir);
    const wanted = [scenario.output, `${scenario.output}.checkpoint.json`].sort();
    if (files.join() !== wanted.join()) {
      report.problems.push(`${label}: files left: ${files.join(", ")}`);
    }
    const cp = JSON.parse(await Deno.readTextFile(`${dir}/${scenario.output}.checkpoint.json`));
    if (cp.status !== "complete") report.problems.push(`${label}: checkpoint not complete`);
    const again = await runCli(args, { cwd: dir, env });
    report.starts++;
    if (again.code !== 0 || !(await sameFiles(output, expectedPath))) {
      report.problems.push(
        `${label}: a run after completion changed something: ${describeRun(again)}`,
      );
    }
  };

  const maxStarts = scenario.kills * 4 + 10;
  while (report.kills < scenario.kills && report.starts < maxStarts && !report.problems.length) {
    const dir = absolute(`${root}/series-${report.series}`);
    await Deno.mkdir(dir, { recursive: true });
    report.series++;
    let finished = false;
    while (!finished && report.starts < maxStarts && !report.problems.length) {
      const saved = await checkpointPages(`${dir}/${scenario.output}.checkpoint.json`);
      const left = Math.max(1, refPages - saved);
      const perPage = Math.max(1, refRequests / Math.max(1, refPages));
      const target = sim.stats.requests + 1 + Math.floor(random() * left * perPage);
      const extraMs = Math.floor(random() * 16);
      const child = (await cliCommand(args, { cwd: dir, env })).spawn();
      const startedAt = performance.now();
      report.starts++;
      const output = child.output();
      const wantKill = report.kills < scenario.kills;
      if (wantKill && await whileRunning(output, () => sim.stats.requests >= target, 2)) {
        // The last kill lands mid-run when no kill has yet: on a loaded machine the saves can lag
        // the requests, so wait for a saved page (what the checks ask for), not for time.
        if (report.kills === scenario.kills - 1 && !report.killedAt.some((p) => p > 0)) {
          const checkpoint = `${dir}/${scenario.output}.checkpoint.json`;
          await whileRunning(output, async () => await checkpointPages(checkpoint) > 0, 5);
        }
        await new Promise((r) => setTimeout(r, extraMs));
        try {
          child.kill("SIGKILL");
        } catch {
          // it exited in the meantime
        }
      }
      const out = await output;
      const result: CliResult = {
        code: out.code,
        signal: out.signal,
        stdout: new TextDecoder().decode(out.stdout),
        stderr: new TextDecoder().decode(out.stderr),
      };
      const took = Math.round(performance.now() - startedAt);
      if (took > report.slowest.ms) report.slowest = { ms: took, how: describeRun(result) };
      if (result.signal === "SIGKILL") {
        report.kills++;
        report.killedAt.push(await checkpointPages(`${dir}/${scenario.output}.checkpoint.json`));
      } else if (result.code === 0) finished = true;
      else report.problems.push(`start ${report.starts} failed: ${describeRun(result)}`);
    }
    if (finished) await verify(dir, `series ${report.series}`);
  }
  if (report.kills < scenario.kills && !report.problems.length) {
    report.problems.push(`only ${report.kills} of ${scenario.kills} kills landed`);
  }
  if (report.kills > 0 && !report.killedAt.some((p) => p > 0 && p < refPages)) {
    report.problems.push(`no kill landed mid-run (pages at each kill: ${report.killedAt})`);
  }
  report.ok = report.problems.length === 0;
  report.ms = Math.round(performance.now() - began);
  return report;
}
