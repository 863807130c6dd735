/**
 * Incremental, day-partitioned extraction of conversation details for scheduled runs: every UTC
 * day from `since` gets one output holding exactly the conversations that started that day,
 * written once when the day is settled (old enough that the API's data no longer changes) and
 * recorded in a manifest; a rerun writes only the days that are missing, a run stopped mid-day
 * resumes that day where it stopped, and one lock keeps overlapping runs apart. The manifest and
 * the days' checkpoints live in any checkpoint store (files, Deno KV, memory), the days in any
 * {@link SyncOutput}. `docs/sync.md` tells the whole story.
 *
 * @module
 */
import type { ApiClient, JsonValue, PageSource } from "../types.ts";
import { checkDetailsQuery, type ConversationDetailsQuery } from "../analytics/details_query.ts";
import { conversationDetailsSource } from "../analytics/conversation_details.ts";
import {
  type ConversationDetailsJobOptions,
  conversationDetailsJobSource,
} from "../analytics/details_job.ts";
import { detailsJobAvailability } from "../analytics/details_job_api.ts";
import { UsageError } from "../errors.ts";
import { extractJobKey } from "./_job_key.ts";
import { DAY_MS, formatInstant } from "../analytics/interval.ts";
import { parseSyncDay, planSyncDays, type SyncPlan, type SyncPlanOptions } from "./sync_plan.ts";
import { SyncSession } from "./_sync_session.ts";
import type { SyncCommonOptions, SyncDayPlan, SyncDayResult } from "./sync_types.ts";
import type { SyncManifest } from "./sync_manifest.ts";
import { estimateConversations, type SyncViaOption, viaCosts } from "./sync_via.ts";

/** What {@link syncDays} needs. */
export interface SyncDaysOptions extends SyncPlanOptions, SyncCommonOptions {
  /** The API client. */
  client: ApiClient;
  /**
   * The days to write, as {@link planSyncDays} gave them for these same options; by default
   * planned at the start. A caller that has already told the user which days it syncs passes its
   * plan, so the run writes those days even when midnight UTC passes in between.
   */
  plan?: SyncPlan;
  /**
   * The details query's filters and order (`conversationFilters`, `segmentFilters`, ...,
   * `order`, `orderBy`), the same for every day; no `interval` or `paging`.
   */
  query?: Omit<ConversationDetailsQuery, "interval" | "paging">;
  /**
   * How days are read: `query` (the details query), `jobs` (a details job per day) or `auto`
   * (default): for each day, whichever costs fewer requests by {@link viaCosts}, from the day's
   * size (the `totalHits` of a one-record first page). A day a stopped run started is resumed the
   * way it was started. Provisional days always use the query (jobs lag behind now).
   */
  via?: SyncViaOption;
  /**
   * Conversations per details query page, 1 to 100.
   *
   * @default {100}
   */
  pageSize?: number;
  /**
   * Conversations per job results page, 1 to 10,000.
   *
   * @default {1000}
   */
  jobPageSize?: number;
  /**
   * Most details query requests in flight (see `conversationDetailsSource`).
   *
   * @default {1}
   */
  concurrency?: number;
  /**
   * Fetch the next page while the current one is written.
   *
   * @default {true}
   */
  prefetch?: boolean;
  /** Passed to every request: an absolute deadline, epoch ms. */
  deadline?: number;
  /** Passed to every request: the per-attempt timeout, ms. */
  timeoutMs?: number;
  /** Details job settings: polling, the longest wait, messages' hints, events. */
  jobs?: Pick<
    ConversationDetailsJobOptions,
    | "maxWait"
    | "pollInterval"
    | "maxPollInterval"
    | "pollBackoff"
    | "hints"
    | "onJob"
    | "retrySubmit"
    | "resubmitExpired"
  >;
  /**
   * `auto`: the status polls a job is expected to take (see {@link viaCosts}).
   *
   * @default {6}
   */
  jobPolls?: number;
}

