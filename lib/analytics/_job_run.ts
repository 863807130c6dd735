/**
 * The steps of a details job stream ({@link conversationDetailsJobPages}): submitting each
 * window's job (after the data availability check), resuming a saved job or resubmitting a dead
 * one, reading a fulfilled job's results (skipping what a dead job's run had read, keeping what
 * the window owns), and cancelling the job when the consumer stops early.
 *
 * @module
 */
import type { ApiClient, JsonValue } from "../types.ts";
import { ApiError, CheckpointError, JobError, UsageError } from "../errors.ts";
import { type CheckedDetailsQuery, type Conversation, ownedBy } from "./details_query.ts";
import {
  cancelDetailsJob,
  DEAD_JOB_STATES,
  detailsJobAvailability,
  detailsJobPath,
  type DetailsJobStatus,
  detailsJobStatus,
  jobEndedError,
  submitDetailsJob,
  waitForDetailsJob,
} from "./details_job_api.ts";
import type {
  ConversationDetailsJobOptions,
  ConversationDetailsJobPage,
} from "./details_job_options.ts";
import { formatInstant, formatInterval, type Interval } from "./interval.ts";
import { linkSignal, recordsOf } from "../paginate/_page_loop.ts";
import { type JobPosition, writeJobPosition } from "./_job_position.ts";
import { paginateCursor } from "../paginate/paginate_cursor.ts";

/** What a job that is gone (404) counts as. */
const GONE: DetailsJobStatus = { state: "EXPIRED", errorMessage: "the job is gone (404)" };

/**
 * One run of a details job stream: the job being read (`pos`) and what ends it.
 */
export class JobRun {
  /** The job being read and where its results stand; none before the first job. */
  pos?: JobPosition;
  /** This run's end: the interval's end, or now when that is earlier (to the second). */
  readonly #runEnd: number;
  readonly #client: ApiClient;
  readonly #checked: CheckedDetailsQuery;
  readonly #options: ConversationDetailsJobOptions;
  readonly #now: () => number;
  readonly #controller: AbortController;
  readonly #base: { signal: AbortSignal; deadline?: number; timeoutMs?: number };
  #finished = false;
  #jobDead = false;

  /**
   * Starts a run.
   *
   * @param client The API client.
   * @param checked The checked job body.
   * @param options The stream's options.
   */
  constructor(
    client: ApiClient,
    checked: CheckedDetailsQuery,
    options: ConversationDetailsJobOptions,
  ) {
    this.#client = client;
    this.#checked = checked;
    this.#options = options;
    this.#now = options.clock?.now ?? Date.now;
    // This run reads up to now at most: what has not happened yet is left for a later run.
    this.#runEnd = Math.min(checked.interval.end, Math.floor(this.#now() / 1000) * 1000);
    const { controller, signal } = linkSignal(options.signal);
    this.#controller = controller;
    this.#base = { signal, deadline: options.deadline, timeoutMs: options.timeoutMs };
  }

  /**
   * Picks up a saved job. A job that failed, expired or is gone is submitted again for the same
   * window, to skip what was already read (unless `resubmitExpired` is off).
   *
   * @param pos The saved position.
   * @returns The job's status when it is alive, or `undefined` when a new job was submitted.
   * @throws {JobError} When the job is dead and `resubmitExpired` is off.
   * @throws {CheckpointError} When results were read and the order is `unordered`.
   */
  async resume(pos: JobPosition): Promise<DetailsJobStatus | undefined> {
    this.pos = pos;
    this.#options.onJob?.({ type: "resumed", jobId: pos.jobId });
    const first = await this.#status(pos.jobId);
    // A failed job has no results to read: like an expired one, it is submitted again (else
    // every later run would meet the same dead job id in the checkpoint and fail forever).
    if (first && !DEAD_JOB_STATES.includes(first.state)) return first;
    if (!(this.#options.resubmitExpired ?? true)) {
      this.#jobDead = true;
      throw jobEndedError(pos.jobId, first ?? GONE);
    }
    const read = Math.max(pos.skip ?? 0, pos.offset);
    const seamId = pos.offset >= (pos.skip ?? 0) ? pos.lastId : pos.seamId;
    if (read > 0 && this.#checked.order === "unordered") {
      this.#jobDead = true;
      throw new CheckpointError(
        `Details job '${pos.jobId}' ended '${
          (first ?? GONE).state
        }' after ${read} of its results were read, and with order 'unordered' a new job may give them in another order, so the output cannot continue exactly once; start over (--restart), and use order 'asc' for jobs that may outlive their results`,
      );
    }
    const next = await this.#submit(pos.window, pos.emitted);
    if (read > 0) {
      next.skip = read;
      if (seamId !== undefined) next.seamId = seamId;
    }
    return undefined;
  }

  /**
   * Submits the job of the next window, from what is written (`until`) to this run's end.
   *
   * @param until Everything before this instant is written.
   * @param emitted Conversations yielded so far, over every run.
   * @returns Whether there was a window (none when the rest has not happened yet).
   */
  async submitNext(until: number, emitted: number): Promise<boolean> {
    const window = this.#nextWindow(until);
    if (!window) return false;
    await this.#submit(window, emitted);
    return true;
  }

  /**
   * The next job's window, from what is written to this run's end; none when the rest has not
   * happened yet (or there is no rest).
   */
  #nextWindow(until: number): Interval | undefined {
    return until < this.#runEnd ? { start: until, end: this.#runEnd } : undefined;
  }

