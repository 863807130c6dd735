/**
 * The analytics conversation details jobs API: submit, poll (QUEUED → PENDING → FULFILLED over a
 * number of polls), cursor results, cancel, expiry and data availability. A job matches every
 * conversation whose lifetime overlaps its interval (or the query's UTC-day rule with
 * `startOfDayIntervalMatching`), as the data stood at the `dataAvailabilityDate` of the moment it
 * completed.
 *
 * @module
 */
import { parseDetailsBody } from "./body.ts";
import type { Dataset, Selection, SelectSpec } from "./dataset.ts";
import { checkPageSize, intParam } from "./params.ts";
import { badRequest, HttpError, type Reply } from "./reply.ts";
import { Stream, uuidOf } from "./rng.ts";

/** Settings of the job store. */
export interface JobSettings {
  /** Status polls answered QUEUED/PENDING before FULFILLED. */
  polls: number;
  /** Seconds from submission to EXPIRED. */
  expirySeconds: number;
  /** The data availability date now, epoch ms: jobs see the data as it stood then. */
  availability: () => number;
  /** Default results page size. */
  pageSize: number;
  /** Largest results page size. */
  maxPageSize: number;
  /** The clock, epoch ms. */
  now: () => number;
  /** Whether the job being submitted fails (fault). */
  failJob: () => boolean;
}

interface Job {
  id: string;
  spec: SelectSpec;
  /** The data availability date when the job completed: its data as of then. */
  asOfMs?: number;
  selection?: Selection;
  submittedAt: number;
  expiresAt: number;
  completedAt?: number;
  polls: number;
  cancelled: boolean;
  fails: boolean;
}

type State = "QUEUED" | "PENDING" | "FULFILLED" | "FAILED" | "CANCELLED" | "EXPIRED";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The jobs of one simulator.
 *
 * @example
 * ```ts
 * import { JobStore } from "./jobs.ts";
 * import { Dataset } from "./dataset.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const data = new Dataset({ seed: 1, users: 3, queues: 2, conversations: 40, startMs: 0, endMs: 86_400_000 });
 * const jobs = new JobStore(data, {
 *   polls: 0, expirySeconds: 60, availability: () => 86_400_000, pageSize: 100, maxPageSize: 1000,
 *   now: () => 0, failJob: () => false,
 * });
 * const { jobId } = jobs.submit({ interval: "1970-01-01T00:00:00Z/1970-01-02T00:00:00Z" }).json as { jobId: string };
 * strictEqual((jobs.status(jobId).json as { state: string }).state, "FULFILLED");
 * ```
 */
export class JobStore {
  readonly #data: Dataset;
  readonly #o: JobSettings;
  readonly #jobs = new Map<string, Job>();
  #count = 0;

  /**
   * Creates the store.
   *
   * @param data The data.
   * @param settings Polls, expiry, availability, page sizes, clock.
   */
  constructor(data: Dataset, settings: JobSettings) {
    this.#data = data;
    this.#o = settings;
  }

  #spec(body: unknown): SelectSpec {
    return parseDetailsBody(this.#data, body, "job").spec;
  }

  /**
   * The selection a job with this body gives if it completes now.
   *
   * @param body The job body.
   * @returns The selection.
   * @throws {HttpError} 400 for an invalid body.
   */
  selectionFor(body: unknown): Selection {
    return this.#data.select({ ...this.#spec(body), asOfMs: this.#o.availability() });
  }

