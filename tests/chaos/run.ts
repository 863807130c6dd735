/**
 * One chaos extraction as a fresh process would run it (new client, new file sink, the same file
 * checkpoint) against the simulator on a shared virtual clock, plus the data sizes, the clean
 * baselines and the small helpers the matrix uses.
 *
 * @module
 */
import {
  type SimFaults,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../testing.ts";
import { GenesysClient } from "../../lib/client/genesys_client.ts";
import { listingSource } from "../../lib/paginate/listing_source.ts";
import { conversationDetailsSource } from "../../lib/analytics/conversation_details.ts";
import { conversationDetailsJobSource } from "../../lib/analytics/details_job.ts";
import { extract, type ExtractResult } from "../../lib/extract/extract.ts";
import { FileCheckpointStore } from "../../lib/extract/checkpoint_file.ts";
import { FileSink } from "../../lib/extract/sink.ts";
import type { PageSource } from "../../lib/types.ts";
import type { Format } from "./files.ts";

/** What is extracted: a page-number listing, the details query, or a details job. */
export type Kind = "pages" | "query" | "jobs";

/** Every kind, in table order. */
export const KINDS: readonly Kind[] = ["pages", "query", "jobs"];

/** Data sizes of a run. */
export interface Size {
  /** Users in the listing. */
  users: number;
  /** Conversations in the simulator's 3-day span. */
  conversations: number;
  /** Users per listing page. */
  usersPerPage: number;
  /** Conversations per query page or job results page. */
  conversationsPerPage: number;
  /**
   * The details query's paging limit, for the simulator and the source alike (the real one is
   * 100,000): below 80 % of a day's conversations, so every day is split into 6-hour spans.
   */
  maxResults: number;
}

/** Small data for the CI suite: 13 listing pages, about 25 query and 10 job pages. */
export const FAST_SIZE: Size = {
  users: 130,
  conversations: 300,
  usersPerPage: 10,
  conversationsPerPage: 20,
  maxResults: 60,
};

/** Larger data for the soak: about 25 listing pages, 80 query and 40 job pages. */
export const SOAK_SIZE: Size = {
  users: 1200,
  conversations: 3000,
  usersPerPage: 50,
  conversationsPerPage: 50,
  maxResults: 600,
};

const SPAN = { start: "2026-01-01T00:00:00.000Z", end: "2026-01-04T00:00:00.000Z" };
/**
 * The interval the conversation kinds extract: from 06:00, so the details query also returns that
 * day's earlier calls and a job every call still going at 06:00 (both dropped by ownership).
 */
export const INTERVAL = "2026-01-01T06:00:00Z/2026-01-03T00:00:00Z";
/**
 * The clock's start: one hour after the interval's end, so calls that started in its last hours
 * are still live, and (with a data availability lag of one hour) jobs see the data as it stood at
 * the interval's end, calls live then included.
 */
const NOW = Date.UTC(2026, 0, 3, 1);
/** The client secret every chaos simulator accepts: it must never reach a file. */
export const CHAOS_SECRET = "chaos-secret-5b1d2e0c9a";

/** A clock shared by the simulator, the client and the job poller. */
export class VirtualClock {
  /** Now, epoch ms. */
  t: number = NOW;
  /** Reads the clock. */
  readonly now = (): number => this.t;
  /**
   * Waits `ms` of virtual time (at once).
   *
   * @param ms How long.
   * @param signal Rejects when already aborted.
   */
  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.t += ms;
    return Promise.resolve();
  };
}

/** What a case's hooks can reach. */
export interface CellEnv {
  /** The simulator (a hook may replace it, as the outage case does). */
  sim: Simulator;
  /** The shared clock. */
  clock: VirtualClock;
  /** The options the simulator was started with. */
  simOptions: SimulatorOptions;
  /**
   * Set by a hook: every live token is revoked as the next request with a token used before goes
   * out. Never a token just issued and not yet used: a retry refused with a fresh token is a
   * refused client (AuthError by design), and revoking at any moment would race the refresh.
   */
  revokeBeforeNext?: boolean;
}

