/**
 * One limit of a pacer: a spacing rate on the ideal timeline (generic cell rate algorithm), how it
 * changes after 429s, and the requests the server accepted per second; and the checks of the
 * pacer's options.
 *
 * @module
 */

import type { PacerLimitStats, PacerOptions } from "./pacer_options.ts";
import { UsageError } from "../errors.ts";

/** Settings every limiter of one pacer shares. */
export interface Shape {
  startRate: number;
  windowMs: number;
  utilization: number;
  decrease: number;
  increase: number;
  minRate: number;
}

const SLOTS = 128;

/**
 * One limit: a spacing rate (generic cell rate algorithm: requests `1 / rate` apart, on the
 * ideal timeline, so late timers do not pile up into a lower rate), how it changes, and the
 * requests the server accepted per second over the last two windows.
 */
export class Limiter {
  readonly key: string;
  paced: boolean;
  /** Requests per second. */
  rate: number;
  /** The rate the last 429 met: the additive increase is a share of it. */
  base: number;
  stated?: number;
  slowdowns = 0;
  /** The ideal time of the next spaced request. */
  tat = -Infinity;
  /** Requests sent before this do not cause another slowdown (one per episode). */
  cutAt = -Infinity;
  grownAt = -Infinity;
  heldAt = -Infinity;
  firstAt?: number;
  /** Whether a request was accepted since the last slowdown: 429s in a row slow down once. */
  acceptedSinceCut = true;
  readonly #shape: Shape;
  readonly #seconds = new Float64Array(SLOTS);
  readonly #counts = new Uint32Array(SLOTS);

  constructor(key: string, shape: Shape, paced: boolean) {
    this.key = key;
    this.#shape = shape;
    this.paced = paced;
    this.rate = this.base = shape.startRate;
  }

  /** When the next request may go by this limit's spacing. */
  due(): number {
    return this.paced ? this.tat : -Infinity;
  }

  take(at: number): void {
    this.firstAt ??= at;
    if (this.paced) {
      if (this.tat >= at) this.heldAt = at;
      this.tat = Math.max(this.tat, at) + 1000 / this.rate;
    }
  }

  accept(sentAt: number): void {
    this.acceptedSinceCut = true;
    const second = Math.floor(sentAt / 1000);
    const slot = second % SLOTS;
    if (this.#seconds[slot] !== second) {
      this.#seconds[slot] = second;
      this.#counts[slot] = 0;
    }
    this.#counts[slot]++;
  }

  /** Requests accepted from `from` to `to` (whole seconds). */
  #acceptedBetween(from: number, to: number): number {
    let sum = 0;
    const last = Math.floor(to / 1000);
    for (
      let second = Math.max(Math.floor(from / 1000), last - SLOTS + 1);
      second <= last;
      second++
    ) {
      const slot = second % SLOTS;
      if (this.#seconds[slot] === second) sum += this.#counts[slot];
    }
    return sum;
  }

  /** Grows the rate while requests are held back and no 429 comes. */
  grow(now: number): void {
    if (!this.paced || now <= this.grownAt) return;
    const since = now - this.grownAt;
    this.grownAt = now;
    const ceiling = this.stated ?? Infinity;
    if (this.rate >= ceiling || now - this.heldAt > this.#shape.windowMs) return;
    const step = this.#shape.increase * this.base * Math.min(since, this.#shape.windowMs) /
      60_000;
    this.setRate(Math.min(ceiling, this.rate + step), now);
  }

  /** States the limit (a 429 body's `limit.value`, an old header), requests per second. */
  state(perSecond: number, now: number): void {
    if (this.stated === perSecond) return;
    this.stated = perSecond;
    const target = perSecond * this.#shape.utilization;
    if (!this.paced || this.rate > target) this.setRate(target, now);
  }

  /** Slows down after a 429 that asked to wait `retryAfterMs`. */
  slowDown(now: number, retryAfterMs: number, resumeAt: number): void {
    const s = this.#shape;
    const windowEnd = now + retryAfterMs;
    const since = Math.max(this.firstAt ?? now, windowEnd - s.windowMs);
    const accepted = this.#acceptedBetween(since, now);
    const measured = accepted > 0 ? accepted * 1000 / (windowEnd - since) : undefined;
    let target = measured !== undefined ? measured * s.utilization : this.rate;
    if (this.stated !== undefined) target = Math.min(target, this.stated * s.utilization);
    if (this.paced) target = Math.min(target, this.rate * s.decrease);
    this.base = Math.max(this.rate, target);
    this.paced = true;
    this.cutAt = now;
    this.acceptedSinceCut = false;
    this.grownAt = resumeAt;
    this.slowdowns++;
    this.setRate(Math.max(s.minRate, target), now);
  }

  /** Changes the rate; the backlog already scheduled keeps its size in requests. */
  setRate(rate: number, now: number): void {
    if (this.tat > now) this.tat = now + (this.tat - now) * this.rate / rate;
    this.rate = rate;
  }

  stats(): PacerLimitStats {
    const stats: PacerLimitStats = {
      key: this.key,
      paced: this.paced,
      ratePerMinute: this.rate * 60,
      slowdowns: this.slowdowns,
    };
    if (this.stated !== undefined) stats.statedPerMinute = this.stated * 60;
    return stats;
  }
}

export function checkOptions(o: PacerOptions): void {
  const check = (name: keyof PacerOptions, ok: (v: number) => boolean, what: string): void => {
    const value = o[name];
    if (value !== undefined && !(typeof value === "number" && ok(value))) {
      throw new UsageError(`Pacer option '${name}' must be ${what}, got '${String(value)}'`);
    }
  };
  const positive = (v: number) => Number.isFinite(v) && v > 0;
  check("rate", positive, "a positive number of requests per minute");
  check("windowMs", positive, "a positive number of milliseconds");
  check("utilization", (v) => v > 0 && v <= 1, "above 0 and at most 1");
  check("decrease", (v) => v > 0 && v < 1, "above 0 and below 1");
  check("increasePerMinute", (v) => Number.isFinite(v) && v >= 0, "0 or more");
  check("minRate", positive, "a positive number of requests per minute");
  check("maxPauseMs", (v) => v >= 0, "0 or more milliseconds");
}