  /**
   * `POST .../jobs`.
   *
   * @param body The parsed JSON body.
   * @returns 202 `{jobId}`.
   * @throws {HttpError} 400 for an invalid body.
   */
  submit(body: unknown): Reply {
    const spec = this.#spec(body);
    const now = this.#o.now();
    const id = uuidOf(this.#data.seed, Stream.job, this.#count++);
    this.#jobs.set(id, {
      id,
      spec,
      submittedAt: now,
      expiresAt: now + this.#o.expirySeconds * 1000,
      polls: 0,
      cancelled: false,
      fails: this.#o.failJob(),
    });
    return { status: 202, json: { jobId: id } };
  }

  #get(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new HttpError(404, "not.found", `Job '${id}' was not found`);
    return job;
  }

  #state(job: Job): State {
    if (job.cancelled || this.#o.now() >= job.expiresAt) {
      job.selection = undefined; // results are gone: free the index list
      return job.cancelled ? "CANCELLED" : "EXPIRED";
    }
    if (job.completedAt !== undefined) return job.fails ? "FAILED" : "FULFILLED";
    return job.polls <= 1 ? "QUEUED" : "PENDING";
  }

  /**
   * `GET .../jobs/{jobId}`: each poll moves the job on.
   *
   * @param id The job id.
   * @returns The status reply.
   * @throws {HttpError} 404 for an unknown job.
   */
  status(id: string): Reply {
    const job = this.#get(id);
    if (!job.cancelled && job.completedAt === undefined && this.#o.now() < job.expiresAt) {
      job.polls++;
      if (job.polls > this.#o.polls) {
        job.completedAt = this.#o.now();
        job.asOfMs = this.#o.availability();
      }
    }
    const state = this.#state(job);
    const json: Record<string, unknown> = { state };
    if (state === "FAILED") json.errorMessage = "The job failed (simulated failure)";
    json.expirationDate = iso(job.expiresAt);
    json.submissionDate = iso(job.submittedAt);
    if (job.completedAt !== undefined) json.completionDate = iso(job.completedAt);
    return { status: 200, json };
  }

  /**
   * `GET .../jobs/{jobId}/results`.
   *
   * @param id The job id.
   * @param url The request URL (`cursor`, `pageSize`).
   * @returns `{conversations, cursor?, dataAvailabilityDate}`.
   * @throws {HttpError} 404 unknown, expired (`job.expired`) or cancelled (`job.cancelled`); 400
   *   not fulfilled (`job.not.fulfilled`), failed (`job.failed`), bad cursor or page size.
   */
  results(id: string, url: URL): Reply {
    const job = this.#get(id);
    const state = this.#state(job);
    if (state === "EXPIRED") {
      throw new HttpError(404, "job.expired", `Job '${id}' has expired: submit a new job`);
    }
    if (state === "CANCELLED") {
      throw new HttpError(404, "job.cancelled", `Job '${id}' was cancelled`);
    }
    if (state === "FAILED") throw new HttpError(400, "job.failed", `Job '${id}' failed`);
    if (state !== "FULFILLED") {
      throw new HttpError(
        400,
        "job.not.fulfilled",
        `Job '${id}' is ${state}: poll its status until FULFILLED before reading results`,
      );
    }
    const pageSize = intParam(url, "pageSize", this.#o.pageSize);
    checkPageSize(pageSize, this.#o.maxPageSize);
    const asOf = job.asOfMs!;
    const selection = job.selection ??= this.#data.select({ ...job.spec, asOfMs: asOf });
    const cursor = url.searchParams.get("cursor");
    const from = cursor ? decodeCursor(cursor, id, selection.total) : 0;
    const to = Math.min(selection.total, from + pageSize);
    const conversations: unknown[] = [];
    for (let k = from; k < to; k++) {
      conversations.push(this.#data.conversation(selection.at(k), asOf));
    }
    const json: Record<string, unknown> = { conversations };
    if (to < selection.total) json.cursor = encodeCursor(id, to);
    json.dataAvailabilityDate = iso(asOf);
    return { status: 200, json };
  }

  /**
   * `DELETE .../jobs/{jobId}`.
   *
   * @param id The job id.
   * @returns 202 without a body.
   * @throws {HttpError} 404 for an unknown job.
   */
  remove(id: string): Reply {
    this.#get(id).cancelled = true;
    return { status: 202 };
  }

  /**
   * `GET .../jobs/availability`.
   *
   * @returns `{dataAvailabilityDate}`.
   */
  availability(): Reply {
    return { status: 200, json: { dataAvailabilityDate: iso(this.#o.availability()) } };
  }
}

function encodeCursor(id: string, offset: number): string {
  return btoa(`${id}:${offset}`).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
}

function decodeCursor(cursor: string, id: string, total: number): number {
  let text = "";
  try {
    text = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    // falls through to the error below
  }
  const [owner, rawOffset] = text.split(":");
  const offset = Number(rawOffset);
  if (owner !== id || !/^\d+$/.test(rawOffset ?? "") || offset >= total) {
    throw badRequest(`Invalid cursor '${cursor}' for job '${id}'`, "cursor");
  }
  return offset;
}
