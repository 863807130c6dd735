/**
 * The resume position of a details job stream: which job, how far its results were read, and
 * what an earlier, dead job of the same window already gave.
 *
 * @module
 */
import type { JsonValue } from "../types.ts";
import { CheckpointError } from "../errors.ts";
import { formatInterval, type Interval, parseInstant, parseInterval } from "./interval.ts";

/** Where a details job stream stands inside one job (the `position` of its pages). */
export interface JobPosition {
  /** The job's interval: the part of the whole interval this job reads. */
  window: Interval;
  jobId: string;
  /** How many results of this job (kept or not) come before `cursor`. */
  offset: number;
  cursor?: string;
  /** Records emitted so far, over every job of this stream. */
  emitted: number;
  /** The id of the result at `offset - 1`. */
  lastId?: string;
  /**
   * Results of this window already read by an earlier job that died: skipped in this job's
   * results, whose order must be the same (checked at the seam).
   */
  skip?: number;
  /** The id of the result at `skip - 1` in the dead job. */
  seamId?: string;
  submittedAt: string;
  expirationDate?: string;
}

/** A job position, or the stream between jobs: everything before `until` is written. */
export type StreamPosition = JobPosition | { until: number; emitted: number } | "done";

/**
 * Reads a details job stream's resume position. A position of the earlier format (without
 * `window`) is refused: its offsets counted records kept, not results read.
 *
 * @param position A position from an earlier page.
 * @param interval The stream's whole interval.
 * @returns Where to continue: inside a job, between jobs (`until`), or `done`.
 * @throws {CheckpointError} When the position does not fit.
 *
 * @example
 * ```ts
 * import { readJobPosition } from "./_job_position.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const interval = { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 0, 2) };
 * const p = { kind: "details-job", until: "2026-01-01T10:00:00Z", emitted: 5 };
 * deepStrictEqual(readJobPosition(p, interval), { until: Date.UTC(2026, 0, 1, 10), emitted: 5 });
 * ```
 */
export function readJobPosition(position: JsonValue, interval: Interval): StreamPosition {
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
  if (!Number.isInteger(p.emitted) || (p.emitted as number) < 0) throw bad("no 'emitted'");
  const instant = (key: string, value: JsonValue): number => {
    try {
      return parseInstant(String(value));
    } catch {
      throw bad(`bad '${key}'`);
    }
  };
  if (typeof p.until === "string") {
    const until = instant("until", p.until);
    if (until < interval.start || until > interval.end) throw bad("'until' outside the interval");
    return { until, emitted: p.emitted as number };
  }
  if (typeof p.window !== "string") {
    throw bad("no 'window': it was written by an earlier version, which kept no window");
  }
  let window: Interval;
  try {
    window = parseInterval(p.window);
  } catch {
    throw bad("bad 'window'");
  }
  if (window.start < interval.start || window.end > interval.end) {
    throw bad("'window' outside the interval");
  }
  if (typeof p.jobId !== "string" || p.jobId === "") throw bad("no 'jobId'");
  for (const key of ["offset", "skip"]) {
    if (p[key] !== undefined && (!Number.isInteger(p[key]) || (p[key] as number) < 0)) {
      throw bad(`bad '${key}'`);
    }
  }
  if (p.offset === undefined) throw bad("no 'offset'");
  if (p.cursor !== undefined && typeof p.cursor !== "string") throw bad("bad 'cursor'");
  if (typeof p.submittedAt !== "string") throw bad("no 'submittedAt'");
  const out: JobPosition = {
    window,
    jobId: p.jobId,
    offset: p.offset as number,
    emitted: p.emitted as number,
    submittedAt: p.submittedAt,
  };
  if (typeof p.cursor === "string") out.cursor = p.cursor;
  if (typeof p.lastId === "string") out.lastId = p.lastId;
  if (typeof p.skip === "number" && p.skip > 0) out.skip = p.skip;
  if (typeof p.seamId === "string") out.seamId = p.seamId;
  if (typeof p.expirationDate === "string") out.expirationDate = p.expirationDate;
  return out;
}

/**
 * Writes the position inside a job: `{ kind: "details-job", window, jobId, offset, cursor,
 * emitted, lastId, skip, seamId, submittedAt, expirationDate }` (absent fields left out).
 *
 * @param p Where the stream stands.
 * @returns The JSON position.
 *
 * @example
 * ```ts
 * import { readJobPosition, writeJobPosition } from "./_job_position.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const interval = { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 0, 2) };
 * const p = { window: interval, jobId: "j1", offset: 0, emitted: 0, submittedAt: "2026-01-03T00:00:00Z" };
 * deepStrictEqual(readJobPosition(writeJobPosition(p), interval), p);
 * ```
 */
export function writeJobPosition(p: JobPosition): JsonValue {
  const out: Record<string, JsonValue> = {
    kind: "details-job",
    window: formatInterval(p.window),
    jobId: p.jobId,
    offset: p.offset,
  };
  if (p.cursor !== undefined) out.cursor = p.cursor;
  out.emitted = p.emitted;
  if (p.lastId !== undefined) out.lastId = p.lastId;
  if (p.skip !== undefined) out.skip = p.skip;
  if (p.seamId !== undefined) out.seamId = p.seamId;
  out.submittedAt = p.submittedAt;
  if (p.expirationDate !== undefined) out.expirationDate = p.expirationDate;
  return out;
}
