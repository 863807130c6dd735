/**
 * The whole pipeline against the simulator over loopback HTTP: source → client → engine → file
 * sink and file checkpoint, under a 2 s token, every token revoked now and then, 429s with
 * Retry-After and 5xx (every 11th a 502, 5 % random 503), stopped several
 * times and resumed by a fresh client each time (as a new process would). Time is virtual: every
 * request moves the shared clock 100 ms and every wait moves it by its length, so tokens expire
 * and Retry-After passes without real waiting.
 */
import { type SimFaults, type Simulator, startSimulator } from "../testing.ts";
import { GenesysClient } from "../lib/client/genesys_client.ts";
import type { RetryCause } from "../lib/client/events.ts";
import { listingSource } from "../lib/paginate/listing_source.ts";
import { conversationDetailsSource } from "../lib/analytics/conversation_details.ts";
import { conversationDetailsJobSource } from "../lib/analytics/details_job.ts";
import { extract } from "../lib/extract/extract.ts";
import { FileCheckpointStore } from "../lib/extract/checkpoint_file.ts";
import { FileSink } from "../lib/extract/sink.ts";
import type { OutputFormat } from "../lib/extract/format.ts";
import type { PageSource } from "../lib/types.ts";
import { assert, assertEquals } from "./_assert.ts";
import { tempDir } from "./chaos/files.ts";

const FAULTS: SimFaults = {
  tokenLifetimeSeconds: 2,
  errors: [
    { status: 429, everyNth: 6, retryAfterSeconds: 1 },
    { status: 502, everyNth: 11 },
    { status: 503, probability: 0.05 },
  ],
};

class VirtualClock {
  t = Date.UTC(2026, 1, 1);
  readonly now = (): number => this.t;
  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.t += ms;
    return Promise.resolve();
  };
}

interface Totals {
  runs: number;
  requests: number;
  tokenRequests: number;
  retries: Record<RetryCause, number>;
  tokens: Set<string>;
}

function client(sim: Simulator, clock: VirtualClock, totals: Totals): GenesysClient {
  let seed = 7;
  return new GenesysClient({
    region: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    clock: {
      now: clock.now,
      sleep: clock.sleep,
      random: () => (seed = (seed * 16807) % 2147483647) / 2147483647,
    },
    fetch: (input, init) => {
      clock.t += 100;
      const auth = new Headers(init?.headers).get("authorization");
      if (auth?.startsWith("Bearer ")) totals.tokens.add(auth.slice(7));
      return fetch(input, init);
    },
  });
}

type SourceFactory = (client: GenesysClient, clock: VirtualClock) => PageSource;

/**
 * Runs the extraction to completion, stopping after every `stopEvery` durable pages; each run has
 * a fresh client. Returns the output text.
 */
async function extractInterrupted(
  sim: Simulator,
  dir: string,
  format: OutputFormat,
  makeSource: SourceFactory,
  stopEvery: number,
  totals: Totals,
): Promise<string> {
  const clock = new VirtualClock();
  const path = `${dir}/out.${format}`;
  const { store, key } = FileCheckpointStore.forFile(`${path}.checkpoint.json`);
  for (let run = 0; run < 100; run++) {
    const c = client(sim, clock, totals);
    const controller = new AbortController();
    const result = await extract({
      source: makeSource(c, clock),
      sink: new FileSink(path, { format }),
      checkpoint: { store, key },
      identity: { region: sim.url },
      signal: controller.signal,
      clock: { now: clock.now },
      onProgress: (p) => {
        // With faults on: revoke the live tokens after each run's first page (next request: 401).
        if (stopEvery > 0 && p.pagesThisRun === 1) sim.revokeTokens();
        if (stopEvery > 0 && p.pagesThisRun >= stopEvery) controller.abort();
      },
    });
    const stats = c.stats;
    totals.runs += 1;
    totals.requests += stats.requests;
    totals.tokenRequests += stats.tokenRequests;
    for (const [cause, n] of Object.entries(stats.retries)) {
      totals.retries[cause as RetryCause] += n;
    }
    if (result.status === "complete") {
      const cp = await Deno.readTextFile(`${path}.checkpoint.json`);
      const output = await Deno.readTextFile(path);
      for (const token of totals.tokens) {
        assert(!cp.includes(token) && !output.includes(token), "a token leaked");
      }
      assert(!cp.includes(sim.clientSecret) && !output.includes(sim.clientSecret));
      return output;
    }
    assertEquals(result.resumable, true);
  }
  throw new Error("Extraction did not complete in 100 runs");
}

function newTotals(): Totals {
  return {
    runs: 0,
    requests: 0,
    tokenRequests: 0,
    retries: { rateLimit: 0, serverError: 0, network: 0, timeout: 0, unauthorized: 0 },
    tokens: new Set(),
  };
}

