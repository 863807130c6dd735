/**
 * The conversation details jobs API, one call at a time: data availability, submit, status,
 * wait with backoff, cancel. {@link conversationDetailsJobPages} builds the resumable stream on
 * top of these.
 *
 * @module
 */
import type { ApiClient, Clock, RequestOptions } from "../types.ts";
import { ApiError, DeadlineError, GenesysError, JobError, UsageError } from "../errors.ts";
import { DETAILS_JOBS_PATH } from "./details_query.ts";
import { formatDuration } from "./interval.ts";
import { durationOption } from "./_duration_option.ts";
import { sleep as defaultSleep } from "../retry/sleep.ts";

/** A details job's status, from `GET .../details/jobs/{jobId}`. */
export interface DetailsJobStatus {
  /** `QUEUED`, `PENDING`, `FULFILLED`, `FAILED`, `CANCELLED` or `EXPIRED`. */
  state: string;
  /** Why the job failed. */
  errorMessage?: string;
  /** When the job's results expire, ISO-8601. */
  expirationDate?: string;
  /** When the job was submitted, ISO-8601. */
  submissionDate?: string;
  /** When the job completed, ISO-8601. */
  completionDate?: string;
}

/** A job event, for progress displays and logs. */
export interface DetailsJobEvent {
  /** `submitted` (also after a resubmit), `state` (each status poll) or `resumed`. */
  type: "submitted" | "state" | "resumed";
  /** The job id. */
  jobId: string;
  /** The job's state (for `state` events). */
  state?: string;
}

/**
 * How messages tell the user to change a setting, in the caller's words: the CLI passes its flags
 * (`--availability warn`, `--job-wait`), a library caller keeps the option names (the defaults).
 */
export interface DetailsJobHints {
  /**
   * How to accept an interval past the data availability date.
   *
   * @default {"checkAvailability: 'warn'"}
   */
  allowUnavailable?: string;
  /**
   * The setting for the longest wait for a job.
   *
   * @default {"maxWait"}
   */
  maxWait?: string;
}

/** Request settings shared by the job calls. */
export interface DetailsJobRequestOptions {
  /** Aborts the request (and a wait). */
  signal?: AbortSignal;
  /** An absolute deadline, epoch ms: passed to every request; no wait goes past it. */
  deadline?: number;
  /** The per-attempt timeout in ms. */
  timeoutMs?: number;
}

/** The states a job never leaves. */
export const DEAD_JOB_STATES: readonly string[] = ["FAILED", "CANCELLED", "EXPIRED"];

function requestOptions(options: DetailsJobRequestOptions): RequestOptions {
  return { signal: options.signal, deadline: options.deadline, timeoutMs: options.timeoutMs };
}

/**
 * The path of one job.
 *
 * @param jobId The job id.
 * @returns `/api/v2/analytics/conversations/details/jobs/{jobId}`.
 *
 * @example
 * ```ts
 * import { detailsJobPath } from "./details_job_api.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(detailsJobPath("j1"), "/api/v2/analytics/conversations/details/jobs/j1");
 * ```
 */
export function detailsJobPath(jobId: string): string {
  return `${DETAILS_JOBS_PATH}/${encodeURIComponent(jobId)}`;
}

/**
 * Reads `GET .../jobs/availability`: jobs only see conversations up to that date.
 *
 * @param client The API client.
 * @param options Signal, deadline, timeout.
 * @returns The `dataAvailabilityDate` (ISO-8601), or `undefined` when the answer had none.
 *
 * @example
 * ```ts
 * import { detailsJobAvailability } from "./details_job_api.ts";
 * import type { ApiClient } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: () => Promise.resolve({ dataAvailabilityDate: "2026-01-20T00:00:00Z" }),
 * } as unknown as ApiClient;
 * strictEqual(await detailsJobAvailability(client), "2026-01-20T00:00:00Z");
 * ```
 */
export async function detailsJobAvailability(
  client: ApiClient,
  options: DetailsJobRequestOptions = {},
): Promise<string | undefined> {
  const answer = await client.request<{ dataAvailabilityDate?: string }>(
    "GET",
    `${DETAILS_JOBS_PATH}/availability`,
    requestOptions(options),
  );
  const date = answer?.dataAvailabilityDate;
  return typeof date === "string" ? date : undefined;
}