  /** The position between jobs: everything before `until` is written. */
  #between(until: number, emitted: number): JsonValue {
    return until >= this.#checked.interval.end
      ? { kind: "details-job", done: true, emitted }
      : { kind: "details-job", until: formatInstant(until), emitted };
  }

  /**
   * The page of a run that has nothing new to read: it says where the output stands.
   *
   * @param until Everything before this instant is written.
   * @param emitted Conversations yielded so far.
   * @returns The page.
   */
  nothingNew(until: number, emitted: number): ConversationDetailsJobPage {
    return {
      conversations: [],
      jobId: "",
      skipped: 0,
      dropped: 0,
      openUntil: formatInstant(until),
      position: this.#between(until, emitted),
    };
  }

  /**
   * The empty page that names the submitted job.
   *
   * @returns The page.
   */
  announce(): ConversationDetailsJobPage {
    const p = this.pos!;
    return {
      conversations: [],
      jobId: p.jobId,
      skipped: 0,
      dropped: 0,
      position: writeJobPosition(p),
    };
  }

  /**
   * Waits for the current job to be fulfilled.
   *
   * @param first Its status when already known (a resumed job's).
   * @throws {JobError} When the job fails, is cancelled, expires or outlasts `maxWait`.
   */
  async waitForJob(first: DetailsJobStatus | undefined): Promise<void> {
    const pos = this.pos!;
    const done = await waitForDetailsJob(this.#client, pos.jobId, {
      ...this.#options,
      ...this.#base,
      first,
    });
    if (done.expirationDate) pos.expirationDate = done.expirationDate;
  }

  /**
   * Reads the current job's results (it is fulfilled) from its cursor, moving its position along.
   *
   * @returns The pages.
   * @throws {CheckpointError} When a resubmitted job's results do not continue the dead one's.
   * @throws {JobError} When the job is gone.
   */
  async *readJob(): AsyncGenerator<ConversationDetailsJobPage> {
    const p = this.pos!;
    const jobId = p.jobId;
    const options = this.#options;
    const results = paginateCursor<unknown>(this.#client, `${detailsJobPath(jobId)}/results`, {
      cursor: p.cursor,
      pageSize: options.pageSize,
      itemsKey: "conversations",
      prefetch: options.prefetch,
      signal: this.#base.signal,
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
          out.position = this.#between(until, p.emitted);
          if (until < this.#checked.interval.end && !this.#nextWindow(until)) {
            out.openUntil = formatInstant(until);
          }
        }
        yield out;
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        const s = await this.#status(jobId);
        if (!s || DEAD_JOB_STATES.includes(s.state)) throw jobEndedError(jobId, s ?? GONE);
      }
      throw error;
    }
  }

  /** Marks the run as read to its end: the job is not cancelled. */
  finish(): void {
    this.#finished = true;
  }

  /**
   * Notes why the run failed: a dead job is not cancelled.
   *
   * @param error What the run threw.
   */
  failed(error: unknown): void {
    if (error instanceof JobError && DEAD_JOB_STATES.includes(error.state)) this.#jobDead = true;
  }

  /**
   * Cancels the current job when the consumer stopped early (unless `cancelOnEarlyExit` is off):
   * aborts what is in flight, then asks the server to cancel, at best effort.
   */
  async cancelOnEarlyExit(): Promise<void> {
    const options = this.#options;
    if (this.#finished || this.#jobDead || !this.pos || !(options.cancelOnEarlyExit ?? true)) {
      return;
    }
    this.#controller.abort(new DOMException("The job stream ended early", "AbortError"));
    try {
      await cancelDetailsJob(this.#client, this.pos.jobId, {
        timeoutMs: options.timeoutMs ?? 10_000,
        deadline: options.deadline,
      });
    } catch {
      // best effort: an uncancelled job expires on the server
    }
  }

  /**
   * Submits one window's job, after checking the jobs' data availability date: the run reads it
   * next (`pos`).
   */
  async #submit(window: Interval, emitted: number): Promise<JobPosition> {
    const options = this.#options;
    const mode = options.checkAvailability ?? "fail";
    if (mode !== "off") {
      const date = await detailsJobAvailability(this.#client, this.#base);
      const until = date === undefined ? NaN : Date.parse(date);
      if (Number.isFinite(until) && window.end > until) {
        const message = `The interval ends at '${
          formatInstant(window.end)
        }', after the jobs' data availability date '${date}': later conversations would be missing; end the interval by then, use the details query for recent data, or pass ${
          options.hints?.allowUnavailable ?? "checkAvailability: 'warn'"
        }`;
        if (mode === "fail") throw new UsageError(message);
        (options.onWarning ?? console.warn)(message);
      }
    }
    const body = { ...this.#checked.body, interval: formatInterval(window) };
    const jobId = await submitDetailsJob(this.#client, body, {
      ...this.#base,
      retry: options.retrySubmit,
    });
    options.onJob?.({ type: "submitted", jobId });
    this.pos = { window, jobId, offset: 0, emitted, submittedAt: formatInstant(this.#now()) };
    return this.pos;
  }

  /** A job's status, told to `onJob` (a job that is gone as `EXPIRED`). */
  async #status(id: string): Promise<DetailsJobStatus | undefined> {
    const s = await detailsJobStatus(this.#client, id, this.#base);
    this.#options.onJob?.({ type: "state", jobId: id, state: s?.state ?? "EXPIRED" });
    return s;
  }
}