/** What a sync run did. */
export interface SyncResult {
  /** `complete`: every day of the run is done; `stopped`: the signal stopped it in a day. */
  status: "complete" | "stopped";
  /** The final days of the range, in order: written by this run, present before, or stopped. */
  days: SyncDayResult[];
  /** The provisional days this run wrote. */
  provisional: SyncDayResult[];
  /** Days of the range that are not settled yet (see {@link SyncPlan.unsettled}). */
  unsettled: string[];
  /** The first day that is not settled. */
  settledUntil: string;
  /** The manifest after the run. */
  manifest: SyncManifest;
}

/**
 * Syncs conversation details day by day (see the module doc).
 *
 * - Days: UTC days from `since` up to `until` (default: the last settled day); a day is settled
 *   once it ended `settle` (48 h) ago. Each day's output holds exactly the conversations that
 *   started that day (the ownership rule), in its own file or KV entry.
 * - Final days: each is written through the extraction engine with its own checkpoint; once
 *   complete, it is read back and the manifest lists its records, bytes, SHA-256, when and how
 *   (`query` or `jobs`). A day the manifest lists is never read again; a day a stopped run
 *   started is resumed where it stopped (the way it was started).
 * - `via: "auto"`: a one-record query page estimates the day's size; a day where a job costs
 *   fewer requests is read by a job, if it ends before the jobs' data availability date.
 * - `provisional`: the unsettled days up to now are written again on every run as provisional
 *   (apart from the final days, `until` recorded); they are dropped once final.
 * - Lock: the run takes the store's lock of the manifest's key first; another run of the same
 *   sync fails at once with a `LockError`, before it reads or writes anything.
 *
 * @param options Client, days, store, output, filters, how to read, callbacks.
 * @returns What the run did.
 * @throws {UsageError} For bad options, a manifest of other settings, or (`via: "jobs"`) a day
 * that ends after the jobs' data availability date.
 * @throws {LockError} When another run of this sync holds its lock.
 * @throws {CheckpointError} When the manifest or a checkpoint is corrupt or of another job.
 *
 * @example
 * ```ts
 * import { syncDays } from "./sync.ts";
 * import { MemoryCheckpointStore } from "./checkpoint_memory.ts";
 * import { MemorySyncOutput } from "./sync_output.ts";
 * import type { ApiClient, RequestOptions } from "../types.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * // A details query with one conversation at 10:00 on every day.
 * let requests = 0;
 * const client = {
 *   request: (_m: string, _p: string, o?: RequestOptions) => {
 *     requests++;
 *     const body = o?.body as { interval: string; paging: { pageNumber: number } };
 *     const day = body.interval.slice(0, 10);
 *     const conversation = { conversationId: `c-${day}`, conversationStart: `${day}T10:00:00Z` };
 *     return Promise.resolve(
 *       body.paging.pageNumber === 1 ? { totalHits: 1, conversations: [conversation] } : { totalHits: 1 },
 *     );
 *   },
 * } as unknown as ApiClient;
 * const store = new MemoryCheckpointStore();
 * const output = new MemorySyncOutput();
 * const now = () => Date.parse("2026-01-05T12:00:00Z");
 * const options = { client, store, output, since: "2026-01-01", via: "query" as const, clock: { now } };
 * const first = await syncDays(options);
 * deepStrictEqual(Object.keys(first.manifest.days), ["2026-01-01", "2026-01-02"]);
 * strictEqual(output.text("2026-01-02"), '{"conversationId":"c-2026-01-02","conversationStart":"2026-01-02T10:00:00Z"}\n');
 * const sent = requests;
 * const again = await syncDays(options);
 * strictEqual(requests, sent); // both days are final: nothing is read again
 * deepStrictEqual(again.days.map((d) => d.status), ["present", "present"]);
 * ```
 */
export async function syncDays(options: SyncDaysOptions): Promise<SyncResult> {
  const plan = options.plan ?? planSyncDays(options);
  const { via, body } = checkSyncQuery(options);
  const job = { filter: body, output: options.output.identity };
  const session = await SyncSession.open(options, "conversations", job, plan.final);
  const missing = plan.final.filter((day) => !session.manifest.days[day]);
  const reader = new DayReader(options, via, body, missing.length + plan.provisional.length);
  const run = new DaysRun(session, reader, options.signal);
  const result = (status: SyncResult["status"]): SyncResult => ({
    status,
    days: run.days,
    provisional: run.provisional,
    unsettled: plan.unsettled,
    settledUntil: plan.settledUntil,
    manifest: session.manifest,
  });
  try {
    if (!await run.final(plan.final)) return result("stopped");
    if (!await run.provisionalDays(plan.provisional)) return result("stopped");
    if (options.provisional) await session.dropProvisional(plan.provisional);
    return result("complete");
  } finally {
    await session.close();
  }
}

