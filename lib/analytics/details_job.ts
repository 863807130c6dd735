/**
 * The asynchronous conversation details jobs API as a resumable stream: submit a job, poll it
 * with backoff until `FULFILLED`, read its results by cursor, cancel it when the consumer stops
 * early, and resume from a saved cursor (or resubmit and skip what was already written when the
 * job has expired).
 *
 * @module
 */
import type { ApiClient, JsonValue, PageSource, SourcePage } from "../types.ts";
import { ApiError, CheckpointError, JobError, UsageError } from "../errors.ts";
import {
  checkDetailsQuery,
  type Conversation,
  type ConversationDetailsQuery,
  DETAILS_JOBS_PATH,
  ownedBy,
} from "./details_query.ts";
import {
  cancelDetailsJob,
  DEAD_JOB_STATES,
  detailsJobAvailability,
  type DetailsJobEvent,
  type DetailsJobHints,
  detailsJobPath,
  type DetailsJobStatus,
  detailsJobStatus,
  jobEndedError,
  pollSettings,
  submitDetailsJob,
  waitForDetailsJob,
} from "./details_job_api.ts";
import { formatInstant, formatInterval, type Interval } from "./interval.ts";
import { checkPositiveInt, linkSignal, recordsOf } from "../paginate/_page_loop.ts";
import { type JobPosition, readJobPosition, writeJobPosition } from "./_job_position.ts";
import { paginateCursor } from "../paginate/paginate_cursor.ts";

