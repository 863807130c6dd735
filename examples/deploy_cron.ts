/**
 * A Deno Deploy cron job that keeps a day-by-day copy of the conversation details in Deno KV
 * with `syncDays`: every UTC day since `SYNC_SINCE` is written once, when it is settled (it ended
 * 48 hours ago), and listed in a manifest in KV; each run writes the days that are missing, a
 * run cut short by its deadline is continued by the next one where it stopped, and a run that
 * finds nothing missing sends no request at all.
 *
 * Deploy has no persistent disk, so the days go to KV too: each day's JSON Lines are stored in
 * chunks under `["genesys-export", "days", <day>, "chunk", n]` by {@link KvChunkSink} (a resumable
 * sink: a resumed run deletes chunks written after the last checkpoint), through
 * {@link KvSyncOutput}; the manifest and the checkpoints live under `["genesys-export", "sync"]`.
 * Read a finished day back with {@link readDay}, and which days are final with
 * `readSyncManifest({ store: new KvCheckpointStore(kv, SYNC_PREFIX), key: "manifest" })`.
 *
 * Deploy: set `GENESYSCLOUD_OAUTHCLIENT_ID`, `GENESYSCLOUD_OAUTHCLIENT_SECRET`,
 * `GENESYSCLOUD_REGION` and `SYNC_SINCE` (the first day, such as `2026-01-01`) in the project's
 * environment variables and deploy this file as the entry point. Locally:
 * `deno run --unstable-kv --unstable-cron --allow-net --allow-env examples/deploy_cron.ts`.
 *
 * @module
 */

import {
  type Clock,
  DeadlineError,
  GenesysClient,
  type JsonValue,
  KvCheckpointStore,
  type KvKeyPart,
  type KvLike,
  type Sink,
  type SinkMark,
  type SinkOpenOptions,
  type SyncDayKind,
  syncDays,
  type SyncOutput,
} from "../mod.ts";
import { DAY_MS } from "../lib/analytics/mod.ts";
import {
  createRecordEncoder,
  formatSyncDay,
  type RecordEncoder,
  sinkIdentity,
} from "../lib/extract/mod.ts";

/** The cron schedule: every hour at minute 10; a run with nothing missing sends no request. */
export const SCHEDULE = "10 * * * *";

/** The name the job is registered under (`Deno.cron` allows letters, digits, spaces, `-`, `_`). */
export const CRON_NAME = "genesys-batch conversation days";

/** The KV key prefix of everything this job stores. */
export const PREFIX: readonly KvKeyPart[] = ["genesys-export"];

/** Where the manifest and the days' checkpoints live. */
export const SYNC_PREFIX: readonly KvKeyPart[] = [...PREFIX, "sync"];

/** KV values are limited to 64 KiB; chunks stay below that. */
const CHUNK_BYTES = 60_000;

/** Where a day's chunks live: final days under `days`, provisional ones under `provisional`. */
function dayKey(day: string, kind: SyncDayKind): KvKeyPart[] {
  return [...PREFIX, kind === "final" ? "days" : "provisional", day];
}

