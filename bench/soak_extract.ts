/**
 * Soak test of the extraction engine: a 30-day conversation details extraction (100,000
 * conversations by default) from the simulator under faults, run once cleanly and once killed
 * with SIGKILL five times at growing page counts and resumed each time. It checks that the
 * interrupted output is byte-identical to the clean one and holds exactly the expected ids (each
 * conversation that started in the interval once, nothing else), and prints what it measured
 * (time, pages, bytes, requests, retries, token requests, conversations dropped as owned by
 * another chunk, peak memory of each run).
 *
 * On the simulator's real semantics: the interval starts at 06:00 of the first day (the query
 * also returns that day's earlier calls), calls of 1-4 h cross every chunk boundary, and the
 * simulator's clock is fixed an hour after the span, so calls of its last hours are still live
 * and every run sees the same data (tokens are revoked every 40 requests instead of expiring).
 * `chunk=6h` reads sub-day chunks; `conversations=120000 days=1` puts ~90,000 conversations in
 * the interval's one day, more than 80 % of the real 100,000-result paging limit, so the day is
 * split at the real limit.
 *
 * Run: `deno task soak:extract [conversations=100000] [days=30] [kills=5] [chunk=1d]
 * [keep=false]` (what it needs: net to 127.0.0.1, read and write under `.test-tmp`, run `deno`).
 * Each extraction runs in a child process (this same file with `--child`), so a kill is real.
 *
 * @module
 */
import { type SimFaults, startSimulator } from "../testing.ts";
import { GenesysClient } from "../lib/client/genesys_client.ts";
import { conversationDetailsSource } from "../lib/analytics/conversation_details.ts";
import { extract } from "../lib/extract/extract.ts";
import { FileCheckpointStore } from "../lib/extract/checkpoint_file.ts";
import { FileSink } from "../lib/extract/sink.ts";
import { sameFiles, tempDir } from "../tests/chaos/files.ts";

const FAULTS: SimFaults = {
  revokeAfterRequests: 40,
  errors: [
    { status: 429, everyNth: 40, retryAfterSeconds: 1 },
    { status: 503, probability: 0.05 },
  ],
};

interface ChildDone {
  type: "done";
  status: string;
  resumed: boolean;
  records: number;
  pages: number;
  bytes: number;
  recordsThisRun: number;
  dropped: number;
  requests: number;
  retries: Record<string, number>;
  tokenRequests: number;
  peakRssMb: number;
  peakHeapMb: number;
  /** Heap in use right after a full GC, sampled every 100 pages (MB). */
  liveHeapMb: number[];
}

/** One extraction in this process; prints a JSON line per durable page and one at the end. */
async function child(args: string[]): Promise<void> {
  const [url, clientId, clientSecret, interval, dir, chunk] = args;
  const client = new GenesysClient({
    region: url,
    clientId,
    clientSecret,
    retry: { minTimeout: 20, maxTimeout: 500 },
  });
  const path = `${dir}/conversations.jsonl`;
  const { store, key } = FileCheckpointStore.forFile(`${path}.checkpoint.json`);
  let peakRss = 0;
  let peakHeap = 0;
  const liveHeap: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const encoder = new TextEncoder();
  const print = (value: unknown) =>
    Deno.stdout.writeSync(encoder.encode(JSON.stringify(value) + "\n"));
  const result = await extract({
    source: conversationDetailsSource(client, { interval }, { chunk, pageSize: 100 }),
    sink: new FileSink(path, { format: "jsonl" }),
    checkpoint: { store, key },
    identity: { region: "soak" },
    onProgress: (p) => {
      const memory = Deno.memoryUsage();
      peakRss = Math.max(peakRss, memory.rss);
      peakHeap = Math.max(peakHeap, memory.heapUsed);
      if (gc && p.pagesThisRun % 100 === 0) {
        gc();
        liveHeap.push(Math.round(Deno.memoryUsage().heapUsed / 1e5) / 10);
      }
      print({ type: "progress", pages: p.pages, records: p.records });
    },
  });
  const stats = client.stats;
  const done: ChildDone = {
    type: "done",
    status: result.status,
    resumed: result.resumed,
    records: result.records,
    pages: result.pages,
    bytes: result.bytes,
    recordsThisRun: result.recordsThisRun,
    dropped: result.dropped,
    requests: stats.requests,
    retries: stats.retries,
    tokenRequests: stats.tokenRequests,
    peakRssMb: Math.round(peakRss / 1e5) / 10,
    peakHeapMb: Math.round(peakHeap / 1e5) / 10,
    liveHeapMb: liveHeap,
  };
  print(done);
}

