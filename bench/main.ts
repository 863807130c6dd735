/**
 * `deno task bench`: throughput, memory, pacing, latency and fault figures of the toolkit against
 * the simulator, each beside the same job done the naive way (`bench/naive.ts`), measured in the
 * same run. Prints a table and writes `bench/results/<date>.json` (a subset run with `--only`
 * writes `bench/results/<date>-<scenarios>.json`, so it never replaces a full run's figures).
 *
 * Every measured job runs in its own child process (`bench/job.ts`, started with `deno` and only
 * the permissions it needs) against a simulator running in this process, so the child's peak
 * memory (its highest sampled RSS) is the job's own. A fresh simulator serves each
 * scenario, so rate-limit buckets and windows start clean.
 *
 * Run: `deno task bench` (all, about 20 minutes: the rate-limit rows run for minutes, as real
 * per-minute windows do) or `deno task bench --only ratelimits,cpu`.
 *
 * @module
 */
import {
  type SimFaults,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../testing.ts";
import type { JobResult, JobSpec } from "./job.ts";
import { markdownTable, num, pct, type Row, textTable, times } from "./table.ts";

const WORK = ".test-tmp/bench";
const RESULTS = "bench/results";
const JOB = new URL("./job.ts", import.meta.url).href;
const SPAN = { start: "2026-01-01T00:00:00Z" };
const day = (n: number) => new Date(Date.parse(SPAN.start) + n * 86_400_000).toISOString();

/** A job, the simulator it ran against and what both measured. */
interface Measured extends JobResult {
  label: string;
  expected: number;
  /** Details query responses by status, from the simulator. */
  served: Record<string, number>;
  /** The most requests the simulator handled at once. */
  maxInFlight: number;
  v8Flags?: string;
}

const denoCommand = Deno.permissions.querySync({ name: "run", command: Deno.execPath() })
    .state === "granted"
  ? Deno.execPath()
  : "deno";

async function runJob(
  sim: Simulator,
  label: string,
  job: Partial<JobSpec> & Pick<JobSpec, "runner">,
  v8Flags?: string,
): Promise<Measured> {
  const dir = `${WORK}/${label.replace(/[^a-z0-9]+/gi, "-")}`;
  await Deno.mkdir(dir, { recursive: true });
  const interval = job.interval ?? `${sim.start}/${sim.end}`;
  const spec: JobSpec = {
    baseUrl: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    interval,
    pageSize: 100,
    output: `${dir}/out.jsonl`,
    ...job,
  };
  sim.resetStats();
  const args = [
    "run",
    "--no-prompt",
    "--allow-net=127.0.0.1",
    "--allow-read=.test-tmp", // the files, and the folders above them checked for symlinks
    `--allow-write=${dir}`,
    ...(v8Flags ? [`--v8-flags=${v8Flags}`] : []),
    JOB,
    JSON.stringify(spec),
  ];
  const output = await new Deno.Command(denoCommand, { args, stdout: "piped", stderr: "piped" })
    .output();
  const stdout = new TextDecoder().decode(output.stdout).trim().split("\n").at(-1) ?? "";
  await Deno.remove(dir, { recursive: true });
  if (!output.success || !stdout.startsWith("{")) {
    throw new Error(`Job '${label}' failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  const result = JSON.parse(stdout) as JobResult;
  const stats = sim.stats;
  const measured: Measured = {
    label,
    ...result,
    expected: sim.conversationIds(interval).length,
    served: stats.byRouteStatus["details.query"] ?? {},
    maxInFlight: stats.maxInFlight,
    v8Flags,
  };
  const status = measured.error
    ? `failed: ${measured.error.slice(0, 80)}`
    : `${num(measured.records)} records`;
  console.error(
    `  ${label}: ${status} in ${num(measured.elapsedMs / 1000, 1)} s, peak ${
      num(measured.peakRssMb)
    } MB`,
  );
  if (!measured.error && measured.records !== measured.expected) {
    throw new Error(`Job '${label}' wrote ${measured.records} records, not ${measured.expected}`);
  }
  return measured;
}

async function withSim<T>(
  options: SimulatorOptions,
  fn: (sim: Simulator) => Promise<T>,
): Promise<T> {
  await using sim = await startSimulator({ start: SPAN.start, ...options });
  return await fn(sim);
}

const perSecond = (m: Measured) => m.records / (m.elapsedMs / 1000);
const served = (m: Measured) => Object.values(m.served).reduce((a, b) => a + b, 0);
const share429 = (m: Measured) => (m.served["429"] ?? 0) / Math.max(1, served(m));
const ok200 = (m: Measured) => m.served["200"] ?? 0;
const naiveFigure = (m: Measured, text: string) =>
  m.error ? `failed after ${num(m.held)} records (${m.error.slice(0, 40)})` : text;
/** A records-per-second row, toolkit beside naive, without a target. */
const throughputRow = (scenario: string, measure: string, m: Measured, naive: Measured): Row => ({
  scenario,
  measure,
  toolkit: num(perSecond(m)),
  naive: num(perSecond(naive)),
  ratio: times(perSecond(m) / perSecond(naive)),
  target: "-",
});

/** 1. Overhead: records per second at zero latency, no rate limit. */
async function overhead(rows: Row[], all: Measured[]): Promise<void> {
  const conversations = 30_000;
  await withSim(
    { conversations, end: day(30) },
    async (sim) => {
      const one = await runJob(sim, "overhead toolkit c=1", { runner: "toolkit" });
      const four = await runJob(sim, "overhead toolkit c=4", { runner: "toolkit", concurrency: 4 });
      const naive = await runJob(sim, "overhead naive", { runner: "naive" });
      all.push(one, four, naive);
      for (const [m, c] of [[one, 1], [four, 4]] as const) {
        const measure = `records/s, ${num(conversations)} conv., 0 ms latency, c=${c}`;
        rows.push(throughputRow("1 overhead", measure, m, naive));
      }
      rows.push({
        scenario: "1 overhead",
        measure: "peak RSS (MB), c=1",
        toolkit: num(one.peakRssMb),
        naive: num(naive.peakRssMb),
        ratio: times(one.peakRssMb / naive.peakRssMb),
        target: "-",
      });
    },
  );
}

/** 2. Memory: peak RSS for 10,000 versus 200,000 conversations. */
async function memory(rows: Row[], all: Measured[]): Promise<void> {
  const sizes = [10_000, 200_000];
  const runs: Record<string, Measured[]> = { default: [], optimized: [], naive: [] };
  for (const conversations of sizes) {
    await withSim(
      { conversations, end: day(30) },
      async (sim) => {
        const n = num(conversations);
        runs.default.push(await runJob(sim, `memory toolkit ${n}`, { runner: "toolkit" }));
        runs.optimized.push(
          await runJob(
            sim,
            `memory toolkit ${n} optimize-for-size`,
            { runner: "toolkit" },
            "--optimize-for-size",
          ),
        );
        runs.naive.push(await runJob(sim, `memory naive ${n}`, { runner: "naive" }));
      },
    );
  }
  all.push(...runs.default, ...runs.optimized, ...runs.naive);
  const growth = (ms: Measured[]) => ms[1].peakRssMb / ms[0].peakRssMb;
  const span = (ms: Measured[]) =>
    `${num(ms[0].peakRssMb)} -> ${num(ms[1].peakRssMb)} (+${pct(growth(ms) - 1, 0)})`;
  // `deno task extract` and `deno task compile` run with --optimize-for-size, so that row carries
  // the target; default V8 (a plain `deno run`) is shown beside it for reference.
  const variants = [
    ["optimized", "--optimize-for-size, as deno task extract runs", true],
    ["default", "default V8 flags", false],
  ] as const;
  for (const [key, v8, targeted] of variants) {
    rows.push({
      scenario: "2 memory",
      measure: `peak RSS MB, 10,000 -> 200,000 conv. (${v8})`,
      toolkit: span(runs[key]),
      naive: span(runs.naive),
      ratio: times(runs[key][1].peakRssMb / runs.naive[1].peakRssMb),
      target: targeted ? "within +20 %" : "-",
      ok: targeted ? growth(runs[key]) <= 1.2 : undefined,
    });
  }
}

/** Requests per second the details query was answered 200, over the job's wall time. */
const okRate = (m: Measured) => ok200(m) / (m.elapsedMs / 1000);

/** A pacing row: achieved share of the allowed rate, and the 429 row beside it. */
function pacingRows(
  rows: Row[],
  scenario: string,
  what: string,
  m: Measured,
  allowedPerSecond: number,
  targets: { rate: number; share429: number },
): void {
  const rate = okRate(m) / allowedPerSecond;
  rows.push({
    scenario,
    measure: `achieved / allowed, ${what}`,
    toolkit: pct(rate),
    naive: "-",
    ratio: "-",
    target: `>= ${pct(targets.rate, 0)}`,
    ok: !m.error && rate >= targets.rate,
  });
  rows.push({
    scenario,
    measure: `share of requests answered 429, ${what}`,
    toolkit: `${pct(share429(m), 2)} (${m.served["429"] ?? 0}/${served(m)})`,
    naive: "-",
    ratio: "-",
    target: `<= ${pct(targets.share429, 0)}`,
    ok: !m.error && share429(m) <= targets.share429,
  });
}

/**
 * 3. Pacing against a token bucket of 50 requests per second (burst 50) that the client is not
 * told, at concurrency 8.
 */
async function pacing(rows: Row[], all: Measured[]): Promise<void> {
  const rps = 50;
  const faults: SimFaults = { rateLimit: { requestsPerSecond: rps } };
  // 25 per page, 24,000 conversations: about 990 query requests, some 20 s at 50 per second.
  const job = { pageSize: 25 };
  await withSim({ conversations: 24_000, end: day(30), faults }, async (sim) => {
    const m = await runJob(sim, "pacing toolkit bucket c=8", {
      runner: "toolkit",
      concurrency: 8,
      ...job,
    });
    const naive = await runJob(sim, "pacing naive", { runner: "naive", ...job });
    all.push(m, naive);
    pacingRows(rows, "3 pacing", `token bucket ${rps} req/s, c=8`, m, rps, {
      rate: 0.9,
      share429: 0.02,
    });
    rows.push({
      scenario: "3 pacing",
      measure: `naive (sequential, sleeps Retry-After): achieved, 429 share`,
      toolkit: "-",
      naive: `${pct(okRate(naive) / rps)}, ${pct(share429(naive), 2)}`,
      ratio: "-",
      target: "-",
    });
  });
}

/**
 * 6. Rate limits as the real API has them: per-minute windows of 120, 300, 600 and 1200
 * requests that the client is not told (no inin-ratelimit-* headers, no limit in the 429 body),
 * each run for about two and a half windows at concurrency 2 (the CLI's default).
 */
async function ratelimits(rows: Row[], all: Measured[]): Promise<void> {
  for (const perMinute of [120, 300, 600, 1200]) {
    // 10 per page: about 2.5 windows of requests (each day's chunk ends with one empty page).
    const pageSize = 10;
    const days = 5;
    const conversations = Math.round((perMinute * 2.5 - days) * pageSize);
    await withSim(
      { conversations, end: day(days), faults: { rateLimit: { requestsPerMinute: perMinute } } },
      async (sim) => {
        const m = await runJob(sim, `ratelimits toolkit ${perMinute}/min c=2`, {
          runner: "toolkit",
          concurrency: 2,
          pageSize,
        });
        all.push(m);
        const strict = perMinute === 300;
        pacingRows(
          rows,
          "6 rate limits",
          `${perMinute}/min windows, not told, c=2`,
          m,
          perMinute / 60,
          strict ? { rate: 0.95, share429: 0.01 } : { rate: 0.9, share429: 0.02 },
        );
      },
    );
  }
}

/**
 * 7. A 75 s storm: every API request answered 429 with Retry-After: 1 for 75 s, then served;
 * the CLI (`conversations`, default settings) must finish with exit code 0 and every record once.
 */
async function storm(rows: Row[], _all: Measured[]): Promise<void> {
  const stormMs = 75_000;
  await withSim({ conversations: 2_000, end: day(5) }, async (sim) => {
    const dir = `${WORK}/storm`;
    await Deno.mkdir(dir, { recursive: true });
    const output = `${dir}/out.jsonl`;
    sim.setFaults({ errors: [{ status: 429, retryAfterSeconds: 1 }] });
    const calm = setTimeout(() => sim.setFaults({ errors: null }), stormMs);
    const started = performance.now();
    const run = await new Deno.Command(denoCommand, {
      args: [
        "run",
        "--no-prompt",
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-read=.",
        `--allow-write=${dir}`,
        "cli.ts",
        "conversations",
        "--region",
        sim.url,
        "--interval",
        `${sim.start}/${sim.end}`,
        "-o",
        output,
        "--quiet",
      ],
      env: {
        GENESYSCLOUD_OAUTHCLIENT_ID: sim.clientId,
        GENESYSCLOUD_OAUTHCLIENT_SECRET: sim.clientSecret,
      },
      stdout: "null",
      stderr: "piped",
    }).output();
    clearTimeout(calm);
    const elapsedS = (performance.now() - started) / 1000;
    const text = await Deno.readTextFile(output).catch(() => "");
    const ids = text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l).conversationId);
    const expected = sim.conversationIds(`${sim.start}/${sim.end}`);
    const once = ids.length === expected.length && new Set(ids).size === ids.length &&
      expected.every((id) => ids.includes(id));
    const limited = sim.stats.byStatus["429"] ?? 0;
    await Deno.remove(dir, { recursive: true });
    console.error(
      `  storm CLI: exit ${run.code}, ${ids.length} records, ${limited} 429s, ${
        num(elapsedS, 1)
      } s${run.code ? `: ${new TextDecoder().decode(run.stderr).slice(0, 300)}` : ""}`,
    );
    rows.push({
      scenario: "7 storm",
      measure: `CLI through ${stormMs / 1000} s of 429 Retry-After: 1 (${limited} 429s), ${
        num(elapsedS, 0)
      } s in all`,
      toolkit: `exit ${run.code}, ${num(ids.length)} of ${num(expected.length)} records`,
      naive: "-",
      ratio: "-",
      target: "exit 0, every record once",
      ok: run.code === 0 && once,
    });
  });
}

/** What a paging job (`bench/paging_job.ts` or `bench/sdk_job.ts`) measured. */
interface PagingMeasured {
  records: number;
  pages: number;
  cpuMs: number;
  elapsedMs: number;
  peakRssMb: number;
}

const PAGING_JOB = new URL("./paging_job.ts", import.meta.url).href;
const SDK_JOB = new URL("./sdk_job.ts", import.meta.url).href;

async function runPaging(sim: Simulator, runner: string): Promise<PagingMeasured> {
  const dir = `${WORK}/paging-${runner}`;
  await Deno.mkdir(dir, { recursive: true });
  const spec = {
    runner,
    baseUrl: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    interval: `${sim.start}/${sim.end}`,
    output: `${dir}/out.jsonl`,
  };
  // The SDK comes from the npm registry into Deno's cache for this child only (--no-lock keeps it
  // out of deno.lock); it reads its config and environment, so it gets every permission.
  const args = runner === "sdk"
    ? ["run", "--no-prompt", "--no-lock", "--allow-all", SDK_JOB, JSON.stringify(spec)]
    : [
      "run",
      "--no-prompt",
      "--allow-net=127.0.0.1",
      "--allow-read=.test-tmp", // the files, and the folders above them checked for symlinks
      `--allow-write=${dir}`,
      PAGING_JOB,
      JSON.stringify(spec),
    ];
  const output = await new Deno.Command(denoCommand, { args, stdout: "piped", stderr: "piped" })
    .output();
  await Deno.remove(dir, { recursive: true });
  const line = new TextDecoder().decode(output.stdout).trim().split("\n").at(-1) ?? "";
  if (!output.success || !line.startsWith("{")) {
    throw new Error(`Paging job '${runner}' failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return JSON.parse(line) as PagingMeasured;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * 8. CPU and memory of paging 252 pages (20,000 users and 5,000 conversations, 100 per page, no
 * latency, no limit): the toolkit's paging and its whole pipeline against a plain fetch loop
 * over the same pages (CPU), and against the official JS SDK (peak RSS). Each runner runs 9
 * times, interleaved (one round runs each once); medians. A CPU ratio is the median of the
 * rounds' own ratios: on a shared machine the load drifts between rounds, and a runner compared
 * with the fetch loop of its own round sees the same load.
 */
async function cpu(rows: Row[], _all: Measured[]): Promise<void> {
  const runs = 9;
  const runners = ["fetch", "library", "extract", "sdk"] as const;
  const results: Record<string, PagingMeasured[]> = {};
  await withSim({ users: 20_000, conversations: 5_000, end: day(5) }, async (sim) => {
    for (let i = 0; i < runs; i++) {
      for (const runner of runners) {
        const m = await runPaging(sim, runner);
        // 250 full pages, and the empty page that ends the details query when its approximate
        // totalHits is above the real count (extract() does not count an empty last page).
        if (m.records !== 25_000 || m.pages < 250 || m.pages > 252) {
          throw new Error(`Paging job '${runner}' gave ${m.records} records in ${m.pages} pages`);
        }
        (results[runner] ??= []).push(m);
      }
    }
  });
  const cpuOf = (r: string) => median(results[r].map((m) => m.cpuMs));
  const cpuRatio = (r: string) =>
    median(results[r].map((m, round) => m.cpuMs / results.fetch[round].cpuMs));
  const rssOf = (r: string) => median(results[r].map((m) => m.peakRssMb));
  for (const runner of runners) {
    console.error(
      `  cpu ${runner}: CPU ms ${results[runner].map((m) => m.cpuMs).join(", ")}; peak MB ${
        results[runner].map((m) => m.peakRssMb).join(", ")
      }`,
    );
  }
  const what = `${results.fetch[0].pages} pages (20,000 users + 5,000 conv.), median of ${runs}`;
  rows.push({
    scenario: "8 cpu",
    measure:
      `CPU ms, toolkit paging (client + paginators) vs fetch loop, ${what}, ratio of each round`,
    toolkit: num(cpuOf("library")),
    naive: num(cpuOf("fetch")),
    ratio: times(cpuRatio("library")),
    target: "<= 1.15x",
    ok: cpuRatio("library") <= 1.15,
  });
  rows.push({
    scenario: "8 cpu",
    measure: `CPU ms, toolkit extract() (sink, checkpoint, fsync per page) vs fetch loop`,
    toolkit: num(cpuOf("extract")),
    naive: num(cpuOf("fetch")),
    ratio: times(cpuRatio("extract")),
    target: "-",
  });
  rows.push({
    scenario: "8 cpu",
    measure: `CPU ms, official JS SDK vs fetch loop`,
    toolkit: num(cpuOf("sdk")),
    naive: num(cpuOf("fetch")),
    ratio: times(cpuRatio("sdk")),
    target: "-",
  });
  for (const runner of ["library", "extract"] as const) {
    rows.push({
      scenario: "8 cpu",
      measure: `peak RSS MB, toolkit ${
        runner === "library" ? "paging" : "extract()"
      } vs official JS SDK ('naive' column), ${what}`,
      toolkit: num(rssOf(runner), 1),
      naive: num(rssOf("sdk"), 1),
      ratio: times(rssOf(runner) / rssOf("sdk")),
      target: runner === "library" ? "<= 0.45x" : "-",
      ok: runner === "library" ? rssOf(runner) / rssOf("sdk") <= 0.45 : undefined,
    });
  }
}

/** 4. Latency: wall time at concurrency 1, 2, 4, 8 with 50 ms per request. */
async function latency(rows: Row[], all: Measured[]): Promise<void> {
  const rps = 80;
  const faults: SimFaults = {
    latency: [{ route: "details.query", ms: 50 }],
    rateLimit: { requestsPerSecond: rps }, // the bucket holds one second's worth (80)
  };
  await withSim({ conversations: 40_000, end: day(20), faults }, async (sim) => {
    const naive = await runJob(sim, "latency naive", { runner: "naive" });
    const runs: Measured[] = [];
    for (const concurrency of [1, 2, 4, 8]) {
      runs.push(
        await runJob(sim, `latency toolkit c=${concurrency}`, { runner: "toolkit", concurrency }),
      );
    }
    runs.push(
      await runJob(sim, "latency toolkit c=8 rate", {
        runner: "toolkit",
        concurrency: 8,
        rate: rps * 60,
      }),
    );
    all.push(naive, ...runs);
    const base = runs[0].elapsedMs / 1000;
    for (const [i, m] of runs.entries()) {
      const c = i < 4 ? 2 ** i : 8;
      const wall = m.elapsedMs / 1000;
      const rate = ok200(m) / wall;
      // Linear in c from the c=1 run, unless the bucket (one second's worth at once, then `rps`
      // per second) lets fewer through: then the rate limit binds.
      const linear = base / c;
      const bound = (ok200(m) - rps) / rps > linear;
      rows.push({
        scenario: "4 latency",
        measure: `wall s, 50 ms/request, limit ${rps} req/s, c=${c}${
          i < 4 ? "" : `, --rate ${rps * 60}`
        }: speedup ${times(base / wall)}, ${num(rate)} req/s`,
        toolkit: num(wall, 2),
        naive: num(naive.elapsedMs / 1000, 2),
        ratio: times(wall / (naive.elapsedMs / 1000)),
        target: bound
          ? `rate-bound: >= 80 % of ${rps} req/s`
          : `>= 80 % of linear (${num(linear, 2)} s)`,
        ok: bound ? rate >= 0.8 * rps : linear / wall >= 0.8,
      });
    }
  });
}

/** 5. Faults: throughput under 2 s tokens, 429s and 503s as a share of the no-fault run. */
async function faults(rows: Row[], all: Measured[]): Promise<void> {
  const latencyFault = [{ route: "details.query" as const, ms: 20 }];
  const mix: SimFaults = {
    latency: latencyFault,
    tokenLifetimeSeconds: 2,
    errors: [
      { status: 429, everyNth: 200, retryAfterSeconds: 1 },
      { status: 503, probability: 0.02 },
    ],
  };
  const job = { runner: "toolkit" as const, concurrency: 4, pageSize: 50 };
  await withSim(
    // The no-fault run's only limit is latency.
    {
      conversations: 20_000,
      end: day(20),
      faults: { latency: latencyFault },
    },
    async (sim) => {
      const clean = await runJob(sim, "faults toolkit off c=4", job);
      const naiveClean = await runJob(sim, "faults naive off", { runner: "naive", pageSize: 50 });
      sim.setFaults(mix);
      const faulty = await runJob(sim, "faults toolkit on c=4", job);
      const naive = await runJob(sim, "faults naive on", { runner: "naive", pageSize: 50 });
      all.push(clean, naiveClean, faulty, naive);
      const share = perSecond(faulty) / perSecond(clean);
      rows.push(
        throughputRow("5 faults", "records/s, no faults (20 ms latency, c=4)", clean, naiveClean),
      );
      rows.push({
        scenario: "5 faults",
        measure: "records/s, 2 s tokens + 429 every 200th + 2 % 503",
        toolkit: `${num(perSecond(faulty))} (${pct(share, 0)} of no-fault)`,
        naive: naiveFigure(naive, num(perSecond(naive))),
        ratio: naive.error ? "-" : times(perSecond(faulty) / perSecond(naive)),
        target: "complete, exact",
        ok: !faulty.error && faulty.records === faulty.expected,
      });
    },
  );
}

const SCENARIOS = { overhead, memory, pacing, latency, faults, ratelimits, storm, cpu };

function machine(): Record<string, unknown> {
  let memoryGiB: number | undefined;
  try {
    memoryGiB = Math.round(Deno.systemMemoryInfo().total / 2 ** 30 * 10) / 10;
  } catch {
    // no sys permission: left out
  }
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    cpus: navigator.hardwareConcurrency,
    memoryGiB,
  };
}

/**
 * Reads the bench's arguments: nothing (every scenario) or `--only a,b` / `--only=a,b`. Anything
 * else is refused, so `--help` or a typo cannot start the 3-minute full run.
 *
 * @param args The arguments.
 * @param known The scenario names.
 * @returns The scenarios to run, and whether that is a subset.
 * @throws {Error} For an unknown argument or scenario.
 */
export function parseBenchArgs(
  args: readonly string[],
  known: readonly string[],
): { names: string[]; subset: boolean } {
  const usage = `usage: deno task bench [--only ${known.join(",")}]`;
  let only: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith("--only=")) only = arg.slice(7);
    else if (arg === "--only" && i + 1 < args.length) only = args[++i];
    else throw new Error(`Unknown argument '${arg}': ${usage}`);
  }
  if (only === undefined) return { names: [...known], subset: false };
  const names = only.split(",").map((n) => n.trim()).filter((n) => n !== "");
  const unknown = names.find((n) => !known.includes(n));
  if (unknown !== undefined || names.length === 0) {
    throw new Error(`Unknown scenario '${unknown ?? only}': use ${known.join(", ")}`);
  }
  const subset = known.some((n) => !names.includes(n));
  return { names, subset };
}

/**
 * Where a run's results go: `<date>.json` for every scenario, `<date>-<names>.json` for a subset.
 *
 * @param date The day, `YYYY-MM-DD`.
 * @param names The scenarios run.
 * @param subset Whether some scenarios were left out.
 * @returns The path under `bench/results`.
 */
export function resultsPath(date: string, names: readonly string[], subset: boolean): string {
  return `${RESULTS}/${date}${subset ? `-${names.join("-")}` : ""}.json`;
}

if (import.meta.main) {
  let parsed: { names: string[]; subset: boolean };
  try {
    parsed = parseBenchArgs(Deno.args, Object.keys(SCENARIOS));
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    Deno.exit(2);
  }
  const names = parsed.names as (keyof typeof SCENARIOS)[];
  const rows: Row[] = [];
  const jobs: Measured[] = [];
  const started = performance.now();
  await Deno.mkdir(WORK, { recursive: true });
  for (const name of names) {
    console.error(`${name}...`);
    await SCENARIOS[name](rows, jobs);
  }
  const elapsedS = Math.round((performance.now() - started) / 100) / 10;
  const info = machine();
  console.log(textTable(rows));
  console.log(
    `\n${info.cpus} CPUs, ${
      info.memoryGiB ?? "?"
    } GiB, deno ${info.deno} (V8 ${info.v8}), ${info.os}; ${elapsedS} s in all`,
  );
  const date = new Date().toISOString().slice(0, 10);
  await Deno.mkdir(RESULTS, { recursive: true });
  const file = resultsPath(date, names, parsed.subset);
  await Deno.writeTextFile(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: info,
        elapsedS,
        method: {
          peakRss: "highest Deno.memoryUsage().rss of each job's own child process, sampled " +
            "every 5 ms and at its end (VmHWM would need --allow-all)",
          naive: "bench/naive.ts: one token, plain fetch, day by day, pages into one array, " +
            "written at the end; sleeps Retry-After on 429, fails on any other error",
          toolkit: "bench/job.ts: GenesysClient (default retry and pacing) + details query " +
            "source + extract() + JSONL FileSink + file checkpoint (fsync per page)",
        },
        rows,
        markdown: markdownTable(rows),
        jobs,
      },
      null,
      2,
    ) + "\n",
  );
  const targets = rows.filter((r) => r.ok !== undefined);
  const missed = targets.filter((r) => r.ok === false);
  console.log(
    `Targets: ${targets.length - missed.length} of ${targets.length} hold${
      missed.length
        ? `; not held: ${missed.map((r) => `${r.scenario} ${r.measure}`).join("; ")}`
        : ""
    }`,
  );
  console.log(`Results written to ${file}`);
}
