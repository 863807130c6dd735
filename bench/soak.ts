/**
 * The big proof run: `deno task soak [--seeds N] [--kills N] [--only chaos|kill]`.
 *
 * 1. The chaos matrix (`tests/chaos/cases.ts`) over more data and several seeds: every fault case
 *    × page-number listing, details query and details jobs, through the real client, engine, file
 *    sink and file checkpoint against the simulator. Transient faults must end with exactly the
 *    expected ids (bytes equal to a clean run's); permanent ones with a clear error and a
 *    checkpoint that resumes to the same output once the fault clears.
 * 2. Kill-and-resume through the CLI: for each kind × format, at least `--kills` (default 20)
 *    SIGKILLs at seeded random moments, restarted until done; the output must be byte-identical
 *    to an uninterrupted run's, no `.partial` or temp file may remain, and it must hold each
 *    conversation that started in the interval once and nothing else. On the simulator's real
 *    semantics (`killSimOptions`): an interval from 06:00, `--chunk 6h` for the details query,
 *    days split at a lowered paging limit (`--max-results`), calls of 1-4 h and live ones, and
 *    back-to-back intervals checked together.
 *
 * Prints the full matrix (case × kind, with outcome, seeds, injected faults and retries), the
 * kill table and the totals; exits 1 when anything failed. Writes only under `.test-tmp/`.
 *
 * @module
 */
import { startSimulator } from "../testing.ts";
import { CASES } from "../tests/chaos/cases.ts";
import { tempDir } from "../tests/chaos/files.ts";
import {
  backToBack,
  checkBackToBack,
  KILL_INTERVAL as INTERVAL,
  killAndResume,
  type KillReport,
  type KillScenario,
  killSimOptions,
} from "../tests/chaos/kill.ts";
import {
  Baselines,
  type CellResult,
  type Kind,
  KINDS,
  matrixTable,
  runCell,
  SOAK_SIZE,
} from "../tests/chaos/matrix.ts";

interface SoakOptions {
  seeds: number;
  kills: number;
  only?: "chaos" | "kill";
}

function parseOptions(args: string[]): SoakOptions {
  const options: SoakOptions = { seeds: 5, kills: 20 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.split("=", 2);
    const value = inline ?? args[++i];
    if (flag === "--seeds" || flag === "--kills") {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) {
        throw new Error(`Option '${flag}' needs a whole number of at least 1, got '${value}'`);
      }
      options[flag === "--seeds" ? "seeds" : "kills"] = n;
    } else if (flag === "--only" && (value === "chaos" || value === "kill")) {
      options.only = value;
    } else {
      throw new Error(
        `Unknown option '${arg}': use --seeds N, --kills N, --only chaos|kill`,
      );
    }
  }
  return options;
}

function pad(text: string | number, width: number): string {
  return String(text).padEnd(width);
}

/** Rows as text columns two spaces apart; the last column is left unpadded. */
function columns(rows: readonly string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i])).join("  "))
    .join("\n");
}

async function chaosMatrix(seeds: number, root: string): Promise<CellResult[]> {
  const results: CellResult[] = [];
  const baselines = new Baselines();
  console.log(`Chaos matrix: ${CASES.length} cases × ${KINDS.length} kinds × ${seeds} seeds`);
  for (const chaos of CASES) {
    for (const kind of KINDS) {
      if (chaos.kinds && !chaos.kinds.includes(kind)) continue;
      for (let s = 0; s < seeds; s++) {
        const seed = 101 + s * 37;
        const dir = `${root}/${chaos.id}-${kind}-${seed}`;
        await Deno.mkdir(dir);
        const cell = await runCell(chaos, kind, seed, SOAK_SIZE, dir, baselines);
        results.push(cell);
        if (!cell.ok) console.log(`  FAIL ${chaos.id}/${kind} seed ${seed}: ${cell.detail}`);
      }
    }
    const mine = results.filter((r) => r.caseId === chaos.id);
    console.log(
      `  ${pad(chaos.id, 20)} ${mine.filter((r) => r.ok).length}/${mine.length} ok, ${
        mine.reduce((a, r) => a + r.ms, 0)
      } ms`,
    );
  }
  return results;
}

function fullTable(results: readonly CellResult[]): string {
  const header = ["case", "kind", "seeds", "formats", "outcome", "records", "runs", "injected"];
  const rows: string[][] = [[...header, "retries", "tokens", "ms", "first error / failure"]];
  for (const chaos of CASES) {
    for (const kind of KINDS) {
      const cells = results.filter((r) => r.caseId === chaos.id && r.kind === kind);
      if (cells.length === 0) continue;
      const failed = cells.filter((r) => !r.ok);
      const outcomes = [...new Set(cells.map((r) => r.ok ? r.outcome : "FAIL"))].join(",");
      const sum = (f: (r: CellResult) => number) => String(cells.reduce((a, r) => a + f(r), 0));
      const note = failed.length
        ? failed.map((r) => `seed ${r.seed}: ${r.detail}`).join(" | ")
        : (cells.find((r) => r.error)?.error ?? "");
      rows.push([
        chaos.id,
        kind,
        String(cells.length),
        [...new Set(cells.map((r) => r.format))].join(","),
        failed.length ? `FAIL ${failed.length}/${cells.length}` : outcomes,
        sum((r) => r.records),
        sum((r) => r.runs),
        sum((r) => r.injected),
        sum((r) => r.retries),
        sum((r) => r.tokenRequests),
        sum((r) => r.ms),
        note.length > 160 ? `${note.slice(0, 157)}...` : note,
      ]);
    }
  }
  return columns(rows);
}

/** The paging limit of the split-day scenarios (the real one is 100,000): days split in four. */
const RESULT_LIMIT = 500;