interface RunOutcome {
  killed: boolean;
  pagesSeen: number;
  done?: ChildDone;
  ms: number;
}

/** Runs one child; kills it with SIGKILL once it reports `killAtPages` durable pages. */
async function runChild(args: string[], killAtPages?: number): Promise<RunOutcome> {
  const started = performance.now();
  const process = new Deno.Command("deno", {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read=.test-tmp",
      "--allow-write=.test-tmp",
      "--v8-flags=--expose-gc",
      new URL(import.meta.url).pathname,
      "--child",
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let killed = false;
  let pagesSeen = 0;
  let done: ChildDone | undefined;
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const chunk of process.stdout) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = JSON.parse(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      if (line.type === "progress") pagesSeen = line.pages;
      if (line.type === "done") done = line;
      if (!killed && killAtPages !== undefined && pagesSeen >= killAtPages) {
        process.kill("SIGKILL");
        killed = true;
      }
    }
  }
  const status = await process.status;
  if (!killed && status.code !== 0) throw new Error(`Child failed with code ${status.code}`);
  return { killed, pagesSeen, done, ms: performance.now() - started };
}

/**
 * Streams the JSONL file once: checks its ids against the expected list, in order, and counts the
 * records without a `conversationEnd` (live at the simulator's now).
 */
async function checkOutput(
  path: string,
  expected: readonly string[],
): Promise<{ problem?: string; live: number }> {
  let index = 0;
  let live = 0;
  let rest = "";
  const decoder = new TextDecoder();
  using file = await Deno.open(path);
  for await (const chunk of file.readable) {
    rest += decoder.decode(chunk, { stream: true });
    const lines = rest.split("\n");
    rest = lines.pop()!;
    for (const line of lines) {
      const id = JSON.parse(line).conversationId;
      if (id !== expected[index]) {
        return { problem: `record ${index} is '${id}', expected '${expected[index]}'`, live };
      }
      if (!line.includes('"conversationEnd"')) live++;
      index++;
    }
  }
  if (rest !== "") return { problem: "the file does not end with a newline", live };
  if (index !== expected.length) {
    return { problem: `${index} records, expected ${expected.length}`, live };
  }
  return { live };
}

/** The soak's size, from `name=value` arguments. */
export interface SoakExtractOptions {
  /** Conversations in the span. */
  conversations: number;
  /** Days the span covers. */
  days: number;
  /** SIGKILLs before the final resume. */
  kills: number;
  /** The chunk of the details query, such as `6h`. */
  chunk: string;
  /** Keep the temp folder. */
  keep: boolean;
}

/**
 * Reads `conversations=N days=N kills=N chunk=6h keep=true|false`; anything else is refused, so a typo
 * such as `--conversations 5000` cannot silently start the full 100,000-conversation run.
 *
 * @param args The arguments.
 * @returns The options, defaults filled in.
 * @throws {Error} For an unknown argument or a value that is not a whole number in range.
 */
export function parseSoakExtractArgs(args: readonly string[]): SoakExtractOptions {
  const options: SoakExtractOptions = {
    conversations: 100_000,
    days: 30,
    kills: 5,
    chunk: "1d",
    keep: false,
  };
  const usage = "use conversations=N days=N kills=N chunk=6h keep=true";
  const limits = { conversations: [1, 10_000_000], days: [1, 366], kills: [0, 1000] } as const;
  for (const arg of args) {
    const [name, value] = arg.split("=", 2);
    if (name === "keep" && (value === "true" || value === "false")) {
      options.keep = value === "true";
    } else if (name === "chunk" && /^\d+[mhd]$/.test(value ?? "")) {
      options.chunk = value;
    } else if (name === "conversations" || name === "days" || name === "kills") {
      const n = Number(value);
      const [min, max] = limits[name];
      if (value === undefined || value === "" || !Number.isInteger(n) || n < min || n > max) {
        throw new Error(
          `Option '${name}' needs a whole number from ${min} to ${max}, got '${value ?? ""}'`,
        );
      }
      options[name] = n;
    } else {
      throw new Error(`Unknown argument '${arg}': ${usage}`);
    }
  }
  return options;
}