/**
 * Checks `via` and the filters at once, for every way this run may read a day.
 *
 * @returns The way days are read, and the details query body shared by every day.
 */
function checkSyncQuery(
  options: SyncDaysOptions,
): { via: SyncViaOption; body: Record<string, JsonValue> } {
  const via = options.via ?? "auto";
  if (!["query", "jobs", "auto"].includes(via)) {
    throw new UsageError(`Option 'via' is '${via}': use query, jobs or auto`);
  }
  const filters = { ...(options.query ?? {}) } as Record<string, unknown>;
  if ("interval" in filters || "paging" in filters) {
    throw new UsageError(
      "The sync's query takes filters and order only: each day's interval and paging are set by the sync",
    );
  }
  const sample = { ...filters, interval: "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z" };
  const body = checkDetailsQuery(sample, "query").body as Record<string, JsonValue>;
  if (via !== "query") checkDetailsQuery(sample, "jobs");
  return { via, body };
}

/** How a day is read, as {@link SyncSession.runDay} takes it (without the kind and index). */
type ChosenDay = Omit<SyncDayPlan, "index" | "kind">;

/** The two ways to read a day. */
type Way = "query" | "jobs";

/**
 * Reads days: chooses how each day is read and builds only that way's source (the other may
 * not even accept the filters: `aggregations` is the details query's alone).
 */
class DayReader {
  readonly #options: SyncDaysOptions;
  readonly #via: SyncViaOption;
  readonly #body: Record<string, JsonValue>;
  readonly #of: number;
  readonly #base: { signal?: AbortSignal; deadline?: number; timeoutMs?: number };
  #available?: number;

  constructor(
    options: SyncDaysOptions,
    via: SyncViaOption,
    body: Record<string, JsonValue>,
    of: number,
  ) {
    this.#options = options;
    this.#via = via;
    this.#body = body;
    this.#of = of;
    this.#base = {
      signal: options.signal,
      deadline: options.deadline,
      timeoutMs: options.timeoutMs,
    };
  }

  /** The days this run writes, final and provisional. */
  get of(): number {
    return this.#of;
  }

  /** The source that reads `day` one way: the details query or a details job. */
  source(day: string, way: Way): PageSource {
    const options = this.#options;
    const query = { ...this.#body, interval: intervalOf(day) } as ConversationDetailsQuery;
    if (way === "query") {
      return conversationDetailsSource(options.client, query, {
        pageSize: options.pageSize,
        chunk: "1d",
        prefetch: options.prefetch,
        concurrency: options.concurrency,
        ...this.#base,
        clock: options.clock,
      }) as PageSource;
    }
    return conversationDetailsJobSource(options.client, query, {
      ...options.jobs,
      pageSize: options.jobPageSize ?? 1000,
      prefetch: options.prefetch,
      checkAvailability: "off",
      ...this.#base,
      clock: options.clock,
    }) as PageSource;
  }

  /** How `day` is read: as an earlier run started it, as asked, or (auto) the cheaper way. */
  async choose(day: string): Promise<ChosenDay> {
    const resumed = await this.#resumedWay(day);
    if (resumed) return resumed;
    if (this.#via === "query") return this.#chosen(day, "query");
    if (this.#via === "jobs") return await this.#byJobs(day);
    return await this.#cheaper(day);
  }

  #chosen(day: string, way: Way, estimate?: ChosenDay["estimate"]): ChosenDay {
    const chosen: ChosenDay = { day, source: this.source(day, way), via: way, of: this.#of };
    if (estimate) chosen.estimate = estimate;
    return chosen;
  }

  /** The way a stopped run started `day`, found by its checkpoint's job key. */
  async #resumedWay(day: string): Promise<ChosenDay | undefined> {
    const options = this.#options;
    const key = options.checkpointKey?.(day) ?? day;
    const previous = await options.store.load(key);
    if (!previous) return undefined;
    const sink = await options.output.sink(day, "final");
    for (const way of ["query", "jobs"] as const) {
      const chosen = this.#chosen(day, way);
      const jobKey = await extractJobKey({
        source: chosen.source,
        sink,
        identity: options.identity,
      });
      if (jobKey === previous.jobKey) return chosen;
    }
    return undefined;
  }

  /** `via: "jobs"`: a details job, if the day ends before the jobs' data availability date. */
  async #byJobs(day: string): Promise<ChosenDay> {
    if (endOf(day) > await this.#availability()) {
      throw new UsageError(
        `Day ${day} ends after the jobs' data availability date '${
          formatInstant(await this.#availability())
        }': jobs would miss its last conversations; use via 'query' for it, or a longer settle`,
      );
    }
    return this.#chosen(day, "jobs");
  }

  /** `via: "auto"`: whichever way costs fewer requests for the day's estimated size. */
  async #cheaper(day: string): Promise<ChosenDay> {
    const options = this.#options;
    const conversations = await estimateConversations(
      options.client,
      this.#body,
      intervalOf(day),
      this.#base,
    );
    const costs = viaCosts(conversations, {
      pageSize: options.pageSize,
      jobPageSize: options.jobPageSize,
      jobPolls: options.jobPolls,
    });
    const estimate = { conversations, ...costs };
    const jobs = costs.jobs < costs.query && endOf(day) <= await this.#availability();
    return this.#chosen(day, jobs ? "jobs" : "query", estimate);
  }

  /** The jobs' data availability date, asked once (Infinity when the API gives none). */
  async #availability(): Promise<number> {
    if (this.#available === undefined) {
      const date = await detailsJobAvailability(this.#options.client, this.#base);
      const parsed = date === undefined ? NaN : Date.parse(date);
      this.#available = Number.isFinite(parsed) ? parsed : Infinity;
    }
    return this.#available;
  }
}