export function seeded(seed: number): () => number {
  let s = (seed * 7919 + 17) % 2147483647 || 1;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** The ids a complete extraction writes: the users, or the conversations that started in the interval. */
export function expectedIds(sim: Simulator, kind: Kind): string[] {
  if (kind === "pages") return [...sim.ids.users];
  return sim.conversationIds(INTERVAL);
}

/** What one run saw. */
export interface RunOutcome {
  result?: ExtractResult;
  error?: unknown;
  retries: number;
  tokenRequests: number;
}

export interface RunSpec {
  env: CellEnv;
  kind: Kind;
  size: Size;
  path: string;
  format: Format;
  /** Client settings of the case. */
  client?: { timeoutMs?: number; maxAttempts?: number };
  secret?: string;
  tokens: Set<string>;
  onPage?: (page: number) => void;
}

function source(spec: RunSpec, client: GenesysClient): PageSource {
  const { kind, size, env } = spec;
  if (kind === "pages") {
    return listingSource(client, "/api/v2/users", { pageSize: size.usersPerPage });
  }
  if (kind === "query") {
    return conversationDetailsSource(client, { interval: INTERVAL }, {
      pageSize: size.conversationsPerPage,
      chunk: "1d",
      maxResults: size.maxResults,
      clock: { now: env.clock.now },
    });
  }
  return conversationDetailsJobSource(client, { interval: INTERVAL }, {
    pageSize: size.conversationsPerPage,
    clock: { now: env.clock.now, sleep: env.clock.sleep },
    onWarning: () => {},
  });
}

/** One extraction, as a fresh process would run it: new client, new sink, same checkpoint. */
export async function runOnce(spec: RunSpec): Promise<RunOutcome> {
  const { env } = spec;
  const client = new GenesysClient({
    region: env.sim.url,
    clientId: env.sim.clientId,
    clientSecret: spec.secret ?? CHAOS_SECRET,
    clock: { now: env.clock.now, sleep: env.clock.sleep, random: seeded(env.sim.seed) },
    timeoutMs: spec.client?.timeoutMs ?? 5_000,
    retry: { maxAttempts: spec.client?.maxAttempts ?? 6, minTimeout: 200, maxTimeout: 5_000 },
    fetch: (input, init) => {
      env.clock.t += 100;
      const auth = new Headers(init?.headers).get("authorization");
      if (auth?.startsWith("Bearer ")) {
        const token = auth.slice(7);
        if (env.revokeBeforeNext && spec.tokens.has(token)) {
          env.revokeBeforeNext = false;
          env.sim.revokeTokens();
        }
        spec.tokens.add(token);
      }
      return fetch(input, init);
    },
  });
  const { store, key } = FileCheckpointStore.forFile(`${spec.path}.checkpoint.json`);
  const outcome: RunOutcome = { retries: 0, tokenRequests: 0 };
  try {
    outcome.result = await extract({
      source: source(spec, client),
      sink: new FileSink(spec.path, { format: spec.format }),
      checkpoint: { store, key },
      identity: { api: "chaos" },
      clock: { now: env.clock.now },
      onProgress: (p) => spec.onPage?.(p.pages),
    });
  } catch (error) {
    outcome.error = error;
  }
  const stats = client.stats;
  outcome.retries = Object.values(stats.retries).reduce((a, b) => a + b, 0);
  outcome.tokenRequests = stats.tokenRequests;
  return outcome;
}

export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message}`;
  return String(error);
}

/** A details job submit is a creating POST, not retried on 5xx or a bad answer (by design). */
export function submitRefused(error: unknown): boolean {
  return error instanceof Error &&
    /POST \/api\/v2\/analytics\/conversations\/details\/jobs\b(?!\/)/.test(error.message);
}

export async function readCheckpoint(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(`${path}.checkpoint.json`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

export function simOptions(seed: number, size: Size, clock: VirtualClock, faults?: SimFaults) {
  return {
    seed,
    users: size.users,
    queues: 3,
    conversations: size.conversations,
    start: SPAN.start,
    end: SPAN.end,
    clientSecret: CHAOS_SECRET,
    jobPolls: 2,
    // Calls of 1-4 h: a tenth of them (the real share is 2 %), so small data crosses every span.
    longConversationShare: 0.1,
    detailsResultLimit: size.maxResults,
    dataAvailabilityLagSeconds: 3600,
    now: clock.now,
    faults: faults ? structuredClone(faults) : undefined,
  } satisfies SimulatorOptions;
}

export function injectedCount(sim: Simulator): number {
  const s = sim.stats;
  return Object.values(s.faults).reduce((a, b) => a + b, 0) + s.unauthorized + s.rateLimited;
}

/** Clean outputs by kind, format and seed, to compare bytes with. */
export class Baselines {
  #map = new Map<string, Uint8Array>();

  /**
   * The clean output of `kind` in `format` for `seed`, extracted once.
   *
   * @param kind The kind.
   * @param format The format.
   * @param seed The seed.
   * @param size The data size.
   * @param dir A scratch directory.
   * @returns The bytes.
   */
  async get(
    kind: Kind,
    format: Format,
    seed: number,
    size: Size,
    dir: string,
  ): Promise<Uint8Array> {
    const key = `${kind}/${format}/${seed}/${size.users}/${size.conversations}`;
    const known = this.#map.get(key);
    if (known) return known;
    const clock = new VirtualClock();
    const options = simOptions(seed, size, clock);
    const sim = await startSimulator(options);
    try {
      const path = `${dir}/baseline-${kind}-${seed}.${format}`;
      const out = await runOnce({
        env: { sim, clock, simOptions: options },
        kind,
        size,
        path,
        format,
        tokens: new Set(),
      });
      if (out.error || out.result?.status !== "complete") {
        throw new Error(`Baseline ${key} failed: ${describe(out.error)}`);
      }
      const bytes = await Deno.readFile(path);
      this.#map.set(key, bytes);
      return bytes;
    } finally {
      await sim.close();
    }
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
