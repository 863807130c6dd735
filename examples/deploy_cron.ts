/**
 * A Deno Deploy cron job: every night, extract yesterday's (UTC) conversation details into Deno
 * KV, with a KV checkpoint and a deadline, so a run that is cut short continues in the next
 * scheduled run and a finished day is never extracted twice.
 *
 * Deploy has no persistent disk, so the output goes to KV too: the JSON Lines are stored in
 * chunks under `["genesys-export", "conversations", <day>, "chunk", n]` by {@link KvChunkSink},
 * a resumable sink (a resumed run deletes chunks written after the last checkpoint). Read a
 * finished day back with {@link readDay}.
 *
 * Deploy: set `GENESYSCLOUD_OAUTHCLIENT_ID`, `GENESYSCLOUD_OAUTHCLIENT_SECRET` and
 * `GENESYSCLOUD_REGION` in the project's environment variables and deploy this file as the entry
 * point. Locally: `deno run --unstable-kv --unstable-cron --allow-net --allow-env examples/deploy_cron.ts`.
 *
 * @module
 */

import {
  conversationDetailsSource,
  createRecordEncoder,
  DAY_MS,
  DeadlineError,
  extract,
  formatInstant,
  GenesysClient,
  type JsonValue,
  KvCheckpointStore,
  type KvKeyPart,
  type KvLike,
  type RecordEncoder,
  type Sink,
  sinkIdentity,
  type SinkMark,
  type SinkOpenOptions,
} from "../mod.ts";

/** The cron schedule: hourly from 01:10 to 05:10 UTC; later runs finish a day cut short. */
export const SCHEDULE = "10 1-5 * * *";

/** The name the job is registered under (`Deno.cron` allows letters, digits, spaces, `-`, `_`). */
export const CRON_NAME = "genesys-batch yesterday conversations";

/** The KV key prefix of everything this job stores. */
export const PREFIX: readonly KvKeyPart[] = ["genesys-export", "conversations"];

/** KV values are limited to 64 KiB; chunks stay below that. */
const CHUNK_BYTES = 60_000;

/** What the job needs; everything has a Deploy-friendly default. */
export interface NightlyOptions {
  /** Where the checkpoint and the output live (`await Deno.openKv()` on Deploy). */
  kv: KvLike;
  /** Reads configuration (default `Deno.env.get`). */
  env?: (name: string) => string | undefined;
  /** The clock, epoch ms (default `Date.now`): "yesterday" is the UTC day before now. */
  now?: () => number;
  /** Stop cleanly after this long, in ms (default 10 minutes); the next run continues. */
  deadlineMs?: number;
  /** Receives one line per run (default `console.log`). */
  log?: (line: string) => void;
}

/** What one run did. */
export interface NightlyResult {
  /** The UTC day extracted, such as `2026-01-01`. */
  day: string;
  /** `complete` (now or earlier) or `stopped` (deadline; the next run continues). */
  status: "complete" | "stopped";
  /** Whether the day was already complete before this run. */
  alreadyComplete: boolean;
  /** Conversations stored for the day so far. */
  records: number;
  /** Conversations this run added. */
  recordsThisRun: number;
}

/**
 * A resumable sink that stores JSON Lines in Deno KV chunks below the 64 KiB value limit.
 *
 * @example
 * ```ts
 * import { KvChunkSink, readDay } from "./deploy_cron.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const kv = await Deno.openKv(":memory:");
 * const sink = new KvChunkSink(kv, "2026-01-01");
 * await sink.open({ recordType: "conversation" });
 * await sink.write([{ conversationId: "a" }]);
 * await sink.finish();
 * deepStrictEqual(await Array.fromAsync(readDay(kv, "2026-01-01")), [{ conversationId: "a" }]);
 * kv.close();
 * ```
 */
export class KvChunkSink implements Sink {
  /** Always `jsonl`. */
  readonly format = "jsonl" as const;
  /** `{ format: "jsonl" }`. */
  readonly identity: ReturnType<typeof sinkIdentity> = sinkIdentity("jsonl");
  /** Always `true`: chunks after the checkpoint are deleted on resume. */
  readonly resumable = true;
  /** The KV prefix, for messages. */
  readonly name: string;
  readonly #kv: KvLike;
  readonly #day: string;
  #encoder?: RecordEncoder;
  #chunks = 0;
  #bytes = 0;

  /**
   * Creates the sink for one day; nothing is stored before {@link KvChunkSink.open}.
   *
   * @param kv The KV store.
   * @param day The UTC day, such as `2026-01-01`.
   */
  constructor(kv: KvLike, day: string) {
    this.#kv = kv;
    this.#day = day;
    this.name = `kv:${[...PREFIX, day].join("/")}`;
  }

  #key(...rest: KvKeyPart[]): KvKeyPart[] {
    return [...PREFIX, this.#day, ...rest];
  }