/**
 * A resumable sink that stores JSON Lines in Deno KV chunks below the 64 KiB value limit, under
 * `[...key, "chunk", n]`, and `[...key, "meta"]` once finished.
 *
 * @example
 * ```ts
 * import { KvChunkSink, readDay } from "./deploy_cron.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const kv = await Deno.openKv(":memory:");
 * const sink = new KvChunkSink(kv, ["genesys-export", "days", "2026-01-01"]);
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
  /** The KV key, for messages. */
  readonly name: string;
  readonly #kv: KvLike;
  readonly #base: readonly KvKeyPart[];
  #encoder?: RecordEncoder;
  #chunks = 0;
  #bytes = 0;

  /**
   * Creates the sink; nothing is stored before {@link KvChunkSink.open}.
   *
   * @param kv The KV store.
   * @param key The day's key, such as `["genesys-export", "days", "2026-01-01"]`.
   */
  constructor(kv: KvLike, key: readonly KvKeyPart[]) {
    this.#kv = kv;
    this.#base = key;
    this.name = `kv:${key.join("/")}`;
  }

  #key(...rest: KvKeyPart[]): KvKeyPart[] {
    return [...this.#base, ...rest];
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
    await removeChunks(this.#kv, this.#base, this.#chunks);
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

/** Deletes a day's `meta` and its chunks from `from` on (those a stopped run wrote last). */
async function removeChunks(kv: KvLike, base: readonly KvKeyPart[], from: number): Promise<void> {
  await kv.delete([...base, "meta"]);
  for (let n = from; n < from + 100_000; n++) {
    const { value } = await kv.get([...base, "chunk", n]);
    if (value === null || value === undefined) break;
    await kv.delete([...base, "chunk", n]);
  }
}

/** A finished day's chunks, in order. */
async function* dayChunks(kv: KvLike, base: readonly KvKeyPart[]): AsyncGenerator<Uint8Array> {
  const meta = (await kv.get([...base, "meta"])).value as { chunks: number } | null;
  if (!meta) throw new Error(`Day '${base.at(-1)}' is not complete in KV yet`);
  for (let n = 0; n < meta.chunks; n++) {
    yield (await kv.get([...base, "chunk", n])).value as Uint8Array;
  }
}

/**
 * The days of a sync in Deno KV, each in {@link KvChunkSink} chunks.
 *
 * @example
 * ```ts
 * import { KvSyncOutput } from "./deploy_cron.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const kv = await Deno.openKv(":memory:");
 * const output = new KvSyncOutput(kv);
 * strictEqual(output.name("2026-01-01", "final"), "genesys-export/days/2026-01-01");
 * kv.close();
 * ```
 */
export class KvSyncOutput implements SyncOutput {
  /** Always `jsonl`. */
  readonly format = "jsonl" as const;
  /** `{ format: "jsonl" }`. */
  readonly identity: ReturnType<typeof sinkIdentity> = sinkIdentity("jsonl");
  readonly #kv: KvLike;

  /**
   * Creates the output.
   *
   * @param kv The KV store.
   */
  constructor(kv: KvLike) {
    this.#kv = kv;
  }

  /**
   * How the manifest names a day: its KV key.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @returns Such as `genesys-export/days/2026-01-01`.
   */
  name(day: string, kind: SyncDayKind): string {
    return dayKey(day, kind).join("/");
  }

  /**
   * The day's sink.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @returns A {@link KvChunkSink}.
   */
  sink(day: string, kind: SyncDayKind): Promise<Sink> {
    return Promise.resolve(new KvChunkSink(this.#kv, dayKey(day, kind)));
  }

  /**
   * A finished day's bytes.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @returns The chunks.
   */
  read(day: string, kind: SyncDayKind): AsyncIterable<Uint8Array> {
    return dayChunks(this.#kv, dayKey(day, kind));
  }

  /**
   * Deletes a day.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   */
  remove(day: string, kind: SyncDayKind): Promise<void> {
    return removeChunks(this.#kv, dayKey(day, kind), 0);
  }
}

/**
 * Reads a finished day back, record by record.
 *
 * @param kv The KV store.
 * @param day The UTC day, such as `2026-01-01`.
 * @param kind Final (default) or provisional.
 * @returns The conversations, in order.
 * @throws {Error} When the day is not complete.
 */
export async function* readDay(
  kv: KvLike,
  day: string,
  kind: SyncDayKind = "final",
): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let carry = "";
  for await (const chunk of dayChunks(kv, dayKey(day, kind))) {
    carry += decoder.decode(chunk, { stream: true });
    const lines = carry.split("\n");
    carry = lines.pop() ?? "";
    for (const line of lines) if (line !== "") yield JSON.parse(line);
  }
  carry += decoder.decode();
  if (carry.trim() !== "") yield JSON.parse(carry);
}

/** What the job needs; everything has a Deploy-friendly default. */
export interface SyncJobOptions {
  /** Where the manifest, the checkpoints and the days live (`await Deno.openKv()` on Deploy). */
  kv: KvLike;
  /** Reads configuration (default `Deno.env.get`). */
  env?: (name: string) => string | undefined;
  /** The clock (default the real one): its `now` decides which days are settled. */
  clock?: Clock;
  /** Stop cleanly after this long, in ms (default 10 minutes); the next run continues. */
  deadlineMs?: number;
  /** Receives one line per day written and one per run (default `console.log`). */
  log?: (line: string) => void;
}

/** What one run did. */
export interface SyncJobResult {
  /** `complete` (every settled day is written) or `stopped` (deadline; the next run continues). */
  status: "complete" | "stopped";
  /** The days this run wrote. */
  written: string[];
  /** How many settled days the manifest listed already. */
  present: number;
  /** Conversations this run wrote. */
  records: number;
}

/**
 * The cron handler: writes every settled day since `SYNC_SINCE` that KV does not hold yet.
 *
 * @param options KV, configuration, clock, deadline, log.
 * @returns What the run did.
 * @throws {AuthError} For bad credentials; other API failures after retries also throw (the
 * day's checkpoint keeps the progress for the next run).
 */
export async function syncConversations(options: SyncJobOptions): Promise<SyncJobResult> {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const clock = options.clock ?? {};
  const now = clock.now ?? Date.now;
  const log = options.log ?? console.log;
  const deadlineMs = options.deadlineMs ?? 10 * 60_000;
  const region = env("GENESYSCLOUD_REGION");
  if (!region) throw new Error("Set GENESYSCLOUD_REGION, such as 'mypurecloud.ie'");
  // Without SYNC_SINCE: the last 7 days (days before it stay as they are).
  const since = env("SYNC_SINCE") ?? formatSyncDay(now() - 7 * DAY_MS);
  const client = new GenesysClient({
    region,
    clientId: env("GENESYSCLOUD_OAUTHCLIENT_ID") ?? env("GENESYS_CLIENT_ID"),
    clientSecret: env("GENESYSCLOUD_OAUTHCLIENT_SECRET") ?? env("GENESYS_CLIENT_SECRET"),
    deadline: now() + deadlineMs,
    clock,
  });
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), deadlineMs);
  const written: string[] = [];
  let records = 0;
  try {
    const result = await syncDays({
      client,
      since,
      store: new KvCheckpointStore(options.kv, SYNC_PREFIX, { clock }),
      output: new KvSyncOutput(options.kv),
      identity: { api: client.region.apiBaseUrl },
      signal: stop.signal,
      deadline: now() + deadlineMs,
      clock,
      onDay: (day) => {
        if (day.status !== "written") return;
        written.push(day.day);
        records += day.records;
        log(`${day.day}: ${day.records} conversations via ${day.via}`);
      },
    });
    const present = result.days.filter((d) => d.status === "present").length;
    log(`${result.status}: ${written.length} days written, ${present} already final`);
    return { status: result.status, written, present, records };
  } catch (error) {
    if (!(error instanceof DeadlineError)) throw error;
    log(`stopped: deadline reached after ${written.length} days; the next run continues`);
    return { status: "stopped", written, present: 0, records };
  } finally {
    clearTimeout(timer);
  }
}

if (import.meta.main && typeof Deno.cron === "function") {
  const kv = await Deno.openKv();
  Deno.cron(CRON_NAME, SCHEDULE, async () => {
    await syncConversations({ kv });
  });
}
