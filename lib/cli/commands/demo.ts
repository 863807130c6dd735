/**
 * The `demo` command: starts the simulator in this process with 2-second tokens and injected
 * faults, runs `conversations` against it as a child process, kills that child with SIGKILL half
 * way (a real crash: no cleanup, no final checkpoint), runs the same command again to resume,
 * then checks the output against the simulator's own list and sums up what the simulator served.
 *
 * @module
 */

import { parseCheckpoint } from "../../extract/checkpoint_json.ts";
import { UsageError } from "../../errors.ts";
import { sleep } from "../../retry/sleep.ts";
import { startSimulator } from "../../sim/server.ts";
import type { Simulator } from "../../sim/types.ts";
import type { CommandContext } from "../context.ts";
import { ExitCode } from "../exit.ts";
import { readInteger, readLogSettings } from "../extract_options.ts";
import { PROGRAM } from "../help.ts";
import { invocation } from "../invocation.ts";
import { requirePermissions } from "../permissions.ts";
import { formatCount, formatDuration } from "../progress.ts";
import { shellQuote } from "../resume.ts";
import type { CommandSpec, ParsedCommand } from "../spec.ts";
import type { Command } from "./command.ts";

/** The `demo` command's spec. */
export const demoSpec: CommandSpec = {
  name: "demo",
  summary: "See it survive: a simulated org with expiring tokens, 429s, 503s and a killed process",
  description: [
    "Starts the simulator in this process with 2-second tokens, a 429 (Retry-After 1 s) on every 9th API call, a 503 on every 13th, 100-250 ms latency and every live token revoked at the 7th API call. Then it runs the conversations command against it as a child process, extracting a week into <dir>/conversations.jsonl, kills that process with SIGKILL half way, runs the same command again (which resumes from the checkpoint), and compares the output with the simulator's own list of ids. It takes 10 to 30 seconds and needs no credentials.",
    "Exit code 0 when every conversation arrived exactly once, 1 otherwise.",
  ],
  options: [
    {
      name: "dir",
      short: "d",
      type: "string",
      value: "<dir>",
      description: "Where the output and checkpoint go (replaced on each run).",
      default: "demo-output",
    },
    {
      name: "conversations",
      type: "string",
      value: "<n>",
      description: "Conversations in the simulated week, 200 to 20000.",
      default: "2000",
    },
    {
      name: "seed",
      type: "string",
      value: "<n>",
      description: "Seed of the simulated data and faults.",
      default: "7",
    },
    {
      name: "log-level",
      type: "string",
      value: "<level>",
      description: "debug shows every request, retry and token refresh.",
      default: "info",
    },
  ],
  examples: [
    { command: "demo", note: "Run it (deno task demo)" },
    { command: "demo --log-level debug", note: "Watch every request, retry and token request" },
  ],
};

/** The simulated week: the simulator's data span, and the interval both runs extract. */
const SPAN = { start: "2026-01-01T00:00:00Z", end: "2026-01-08T00:00:00Z" };
const INTERVAL = `${SPAN.start}/${SPAN.end}`;
const DAYS = 7;
const PAGE_SIZE = 50;
/** How often the demo looks at run 1's checkpoint, and how long it waits at most for it. */
const POLL_MS = 20;
/** Every live token is revoked as this API call arrives (it gets the 401), whatever the timing. */
const REVOKE_AT = 7;
const RUN_1_LIMIT_MS = 120_000;

async function readIds(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((line) => line.trim() !== "").map((line) =>
    String((JSON.parse(line) as { conversationId?: unknown }).conversationId)
  );
}

