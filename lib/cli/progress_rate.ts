/**
 * The rate a progress line's ETA is based on: records per second over the recent past, with the
 * time spent waiting (a 429's Retry-After, a backoff, a rate-limit pause) left out, so a long wait
 * neither inflates the ETA afterwards nor hides how long the wait itself still takes.
 *
 * @module
 */

/** Options of {@link RecentRate}. */
export interface RecentRateOptions {
  /** When the run started, epoch ms. */
  start: number;
  /** How much working time (waits excluded) the rate looks back over, in ms. Default 30 s. */
  windowMs?: number;
}

interface Sample {
  /** Working time since the start, ms. */
  active: number;
  /** Records so far. */
  records: number;
}

/**
 * Tracks records over working time. Tell it about waits as they start ({@link RecentRate.wait})
 * and about records as they are saved ({@link RecentRate.sample}); overlapping waits (several
 * requests held by the same 429) count once.
 *
 * @example
 * ```ts
 * import { RecentRate } from "./progress_rate.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const rate = new RecentRate({ start: 0 });
 * rate.sample(1_000, 100); // 100 records in the first second
 * rate.wait(1_000, 61_000); // then a 60 s Retry-After
 * rate.sample(62_000, 200); // and 100 more in the second after it
 * strictEqual(rate.perSecond(), 100);
 * strictEqual(rate.waitLeftMs(31_000), 30_000);
 * ```
 */
export class RecentRate {
  readonly #start: number;
  readonly #windowMs: number;
  #samples: Sample[] = [{ active: 0, records: 0 }];
  /** Waits that ended before the current one, ms. */
  #waitedMs = 0;
  /** The latest wait (merged with those it overlaps). */
  #wait?: { from: number; until: number };

  /**
   * Creates the tracker.
   *
   * @param options When the run started and how far back the rate looks.
   */
  constructor(options: RecentRateOptions) {
    this.#start = options.start;
    this.#windowMs = options.windowMs ?? 30_000;
  }

  /**
   * Records a wait that starts at `from` and lasts until `until` (epoch ms).
   *
   * @param from When it starts (now).
   * @param until When it ends.
   */
  wait(from: number, until: number): void {
    if (!(until > from)) return;
    const current = this.#wait;
    if (current && from <= current.until) {
      current.until = Math.max(current.until, until);
      return;
    }
    if (current) this.#waitedMs += current.until - current.from;
    this.#wait = { from, until };
  }

  /**
   * How long the current wait still lasts at `now`.
   *
   * @param now Epoch ms.
   * @returns Milliseconds, 0 when nothing is waited for.
   */
  waitLeftMs(now: number): number {
    return this.#wait ? Math.max(0, this.#wait.until - Math.max(now, this.#wait.from)) : 0;
  }

  /** Working time from the start to `at`: wall time minus the waits up to then. */
  #active(at: number): number {
    const w = this.#wait;
    const inWait = w ? Math.min(Math.max(0, at - w.from), w.until - w.from) : 0;
    return Math.max(0, at - this.#start - this.#waitedMs - inWait);
  }

  /**
   * Records that `records` (this run's count) were saved by `at`.
   *
   * @param at Epoch ms (not before earlier samples).
   * @param records Records saved by this run so far.
   */
  sample(at: number, records: number): void {
    const active = this.#active(at);
    this.#samples.push({ active, records });
    // Keep the newest sample older than the window, as the rate's starting point.
    while (this.#samples.length > 2 && active - this.#samples[1].active >= this.#windowMs) {
      this.#samples.shift();
    }
  }

  /**
   * Records per second of working time over the recent window.
   *
   * @returns The rate, or `undefined` before any record (or any working time).
   */
  perSecond(): number | undefined {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    const ms = last.active - first.active;
    const records = last.records - first.records;
    return ms > 0 && records > 0 ? (records * 1000) / ms : undefined;
  }
}
