/**
 * The generated data set: directory, conversation timeline, records on demand, and selections
 * (which conversations an interval, a filter and an order give, without building records).
 *
 * @module
 */
import { buildConversation } from "./conversation.ts";
import { Directory } from "./directory.ts";
import type { Matcher } from "./filters.ts";
import type { ResolvedOptions } from "./options.ts";
import { Timeline } from "./timeline.ts";
import { MAX_DURATION_MS, type Traits, traitsOf } from "./traits.ts";

/** What to select. */
export interface SelectSpec {
  /** Interval start, epoch ms (inclusive). */
  fromMs: number;
  /** Interval end, epoch ms (exclusive). */
  toMs: number;
  /** `start`: conversationStart in the interval; `overlap`: [start, end) overlaps it. */
  mode: "start" | "overlap";
  /** A compiled filter. */
  matcher?: Matcher;
  /** A stable key of the filter, for caching (required with `matcher`). */
  matcherKey?: string;
  /** Order by conversation start (default) or end; ties broken by conversation id. */
  orderBy?: "start" | "end";
  /** `asc` (default) or `desc`. */
  order?: "asc" | "desc";
  /** Only conversations starting before this, epoch ms. */
  beforeMs?: number;
  /** At most this many (the first in order). */
  limit?: number;
}

/** Selected conversations: `at(k)` is the index of the k-th in order. */
export interface Selection {
  /** How many. */
  readonly total: number;
  /**
   * The conversation index at position `k`.
   *
   * @param k A position in [0, total).
   * @returns The conversation index.
   */
  at(k: number): number;
}

const CACHE_SIZE = 16;

/**
 * All generated data of one simulator.
 *
 * @example
 * ```ts
 * import { Dataset } from "./dataset.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const data = new Dataset({ seed: 1, users: 3, queues: 2, conversations: 50, startMs: 0, endMs: 1e9 });
 * strictEqual(data.select({ fromMs: 0, toMs: 1e9, mode: "start" }).total, 50);
 * ```
 */
export class Dataset {
  /** The seed. */
  readonly seed: number;
  /** Users, queues, divisions. */
  readonly directory: Directory;
  /** Conversation start times. */
  readonly timeline: Timeline;
  readonly #cache = new Map<string, Selection>();

  /**
   * Creates the data set (only user and queue ids are generated up front).
   *
   * @param o Seed, sizes and span.
   * @throws {RangeError} When the span is too short for the conversations.
   */
  constructor(
    o: Pick<ResolvedOptions, "seed" | "users" | "queues" | "conversations" | "startMs" | "endMs">,
  ) {
    this.seed = o.seed;
    this.directory = new Directory(o.seed, o.users, o.queues);
    this.timeline = new Timeline(o.seed, o.conversations, o.startMs, o.endMs);
  }

  /**
   * The traits of conversation `i`.
   *
   * @param i The index.
   * @returns Its traits.
   */
  traits(i: number): Traits {
    return traitsOf(this.timeline, this.directory, i);
  }

  /**
   * The full record of conversation `i`.
   *
   * @param i The index.
   * @returns The record.
   */
  conversation(i: number): Record<string, unknown> {
    return buildConversation(this.seed, this.directory, this.traits(i));
  }

  /**
   * Selects conversations; results of slow paths are cached.
   *
   * @param spec What to select.
   * @returns The selection.
   */
  select(spec: SelectSpec): Selection {
    const order = spec.order ?? "asc";
    const orderBy = spec.orderBy ?? "start";
    const t = this.timeline;
    const toMs = Math.min(spec.toMs, spec.beforeMs ?? Infinity);
    if (spec.mode === "start" && !spec.matcher && orderBy === "start") {
      const [lo, hi] = t.range(spec.fromMs, Math.max(spec.fromMs, toMs));
      const total = Math.min(hi - lo, spec.limit ?? Infinity);
      return order === "asc" ? { total, at: (k) => lo + k } : { total, at: (k) => hi - 1 - k };
    }
    const key = JSON.stringify([spec.fromMs, toMs, spec.mode, spec.matcherKey ?? "", orderBy]);
    let base = this.#cache.get(key);
    if (base) {
      this.#cache.delete(key);
    } else {
      base = this.#build(spec.fromMs, toMs, spec.mode, spec.matcher, orderBy);
    }
    this.#cache.set(key, base);
    if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    const list = base;
    const total = Math.min(list.total, spec.limit ?? Infinity);
    return order === "asc"
      ? { total, at: (k) => list.at(k) }
      : { total, at: (k) => list.at(list.total - 1 - k) };
  }

  #build(
    fromMs: number,
    toMs: number,
    mode: "start" | "overlap",
    matcher: Matcher | undefined,
    orderBy: "start" | "end",
  ): Selection {
    const t = this.timeline;
    if (toMs <= fromMs) return { total: 0, at: (k) => k };
    const startLo = t.lowerBound(fromMs);
    const lo = mode === "overlap" ? t.lowerBound(fromMs - MAX_DURATION_MS) : startLo;
    const hi = Math.max(startLo, t.lowerBound(toMs));
    if (!matcher && orderBy === "start") {
      // Overlap without a filter: the few conversations that started before the interval and are
      // still running, then the plain index range.
      const prefix: number[] = [];
      for (let i = lo; i < startLo; i++) if (this.traits(i).endMs > fromMs) prefix.push(i);
      const n = prefix.length;
      return { total: n + hi - startLo, at: (k) => (k < n ? prefix[k] : startLo + k - n) };
    }
    const picked: number[] = [];
    for (let i = lo; i < hi; i++) {
      if (i < startLo || matcher) {
        const tr = this.traits(i);
        if (i < startLo && tr.endMs <= fromMs) continue;
        if (matcher && !matcher(tr)) continue;
      }
      picked.push(i);
    }
    if (orderBy === "end") {
      const keyed = picked.map((i) => this.traits(i));
      keyed.sort((a, b) => a.endMs - b.endMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const sorted = Int32Array.from(keyed, (x) => x.index);
      return { total: sorted.length, at: (k) => sorted[k] };
    }
    const list = Int32Array.from(picked);
    return { total: list.length, at: (k) => list[k] };
  }
}
