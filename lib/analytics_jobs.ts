/**
 * The asynchronous conversation details jobs API as a resumable stream: submit a job, poll it
 * with backoff until `FULFILLED`, read its results by cursor, cancel it when the consumer stops
 * early, and resume from a saved cursor (or resubmit and skip what was already written when the
 * job has expired).
 *
 * @module
 */
import type { ApiClient, JsonValue } from "./client.ts";
import { ApiError, CheckpointError, JobError, UsageError } from "./errors.ts";
import {
  checkDetailsQuery,
  type Conversation,
  type ConversationDetailsQuery,
  DETAILS_JOBS_PATH,
} from "./analytics.ts";
import {
  cancelDetailsJob,
  DEAD_JOB_STATES,
  detailsJobAvailability,
  type DetailsJobEvent,
  detailsJobPath,
  type DetailsJobStatus,
  detailsJobStatus,
  jobEndedError,
  pollSettings,
  submitDetailsJob,
  waitForDetailsJob,
} from "./analytics_jobs_api.ts";
import { formatInstant, formatInterval } from "./interval.ts";
import { checkPositiveInt, linkSignal } from "./page_loop.ts";
import { paginateCursor } from "./paginate_cursor.ts";
import type { PageSource, SourcePage } from "./source.ts";

export {
  cancelDetailsJob,
  detailsJobAvailability,
  type DetailsJobEvent,
  type DetailsJobRequestOptions,
  type DetailsJobStatus,
  detailsJobStatus,
  submitDetailsJob,
  waitForDetailsJob,
  type WaitForDetailsJobOptions,
} from "./analytics_jobs_api.ts";

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
   * and skip the records already emitted (default `true`), or fail with a {@link JobError}.
   */
  resubmitExpired?: boolean;
  /**
   * Compare the interval's end with `GET .../jobs/availability` before submitting: `fail`
   * (default) throws a {@link UsageError} when the end is later than `dataAvailabilityDate`,
   * `warn` calls `onWarning`, `off` skips the request.
   */
  checkAvailability?: "fail" | "warn" | "off";
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
  /** The clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Waits `ms` (rejecting when the signal aborts). Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One page of a details job stream. */
export interface ConversationDetailsJobPage {
  /** The page's conversations (empty for the page announcing a submitted job). */
  conversations: Conversation[];
  /** The job these results come from. */
  jobId: string;
  /** Results skipped because an expired job's run had already emitted them. */
  skipped: number;
  /** Where to resume after this page (pass as `resumeFrom`). */
  position: JsonValue;
}

interface JobPosition {
  jobId: string;
  /** How many results of this job come before `cursor`. */
  offset: number;
  cursor?: string;
  /** Records emitted so far, over every job of this stream. */
  emitted: number;
  /** The id of the last emitted record. */
  lastId?: string;
  submittedAt: string;
  expirationDate?: string;
}

function readPosition(position: JsonValue): JobPosition | "done" {
  const p = position as Record<string, JsonValue>;
  const bad = (why: string) =>
    new CheckpointError(
      `Resume position ${
        JSON.stringify(position)?.slice(0, 200)
      } is not a details job position (${why}); delete the checkpoint to start over`,
    );
  if (typeof p !== "object" || p === null || Array.isArray(p) || p.kind !== "details-job") {
    throw bad("wrong kind");
  }
  if (p.done === true) return "done";
  if (typeof p.jobId !== "string" || p.jobId === "") throw bad("no 'jobId'");
  for (const key of ["offset", "emitted"]) {
    if (!Number.isInteger(p[key]) || (p[key] as number) < 0) throw bad(`no '${key}'`);
  }
  if (p.cursor !== undefined && typeof p.cursor !== "string") throw bad("bad 'cursor'");
  if (typeof p.submittedAt !== "string") throw bad("no 'submittedAt'");
  const out: JobPosition = {
    jobId: p.jobId,
    offset: p.offset as number,
    emitted: p.emitted as number,
    submittedAt: p.submittedAt,
  };
  if (typeof p.cursor === "string") out.cursor = p.cursor;
  if (typeof p.lastId === "string") out.lastId = p.lastId;
  if (typeof p.expirationDate === "string") out.expirationDate = p.expirationDate;
  return out;
}

function writePosition(p: JobPosition): JsonValue {
  const out: Record<string, JsonValue> = { kind: "details-job", jobId: p.jobId, offset: p.offset };
  if (p.cursor !== undefined) out.cursor = p.cursor;
  out.emitted = p.emitted;
  if (p.lastId !== undefined) out.lastId = p.lastId;
  out.submittedAt = p.submittedAt;
  if (p.expirationDate !== undefined) out.expirationDate = p.expirationDate;
  return out;
}