  /**
   * Starts the day over, or continues from a checkpoint's mark (deleting later chunks).
   *
   * @param options Record type and resume mark.
   */
  async open(options: SinkOpenOptions): Promise<void> {
    this.#encoder = createRecordEncoder("jsonl", options.recordType);
    const resume = options.resume;
    const state = resume?.state as { chunks?: number; encoder?: JsonValue } | null | undefined;
    this.#chunks = resume ? state?.chunks ?? 0 : 0;
    this.#bytes = resume ? resume.bytes : 0;
    if (resume) this.#encoder.restore(state?.encoder ?? null);
    await this.#kv.delete(this.#key("meta"));
    // Chunks written after the mark (a page stored just before a crash) are removed.
    for (let n = this.#chunks; n < this.#chunks + 100_000; n++) {
      const { value } = await this.#kv.get(this.#key("chunk", n));
      if (value === null || value === undefined) break;
      await this.#kv.delete(this.#key("chunk", n));
    }
  }

  /**
   * Stores one page as one or more chunks; durable once the promise resolves.
   *
   * @param records The page's records.
   * @returns The mark for the checkpoint.
   */
  async write(records: readonly unknown[]): Promise<SinkMark> {
    const bytes = new TextEncoder().encode(this.#encoder!.encode(records));
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
      await this.#kv.set(this.#key("chunk", this.#chunks++), bytes.slice(at, at + CHUNK_BYTES));
    }
    this.#bytes += bytes.length;
    return this.#mark();
  }

  /**
   * Marks the day complete.
   *
   * @returns The final mark.
   */
  async finish(): Promise<SinkMark> {
    const ending = new TextEncoder().encode(this.#encoder!.end());
    if (ending.length > 0) {
      await this.#kv.set(this.#key("chunk", this.#chunks++), ending);
      this.#bytes += ending.length;
    }
    await this.#kv.set(this.#key("meta"), { chunks: this.#chunks, bytes: this.#bytes });
    return this.#mark();
  }

  #mark(): SinkMark {
    return { bytes: this.#bytes, state: { chunks: this.#chunks, encoder: this.#encoder!.state() } };
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Reads a finished day back, record by record.
 *
 * @param kv The KV store.
 * @param day The UTC day, such as `2026-01-01`.
 * @returns The conversations, in order.
 * @throws {Error} When the day is not complete.
 */
export async function* readDay(kv: KvLike, day: string): AsyncGenerator<unknown> {
  const meta = (await kv.get([...PREFIX, day, "meta"])).value as { chunks: number } | null;
  if (!meta) throw new Error(`Day '${day}' is not complete in KV yet`);
  const decoder = new TextDecoder();
  let carry = "";
  for (let n = 0; n < meta.chunks; n++) {
    const { value } = await kv.get([...PREFIX, day, "chunk", n]);
    carry += decoder.decode(value as Uint8Array, { stream: true });
    const lines = carry.split("\n");
    carry = lines.pop() ?? "";
    for (const line of lines) if (line !== "") yield JSON.parse(line);
  }
  carry += decoder.decode();
  if (carry.trim() !== "") yield JSON.parse(carry);
}

/**
 * The cron handler: extracts yesterday's conversations into KV, resuming a day cut short.
 *
 * @param options KV, configuration, clock, deadline.
 * @returns What the run did.
 * @throws {AuthError} For bad credentials; other API failures after retries also throw (the
 * checkpoint keeps the progress for the next run).
 */
export async function extractYesterday(options: NightlyOptions): Promise<NightlyResult> {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const now = options.now ?? Date.now;
  const log = options.log ?? console.log;
  const deadlineMs = options.deadlineMs ?? 10 * 60_000;
  const today = Math.floor(now() / DAY_MS) * DAY_MS;
  const day = formatInstant(today - DAY_MS).slice(0, 10);
  const region = env("GENESYSCLOUD_REGION");
  if (!region) throw new Error("Set GENESYSCLOUD_REGION, such as 'mypurecloud.ie'");
  const client = new GenesysClient({
    region,
    clientId: env("GENESYSCLOUD_OAUTHCLIENT_ID") ?? env("GENESYS_CLIENT_ID"),
    clientSecret: env("GENESYSCLOUD_OAUTHCLIENT_SECRET") ?? env("GENESYS_CLIENT_SECRET"),
    deadline: now() + deadlineMs,
    now,
  });
  const source = conversationDetailsSource(client, { interval: `${day}/P1D` });
  const store = new KvCheckpointStore(options.kv, [...PREFIX, "checkpoints"]);
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), deadlineMs);
  try {
    const result = await extract({
      source,
      sink: new KvChunkSink(options.kv, day),
      checkpoint: { store, key: day },
      identity: { api: client.region.apiBaseUrl },
      signal: stop.signal,
      now,
    });
    log(
      `${day}: ${result.status}${
        result.alreadyComplete ? " (already)" : ""
      }, ${result.records} conversations, ${result.recordsThisRun} this run`,
    );
    return {
      day,
      status: result.status,
      alreadyComplete: result.alreadyComplete,
      records: result.records,
      recordsThisRun: result.recordsThisRun,
    };
  } catch (error) {
    if (!(error instanceof DeadlineError)) throw error;
    log(`${day}: deadline reached; the next run continues from the checkpoint`);
    const saved = await store.load(day);
    return {
      day,
      status: "stopped",
      alreadyComplete: false,
      records: saved?.records ?? 0,
      recordsThisRun: 0,
    };
  } finally {
    clearTimeout(timer);
  }
}

if (import.meta.main && typeof Deno.cron === "function") {
  const kv = await Deno.openKv();
  Deno.cron(CRON_NAME, SCHEDULE, async () => {
    await extractYesterday({ kv });
  });
}
