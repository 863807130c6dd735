/**
 * Throughput of the table shapes against raw records, in two measurements:
 *
 * 1. encoding only: simulator conversation records already in memory, encoded by each shape in
 *    each format (the CPU the table costs, records per second and rows per second);
 * 2. whole extractions: the engine with a file sink and a file checkpoint, reading the details
 *    query of a simulator over loopback HTTP, raw JSONL against each table (what a user sees).
 *
 * Run: `deno run --allow-net=127.0.0.1 --allow-read=.test-tmp --allow-write=.test-tmp bench/tables.ts`
 * (about a minute). The figures are quoted in `docs/tables.md`.
 *
 * @module
 */
import {
  conversationDetailsSource,
  extract,
  FileCheckpointStore,
  FileSink,
  GenesysClient,
  type OutputFormat,
  type TableShape,
} from "../mod.ts";
import { createRecordEncoder } from "../lib/extract/mod.ts";
import { startSimulator } from "../testing.ts";
import { Dataset } from "../lib/sim/dataset.ts";

const WORK = ".test-tmp/bench-tables";
const ENCODE_RECORDS = 10_000;
const EXTRACT = {
  conversations: 20_000,
  start: "2026-01-01T00:00:00Z",
  end: "2026-01-08T00:00:00Z",
};
const CASES: [TableShape, OutputFormat][] = [
  ["raw", "jsonl"],
  ["raw", "csv"],
  ["conversations", "csv"],
  ["conversations", "jsonl"],
  ["participants", "csv"],
  ["participants", "jsonl"],
  ["segments", "csv"],
  ["segments", "jsonl"],
];

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function encodeOnly(): void {
  const data = new Dataset({
    seed: 7,
    users: 120,
    queues: 12,
    conversations: ENCODE_RECORDS,
    startMs: Date.parse(EXTRACT.start),
    endMs: Date.parse(EXTRACT.end),
  });
  const records = Array.from({ length: ENCODE_RECORDS }, (_, i) => data.conversation(i));
  const pages: unknown[][] = [];
  for (let i = 0; i < records.length; i += 100) pages.push(records.slice(i, i + 100));
  console.log(`\n1. Encoding ${fmt(ENCODE_RECORDS)} simulator records in memory (best of 3)\n`);
  console.log("shape          format  records/s   rows/s      MB/s   vs raw jsonl");
  let rawRate = 0;
  for (const [table, format] of CASES) {
    let best = Infinity;
    let rows = 0;
    let bytes = 0;
    for (let run = 0; run < 3; run++) {
      const encoder = createRecordEncoder(format, "conversation", { table });
      const began = performance.now();
      let size = 0;
      let lines = 0;
      for (const page of pages) {
        const text = encoder.encode(page);
        size += text.length;
        for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines++;
      }
      best = Math.min(best, performance.now() - began);
      rows = format === "csv" ? lines - 1 : lines;
      bytes = size;
    }
    const rate = ENCODE_RECORDS / (best / 1000);
    if (table === "raw" && format === "jsonl") rawRate = rate;
    console.log(
      `${table.padEnd(14)} ${format.padEnd(6)} ${fmt(rate).padStart(9)} ${
        fmt(rows / (best / 1000)).padStart(9)
      } ${(bytes / 1e6 / (best / 1000)).toFixed(0).padStart(8)}   ${(rate / rawRate).toFixed(2)}×`,
    );
  }
}

async function extractions(): Promise<void> {
  await using sim = await startSimulator({ seed: 7, ...EXTRACT, rateLimitAllowed: 1_000_000 });
  const interval = `${sim.start}/${sim.end}`;
  console.log(
    `\n2. Whole extractions: ${
      fmt(sim.conversationIds(interval).length)
    } conversations, details query over loopback, file sink + checkpoint (best of 3)\n`,
  );
  console.log("shape          format  records/s   vs raw jsonl   output MB");
  // Runs go round the cases, so a burst of load on a shared machine hits them alike.
  const cases = CASES.filter(([t, f]) => !(t === "raw" && f === "csv"));
  const best = cases.map(() => Infinity);
  const sizes = cases.map(() => 0);
  const count = sim.conversationIds(interval).length;
  for (let run = 0; run < 3; run++) {
    for (const [i, [table, format]] of cases.entries()) {
      const dir = `${WORK}/${table}-${format}`;
      await Deno.mkdir(dir, { recursive: true });
      const client = new GenesysClient({
        region: sim.url,
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
      });
      const output = `${dir}/out.${format}`;
      const began = performance.now();
      const result = await extract({
        source: conversationDetailsSource(client, { interval }, { pageSize: 100, concurrency: 2 }),
        sink: new FileSink(output, { format, table, overwrite: true }),
        checkpoint: FileCheckpointStore.forFile(`${output}.checkpoint.json`),
        restart: true,
      });
      best[i] = Math.min(best[i], performance.now() - began);
      sizes[i] = (await Deno.stat(output)).size;
      if (result.status !== "complete") throw new Error(`${table}/${format}: ${result.status}`);
    }
  }
  const rawRate = count / (best[0] / 1000);
  for (const [i, [table, format]] of cases.entries()) {
    const rate = count / (best[i] / 1000);
    console.log(
      `${table.padEnd(14)} ${format.padEnd(6)} ${fmt(rate).padStart(9)}   ${
        (rate / rawRate).toFixed(2).padStart(8)
      }×   ${(sizes[i] / 1e6).toFixed(1).padStart(9)}`,
    );
  }
}

if (import.meta.main) {
  await Deno.mkdir(WORK, { recursive: true });
  try {
    encodeOnly();
    await extractions();
  } finally {
    await Deno.remove(WORK, { recursive: true });
  }
}