/**
 * Submits a details job (`POST .../details/jobs`). Not retried after a 5xx or timeout unless
 * `retry` is `true`: a retried submit could create two jobs.
 *
 * @param client The API client.
 * @param body The job body, `interval` included.
 * @param options `retry`, signal, deadline, timeout.
 * @returns The job id.
 * @throws {GenesysError} When the answer has no `jobId`.
 *
 * @example
 * ```ts
 * import { submitDetailsJob } from "./details_job_api.ts";
 * import type { ApiClient } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const client = { request: () => Promise.resolve({ jobId: "j1" }) } as unknown as ApiClient;
 * strictEqual(await submitDetailsJob(client, { interval: "2026-01-01/2026-01-02" }), "j1");
 * ```
 */
export async function submitDetailsJob(
  client: ApiClient,
  body: Record<string, unknown>,
  options: DetailsJobRequestOptions & { retry?: boolean } = {},
): Promise<string> {
  const answer = await client.request<{ jobId?: string }>("POST", DETAILS_JOBS_PATH, {
    ...requestOptions(options),
    body,
    idempotent: options.retry ?? false,
  });
  if (typeof answer?.jobId !== "string" || answer.jobId === "") {
    throw new GenesysError(`POST ${DETAILS_JOBS_PATH} answered without a 'jobId'`);
  }
  return answer.jobId;
}

/**
 * Reads a job's status.
 *
 * @param client The API client.
 * @param jobId The job id.
 * @param options Signal, deadline, timeout.
 * @returns The status, or `undefined` when the job is unknown (404: expired and removed).
 *
 * @example
 * ```ts
 * import { detailsJobStatus } from "./details_job_api.ts";
 * import type { ApiClient } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const client = { request: () => Promise.resolve({ state: "PENDING" }) } as unknown as ApiClient;
 * strictEqual((await detailsJobStatus(client, "j1"))?.state, "PENDING");
 * ```
 */