/**
 * The line about the clean run's live heap, sampled every 100 pages.
 *
 * @param live Heap in use after a full GC, MB, one per 100 pages.
 * @returns The line to print.
 */
export function liveHeapLine(live: readonly number[]): string {
  if (live.length === 0) {
    return "Clean run: under 100 pages, so the heap after a full GC was not sampled";
  }
  return `Clean run: heap in use after a full GC, every 100 pages: ${live.join(", ")} MB ` +
    `(min ${Math.min(...live)}, max ${Math.max(...live)})`;
}

async function main(): Promise<void> {
  let parsed: SoakExtractOptions;
  try {
    parsed = parseSoakExtractArgs(Deno.args);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    Deno.exit(2);
  }
  const { conversations, days, kills, chunk, keep } = parsed;
  const start = new Date(Date.UTC(2026, 0, 1));
  const end = new Date(start.getTime() + days * 86_400_000);
  // The simulator advertises a generous rate so the soak measures resilience, not the 300/min wait.
  await using sim = await startSimulator({
    conversations,
    users: 200,
    queues: 20,
    start,
    end,
    rateLimitAllowed: 1_000_000,
    now: () => end.getTime() + 3_600_000,
  });
  const from = new Date(start.getTime() + 6 * 3_600_000).toISOString();
  const interval = `${from}/${sim.end}`;
  const expected = sim.conversationIds(interval);
  const dir = await tempDir("soak-extract");
  const row = (label: string, o: RunOutcome) =>
    console.log(
      `${label.padEnd(14)} ${(o.ms / 1000).toFixed(1).padStart(6)} s  pages ${
        String(o.pagesSeen).padStart(5)
      }${o.killed ? " (killed)" : ""}${
        o.done
          ? `  requests ${o.done.requests}  retries ${
            JSON.stringify(o.done.retries)
          }  tokens ${o.done.tokenRequests}  peak RSS ${o.done.peakRssMb} MB  heap ${o.done.peakHeapMb} MB`
          : ""
      }`,
    );
  try {
    console.log(
      `Soak: ${expected.length} conversations that started in ${interval} (${days} days), chunk ${chunk}, page 100`,
    );
    await Deno.mkdir(`${dir}/clean`);
    await Deno.mkdir(`${dir}/killed`);
    const common = [sim.url, sim.clientId, sim.clientSecret, interval];
    const args = (dir: string) => [...common, dir, chunk];

    const clean = await runChild(args(`${dir}/clean`));
    row("clean", clean);
    if (clean.done?.status !== "complete") throw new Error("The clean run did not complete");
    console.log(liveHeapLine(clean.done.liveHeapMb));
    const totalPages = clean.done.pages;

    sim.setFaults(FAULTS);
    sim.resetStats();
    const startedAt = performance.now();
    for (let k = 1; k <= kills; k++) {
      const target = Math.round((totalPages * k) / (kills + 1));
      row(`kill ${k}/${kills}`, await runChild(args(`${dir}/killed`), target));
    }
    const final = await runChild(args(`${dir}/killed`));
    row("final resume", final);
    const interruptedMs = performance.now() - startedAt;
    const served = sim.stats;

    const identical = await sameFiles(
      `${dir}/clean/conversations.jsonl`,
      `${dir}/killed/conversations.jsonl`,
    );
    const { problem: idProblem, live } = await checkOutput(
      `${dir}/killed/conversations.jsonl`,
      expected,
    );
    console.log(
      `Interrupted total ${
        (interruptedMs / 1000).toFixed(1)
      } s; simulator served ${served.requests} requests ` +
        `(${JSON.stringify(served.byStatus)}), issued ${served.tokensIssued} tokens`,
    );
    console.log(
      `Output ${final.done?.bytes} bytes, ${final.done?.records} records (${live} live), ${final.done?.pages} pages, ` +
        `${final.done?.dropped} dropped as another chunk's; ` +
        `byte-identical to the clean run: ${identical}; ids exact: ${idProblem ?? "yes"}`,
    );
    if (!identical || idProblem || final.done?.status !== "complete") {
      throw new Error("Soak failed: the interrupted output differs from the clean one");
    }
  } finally {
    if (keep) console.log(`Kept ${dir}`);
    else await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--child") await child(Deno.args.slice(1));
  else await main();
}