/** The end of a UTC day (`YYYY-MM-DD`), epoch ms. */
function endOf(day: string): number {
  return parseSyncDay(day, "day") + DAY_MS;
}

/** A UTC day as the interval of a details query or job. */
function intervalOf(day: string): string {
  const start = parseSyncDay(day, "day");
  return `${formatInstant(start)}/${formatInstant(start + DAY_MS)}`;
}

/** Writes the run's days in order, numbering them, until they are done or the signal stops it. */
class DaysRun {
  /** The final days of the range, in order: written by this run, present before, or stopped. */
  readonly days: SyncDayResult[] = [];
  /** The provisional days this run wrote. */
  readonly provisional: SyncDayResult[] = [];
  readonly #session: SyncSession;
  readonly #reader: DayReader;
  readonly #signal?: AbortSignal;
  #index = 0;

  constructor(session: SyncSession, reader: DayReader, signal: AbortSignal | undefined) {
    this.#session = session;
    this.#reader = reader;
    this.#signal = signal;
  }

  /**
   * Writes the final days the manifest does not list (the others are reported present).
   *
   * @returns False when the signal stopped the run.
   */
  async final(days: readonly string[]): Promise<boolean> {
    for (const day of days) {
      const present = this.#session.present(day);
      if (present) {
        this.days.push(present);
        continue;
      }
      if (this.#signal?.aborted) return false;
      let chosen: ChosenDay;
      try {
        chosen = await this.#reader.choose(day);
      } catch (error) {
        // The estimate or the availability request was cut short by the stop.
        if (this.#signal?.aborted) return false;
        throw error;
      }
      const done = await this.#session.runDay({ ...chosen, kind: "final", index: ++this.#index });
      this.days.push(done);
      if (done.status === "stopped") return false;
    }
    return true;
  }

  /**
   * Writes the provisional days, each by the details query.
   *
   * @returns False when the signal stopped the run.
   */
  async provisionalDays(days: readonly string[]): Promise<boolean> {
    for (const day of days) {
      if (this.#signal?.aborted) return false;
      const done = await this.#session.runDay({
        day,
        kind: "provisional",
        source: this.#reader.source(day, "query"),
        via: "query",
        index: ++this.#index,
        of: this.#reader.of,
      });
      this.provisional.push(done);
      if (done.status === "stopped") return false;
    }
    return true;
  }
}
