/**
 * What stops a CLI run and how it ends: SIGINT/SIGTERM (the first stops after the current page,
 * a second quits at once, releasing the job's lock), the deadline, the progress display, and the
 * exit code and message of a run that failed or stopped. `extraction.ts` and `sync_run.ts` share
 * it.
 *
 * @module
 */

import type { CheckpointLock } from "../extract/lock.ts";
import { DeadlineError, RateLimitError } from "../errors.ts";
import type { CommandContext } from "./context.ts";
import { errorLine, ExitCode, exitCodeFor } from "./exit.ts";
import type { LogSettings } from "./extract_options.ts";
import { formatDuration, ProgressReporter, type ProgressSnapshot } from "./progress.ts";
import type { Reporter } from "./reporter.ts";
import { listenForStop, type StopSignal } from "./signals.ts";

/** What a {@link RunControl} needs. */
export interface RunControlOptions {
  /** Where text goes (whether stderr is a terminal, its width) and the invocation's redactor. */
  ctx: Pick<CommandContext, "io" | "redactor">;
  /** Logging options, and `--deadline` as the user wrote it. */
  settings: LogSettings & { deadlineText?: string };
  /** Where messages go. */
  reporter: Reporter;
  /** The run's absolute deadline, epoch ms. */
  deadlineAt?: number;
  /** What a first signal's warning says is saved: `the checkpoint`. */
  saving: string;
  /**
   * The line a second signal prints before the process exits with code 130.
   *
   * @param signal The signal.
   * @returns The line.
   */
  quitting: (signal: StopSignal) => string;
}

/** How a run that did not complete ended (see {@link RunControl.outcome}). */
export interface RunEnding {
  /** The exit code. */
  code: number;
  /** Whether it failed (the error line is printed) rather than stopped. */
  failed: boolean;
  /** A stopped run: why, such as `Deadline of 2h reached` or `Interrupted by SIGINT`. */
  why: string;
}

/**
 * Listens for stop signals from its creation (before the job's lock is taken, so a signal at any
 * moment after it releases the lock) until {@link RunControl.end}; runs the deadline timer and
 * the progress display while the run goes.
 *
 * @example
 * ```ts
 * import { RunControl } from "./run_control.ts";
 * import { createReporter } from "./reporter.ts";
 * import { Redactor } from "../redact.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const io = { stdout: () => {}, stderr: () => {}, stderrIsTerminal: false };
 * const settings = { level: "info" as const, format: "text" as const, quiet: true };
 * const redactor = new Redactor();
 * const reporter = createReporter(io, settings, redactor);
 * using control = new RunControl({
 *   ctx: { io, redactor }, settings, reporter, saving: "the checkpoint", quitting: () => "quitting",
 * });
 * strictEqual(control.outcome(true, undefined), undefined);
 * strictEqual(control.outcome(false, new Error("boom"))?.code, 1);
 * ```
 */
export class RunControl implements Disposable {
  /** Whether progress is one redrawn line (a terminal, text logs). */
  readonly progressLine: boolean;
  /** The job's lock once taken: a second signal releases it before quitting. */
  lock?: CheckpointLock;
  /** The progress display, once shown. */
  #progress?: ProgressReporter;
  readonly #options: RunControlOptions;
  readonly #controller = new AbortController();
  readonly #removeSignals: () => void;
  /** What stopped the run: `SIGINT`, `SIGTERM`, `deadline`, or nothing. */
  #stoppedBy?: string;
  #timer?: ReturnType<typeof setTimeout>;

  /**
   * Starts listening for SIGINT and SIGTERM.
   *
   * @param options Channels, settings, deadline and the messages.
   */
  constructor(options: RunControlOptions) {
    this.#options = options;
    this.progressLine = options.ctx.io.stderrIsTerminal && options.settings.format === "text";
    const { reporter } = options;
    this.#removeSignals = listenForStop({
      onStop: (signal) => {
        this.#stoppedBy ??= signal;
        reporter.warn(
          `${signal} received: stopping after the current page and saving ${options.saving} (send it again to quit at once)`,
        );
        this.#controller.abort();
      },
      onForce: (signal) => {
        this.#progress?.stop();
        this.lock?.releaseSync();
        reporter.important(options.quitting(signal));
        Deno.exit(ExitCode.INTERRUPTED);
      },
    });
  }

  /** Aborts when a signal or the deadline stops the run. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Shows progress (a redrawn line on a terminal, a log line every few seconds otherwise) and
   * starts the deadline timer, which stops the run at the same instant the client and the
   * sources stop waiting at.
   *
   * @param snapshot Reads the current state.
   */
  start(snapshot: () => ProgressSnapshot): void {
    const { ctx: { io }, settings, reporter, deadlineAt } = this.#options;
    const progress = new ProgressReporter({
      snapshot,
      write: io.stderr,
      log: (line) => reporter.log.info(line),
      isTerminal: this.progressLine,
      quiet: settings.quiet,
      columns: io.columns,
    });
    reporter.progress = progress;
    this.#progress = progress;
    if (deadlineAt !== undefined) {
      this.#timer = setTimeout(() => {
        this.#stoppedBy ??= "deadline";
        this.#controller.abort();
      }, Math.max(0, deadlineAt - Date.now()));
    }
    progress.start();
  }

  /** After a durable page: redraws the progress line at once (a log line keeps its own pace). */
  flush(): void {
    if (this.progressLine) this.#progress?.flush();
  }

  /** Stops the display, the deadline timer and the listening; safe to call twice. */
  end(): void {
    this.#progress?.stop();
    this.#removeSignals();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Ends the run (see {@link RunControl.end}). */
  [Symbol.dispose](): void {
    this.end();
  }

  /**
   * How a run ended when it did not complete. A failure prints its one-line error (and, for a
   * `Retry-After` past `--max-retry-after`, how long the server asked for); a deadline (the
   * timer, or a request that would have passed it) or a signal gives the reason to print with
   * what is saved.
   *
   * @param completed Whether the run completed.
   * @param failure What it threw, if anything.
   * @param retrying The request being retried when it ended, for a deadline's message.
   * @returns The exit code and what happened, or `undefined` for a completed run.
   */
  outcome(completed: boolean, failure: unknown, retrying?: string): RunEnding | undefined {
    const { ctx: { redactor }, reporter, settings } = this.#options;
    const deadlineHit = (this.#stoppedBy === "deadline" && !completed) ||
      failure instanceof DeadlineError;
    if (failure !== undefined && !deadlineHit) {
      const code = exitCodeFor(failure);
      reporter.error(errorLine(failure, redactor), { exitCode: code });
      // Only when the wait exceeded --max-retry-after; 429s that outlast the attempts are not
      // helped by a longer allowance.
      if (failure instanceof RateLimitError && failure.maxRetryAfterMs !== undefined) {
        reporter.important(
          `The server asked to wait ${
            formatDuration(failure.retryAfterMs)
          }: run again later, or allow longer waits with --max-retry-after`,
        );
      }
      return { code, failed: true, why: "" };
    }
    if (!deadlineHit && completed) return undefined;
    if (deadlineHit) {
      return {
        code: ExitCode.DEADLINE,
        failed: false,
        why: `Deadline of ${settings.deadlineText ?? "the run"} reached${
          retrying ? ` while retrying ${retrying}` : ""
        }`,
      };
    }
    return {
      code: ExitCode.INTERRUPTED,
      failed: false,
      why: `Interrupted${this.#stoppedBy ? ` by ${this.#stoppedBy}` : ""}`,
    };
  }
}
