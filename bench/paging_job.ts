/**
 * One CPU and memory job of `bench/main.ts`'s `cpu` scenario, run in a child process so that its
 * CPU time and peak memory are its own: `deno run <flags> bench/paging_job.ts '<PagingSpec>'`.
 *
 * Every runner fetches the same pages from a running simulator, one at a time: every user
 * (`GET /api/v2/users`, 100 per page, until there is no `nextUri`), then every conversation of
 * one interval (the details query, 100 per page, until a page is empty or `totalHits` is
 * reached), and writes each record as a JSON line to a file. It prints one JSON line, a
 * {@link PagingResult}: the CPU time (user + system, `process.cpuUsage()`) and wall time of the
 * work alone (start-up and module loading excluded), and the peak RSS (sampled every 5 ms).
 *
 * - `fetch`: a plain `fetch` loop: one token, `response.json()`, `JSON.stringify` per record. It
 *   sends the headers the toolkit sends (`Accept`, `Accept-Encoding`, `User-Agent`), so that both
 *   send the same requests.
 * - `library`: the toolkit's paging: `GenesysClient` (retries, pacing, token renewal) with
 *   `paginate` and `conversationDetailsPages`, the records written the same way.
 * - `extract`: the toolkit's whole pipeline: `extract()` with `listingSource` and
 *   `conversationDetailsSource`, a JSONL `FileSink` and a file checkpoint (fsync per page).
 *
 * The official SDK runs the same pages in `bench/sdk_job.ts`.
 *
 * @module
 */
import process from "node:process";
import { GenesysClient } from "../lib/client/genesys_client.ts";
import { paginate } from "../lib/paginate/paginate.ts";
import {
  conversationDetailsPages,
  conversationDetailsSource,
} from "../lib/analytics/conversation_details.ts";
import { listingSource } from "../lib/paginate/listing_source.ts";
import { extract } from "../lib/extract/extract.ts";
import { FileCheckpointStore } from "../lib/extract/checkpoint_file.ts";
import { FileSink } from "../lib/extract/sink.ts";

/** What to run. */
export interface PagingSpec {
  /** `fetch`, `library` or `extract`. */
  runner: "fetch" | "library" | "extract";
  /** The simulator's base URL (API and login). */
  baseUrl: string;
  /** OAuth client id. */
  clientId: string;
  /** OAuth client secret. */
  clientSecret: string;
  /** The details query's interval (at most 7 days). */
  interval: string;
  /** The output file (a fresh path under `.test-tmp/`). */
  output: string;
}

/** What a paging job measured. */
export interface PagingResult {
  /** Records written. */
  records: number;
  /** Pages fetched (users and conversations). */
  pages: number;
  /** CPU time of the work, user + system, in milliseconds. */
  cpuMs: number;
  /** Wall time of the work, in milliseconds. */
  elapsedMs: number;
  /** Peak resident memory (highest sampled RSS), in MB. */
  peakRssMb: number;
}

const QUERY_PATH = "/api/v2/analytics/conversations/details/query";
const USERS_PATH = "/api/v2/users";
const PAGE_SIZE = 100;

/** Writes JSON lines to a file, 64 KiB at a time. */
export class LineWriter {
  #file: Deno.FsFile;
  #chunks: string[] = [];
  #size = 0;
  readonly #encoder = new TextEncoder();

  /**
   * Opens the file (truncated).
   *
   * @param file The open file.
   */
  constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /**
   * Opens `path` for writing.
   *
   * @param path The file.
   * @returns The writer.
   */
  static async open(path: string): Promise<LineWriter> {
    return new LineWriter(
      await Deno.open(path, { write: true, create: true, truncate: true }),
    );
  }