function idsOf(format: OutputFormat, text: string, idField: string): string[] {
  if (format === "jsonl") {
    return text.trimEnd().split("\n").map((line) => JSON.parse(line)[idField]);
  }
  if (format === "json") return JSON.parse(text).map((r: Record<string, string>) => r[idField]);
  const lines = text.split("\r\n").filter((l) => l !== "");
  assertEquals(lines[0].split(",")[0], idField);
  return lines.slice(1).map((l) => l.split(",")[0]);
}

async function scenario(
  options: {
    format: OutputFormat;
    idField: string;
    stopEvery: number;
    expected: (sim: Simulator) => readonly string[];
    source: SourceFactory;
  },
  sim: Simulator,
): Promise<Totals> {
  const dir = await tempDir("sim");
  try {
    sim.clearFaults();
    const cleanTotals = newTotals();
    const clean = await extractInterrupted(
      sim,
      `${dir}`,
      options.format,
      options.source,
      0,
      cleanTotals,
    );
    assertEquals(cleanTotals.runs, 1);
    assertEquals(idsOf(options.format, clean, options.idField), [...options.expected(sim)]);

    sim.setFaults(FAULTS);
    await Deno.mkdir(`${dir}/faulty`);
    const totals = newTotals();
    const text = await extractInterrupted(
      sim,
      `${dir}/faulty`,
      options.format,
      options.source,
      options.stopEvery,
      totals,
    );
    assertEquals(text, clean); // byte-identical to the clean, uninterrupted run
    const ids = idsOf(options.format, text, options.idField);
    assertEquals(ids, [...options.expected(sim)]);
    assertEquals(new Set(ids).size, ids.length);
    assert(totals.runs >= 3, `only ${totals.runs} runs`);
    assert(totals.retries.rateLimit > 0, "no 429 retried");
    assert(totals.retries.serverError > 0, "no 5xx retried");
    assert(totals.retries.unauthorized > 0, "no 401 retried");
    // More token requests than runs: tokens expired (or were refused) mid-run and were renewed.
    assert(totals.tokenRequests > totals.runs, `${totals.tokenRequests} token requests`);
    return totals;
  } finally {
    sim.clearFaults();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("extract users to CSV under faults, stopped and resumed, gives the exact id list", async () => {
  await using sim = await startSimulator({ users: 520, queues: 3, conversations: 10 });
  await scenario({
    format: "csv",
    idField: "id",
    stopEvery: 3,
    expected: (s) => s.ids.users,
    source: (c) => listingSource(c, "/api/v2/users", { pageSize: 25 }),
  }, sim);
});

Deno.test("extract queues to JSON under faults, stopped and resumed, gives the exact id list", async () => {
  await using sim = await startSimulator({ users: 5, queues: 23, conversations: 10 });
  await scenario({
    format: "json",
    idField: "id",
    stopEvery: 2,
    expected: (s) => s.ids.queues,
    source: (c) => listingSource(c, "/api/v2/routing/queues", { pageSize: 4 }),
  }, sim);
});

Deno.test("extract a details query to JSONL under faults, stopped and resumed, gives the exact ids", async () => {
  await using sim = await startSimulator({
    users: 20,
    queues: 4,
    conversations: 700,
    start: "2026-01-01T00:00:00.000Z",
    end: "2026-01-04T00:00:00.000Z",
  });
  const interval = `${sim.start}/${sim.end}`;
  await scenario({
    format: "jsonl",
    idField: "conversationId",
    stopEvery: 4,
    expected: (s) => s.conversationIds(interval),
    source: (c) => conversationDetailsSource(c, { interval }, { chunk: "1d", pageSize: 50 }),
  }, sim);
});

Deno.test("extract a details job to CSV under faults, stopped and resumed, gives the exact ids", async () => {
  await using sim = await startSimulator({
    users: 20,
    queues: 4,
    conversations: 500,
    start: "2026-01-01T00:00:00.000Z",
    end: "2026-01-04T00:00:00.000Z",
  });
  const interval = `${sim.start}/${sim.end}`;
  const totals = await scenario({
    format: "csv",
    idField: "conversationId",
    stopEvery: 2,
    expected: (s) => s.jobConversationIds({ interval }),
    source: (c, clock) =>
      conversationDetailsJobSource(c, { interval }, {
        pageSize: 40,
        clock: { now: clock.now, sleep: clock.sleep },
      }),
  }, sim);
  // Resumes continued the same job: one submission for the clean run, one for the faulty runs.
  assert(totals.runs >= 3);
  assertEquals(sim.stats.jobsSubmitted, 2);
});
