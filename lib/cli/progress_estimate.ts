/**
 * What a details query run can say about its size before its exact total is known (the source
 * knows it only from the last chunk on): which chunk (day) it is in, and an estimate of all
 * records from the `totalHits` of each chunk's first page, scaled to the whole interval.
 *
 * @module
 */

import { DAY_MS, type Interval, parseInterval } from "../analytics/interval.ts";

/** Which part of the work a run is in: `day 3/7`. */
export interface ProgressPart {
  /** What a part is: `day`, `chunk`. */
  unit: string;
  /** The part the run is in, from 1. */
  index: number;
  /** How many parts there are. */
  of: number;
}

/** What {@link ChunkProgress} knows so far. */
export interface ChunkEstimate {
  /** The chunk the latest page came from. */
  part?: ProgressPart;
  /** All records, estimated from the chunks seen so far. */
  estimate?: number;
}

/**
 * Follows a details query's pages through its chunks.
 *
 * The estimate is the records per millisecond of the spans seen so far (their `totalHits` over
 * their length) times the interval's length: after the first day of a week it is seven times that
 * day's count; once every chunk was seen it is the sum of their counts. `totalHits` is
 * approximate and counts conversations that started before a chunk (the ones a chunk does not
 * own), so the estimate tends to be a little high; it is shown with a `~`.
 *
 * @example
 * ```ts
 * import { ChunkProgress } from "./progress_estimate.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const chunks = new ChunkProgress("2026-01-01T00:00:00Z/2026-01-08T00:00:00Z", 86_400_000);
 * chunks.page("2026-01-01T00:00:00Z/2026-01-02T00:00:00Z", 300);
 * deepStrictEqual(chunks.current(), { part: { unit: "day", index: 1, of: 7 }, estimate: 2100 });
 * chunks.page("2026-01-02T00:00:00Z/2026-01-03T00:00:00Z", 100);
 * deepStrictEqual(chunks.current(), { part: { unit: "day", index: 2, of: 7 }, estimate: 1400 });
 * ```
 */
export class ChunkProgress {
  readonly #interval: Interval;
  readonly #chunkMs: number;
  readonly #desc: boolean;
  /** `totalHits` by span (a bisected chunk's halves are spans of their own). */
  readonly #hits = new Map<string, { ms: number; hits: number }>();
  #part?: ProgressPart;

  /**
   * Creates the tracker.
   *
   * @param interval The run's interval, `start/end`.
   * @param chunkMs The chunk length in ms.
   * @param desc Whether chunks go newest first (`order: "desc"`).
   */
  constructor(interval: string, chunkMs: number, desc = false) {
    this.#interval = parseInterval(interval);
    this.#chunkMs = chunkMs;
    this.#desc = desc;
  }

  /**
   * Takes note of a page.
   *
   * @param span The chunk (or part of one) the page belongs to, `start/end`.
   * @param totalHits The chunk's `totalHits`, when the response had it.
   */
  page(span: string, totalHits?: number): void {
    const { start, end } = parseInterval(span);
    const whole = this.#interval;
    const of = Math.max(1, Math.ceil((whole.end - whole.start) / this.#chunkMs));
    const offset = this.#desc ? whole.end - end : start - whole.start;
    const index = Math.min(of, Math.floor(offset / this.#chunkMs) + 1);
    this.#part = { unit: this.#chunkMs === DAY_MS ? "day" : "chunk", index, of };
    if (totalHits !== undefined && end > start) {
      this.#hits.set(span, { ms: end - start, hits: totalHits });
    }
  }

  /**
   * The part the latest page came from and the estimate so far.
   *
   * @returns What is known; empty before the first page.
   */
  current(): ChunkEstimate {
    let ms = 0;
    let hits = 0;
    for (const span of this.#hits.values()) {
      ms += span.ms;
      hits += span.hits;
    }
    const length = this.#interval.end - this.#interval.start;
    const out: ChunkEstimate = {};
    if (this.#part) out.part = { ...this.#part };
    if (ms > 0) out.estimate = Math.round((hits * length) / ms);
    return out;
  }
}