/**
 * Streams the results of a conversation details job page by page. A fresh run checks the data
 * availability date, submits the job (`POST .../details/jobs`, not retried unless `retrySubmit`),
 * yields one empty page whose position names the job (so a killed run resumes the same job),
 * polls its status with backoff until `FULFILLED`, then yields its results read by cursor.
 *
 * Resuming (`resumeFrom`): a live job continues from the saved cursor. An expired, failed,
 * cancelled or vanished job is submitted again and its results are read from the start, skipping
 * as many records as were already emitted; the record at the seam must carry the id last
 * emitted, otherwise a {@link CheckpointError} says the new job's order differs (exactly-once
 * output cannot be guaranteed then). Leaving the loop early cancels the job unless
 * `cancelOnEarlyExit: false`.
 *
 * @param client The API client.
 * @param query The job body (`interval`, filters, `order`, `orderBy`, `limit`,
 * `startOfDayIntervalMatching`; no `paging`).
 * @param options Polling, cancellation, resume, clock and sleep.
 * @returns An async generator of pages.
 * @throws {UsageError} For a bad body, or an interval ending after the data availability date.
 * @throws {JobError} When the job ends `FAILED`, `CANCELLED` or `EXPIRED`, or outlasts `maxWait`.
 * @throws {DeadlineError} When the next poll would pass `deadline`.
 * @throws {CheckpointError} When `resumeFrom` is unusable or a resubmitted job's order differs.
 *
 * @example
 * ```ts
 * import { conversationDetailsJobPages } from "./analytics_jobs.ts";
 * import type { ApiClient } from "./client.ts";
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
  const now = options.now ?? Date.now;
  const cancelOnEarlyExit = options.cancelOnEarlyExit ?? true;
  const resumed = options.resumeFrom === undefined || options.resumeFrom === null
    ? undefined
    : readPosition(options.resumeFrom);
  if (resumed === "done") return;

  const { controller, signal } = linkSignal(options.signal);
  const base = { signal, deadline: options.deadline, timeoutMs: options.timeoutMs };
  const body = { ...checked.body, interval: formatInterval(checked.interval) };

  const submit = async (): Promise<string> => {
    const mode = options.checkAvailability ?? "fail";
    if (mode !== "off") {
      const date = await detailsJobAvailability(client, base);
      const until = date === undefined ? NaN : Date.parse(date);
      if (Number.isFinite(until) && checked.interval.end > until) {
        const message = `The interval ends at '${
          formatInstant(checked.interval.end)
        }', after the jobs' data availability date '${date}': later conversations would be missing; end the interval by then, use the details query for recent data, or pass checkAvailability: 'warn'`;
        if (mode === "fail") throw new UsageError(message);
        (options.onWarning ?? console.warn)(message);
      }
    }
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

  let pos: JobPosition | undefined;
  let finished = false;
  let jobDead = false;
  try {
    let first: DetailsJobStatus | undefined;
    if (resumed) {
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
        pos = {
          jobId: await submit(),
          offset: 0,
          emitted: pos.emitted,
          submittedAt: formatInstant(now()),
          ...(pos.lastId !== undefined ? { lastId: pos.lastId } : {}),
        };
        first = undefined;
        yield { conversations: [], jobId: pos.jobId, skipped: 0, position: writePosition(pos) };
      }
    } else {
      pos = { jobId: await submit(), offset: 0, emitted: 0, submittedAt: formatInstant(now()) };
      yield { conversations: [], jobId: pos.jobId, skipped: 0, position: writePosition(pos) };
    }
    const done = await waitForDetailsJob(client, pos.jobId, { ...options, ...base, first });
    if (done.expirationDate) pos.expirationDate = done.expirationDate;

    const jobId = pos.jobId;
    const results = paginateCursor<Conversation>(client, `${detailsJobPath(jobId)}/results`, {
      cursor: pos.cursor,
      pageSize: options.pageSize,
      itemsKey: "conversations",
      prefetch: options.prefetch,
      signal,
      deadline: options.deadline,
      timeoutMs: options.timeoutMs,
    });
    try {
      for await (const page of results) {
        const records: Conversation[] = [];
        let skipped = 0;
        page.entities.forEach((c, i) => {
          const index = pos!.offset + i;
          if (index < pos!.emitted) {
            skipped++;
            if (
              index === pos!.emitted - 1 && pos!.lastId !== undefined &&
              c?.conversationId !== pos!.lastId
            ) {
              throw new CheckpointError(
                `The resubmitted details job '${jobId}' gives record ${
                  index + 1
                } as '${c?.conversationId}' where the expired job gave '${
                  pos!.lastId
                }': its order differs, so the output cannot continue exactly once; delete the checkpoint and the output to start over`,
              );
            }
            return;
          }
          records.push(c);
        });
        pos.offset += page.entities.length;
        pos.emitted += records.length;
        const lastId = records.at(-1)?.conversationId;
        if (typeof lastId === "string") pos.lastId = lastId;
        if (page.nextCursor === undefined) {
          if (pos.offset < pos.emitted) {
            throw new CheckpointError(
              `The resubmitted details job '${jobId}' gives ${pos.offset} records, fewer than the ${pos.emitted} already written: the data changed, so the output cannot continue exactly once; delete the checkpoint and the output to start over`,
            );
          }
          finished = true;
          yield {
            conversations: records,
            jobId,
            skipped,
            position: { kind: "details-job", done: true, emitted: pos.emitted },
          };
        } else {
          pos.cursor = page.nextCursor;
          yield { conversations: records, jobId, skipped, position: writePosition(pos) };
        }
      }
      finished = true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        const s = await status(jobId);
        if (!s || DEAD_JOB_STATES.includes(s.state)) throw jobEndedError(jobId, s ?? gone);
      }
      throw error;
    }
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
 * import { conversationDetailsJob } from "./analytics_jobs.ts";
 * import type { ApiClient } from "./client.ts";
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
 * `position` is `{ kind: "details-job", jobId, offset, cursor, emitted, lastId, submittedAt,
 * expirationDate }`; `total` is never known. By default the job is NOT cancelled when the engine
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
 * import { conversationDetailsJobSource } from "./analytics_jobs.ts";
 * import type { ApiClient } from "./client.ts";
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
        yield out;
      }
    },
  };
}