export async function detailsJobStatus(
  client: ApiClient,
  jobId: string,
  options: DetailsJobRequestOptions = {},
): Promise<DetailsJobStatus | undefined> {
  try {
    return await client.request<DetailsJobStatus>(
      "GET",
      detailsJobPath(jobId),
      requestOptions(options),
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * Cancels a job (`DELETE .../jobs/{jobId}`).
 *
 * @param client The API client.
 * @param jobId The job id.
 * @param options Signal, deadline, timeout.
 * @returns When the job is cancelled.
 *
 * @example
 * ```ts
 * import { cancelDetailsJob } from "./details_job_api.ts";
 * import type { ApiClient } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const seen: string[] = [];
 * const client = {
 *   request: (method: string, path: string) => (seen.push(`${method} ${path}`), Promise.resolve()),
 * } as unknown as ApiClient;
 * await cancelDetailsJob(client, "j1");
 * strictEqual(seen[0], "DELETE /api/v2/analytics/conversations/details/jobs/j1");
 * ```
 */
export async function cancelDetailsJob(
  client: ApiClient,
  jobId: string,
  options: DetailsJobRequestOptions = {},
): Promise<void> {
  await client.request("DELETE", detailsJobPath(jobId), requestOptions(options));
}

/**
 * The error for a job that ended `FAILED`, `CANCELLED` or `EXPIRED` (or vanished), with the fix.
 *
 * @param jobId The job id.
 * @param status Its last status.
 * @returns The error.
 *
 * @example
 * ```ts
 * import { jobEndedError } from "./details_job_api.ts";
 * import { match } from "node:assert/strict";
 *
 * match(jobEndedError("j1", { state: "FAILED", errorMessage: "boom" }).message, /ended 'FAILED': boom/);
 * ```
 */
export function jobEndedError(jobId: string, status: DetailsJobStatus): JobError {
  const why = status.errorMessage ? `: ${status.errorMessage}` : "";
  const fix = status.state === "EXPIRED"
    ? "; run again from the last checkpoint to resubmit it"
    : status.state === "FAILED"
    ? "; check the query or try a shorter interval"
    : "";
  return new JobError(`Details job '${jobId}' ended '${status.state}'${why}${fix}`, {
    jobId,
    state: status.state,
  });
}

/** Options of {@link waitForDetailsJob}. */
export interface WaitForDetailsJobOptions extends DetailsJobRequestOptions {
  /**
   * The first wait between polls: a duration such as `2s` or ms.
   *
   * @default {"2s"}
   */
  pollInterval?: string | number;
  /**
   * The longest wait between polls.
   *
   * @default {"30s"}
   */
  maxPollInterval?: string | number;
  /**
   * Each wait is the previous one times this factor (capped).
   *
   * @default {1.5}
   */
  pollBackoff?: number;
  /**
   * How long to wait before failing with a {@link JobError}.
   *
   * @default {"30m"}
   */
  maxWait?: string | number;
  /** A status already read (the first poll is then skipped). */
  first?: DetailsJobStatus;
  /** How messages name the longest wait (`hints.maxWait`, default `maxWait`). */
  hints?: DetailsJobHints;
  /** Receives a `state` event after each poll. */
  onJob?: (event: DetailsJobEvent) => void;
  /** The time and the waits between polls (see {@link Clock}). Default the real ones. */
  clock?: Clock;
}

/**
 * Checks the polling options at once (so a bad value fails before a job is submitted).
 *
 * @param options The polling options.
 * @returns The poll interval, its cap, the backoff factor and the longest wait, in ms.
 * @throws {UsageError} For a bad duration or a backoff below 1.
 *
 * @example
 * ```ts
 * import { pollSettings } from "./details_job_api.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(pollSettings({ pollInterval: "1s" }), {
 *   pollMs: 1000, maxPollMs: 30_000, backoff: 1.5, maxWaitMs: 1_800_000,
 * });
 * ```
 */
export function pollSettings(
  options: WaitForDetailsJobOptions,
): { pollMs: number; maxPollMs: number; backoff: number; maxWaitMs: number } {
  const backoff = options.pollBackoff ?? 1.5;
  if (!(backoff >= 1)) {
    throw new UsageError(`Option 'pollBackoff' is '${backoff}': it must be a number of at least 1`);
  }
  return {
    pollMs: durationOption("pollInterval", options.pollInterval ?? "2s", "2s"),
    maxPollMs: durationOption("maxPollInterval", options.maxPollInterval ?? "30s", "2s"),
    backoff,
    maxWaitMs: durationOption("maxWait", options.maxWait ?? "30m", "2s"),
  };
}

/**
 * Polls a job with backoff until it is `FULFILLED`.
 *
 * @param client The API client.
 * @param jobId The job id.
 * @param options Poll interval, backoff, longest wait, clock, signal, deadline.
 * @returns The `FULFILLED` status.
 * @throws {JobError} When the job ends `FAILED`, `CANCELLED` or `EXPIRED`, is gone (404, state
 * `EXPIRED`), or outlasts `maxWait` (its current state).
 * @throws {DeadlineError} When the next poll would pass `deadline`.
 *
 * @example
 * ```ts
 * import { waitForDetailsJob } from "./details_job_api.ts";
 * import type { ApiClient } from "../types.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const states = ["QUEUED", "PENDING", "FULFILLED"];
 * const client = { request: () => Promise.resolve({ state: states.shift() }) } as unknown as ApiClient;
 * const waits: number[] = [];
 * const sleep = (ms: number) => (waits.push(ms), Promise.resolve());
 * await waitForDetailsJob(client, "j1", { clock: { sleep }, pollInterval: "1s" });
 * deepStrictEqual(waits, [1000, 1500]);
 * ```
 */
export async function waitForDetailsJob(
  client: ApiClient,
  jobId: string,
  options: WaitForDetailsJobOptions = {},
): Promise<DetailsJobStatus> {
  const { pollMs, maxPollMs, backoff, maxWaitMs } = pollSettings(options);
  const now = options.clock?.now ?? Date.now;
  const sleep = options.clock?.sleep ?? defaultSleep;
  const poll = async () => {
    const status = await detailsJobStatus(client, jobId, options);
    options.onJob?.({ type: "state", jobId, state: status?.state ?? "EXPIRED" });
    return status;
  };
  const started = now();
  let delay = pollMs;
  let status = options.first ?? await poll();
  while (true) {
    if (!status) {
      throw new JobError(`Details job '${jobId}' is gone (404); run again to resubmit it`, {
        jobId,
        state: "EXPIRED",
      });
    }
    if (status.state === "FULFILLED") return status;
    if (DEAD_JOB_STATES.includes(status.state)) throw jobEndedError(jobId, status);
    const elapsed = now() - started;
    if (elapsed + delay > maxWaitMs) {
      const setting = options.hints?.maxWait ?? "maxWait";
      throw new JobError(
        `Details job '${jobId}' is still '${status.state}' after ${
          formatDuration(elapsed)
        } (${setting} '${
          formatDuration(maxWaitMs)
        }'); raise ${setting}, or run again later to resume waiting for the same job`,
        { jobId, state: status.state },
      );
    }
    if (options.deadline !== undefined && now() + delay > options.deadline) {
      throw new DeadlineError(
        `Deadline reached while waiting for details job '${jobId}' (state '${status.state}')`,
      );
    }
    await sleep(delay, options.signal);
    delay = Math.min(delay * backoff, maxPollMs);
    status = await poll();
  }
}
