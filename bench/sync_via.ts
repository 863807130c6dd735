/**
 * `deno task bench:sync`: where the details query and a details job cross over for one day of
 * `sync`. For days of 100 to 30,000 conversations, one day is synced each way against the
 * simulator (the middle day of three, so the day before's long calls overlap it), and the
 * requests (token requests left out) and the wall time are measured, at loopback speed and with
 * an assumed 150 ms per request. The library's defaults apply: query pages of 100, job results
 * pages of 1000, job polls 2 s apart growing by 1.5×; the simulator's jobs are FULFILLED on their
 * third poll (`jobPolls: 2`). Prints a Markdown table, the measured crossover and the cost
 * model's (`viaCosts`, which `--via auto` decides with), and writes
 * `bench/results/<date>-sync-via.json`.
 *
 * @module
 */
import { startSimulator } from "../testing.ts";
import {
  GenesysClient,
  MemoryCheckpointStore,
  MemorySyncOutput,
  syncDays,
  type SyncViaOption,
} from "../mod.ts";
import { viaCosts, viaCrossover } from "../lib/extract/mod.ts";

const SIZES = [100, 250, 400, 600, 800, 1000, 2500, 5000, 10_000, 30_000];
const LATENCIES = [0, 150];
const RESULTS = "bench/results";

/** One day synced one way. */
interface Measurement {
  conversations: number;
  latencyMs: number;
  via: SyncViaOption;
  requests: number;
  ms: number;
  records: number;
}

async function measure(
  conversations: number,
  latencyMs: number,
  via: "query" | "jobs",
): Promise<Measurement> {
  await using sim = await startSimulator({
    seed: 7,
    conversations: conversations * 3,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-04T00:00:00Z",
    rateLimitAllowed: 1_000_000,
    faults: latencyMs > 0 ? { latency: [{ ms: latencyMs }] } : {},
  });
  const client = new GenesysClient({
    region: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
  });
  const started = performance.now();
  const result = await syncDays({
    client,
    store: new MemoryCheckpointStore(),
    output: new MemorySyncOutput(),
    since: "2026-01-02",
    until: "2026-01-03",
    via,
  });
  const ms = performance.now() - started;
  const stats = sim.stats;
  return {
    conversations,
    latencyMs,
    via,
    requests: stats.requests - (stats.byRoute.token ?? 0),
    ms: Math.round(ms),
    records: result.days[0].records,
  };
}

const rows: Measurement[] = [];
for (const latencyMs of LATENCIES) {
  for (const size of SIZES) {
    for (const via of ["query", "jobs"] as const) {
      const m = await measure(size, latencyMs, via);
      rows.push(m);
      console.error(
        `${size} conversations, ${latencyMs} ms: ${via} ${m.requests} requests, ${m.ms} ms`,
      );
    }
  }
}

const find = (size: number, latency: number, via: string) =>
  rows.find((r) => r.conversations === size && r.latencyMs === latency && r.via === via)!;
const seconds = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const lines = [
  "| conversations in the day | query: requests | jobs: requests | query: time (0 / 150 ms a request) | jobs: time (0 / 150 ms a request) | `auto` picks |",
  "|---:|---:|---:|---:|---:|---|",
];
for (const size of SIZES) {
  const q = [find(size, 0, "query"), find(size, 150, "query")];
  const j = [find(size, 0, "jobs"), find(size, 150, "jobs")];
  const model = viaCosts(q[0].records);
  lines.push(
    `| ${q[0].records.toLocaleString("en")} | ${q[0].requests} | ${j[0].requests} | ${
      seconds(q[0].ms)
    } s / ${seconds(q[1].ms)} s | ${seconds(j[0].ms)} s / ${seconds(j[1].ms)} s | ${
      model.jobs < model.query ? "jobs" : "query"
    } |`,
  );
}
const measured = SIZES.find((size) =>
  find(size, 0, "jobs").requests < find(size, 0, "query").requests
);
const faster = SIZES.find((size) => find(size, 150, "jobs").ms < find(size, 150, "query").ms);
const summary = [
  `Fewer requests with a job from: ${measured ?? "none measured"} conversations a day (measured)`,
  `Model (viaCosts, 6 polls as --via auto assumes): ${viaCrossover()}; with the simulator's 3 polls: ${
    viaCrossover({ jobPolls: 3 })
  }`,
  `Faster with a job at 150 ms a request from: ${faster ?? "none measured"} conversations a day`,
];
console.log([...lines, "", ...summary].join("\n"));
await Deno.mkdir(RESULTS, { recursive: true });
const date = new Date().toISOString().slice(0, 10);
await Deno.writeTextFile(
  `${RESULTS}/${date}-sync-via.json`,
  JSON.stringify({ rows, summary }, null, 2) + "\n",
);