function killScenarios(kills: number): { kind: Kind; scenario: KillScenario }[] {
  const out: { kind: Kind; scenario: KillScenario }[] = [];
  const conversations = (name: string, output: string, ...args: string[]): KillScenario => ({
    name,
    args: ["conversations", "--interval", INTERVAL, ...args],
    output,
    kills,
    interval: INTERVAL,
  });
  for (const format of ["jsonl", "csv", "json"]) {
    out.push({
      kind: "pages",
      scenario: {
        name: `users → ${format}`,
        args: ["users", "--page-size", "25"],
        output: `output/users.${format}`,
        kills,
      },
    });
    out.push({
      kind: "query",
      scenario: conversations(
        `conversations --chunk 6h → ${format}`,
        `output/conversations.${format}`,
        "--chunk",
        "6h",
        "--page-size",
        "25",
      ),
    });
    out.push({
      kind: "query",
      scenario: conversations(
        `split days → ${format}`,
        `output/split.${format}`,
        "--max-results",
        String(RESULT_LIMIT),
        "--page-size",
        "50",
      ),
    });
    out.push({
      kind: "jobs",
      scenario: conversations(
        `conversations --jobs → ${format}`,
        `output/conversations-jobs.${format}`,
        "--jobs",
        "--page-size",
        "40",
      ),
    });
  }
  return out;
}

function log(scenario: KillScenario, report: KillReport): void {
  console.log(
    `  ${pad(scenario.name, 34)} ${
      report.ok ? "identical" : "FAIL"
    }  kills ${report.kills}  ${report.ms} ms (slowest start ${report.slowest.ms} ms: ${report.slowest.how})${
      report.ok ? "" : `: ${report.problems.join("; ")}`
    }`,
  );
}

async function killSuite(kills: number, root: string): Promise<KillReport[]> {
  const reports: KillReport[] = [];
  await using sim = await startSimulator(killSimOptions({
    seed: 77,
    users: 1000,
    conversations: 3000,
    clientSecret: "soak-kill-secret-41c8",
    jobPolls: 1,
    detailsResultLimit: RESULT_LIMIT,
    faults: { latency: [{ ms: 5, jitterMs: 10 }] },
  }));
  console.log(`Kill-and-resume: ${kills} SIGKILLs per kind × format`);
  for (const [i, { scenario }] of killScenarios(kills).entries()) {
    const dir = `${root}/kill-${i}`;
    await Deno.mkdir(dir);
    const report = await killAndResume(sim, scenario, dir, 5000 + i);
    reports.push(report);
    log(scenario, report);
  }
  // Yesterday, then today: each run killed, the two outputs together each conversation once.
  const pair = backToBack(
    ["2026-01-01T12:00:00Z", "2026-01-02T12:00:00Z", "2026-01-03T00:00:00Z"],
    Math.max(1, Math.round(kills / 4)),
    "jsonl",
    ["--max-results", String(RESULT_LIMIT)],
  );
  const both: KillReport[] = [];
  for (const [k, scenario] of pair.entries()) {
    const dir = `${root}/back-to-back-${k}`;
    await Deno.mkdir(dir);
    both.push(await killAndResume(sim, scenario, dir, 6000 + k));
  }
  const together = await checkBackToBack(sim, both, pair);
  if (together.length) {
    both[1] = { ...both[1], ok: false, problems: [...both[1].problems, ...together] };
  }
  both.forEach((report, k) => log(pair[k], report));
  reports.push(...both);
  return reports;
}

function killTable(reports: readonly KillReport[]): string {
  const rows = [["scenario", "kills", "mid-run", "starts", "series", "pages", "bytes", "result"]];
  for (const r of reports) {
    rows.push([
      r.name,
      String(r.kills),
      String(r.killedAt.filter((p) => p > 0 && p < r.pages).length),
      String(r.starts),
      String(r.series),
      String(r.pages),
      String(r.bytes),
      r.ok ? "identical" : `FAIL: ${r.problems.join("; ")}`,
    ]);
  }
  return columns(rows);
}

async function main(): Promise<number> {
  let options: SoakOptions;
  try {
    options = parseOptions(Deno.args);
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const began = performance.now();
  const root = await tempDir("soak");
  let cells: CellResult[] = [];
  let kills: KillReport[] = [];
  try {
    if (options.only !== "kill") cells = await chaosMatrix(options.seeds, root);
    if (options.only !== "chaos") kills = await killSuite(options.kills, root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  if (cells.length) {
    console.log(`\nChaos matrix (case × kind, ${options.seeds} seeds each):\n`);
    console.log(matrixTable(cells, CASES));
    console.log(`\nDetails:\n\n${fullTable(cells)}`);
  }
  if (kills.length) console.log(`\nKill-and-resume:\n\n${killTable(kills)}`);
  const failedCells = cells.filter((c) => !c.ok).length;
  const failedKills = kills.filter((k) => !k.ok).length;
  const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
  console.log(
    `\nTotals: ${cells.length} chaos cells (${failedCells} failed), ${
      sum(cells, (c) => c.records)
    } records (${
      sum(cells, (c) => c.liveMoved)
    } of calls that were live in the clean run and had moved on, in ${
      cells.filter((c) => c.liveMoved > 0).length
    } cells), ${sum(cells, (c) => c.injected)} faults injected, ${
      sum(cells, (c) => c.retries)
    } client retries; ${
      sum(kills, (k) => k.kills)
    } SIGKILLs over ${kills.length} scenarios (${failedKills} failed), ${
      sum(kills, (k) => k.starts)
    } CLI starts; ${Math.round((performance.now() - began) / 1000)} s`,
  );
  return failedCells + failedKills === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
