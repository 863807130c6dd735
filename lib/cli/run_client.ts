/**
 * The client of one CLI run and what the run shows about it: the `GenesysClient` built from the
 * connection and the request options, with its events followed for the progress line (what the
 * run waits for and until when, the rate of records over working time, token refreshes) and
 * logged at debug level. `extraction.ts` and `sync_run.ts` share it.
 *
 * @module
 */

import type { DetailsJobEvent } from "../analytics/details_job_api.ts";
import type { ClientEvent } from "../client/events.ts";
import { GenesysClient } from "../client/genesys_client.ts";
import type { Redactor } from "../redact.ts";
import {
  clientRequestOptions,
  type CommandContext,
  type Connection,
  resolveConnection,
} from "./context.ts";
import type { RequestSettings, RunSettings } from "./extract_options.ts";
import {
  formatCounted,
  formatDuration,
  formatPacerWait,
  formatRetries,
  type ProgressSnapshot,
  retriesByLabel,
  retryLabel,
} from "./progress.ts";
import { RecentRate } from "./progress_rate.ts";
import { createReporter, type Reporter } from "./reporter.ts";
import type { ParsedCommand } from "./spec.ts";

/** What the run waits for (`429, retrying`) and until when, epoch ms, when that is known. */
interface Waiting {
  what: string;
  until?: number;
}

/** `429, retrying in 42s`, counting down; just what it waits for once the time is up. */
function formatWaiting(waiting: Waiting, now: number): string {
  return waiting.until !== undefined && waiting.until > now
    ? `${waiting.what} in ${formatDuration(waiting.until - now)}`
    : waiting.what;
}

/** What {@link createRunClient} needs. */
export interface RunClientOptions {
  /** Region and credentials. */
  connection: Connection;
  /** `--rate`, `--rate-limit-budget`, `--timeout` and `--max-retry-after`. */
  settings: RequestSettings & { maxRetryAfterMs: number };
  /** The run's absolute deadline, epoch ms. */
  deadline?: number;
  /** Where the client's debug lines and an analytics job's lines go. */
  reporter: Reporter;
  /** The invocation's redactor (it learns every token). */
  redactor: Redactor;
  /** When the run started, epoch ms (the rate's start). */
  startedAt: number;
}

/** The progress line's fields that come from the client. */
export type ClientProgress = Pick<
  ProgressSnapshot,
  "tokenRefreshes" | "retries" | "waiting" | "waitLeftMs" | "rate"
>;

/** A run's client and what the run knows about it (see {@link createRunClient}). */
export interface RunClient {
  /** The client. */
  readonly client: GenesysClient;
  /** The request that is being retried, for a deadline's message. */
  retrying(): string | undefined;
  /**
   * Follows an analytics job: its state is what the run waits for on the progress line (until
   * the next page), its submission or resumption is logged.
   *
   * @param event The job's event.
   */
  jobEvent(event: DetailsJobEvent): void;
  /**
   * A page is durable: the run waits for nothing now, and the rate (records over working time,
   * for the ETA) takes a sample.
   *
   * @param recordsThisRun The records this run saved so far.
   */
  pageSaved(recordsThisRun: number): void;
  /**
   * The progress line's client fields now (a rate-limit pause stops the working time).
   *
   * @param now The current time, epoch ms.
   * @returns The fields.
   */
  progress(now: number): ClientProgress;
  /**
   * The summary's request counts: `N requests`, `M token refreshes`, the retries.
   *
   * @returns The phrases.
   */
  summary(): string[];
}

/**
 * Builds the run's client from the connection and the request options, and follows its events:
 * a retry sets what the run waits for (and until when, which the rate leaves out), a success
 * clears it, granted tokens count the refreshes; every event is logged at debug level.
 *
 * @param options Connection, settings, deadline, reporter, redactor, start time.
 * @returns The client and what the run knows about it.
 *
 * @example
 * ```ts
 * import { createRunClient } from "./run_client.ts";
 * import { createReporter } from "./reporter.ts";
 * import { resolveRegion } from "../client/region.ts";
 * import { Redactor } from "../redact.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const redactor = new Redactor();
 * const io = { stdout: () => {}, stderr: () => {}, stderrIsTerminal: false };
 * const run = createRunClient({
 *   connection: {
 *     region: resolveRegion("mypurecloud.ie"),
 *     credentials: { clientId: "id", clientSecret: "secret", source: "environment" },
 *     regionSource: "--region",
 *     needs: [],
 *   },
 *   settings: { rateLimitBudgetMs: 60_000, maxRetryAfterMs: 180_000 },
 *   reporter: createReporter(io, { level: "info", format: "text", quiet: true }, redactor),
 *   redactor,
 *   startedAt: 0,
 * });
 * deepStrictEqual(run.summary(), ["0 requests", "0 token refreshes", "0 retries"]);
 * ```
 */
