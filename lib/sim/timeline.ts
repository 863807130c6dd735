/**
 * Conversation start times as a pure function of the index: strictly increasing, so an interval
 * maps to an index range by binary search without generating any record.
 *
 * @module
 */
import { hashFloat, Stream } from "./rng.ts";

/**
 * Start times of `count` conversations spread over [startMs, endMs). Conversation i starts in
 * its own slot [b(i), b(i+1)) with b(i) = startMs + floor(i * span / count), at a seeded offset,
 * so starts are strictly increasing (the span must hold at least one millisecond per conversation).
 *
 * @example
 * ```ts
 * import { Timeline } from "./timeline.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 *
 * const t = new Timeline(1, 100, 0, 100_000);
 * ok(t.startOf(0) < t.startOf(1));
 * strictEqual(t.lowerBound(t.startOf(42)), 42);
 * ```
 */
export class Timeline {
  /** The seed. */
  readonly seed: number;
  /** How many conversations. */
  readonly count: number;
  /** Start of the span, epoch ms. */
  readonly startMs: number;
  /** End of the span (exclusive), epoch ms. */
  readonly endMs: number;

  /**
   * Creates the timeline.
   *
   * @param seed The seed.
   * @param count How many conversations.
   * @param startMs Start of the span, epoch ms.
   * @param endMs End of the span, epoch ms.
   * @throws {RangeError} When the span holds fewer milliseconds than conversations.
   */
  constructor(seed: number, count: number, startMs: number, endMs: number) {
    if (endMs - startMs < count) {
      throw new RangeError(
        `Span of ${
          endMs - startMs
        } ms is too short for ${count} conversations: widen 'start'..'end'`,
      );
    }
    this.seed = seed;
    this.count = count;
    this.startMs = startMs;
    this.endMs = endMs;
  }

  #slot(i: number): number {
    return this.startMs + Math.floor((i * (this.endMs - this.startMs)) / this.count);
  }

  /**
   * Start of conversation `i`, epoch ms.
   *
   * @param i The index, 0 to count - 1.
   * @returns Epoch milliseconds.
   */
  startOf(i: number): number {
    const lo = this.#slot(i);
    const width = this.#slot(i + 1) - lo;
    return lo + Math.floor(hashFloat(this.seed, Stream.conversationStart, i) * width);
  }

  /**
   * The first index whose start is at or after `t` (`count` when none).
   *
   * @param t Epoch milliseconds.
   * @returns An index in [0, count].
   */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.startOf(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The index range [lo, hi) of conversations starting in [fromMs, toMs).
   *
   * @param fromMs Inclusive start, epoch ms.
   * @param toMs Exclusive end, epoch ms.
   * @returns The range as a pair.
   */
  range(fromMs: number, toMs: number): [number, number] {
    const lo = this.lowerBound(fromMs);
    const hi = Math.max(lo, this.lowerBound(toMs));
    return [lo, hi];
  }
}