/** Options of {@link conversationDetailsJobPages} and friends. */
export interface ConversationDetailsJobOptions {
  /** Results per page (`pageSize` of the results request). Default: not sent (server default). */
  pageSize?: number;
  /** The first wait between status polls: a duration such as `2s` (default) or ms. */
  pollInterval?: string | number;
  /** The longest wait between polls. Default `30s`. */
  maxPollInterval?: string | number;
  /** Each wait is the previous one times this factor (capped). Default 1.5. */
  pollBackoff?: number;
  /** How long to wait for the job to complete before failing with a {@link JobError}. Default `30m`. */
  maxWait?: string | number;
  /**
   * Cancel the job (`DELETE`) when the consumer leaves the loop early, the signal aborts or the
   * wait fails. Default `true` for the generators; `false` for {@link conversationDetailsJobSource},
   * whose positions are checkpointed so the job is resumed later (an abandoned job expires on
   * the server).
   */
  cancelOnEarlyExit?: boolean;
  /** Retry the submit `POST` on a 5xx or timeout although that could create two jobs. Default `false`. */
  retrySubmit?: boolean;
  /**
   * When resuming a job that has expired, failed, was cancelled or is gone (404): submit it again
   * and skip the results already read (default `true`), or fail with a {@link JobError}.
   */
  resubmitExpired?: boolean;
  /**
   * Compare the job's end with `GET .../jobs/availability` before submitting: `fail` (default)
   * throws a {@link UsageError} when the end is later than `dataAvailabilityDate` (jobs only see
   * data up to it), `warn` calls `onWarning`, `off` skips the request.
   */
  checkAvailability?: "fail" | "warn" | "off";
  /** How messages name the settings a user can change (the CLI passes its flags). */
  hints?: DetailsJobHints;
  /** Receives warnings (default `console.warn`). */
  onWarning?: (message: string) => void;
  /** Receives job events (submitted, each polled state). */
  onJob?: (event: DetailsJobEvent) => void;
  /** Fetch the next results page while the current one is handled. Default `true`. */
  prefetch?: boolean;
  /** A `position` from an earlier page of the same query: continue after it. */
  resumeFrom?: JsonValue;
  /** Aborts the current request or wait. */
  signal?: AbortSignal;
  /** An absolute deadline, epoch ms: no wait goes past it; passed to every request. */
  deadline?: number;
  /** Passed to every request: the per-attempt timeout in ms. */
  timeoutMs?: number;
  /**
   * The clock, epoch ms. Default `Date.now`. Besides timing the polls, it decides what has
   * happened: an interval reaching past now is read up to now (whole seconds).
   */
  now?: () => number;
  /** Waits `ms` (rejecting when the signal aborts). Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One page of a details job stream. */
export interface ConversationDetailsJobPage {
  /**
   * The page's conversations: those that started in the job's window (empty for the page
   * announcing a submitted job).
   */
  conversations: Conversation[];
  /** The job these results come from (`""` on a page that read nothing: an open end). */
  jobId: string;
  /** Results skipped because a dead job's run had already read them. */
  skipped: number;
  /** Results of the page that started outside the job's window (another window owns them). */
  dropped: number;
  /**
   * Set on the last page when the interval reaches past now: the instant (ISO-8601) the stream
   * covered until. Resuming from this page's position later submits a job for the rest.
   */
  openUntil?: string;
  /** Where to resume after this page (pass as `resumeFrom`). */
  position: JsonValue;
}

/**
 * Streams the results of conversation details jobs page by page. A fresh run submits a job for
 * the interval (its end clamped to now), after checking the data availability date; it yields
 * one empty page whose position names the job (so a killed run resumes the same job), polls its
 * status with backoff until `FULFILLED`, then yields its results read by cursor.
 *
 * - Ownership: a job returns every conversation whose lifetime overlaps its interval (and with
 *   `startOfDayIntervalMatching`, those that started that UTC day); a page keeps only those that
 *   started in the job's interval, `[start, end)`, and counts the others (`dropped`).
 * - Now: an interval that reaches past now is read up to now; the last page says `openUntil`,
 *   and a later resume from its position submits a job for the time that has passed since.
 * - Resuming (`resumeFrom`): a live job continues from the saved cursor. An expired, failed,
 *   cancelled or vanished job is submitted again for the same interval and its results are read
 *   from the start, skipping as many results as were already read; the result at the seam must
 *   carry the same id, otherwise a {@link CheckpointError} says the new job's order differs
 *   (exactly-once output cannot be guaranteed then; with `order: "unordered"` it is refused at
 *   once). Leaving the loop early cancels the job unless `cancelOnEarlyExit: false`.
 *
 * @param client The API client.
 * @param query The job body (`interval`, filters, `order` (`asc`, `desc` or `unordered`),
 * `orderBy`, `limit`, `startOfDayIntervalMatching`; no `paging`).
 * @param options Polling, cancellation, resume, clock and sleep.
 * @returns An async generator of pages.
 * @throws {UsageError} For a bad body, or an interval ending after the data availability date.
 * @throws {JobError} When the job ends `FAILED`, `CANCELLED` or `EXPIRED`, or outlasts `maxWait`.
 * @throws {DeadlineError} When the next poll would pass `deadline`.
 * @throws {CheckpointError} When `resumeFrom` is unusable or a resubmitted job's order differs.
 *
 * @example
 * ```ts
 * import { conversationDetailsJobPages } from "./details_job.ts";
 * import type { ApiClient } from "../types.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const states = ["QUEUED", "FULFILLED"];
 * const client = {
 *   request: (method: string, path: string) => {
 *     if (method === "POST") return Promise.resolve({ jobId: "j1" });
 *     if (path.endsWith("/results")) {
 *       return Promise.resolve({ conversations: [{ conversationId: "c1" }] });
 *     }
 *     return Promise.resolve({ state: states.shift() });
 *   },
 * } as unknown as ApiClient;
 *
 * const ids = [];
 * const query = { interval: "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z" };
 * const options = { checkAvailability: "off" as const, sleep: () => Promise.resolve() };
 * for await (const page of conversationDetailsJobPages(client, query, options)) {
 *   ids.push(...page.conversations.map((c) => c.conversationId));
 * }
 * deepStrictEqual(ids, ["c1"]);
 * ```
 */
export async function* conversationDetailsJobPages(
  client: ApiClient,
  query: ConversationDetailsQuery,
  options: ConversationDetailsJobOptions = {},
): AsyncGenerator<ConversationDetailsJobPage, void, undefined> {
  const checked = checkDetailsQuery(query, "jobs");
  pollSettings(options);
  checkPositiveInt("pageSize", options.pageSize);
  const { interval } = checked;
  const now = options.now ?? Date.now;
  const hints = options.hints ?? {};
  const cancelOnEarlyExit = options.cancelOnEarlyExit ?? true;
  const resumed = options.resumeFrom === undefined || options.resumeFrom === null
    ? undefined
    : readJobPosition(options.resumeFrom, interval);
  if (resumed === "done") return;
  // This run reads up to now at most: what has not happened yet is left for a later run.
  const runEnd = Math.min(interval.end, Math.floor(now() / 1000) * 1000);

  const { controller, signal } = linkSignal(options.signal);
  const base = { signal, deadline: options.deadline, timeoutMs: options.timeoutMs };

  const submit = async (window: Interval): Promise<string> => {
    const mode = options.checkAvailability ?? "fail";
    if (mode !== "off") {
      const date = await detailsJobAvailability(client, base);
      const until = date === undefined ? NaN : Date.parse(date);
      if (Number.isFinite(until) && window.end > until) {
        const message = `The interval ends at '${
          formatInstant(window.end)
        }', after the jobs' data availability date '${date}': later conversations would be missing; end the interval by then, use the details query for recent data, or pass ${
          hints.allowUnavailable ?? "checkAvailability: 'warn'"
        }`;
        if (mode === "fail") throw new UsageError(message);
        (options.onWarning ?? console.warn)(message);
      }
    }
    const body = { ...checked.body, interval: formatInterval(window) };
    const jobId = await submitDetailsJob(client, body, { ...base, retry: options.retrySubmit });
    options.onJob?.({ type: "submitted", jobId });
    return jobId;
  };

  const status = async (id: string): Promise<DetailsJobStatus | undefined> => {
    const s = await detailsJobStatus(client, id, base);
    options.onJob?.({ type: "state", jobId: id, state: s?.state ?? "EXPIRED" });
    return s;
  };
  const gone: DetailsJobStatus = { state: "EXPIRED", errorMessage: "the job is gone (404)" };

  // The next job's window, from what is written to this run's end; none when the rest has not
  // happened yet (or there is no rest).
  const nextWindow = (until: number): Interval | undefined =>
    until < runEnd ? { start: until, end: runEnd } : undefined;
  const between = (until: number, emitted: number): JsonValue =>
    until >= interval.end
      ? { kind: "details-job", done: true, emitted }
      : { kind: "details-job", until: formatInstant(until), emitted };

  let pos: JobPosition | undefined;
  let finished = false;
  let jobDead = false;
  try {
    let first: DetailsJobStatus | undefined;
    if (resumed && "jobId" in resumed) {
      pos = resumed;
      options.onJob?.({ type: "resumed", jobId: pos.jobId });
      first = await status(pos.jobId);
      // A failed job has no results to read: like an expired one, it is submitted again (else
      // every later run would meet the same dead job id in the checkpoint and fail forever).
      if (!first || DEAD_JOB_STATES.includes(first.state)) {
        if (!(options.resubmitExpired ?? true)) {
          jobDead = true;
          throw jobEndedError(pos.jobId, first ?? gone);
        }
        const read = Math.max(pos.skip ?? 0, pos.offset);
        const seamId = pos.offset >= (pos.skip ?? 0) ? pos.lastId : pos.seamId;
        if (read > 0 && checked.order === "unordered") {
          jobDead = true;
          throw new CheckpointError(
            `Details job '${pos.jobId}' ended '${
              (first ?? gone).state
            }' after ${read} of its results were read, and with order 'unordered' a new job may give them in another order, so the output cannot continue exactly once; start over (--restart), and use order 'asc' for jobs that may outlive their results`,
          );
        }
        pos = {
          window: pos.window,
          jobId: await submit(pos.window),
          offset: 0,
          emitted: pos.emitted,
          submittedAt: formatInstant(now()),
          ...(read > 0 ? { skip: read } : {}),
          ...(read > 0 && seamId !== undefined ? { seamId } : {}),
        };
        first = undefined;
        yield announce(pos);
      }
    } else {
      const until = resumed?.until ?? interval.start;
      const emitted = resumed?.emitted ?? 0;
      if (until >= interval.end) return;
      const window = nextWindow(until);
      if (!window) {
        // Nothing new has happened since the last run: say where the output stands.
        yield {
          conversations: [],
          jobId: "",
          skipped: 0,
          dropped: 0,
          openUntil: formatInstant(until),
          position: between(until, emitted),
        };
        return;
      }
      pos = {
        window,
        jobId: await submit(window),
        offset: 0,
        emitted,
        submittedAt: formatInstant(now()),
      };
      yield announce(pos);
    }
    while (pos) {
      const done = await waitForDetailsJob(client, pos.jobId, { ...options, ...base, first });
      first = undefined;
      if (done.expirationDate) pos.expirationDate = done.expirationDate;
      for await (const page of readJob(pos)) yield page;
      // The job's window is written: the next job reads on to this run's end, if there is more.
      const window = nextWindow(pos.window.end);
      if (!window) break;
      pos = {
        window,
        jobId: await submit(window),
        offset: 0,
        emitted: pos.emitted,
        submittedAt: formatInstant(now()),
      };
      yield announce(pos);
    }
    finished = true;
  } catch (error) {
    if (error instanceof JobError && DEAD_JOB_STATES.includes(error.state)) jobDead = true;
    throw error;
  } finally {
    if (!finished && !jobDead && pos && cancelOnEarlyExit) {
      controller.abort(new DOMException("The job stream ended early", "AbortError"));
      try {
        await cancelDetailsJob(client, pos.jobId, {
          timeoutMs: options.timeoutMs ?? 10_000,
          deadline: options.deadline,
        });
      } catch {
        // best effort: an uncancelled job expires on the server
      }
    }
  }

  /** The empty page that names a submitted job. */
  function announce(p: JobPosition): ConversationDetailsJobPage {
    return {
      conversations: [],
      jobId: p.jobId,
      skipped: 0,
      dropped: 0,
      position: writeJobPosition(p),
    };
  }

  /** Reads a fulfilled job's results from `p.cursor`, moving `p` along. */
  async function* readJob(p: JobPosition): AsyncGenerator<ConversationDetailsJobPage> {
    const jobId = p.jobId;
    const results = paginateCursor<unknown>(client, `${detailsJobPath(jobId)}/results`, {
      cursor: p.cursor,
      pageSize: options.pageSize,
      itemsKey: "conversations",
      prefetch: options.prefetch,
      signal,
      deadline: options.deadline,
      timeoutMs: options.timeoutMs,
    });
    try {
      for await (const page of results) {
        const raw = recordsOf<Conversation>(
          page.entities,
          "conversations",
          `The results of details job '${jobId}'`,
        );
        const records: Conversation[] = [];
        let skipped = 0;
        let dropped = 0;
        raw.forEach((c, i) => {
          const index = p.offset + i;
          if (index < (p.skip ?? 0)) {
            skipped++;
            if (index === p.skip! - 1 && p.seamId !== undefined && c.conversationId !== p.seamId) {
              throw new CheckpointError(
                `The resubmitted details job '${jobId}' gives result ${
                  index + 1
                } as '${c.conversationId}' where the dead job gave '${p.seamId}': its order differs, so the output cannot continue exactly once; delete the checkpoint and the output to start over`,
              );
            }
          } else if (ownedBy(c, p.window)) records.push(c);
          else dropped++;
        });
        p.offset += raw.length;
        p.emitted += records.length;
        const lastId = raw.at(-1)?.conversationId;
        if (typeof lastId === "string") p.lastId = lastId;
        if (page.nextCursor !== undefined) p.cursor = page.nextCursor;
        const out: ConversationDetailsJobPage = {
          conversations: records,
          jobId,
          skipped,
          dropped,
          position: writeJobPosition(p),
        };
        if (page.nextCursor === undefined) {
          if (p.offset < (p.skip ?? 0)) {
            throw new CheckpointError(
              `The resubmitted details job '${jobId}' gives ${p.offset} results, fewer than the ${p.skip} already read: the data changed, so the output cannot continue exactly once; delete the checkpoint and the output to start over`,
            );
          }
          // The window is written. What follows: the next job of this run, an open end, or done.
          const until = p.window.end;
          out.position = between(until, p.emitted);
          if (until < interval.end && !nextWindow(until)) out.openUntil = formatInstant(until);
        }
        yield out;
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        const s = await status(jobId);
        if (!s || DEAD_JOB_STATES.includes(s.state)) throw jobEndedError(jobId, s ?? gone);
      }
      throw error;
    }
  }
}

/**
 * Streams the conversations of a details job one by one; see {@link conversationDetailsJobPages}.
 *
 * @param client The API client.
 * @param query The job body.
 * @param options As for {@link conversationDetailsJobPages}.
 * @returns An async generator of conversations.
 * @throws {JobError} When the job fails, is cancelled, expires or outlasts `maxWait`.
 *
 * @example
 * ```ts
 * import { conversationDetailsJob } from "./details_job.ts";
 * import type { ApiClient } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: (method: string, path: string) =>
 *     Promise.resolve(
 *       method === "POST"
 *         ? { jobId: "j1" }
 *         : path.endsWith("/results")
 *         ? { conversations: [{ conversationId: "a" }, { conversationId: "b" }] }
 *         : { state: "FULFILLED" },
 *     ),
 * } as unknown as ApiClient;
 * const query = { interval: "2026-01-01/2026-01-02" };
 * const all = await Array.fromAsync(conversationDetailsJob(client, query, { checkAvailability: "off" }));
 * strictEqual(all.length, 2);
 * ```
 */
export async function* conversationDetailsJob(
  client: ApiClient,
  query: ConversationDetailsQuery,
  options: ConversationDetailsJobOptions = {},
): AsyncGenerator<Conversation, void, undefined> {
  for await (const page of conversationDetailsJobPages(client, query, options)) {
    yield* page.conversations;
  }
}

/**
 * A resumable {@link PageSource} over a details job, for the extraction engine. The first page
 * is empty and names the submitted job, so a killed run resumes waiting for the same job. Its
 * `position` is `{ kind: "details-job", window, jobId, offset, cursor, emitted, lastId, skip,
 * seamId, submittedAt, expirationDate }` inside a job, `{ kind, until, emitted }` after an
 * interval read up to now, `{ kind, done, emitted }` at the end; `total` is never known;
 * `dropped` counts the overlapping conversations another window owns; the last page of an
 * interval clamped to now says `openUntil`. By default the job is NOT cancelled when the engine
 * stops early (`cancelOnEarlyExit: false`): the checkpoint will resume it.
 *
 * @param client The API client.
 * @param query The job body.
 * @param options As for {@link conversationDetailsJobPages} (without `resumeFrom` and `signal`).
 * @returns The page source.
 * @throws {UsageError} At once, for a bad body or options.
 *
 * @example
 * ```ts
 * import { conversationDetailsJobSource } from "./details_job.ts";
 * import type { ApiClient } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: (method: string, path: string) =>
 *     Promise.resolve(
 *       method === "POST"
 *         ? { jobId: "j1" }
 *         : path.endsWith("/results")
 *         ? { conversations: [{ conversationId: "a" }] }
 *         : { state: "FULFILLED" },
 *     ),
 * } as unknown as ApiClient;
 * const source = conversationDetailsJobSource(client, { interval: "2026-01-01/2026-01-02" }, {
 *   checkAvailability: "off",
 * });
 * const pages = await Array.fromAsync(source.pages());
 * strictEqual(pages.length, 2); // the job announcement, then the results
 * strictEqual(pages[1].records.length, 1);
 * ```
 */
export function conversationDetailsJobSource(
  client: ApiClient,
  query: ConversationDetailsQuery,
  options: Omit<ConversationDetailsJobOptions, "resumeFrom" | "signal"> = {},
): PageSource<Conversation> {
  const checked = checkDetailsQuery(query, "jobs");
  return {
    description: {
      endpoint: `POST ${DETAILS_JOBS_PATH}`,
      interval: formatInterval(checked.interval),
      body: checked.body as JsonValue,
    },
    recordType: "conversation",
    async *pages(resumeFrom?: JsonValue, signal?: AbortSignal) {
      const pages = conversationDetailsJobPages(client, query, {
        cancelOnEarlyExit: false,
        ...options,
        resumeFrom,
        signal,
      });
      for await (const page of pages) {
        const out: SourcePage<Conversation> = {
          records: page.conversations,
          position: page.position,
        };
        if (page.dropped > 0) out.dropped = page.dropped;
        if (page.openUntil !== undefined) out.openUntil = page.openUntil;
        yield out;
      }
    },
  };
}