/** `200×44, 401×2`: answers by status, in status order. */
function byStatus(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts).sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status}×${formatCount(n)}`).join(", ");
}

/** What the simulator served, split into token and API requests; the parts add up. */
function servedSummary(
  sim: Simulator,
): { token: Record<string, number>; api: Record<string, number> } {
  const token: Record<string, number> = {};
  const api: Record<string, number> = {};
  for (const [route, statuses] of Object.entries(sim.stats.byRouteStatus)) {
    const into = route === "token" ? token : api;
    for (const [status, n] of Object.entries(statuses)) into[status] = (into[status] ?? 0) + n;
  }
  return { token, api };
}

function sum(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The checkpoint's counters that the demo shows. */
type SavedCounters = { pages: number; records: number; bytes: number };

/** The checkpoint's counters, or `undefined` while there is none (or it is being replaced). */
async function readCheckpoint(path: string): Promise<SavedCounters | undefined> {
  try {
    return parseCheckpoint(await Deno.readTextFile(path), path);
  } catch {
    return undefined;
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return undefined;
  }
}

/**
 * The CLI as a child process: this program again (`deno run <main module>`, or the compiled
 * binary), with only the grants a run against the simulator needs, stderr shared with ours.
 */
function cliProcess(
  args: readonly string[],
  options: { host: string; dir: string; env: Record<string, string> },
): Deno.ChildProcess {
  const standalone = Deno.build.standalone === true;
  const flags = [
    "run",
    "-q",
    "--no-prompt",
    `--allow-net=${options.host}`,
    `--allow-read=${options.dir}`,
    `--allow-write=${options.dir}`,
    `--allow-env=${Object.keys(options.env).join(",")}`,
    Deno.mainModule,
  ];
  try {
    return new Deno.Command(standalone ? Deno.execPath() : "deno", {
      args: standalone ? [...args] : [...flags, ...args],
      env: options.env,
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(
        "Cannot start 'deno' for the demo's runs: it is not on PATH; add the folder of the deno executable to PATH",
      );
    }
    throw error;
  }
}

/** The demo's options and where its runs write. */
interface DemoOptions {
  /** `--dir`, without a trailing slash. */
  dir: string;
  /** `--conversations`. */
  count: number;
  /** `--seed`. */
  seed: number;
  /** `--log-level`, passed on to both runs. */
  logLevel: string;
  /** The runs' output file. */
  output: string;
  /** The runs' checkpoint file. */
  checkpointPath: string;
}

/** Writes a line to stderr. */
type Say = (text: string) => void;

/**
 * The demo: starts the faulty simulator, kills run 1 half way, resumes in run 2, then checks the
 * output against the simulator's own list and sums up what it served.
 */
async function run(parsed: ParsedCommand, ctx: CommandContext): Promise<number> {
  const demo = readDemoOptions(parsed);
  requireDemoPermissions(demo.dir);
  const say: Say = (text) => ctx.io.stderr(`${text}\n`);
  const started = Date.now();
  await using sim = await startFaultySimulator(demo);
  say(introduction(sim, demo.count));
  await clearLeftovers(demo);
  const runs = demoRuns(sim, demo);
  const saved = await killFirstRun(runs, demo, say, () => {
    ctx.io.stderr(ctx.io.stderrIsTerminal ? "\r\x1b[2K" : "");
  });
  if (saved === undefined) return ExitCode.FAILED;
  const failed = await resumeInSecondRun(runs, say);
  if (failed !== undefined) return failed;
  const check = await checkOutput(sim, demo.output);
  say(await whatHappened(sim, demo.output, saved, check, started));
  return check.ok ? ExitCode.OK : ExitCode.FAILED;
}

/** Reads `--dir`, `--conversations`, `--seed` and `--log-level`. */
function readDemoOptions(parsed: ParsedCommand): DemoOptions {
  const dir = (parsed.strings.dir ?? "demo-output").replace(/[\\/]+$/, "") || ".";
  const count = readInteger(parsed.strings.conversations ?? "2000", "--conversations", 200, 20_000);
  const seed = readInteger(parsed.strings.seed ?? "7", "--seed", 0, 2 ** 31);
  const logLevel = readLogSettings(parsed).level;
  const output = `${dir}/conversations.jsonl`;
  return { dir, count, seed, logLevel, output, checkpointPath: `${output}.checkpoint.json` };
}

/** Requires the simulator's port, the folder, and (unless compiled) running `deno`. */
function requireDemoPermissions(dir: string): void {
  const task = invocation([]).task;
  requirePermissions(
    [
      { name: "net", target: "127.0.0.1", why: "the in-process simulator" },
      { name: "read", target: dir, why: "the demo output" },
      { name: "write", target: dir, why: "the demo output" },
      ...(Deno.build.standalone === true
        ? []
        : [{ name: "run" as const, target: "deno", why: "the demo's two runs of the CLI" }]),
    ],
    // Flags cannot be added to a task: say which task (or folder) works instead.
    task ? `'${task}' grants less than the demo needs: run 'deno task demo'` : undefined,
  );
}

/** The simulator with 2-second tokens, 429s, 503s, latency and a revocation. */
function startFaultySimulator(demo: DemoOptions): Promise<Simulator> {
  return startSimulator({
    seed: demo.seed,
    conversations: demo.count,
    ...SPAN,
    tokenLifetimeSeconds: 2,
    faults: {
      errors: [
        { status: 429, everyNth: 9, retryAfterSeconds: 1 },
        { status: 503, everyNth: 13 },
      ],
      latency: [{ ms: 100, jitterMs: 150 }],
      revokeTokens: { after: REVOKE_AT - 1, times: 1 },
    },
  });
}

/** What the demo runs against. */
function introduction(sim: Simulator, count: number): string {
  return [
    "Genesys Cloud batch toolkit demo: a simulated org that fights back",
    `  simulator  ${sim.url}: ${formatCount(count)} conversations in ${INTERVAL}`,
    `  faults     tokens live 2 s · 429 (Retry-After 1 s) on every 9th API call · 503 on every 13th · 100-250 ms latency · every live token revoked at API call ${REVOKE_AT}`,
    "",
  ].join("\n");
}

/** Both runs are the same command: clears what an earlier demo left instead of passing --restart. */
async function clearLeftovers(demo: DemoOptions): Promise<void> {
  await Deno.mkdir(demo.dir, { recursive: true });
  for (const leftover of [demo.output, `${demo.output}.partial`, demo.checkpointPath]) {
    await Deno.remove(leftover).catch(() => {});
  }
}

/** The command both runs use: as shown to the user, and started as a child process. */
interface DemoRuns {
  /** The command line as a user would type it. */
  shown: string;
  /** Starts the command as a child process. */
  spawn(): Deno.ChildProcess;
}

/** The `conversations` command against the simulator, with its credentials in the environment. */
function demoRuns(sim: Simulator, demo: DemoOptions): DemoRuns {
  const args = [
    "conversations",
    "--interval",
    INTERVAL,
    "--page-size",
    String(PAGE_SIZE),
    "-o",
    demo.output,
    "--log-level",
    demo.logLevel,
  ];
  const host = new URL(sim.url).host;
  const env = {
    GENESYSCLOUD_REGION: sim.url,
    GENESYSCLOUD_OAUTHCLIENT_ID: sim.clientId,
    GENESYSCLOUD_OAUTHCLIENT_SECRET: sim.clientSecret,
  };
  return {
    shown: `${PROGRAM} ${args.map(shellQuote).join(" ")}`,
    spawn: () => cliProcess(args, { host, dir: demo.dir, env }),
  };
}

/**
 * Run 1: starts the command and kills it with SIGKILL once half the pages are saved.
 *
 * @returns The checkpoint it left, or `undefined` (said why) when it was not stopped as planned.
 */
async function killFirstRun(
  runs: DemoRuns,
  demo: DemoOptions,
  say: Say,
  endLine: () => void,
): Promise<SavedCounters | undefined> {
  // One-day chunks: about ceil(per day / page size) pages each.
  const totalPages = DAYS * Math.ceil(demo.count / DAYS / PAGE_SIZE);
  const killAfter = Math.max(2, Math.floor(totalPages / 2));
  say(`Run 1, a child process the demo kills with SIGKILL once page ${killAfter} is saved:`);
  say(`  $ ${runs.shown}`);
  const first = runs.spawn();
  let exited: Deno.CommandStatus | undefined;
  first.status.then((status) => exited = status);
  for (let waited = 0; waited < RUN_1_LIMIT_MS && exited === undefined; waited += POLL_MS) {
    const checkpoint = await readCheckpoint(demo.checkpointPath);
    if ((checkpoint?.pages ?? 0) >= killAfter) break;
    await sleep(POLL_MS);
  }
  if (exited !== undefined) {
    say(
      `Run 1 ended by itself (exit code ${exited.code}) before the demo could kill it${
        exited.success ? ": give it more --conversations" : ""
      }`,
    );
    return undefined;
  }
  first.kill("SIGKILL");
  const killed = await first.status;
  endLine();
  const saved = await readCheckpoint(demo.checkpointPath);
  if (saved === undefined || killed.signal !== "SIGKILL") {
    say(`Run 1 was not stopped as planned (${killed.signal ?? `exit code ${killed.code}`})`);
    return undefined;
  }
  const unsaved = (await sizeOf(`${demo.output}.partial`) ?? 0) - saved.bytes;
  say(
    `Run 1 killed with SIGKILL: the checkpoint holds ${formatCount(saved.records)} conversations (${
      formatCount(saved.pages)
    } pages)${
      unsaved > 0
        ? `; ${formatCount(unsaved)} bytes of an unsaved page in the partial file will be cut`
        : ""
    }`,
  );
  return saved;
}

/**
 * Run 2: the same command again, which resumes from the checkpoint.
 *
 * @returns The exit code when it failed (said so), else `undefined`.
 */
async function resumeInSecondRun(runs: DemoRuns, say: Say): Promise<number | undefined> {
  say(`\nRun 2, the same command again, resumes from the checkpoint:`);
  say(`  $ ${runs.shown}`);
  const second = await runs.spawn().status;
  if (second.success) return undefined;
  say(`Run 2 failed (exit code ${second.code})`);
  return second.code || ExitCode.FAILED;
}

/** The output's ids against the simulator's own list. */
interface OutputCheck {
  /** The simulator's ids, in order. */
  expected: string[];
  /** The output's ids, in order. */
  got: string[];
  /** The distinct ids of the output. */
  distinct: number;
  /** Ids of the simulator's list not in the output. */
  missing: number;
  /** Ids the output holds more than once (each extra copy counts). */
  duplicated: number;
  /** Ids of the output not in the simulator's list. */
  unexpected: number;
  /** Every id once, in the simulator's order. */
  inOrder: boolean;
  /** Every id once. */
  ok: boolean;
}

/** Compares the output's ids with the simulator's: missing, duplicated, unexpected, in order. */
async function checkOutput(sim: Simulator, output: string): Promise<OutputCheck> {
  const expected = sim.conversationIds(INTERVAL);
  const got = await readIds(output);
  const seen = new Set<string>();
  let duplicated = 0;
  for (const id of got) {
    if (seen.has(id)) duplicated++;
    seen.add(id);
  }
  const expectedSet = new Set(expected);
  const missing = expected.filter((id) => !seen.has(id)).length;
  const unexpected = [...seen].filter((id) => !expectedSet.has(id)).length;
  const ok = missing === 0 && duplicated === 0 && unexpected === 0;
  const inOrder = ok && got.every((id, i) => id === expected[i]);
  return { expected, got, distinct: seen.size, missing, duplicated, unexpected, inOrder, ok };
}

/** What the simulator served over both runs, and the check's verdict. */
async function whatHappened(
  sim: Simulator,
  output: string,
  saved: SavedCounters,
  check: OutputCheck,
  started: number,
): Promise<string> {
  const stats = sim.stats;
  const served = servedSummary(sim);
  const size = (await Deno.stat(output)).size;
  const { got, expected, missing, duplicated, unexpected } = check;
  return [
    "",
    "What happened (counted by the simulator, both runs):",
    `  output          ${formatCount(got.length)} conversations in ${output} (${
      formatCount(Math.round(size / 1024))
    } KB)`,
    `  requests        ${formatCount(sum(served.token) + sum(served.api))}: ${
      formatCount(sum(served.token))
    } token requests + ${formatCount(sum(served.api))} API requests`,
    `  token answers   ${byStatus(served.token)} (2 s lifetime, renewed early; ${
      formatCount(stats.tokensRevoked)
    } revoked)`,
    `  API answers     ${byStatus(served.api)} (401, 429 and 503 answers are retried${
      stats.unauthorized > 0 ? "; the 401s met a revoked token" : ""
    })`,
    `  kill + resume   run 1 was killed with SIGKILL after ${
      formatCount(saved.pages)
    } saved pages; run 2 went on from page ${formatCount(saved.pages + 1)}`,
    "",
    `${check.ok ? "OK" : "FAILED"}: ${formatCount(check.distinct - unexpected)} of ${
      formatCount(expected.length)
    } conversations, ${missing} missing, ${duplicated} duplicated${
      unexpected > 0 ? `, ${unexpected} unexpected` : ""
    }${check.inOrder ? ", in order" : ""} (checked against the simulator's own list)`,
    `Took ${
      formatDuration(Date.now() - started)
    }. Next: 'deno task -q sim' to play with the simulator, or 'deno task -q extract conversations --help' (docs/cli.md).`,
  ].join("\n") + "\n";
}

/** `demo`: the simulator with faults, a killed extraction, a resume and a check. */
export const demoCommand: Command = { spec: demoSpec, run };