  /**
   * Adds one record.
   *
   * @param record Any JSON value.
   */
  async write(record: unknown): Promise<void> {
    const line = JSON.stringify(record) + "\n";
    this.#chunks.push(line);
    this.#size += line.length;
    if (this.#size >= 65_536) await this.flush();
  }

  /** Writes what is buffered. */
  async flush(): Promise<void> {
    if (this.#chunks.length === 0) return;
    const bytes = this.#encoder.encode(this.#chunks.join(""));
    this.#chunks = [];
    this.#size = 0;
    for (let written = 0; written < bytes.length;) {
      written += await this.#file.write(bytes.subarray(written));
    }
  }

  /** Flushes and closes. */
  async close(): Promise<void> {
    await this.flush();
    this.#file.close();
  }
}

async function plainFetch(spec: PagingSpec): Promise<{ records: number; pages: number }> {
  const out = await LineWriter.open(spec.output);
  const tokenResponse = await fetch(`${spec.baseUrl}/oauth/token`, {
    method: "POST",
    headers: {
      Authorization: `Basic ${btoa(`${spec.clientId}:${spec.clientSecret}`)}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  const { access_token: token } = await tokenResponse.json();
  const auth = {
    Authorization: `Bearer ${token}`,
    Accept: "application/json",
    "Accept-Encoding": "gzip",
    "User-Agent": "genesys-batch-toolkit/0.1.0",
  };
  let records = 0;
  let pages = 0;
  let next: string | undefined = `${USERS_PATH}?pageSize=${PAGE_SIZE}&pageNumber=1`;
  while (next) {
    const response: Response = await fetch(spec.baseUrl + next, { headers: auth });
    if (!response.ok) throw new Error(`${next} answered ${response.status}`);
    const body: { entities?: unknown[]; nextUri?: string } = await response.json();
    pages++;
    for (const user of body.entities ?? []) {
      await out.write(user);
      records++;
    }
    next = body.nextUri;
  }
  for (let page = 1;; page++) {
    const response = await fetch(spec.baseUrl + QUERY_PATH, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({
        interval: spec.interval,
        order: "asc",
        orderBy: "conversationStart",
        paging: { pageSize: PAGE_SIZE, pageNumber: page },
      }),
    });
    if (!response.ok) throw new Error(`${QUERY_PATH} answered ${response.status}`);
    const body = await response.json();
    pages++;
    const got = body.conversations ?? [];
    for (const conversation of got) {
      await out.write(conversation);
      records++;
    }
    if (got.length === 0 || page * PAGE_SIZE >= body.totalHits) break;
  }
  await out.close();
  return { records, pages };
}

function client(spec: PagingSpec): GenesysClient {
  return new GenesysClient({
    region: spec.baseUrl,
    clientId: spec.clientId,
    clientSecret: spec.clientSecret,
  });
}

async function library(spec: PagingSpec): Promise<{ records: number; pages: number }> {
  const out = await LineWriter.open(spec.output);
  const api = client(spec);
  let records = 0;
  let pages = 0;
  for await (const page of paginate(api, USERS_PATH, { pageSize: PAGE_SIZE })) {
    pages++;
    for (const user of page.entities) {
      await out.write(user);
      records++;
    }
  }
  const query = { interval: spec.interval, order: "asc" as const, orderBy: "conversationStart" };
  for await (
    const page of conversationDetailsPages(api, query, { chunk: "7d", pageSize: PAGE_SIZE })
  ) {
    pages++;
    for (const conversation of page.conversations) {
      await out.write(conversation);
      records++;
    }
  }
  await out.close();
  return { records, pages };
}

async function pipeline(spec: PagingSpec): Promise<{ records: number; pages: number }> {
  const api = client(spec);
  let records = 0;
  let pages = 0;
  const runs = [
    ["users", listingSource(api, USERS_PATH, { pageSize: PAGE_SIZE })],
    [
      "conversations",
      conversationDetailsSource(api, { interval: spec.interval }, {
        chunk: "7d",
        pageSize: PAGE_SIZE,
      }),
    ],
  ] as const;
  for (const [name, source] of runs) {
    const output = `${spec.output}.${name}.jsonl`;
    const { store, key } = FileCheckpointStore.forFile(`${output}.checkpoint.json`);
    const result = await extract({
      source,
      sink: new FileSink(output, { format: "jsonl", overwrite: true }),
      checkpoint: { store, key },
    });
    records += result.records;
    pages += result.pages;
  }
  return { records, pages };
}

/**
 * Runs one job and measures it.
 *
 * @param spec What to run.
 * @param work The work.
 * @returns The measurements.
 */
export async function measure(
  work: () => Promise<{ records: number; pages: number }>,
): Promise<PagingResult> {
  let peak = 0;
  const sample = () => peak = Math.max(peak, Deno.memoryUsage().rss);
  const sampler = setInterval(sample, 5);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { records, pages } = await work();
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  sample();
  return {
    records,
    pages,
    cpuMs: Math.round((used.user + used.system) / 100) / 10,
    elapsedMs: Math.round(elapsedMs),
    peakRssMb: Math.round(peak / 2 ** 20 * 10) / 10,
  };
}

if (import.meta.main) {
  const spec = JSON.parse(Deno.args[0]) as PagingSpec;
  const run = { fetch: plainFetch, library, extract: pipeline }[spec.runner];
  console.log(JSON.stringify(await measure(() => run(spec))));
}
