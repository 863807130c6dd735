/**
 * One measured benchmark job, run in a child process of `bench/main.ts` so that its peak memory
 * is its own: `deno run <flags> bench/job.ts '<JobSpec as JSON>'`. It extracts conversation
 * details from a running simulator, either through the toolkit (GenesysClient, the details query
 * source, the extraction engine, a JSONL FileSink and a file checkpoint: fsync and checkpoint
 * after every page) or the naive way (`bench/naive.ts`), then prints one JSON line: a
 * {@link JobResult}.
 *
 * Peak memory is the highest resident set size (`Deno.memoryUsage().rss`) sampled every 5 ms
 * while the job runs and once at its end. (The kernel's own high-water mark, `VmHWM` in
 * `/proc/self/status`, would need `--allow-all`: Deno guards `/proc`.) Resident memory only
 * shrinks slowly once grown, so the sampling sees the peak. It includes the Deno runtime
 * itself (about 35 MB).
 *
 * @module
 */
import { GenesysClient } from "../lib/client/genesys_client.ts";
import { conversationDetailsSource } from "../lib/analytics/conversation_details.ts";
import { extract } from "../lib/extract/extract.ts";
import { FileCheckpointStore } from "../lib/extract/checkpoint_file.ts";
import { FileSink } from "../lib/extract/sink.ts";
import { naiveExtract, type NaiveOptions } from "./naive.ts";

/**
 * What to run: the simulator, interval, page size and output file (a fresh path under
 * `.test-tmp/`) as the naive runner takes them, plus the runner and the toolkit's settings.
 */
export interface JobSpec extends NaiveOptions {
  /** `toolkit` or `naive`. */
  runner: "toolkit" | "naive";
  /** Toolkit: requests in flight at most. Default 1. */
  concurrency?: number;
  /** Toolkit: `off` turns pacing off. Default on (learning from 429s). */
  pacing?: "off";
  /** Toolkit: the rate to pace at from the first request, requests per minute (`--rate`). */
  rate?: number;
  /** Toolkit: read pages ahead of the sink. Default true. */
  prefetch?: boolean;
}

/** What a job measured. */
export interface JobResult {
  /** Which runner. */
  runner: "toolkit" | "naive";
  /** Conversations written (0 when it failed). */
  records: number;
  /** Conversations in memory when a naive run failed, else equal to `records`. */
  held: number;
  /** Wall time of the job, in milliseconds (process start-up not included). */
  elapsedMs: number;
  /** API requests sent (toolkit: every attempt; naive: every fetch). */
  requests: number;
  /** 429 answers seen. */
  rateLimited: number;
  /** Token requests (toolkit). */
  tokenRequests?: number;
  /** Retries by cause (toolkit). */
  retries?: Record<string, number>;
  /** Milliseconds the pacer held requests back, all together (toolkit). */
  pacerWaitedMs?: number;
  /** The pacer's rate at the end, requests per second (toolkit). */
  pacerRate?: number;
  /** Peak resident memory (highest sampled RSS), in MB. */
  peakRssMb: number;
  /** Why it failed. */
  error?: string;
}

let peakRss = 0;
function sampleRss(): void {
  peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
}

async function toolkit(spec: JobSpec): Promise<Omit<JobResult, "elapsedMs" | "peakRssMb">> {
  const client = new GenesysClient({
    region: spec.baseUrl,
    clientId: spec.clientId,
    clientSecret: spec.clientSecret,
    pacing: spec.pacing === "off" ? false : spec.rate !== undefined ? { rate: spec.rate } : true,
  });
  const { store, key } = FileCheckpointStore.forFile(`${spec.output}.checkpoint.json`);
  const sourceOptions = {
    pageSize: spec.pageSize,
    concurrency: spec.concurrency ?? 1,
    prefetch: spec.prefetch ?? true,
  };
  let records = 0;
  let error: string | undefined;
  try {
    const result = await extract({
      source: conversationDetailsSource(client, { interval: spec.interval }, sourceOptions),
      sink: new FileSink(spec.output, { format: "jsonl", overwrite: true }),
      checkpoint: { store, key },
    });
    records = result.records;
  } catch (e) {
    error = e instanceof Error ? e.message.slice(0, 200) : String(e);
  }
  const stats = client.stats;
  return {
    runner: "toolkit",
    records,
    held: records,
    requests: stats.requests,
    rateLimited: stats.statuses["429"] ?? 0,
    tokenRequests: stats.tokenRequests,
    retries: stats.retries,
    pacerWaitedMs: stats.pacer ? Math.round(stats.pacer.waitedMs) : undefined,
    pacerRate: stats.pacer?.ratePerSecond,
    error,
  };
}

if (import.meta.main) {
  const spec = JSON.parse(Deno.args[0]) as JobSpec;
  const sampler = setInterval(sampleRss, 5);
  const started = performance.now();
  const measured = spec.runner === "naive"
    ? { runner: "naive" as const, ...(await naiveExtract(spec)) }
    : await toolkit(spec);
  const elapsedMs = Math.round(performance.now() - started);
  clearInterval(sampler);
  sampleRss();
  const result: JobResult = {
    ...measured,
    elapsedMs,
    peakRssMb: Math.round(peakRss / 2 ** 20 * 10) / 10,
  };
  console.log(JSON.stringify(result));
}