export function createRunClient(options: RunClientOptions): RunClient {
  const { reporter, settings } = options;
  let waiting: Waiting | undefined;
  const rate = new RecentRate({ start: options.startedAt });
  // The error of the retry in progress, so a deadline that ends a stuck run can say why.
  let retrying: string | undefined;
  // Tokens the server granted: failed attempts at the token endpoint are not refreshes.
  let tokensGranted = 0;
  const tokenRefreshes = () => Math.max(0, tokensGranted - 1);
  const onEvent = (event: ClientEvent) => {
    if (event.type === "retry") {
      const wait = event.delayMs !== undefined ? ` in ${formatDuration(event.delayMs)}` : "";
      const now = Date.now();
      const until = event.delayMs !== undefined ? now + event.delayMs : undefined;
      waiting = { what: `${retryLabel(event.cause)}, retrying`, until };
      if (until !== undefined) rate.wait(now, until);
      retrying = event.error ? `${event.method} ${event.path}: ${event.error}` : undefined;
      reporter.log.debug(`Retrying ${event.method} ${event.path}${wait}`, {
        cause: event.cause,
        attempt: event.attempt,
        error: event.error,
      });
    } else if (event.type === "response") {
      if (event.status !== undefined && event.status < 300) waiting = retrying = undefined;
      reporter.log.debug(`${event.method} ${event.path} answered ${event.status}`, {
        attempt: event.attempt,
        ms: event.durationMs,
      });
    } else if (event.type === "token") {
      if (event.status !== undefined && event.status >= 200 && event.status < 300) tokensGranted++;
      reporter.log.debug(
        event.status === undefined
          ? "Requesting a token"
          : `Token request answered ${event.status}`,
        { attempt: event.attempt },
      );
    }
  };
  const { connection } = options;
  const client = new GenesysClient({
    region: connection.region.name,
    clientId: connection.credentials.clientId,
    clientSecret: connection.credentials.clientSecret,
    deadline: options.deadline,
    ...clientRequestOptions(settings, { maxRetryAfter: settings.maxRetryAfterMs }),
    onEvent,
    redactor: options.redactor,
  });
  return {
    client,
    retrying: () => retrying,
    jobEvent: (event) => {
      if (event.type === "state") waiting = { what: `job ${event.state}` };
      else {
        reporter.log.info(
          `${event.type === "submitted" ? "Submitted" : "Resuming"} analytics job ${event.jobId}`,
        );
      }
    },
    pageSaved: (recordsThisRun) => {
      waiting = undefined;
      rate.sample(Date.now(), recordsThisRun);
    },
    progress: (now) => {
      const stats = client.stats;
      // A rate-limit pause holds every request: working time stops until it ends.
      const paused = stats.pacer?.queued ? stats.pacer.pausedUntil : undefined;
      if (paused !== undefined && paused > now) rate.wait(now, paused);
      return {
        tokenRefreshes: tokenRefreshes(),
        retries: retriesByLabel(stats),
        waiting: waiting ? formatWaiting(waiting, now) : formatPacerWait(stats.pacer, now),
        waitLeftMs: rate.waitLeftMs(now),
        rate: rate.perSecond(),
      };
    },
    summary: () => {
      const refreshes = tokenRefreshes();
      return [
        formatCounted(client.stats.requests, "request"),
        `${refreshes} token refresh${refreshes === 1 ? "" : "es"}`,
        formatRetries(retriesByLabel(client.stats)),
      ];
    },
  };
}

/** A run that has started: where it connects, its messages, its clock and its client. */
export interface StartedRun {
  /** Region and credentials. */
  connection: Connection;
  /** Where messages go. */
  reporter: Reporter;
  /** When the run started, epoch ms. */
  startedAt: number;
  /** The absolute deadline, epoch ms, with `--deadline`. */
  deadlineAt?: number;
  /** The client and what the run knows about it. */
  run: RunClient;
}

/**
 * Starts a run: resolves the connection (the credentials go to the redactor), makes the reporter,
 * fixes the deadline from now and builds the client.
 *
 * @param parsed The parsed command (region, env file).
 * @param settings The checked run settings.
 * @param ctx Output channels and the redactor.
 * @param overrides A connection to use instead (tests).
 * @returns The started run.
 * @throws {UsageError} For a missing or unknown region.
 * @throws {AuthError} For missing credentials.
 *
 * @example
 * ```ts
 * import { startRun } from "./run_client.ts";
 * import { Redactor } from "../redact.ts";
 * import { rejects } from "node:assert/strict";
 *
 * const io = { stdout: () => {}, stderr: () => {}, stderrIsTerminal: false };
 * const parsed = { positionals: [], strings: { region: "nowhere-1" }, lists: {}, flags: {} };
 * const settings = {
 *   level: "info" as const, format: "text" as const, quiet: true, rateLimitBudgetMs: 1000,
 *   pageSize: 100, concurrency: 1, maxRetryAfterMs: 1000,
 * };
 * await rejects(startRun(parsed, settings, { io, argv: [], redactor: new Redactor() }), /Unknown region/);
 * ```
 */
export async function startRun(
  parsed: ParsedCommand,
  settings: RunSettings,
  ctx: CommandContext,
  overrides: { connection?: Connection } = {},
): Promise<StartedRun> {
  const connection = overrides.connection ?? await resolveConnection(parsed);
  ctx.redactor.addBasic(connection.credentials.clientId, connection.credentials.clientSecret);
  const reporter = createReporter(ctx.io, settings, ctx.redactor);
  const startedAt = Date.now();
  const deadlineAt = settings.deadlineMs !== undefined
    ? startedAt + settings.deadlineMs
    : undefined;
  const run = createRunClient({
    connection,
    settings,
    deadline: deadlineAt,
    reporter,
    redactor: ctx.redactor,
    startedAt,
  });
  return { connection, reporter, startedAt, deadlineAt, run };
}
