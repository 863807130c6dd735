/**
 * The asynchronous conversation details jobs API as a resumable stream: submit a job, poll it
 * with backoff until `FULFILLED`, read its results by cursor, cancel it when the consumer stops
 * early, and resume from a saved cursor (or resubmit and skip what was already written when the
 * job has expired).
 *
 * @module
 */
import type { ApiClient, JsonValue, PageSource, SourcePage } from "../types.ts";
import type {
  ConversationDetailsJobOptions,
  ConversationDetailsJobPage,
} from "./details_job_options.ts";
import { JobRun } from "./_job_run.ts";

export type {
  ConversationDetailsJobOptions,
  ConversationDetailsJobPage,
} from "./details_job_options.ts";
import {
  checkDetailsQuery,
  type Conversation,
  type ConversationDetailsQuery,
  DETAILS_JOBS_PATH,
} from "./details_query.ts";
import { type DetailsJobStatus, pollSettings } from "./details_job_api.ts";
import { formatInterval } from "./interval.ts";
import { checkPositiveInt } from "../paginate/_page_loop.ts";
import { readJobPosition } from "./_job_position.ts";

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
 * const options = { checkAvailability: "off" as const, clock: { sleep: () => Promise.resolve() } };
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
  const resumed = options.resumeFrom === undefined || options.resumeFrom === null
    ? undefined
    : readJobPosition(options.resumeFrom, interval);
  if (resumed === "done") return;
  const run = new JobRun(client, checked, options);
  try {
    let first: DetailsJobStatus | undefined;
    if (resumed && "jobId" in resumed) {
      first = await run.resume(resumed);
      if (!first) yield run.announce();
    } else {
      const until = resumed?.until ?? interval.start;
      const emitted = resumed?.emitted ?? 0;
      if (until >= interval.end) return;
      if (!(await run.submitNext(until, emitted))) {
        // Nothing new has happened since the last run: say where the output stands.
        yield run.nothingNew(until, emitted);
        return;
      }
      yield run.announce();
    }
    for (let pos = run.pos; pos; pos = run.pos) {
      await run.waitForJob(first);
      first = undefined;
      for await (const page of run.readJob()) yield page;
      // The job's window is written: the next job reads on to this run's end, if there is more.
      if (!(await run.submitNext(pos.window.end, pos.emitted))) break;
      yield run.announce();
    }
    run.finish();
  } catch (error) {
    run.failed(error);
    throw error;
  } finally {
    await run.cancelOnEarlyExit();
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
