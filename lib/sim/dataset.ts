/**
 * The generated data set: directory, conversation timeline, records on demand, and selections
 * (which conversations an interval, a filter and an order give at an instant, without building
 * records).
 *
 * @module
 */
import { buildConversation } from "./conversation.ts";
import { Directory } from "./directory.ts";
import type { Matcher } from "./filters.ts";
import type { ResolvedOptions } from "./options.ts";
import { hash32, Stream } from "./rng.ts";
import { Timeline } from "./timeline.ts";
import {
  DEFAULT_DURATIONS,
  type DurationModel,
  durationOf,
  type Traits,
  traitsOf,
} from "./traits.ts";

const DAY_MS = 86_400_000;

/**
 * Which conversations an interval selects:
 * - `start`: `conversationStart` in `[from, to)`;
 * - `day`: the details query's rule: `conversationStart` on a UTC day the interval touches
 *   (from 00:00 UTC of the day of `from`, before `to`) and a lifetime that overlaps the interval;
 * - `overlap`: the jobs' rule: a lifetime that overlaps the interval, whatever the start day.
 *
 * A lifetime `[start, end)` overlaps `[from, to)` when `start < to` and `end > from`; a
 * conversation still live at the instant of the selection overlaps every interval it started
 * before the end of.
 */
export type SelectMode = "start" | "day" | "overlap";

/** What to select. */
export interface SelectSpec {
  /** Interval start, epoch ms (inclusive). */
  fromMs: number;
  /** Interval end, epoch ms (exclusive). */
  toMs: number;
  /** The matching rule. */
  mode: SelectMode;
  /**
   * The instant the data is seen at, epoch ms (default: after everything ended): only
   * conversations that started before it exist, and those ending after it are live.
   */
  asOfMs?: number;
  /** A compiled filter. */
  matcher?: Matcher;
  /** A stable key of the filter, for caching (required with `matcher`). */
  matcherKey?: string;
  /** Order by conversation start (default) or end (live ones last); ties by conversation id. */
  orderBy?: "start" | "end";
  /** `asc` (default), `desc`, or `unordered` (a seeded permutation). */
  order?: "asc" | "desc" | "unordered";
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
  /** A key that is the same exactly for the same selection (caches hang on it). */
  readonly key: string;
}

const CACHE_SIZE = 16;

/** Sizes, span and duration model of a data set. */
export type DatasetOptions =
  & Pick<ResolvedOptions, "seed" | "users" | "queues" | "conversations" | "startMs" | "endMs">
  & Partial<
    Pick<
      ResolvedOptions,
      | "inactiveUsers"
      | "deletedUsers"
      | "groups"
      | "skills"
      | "wrapUpCodes"
      | "longShare"
      | "maxDurationMs"
    >
  >;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

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
  /** Users, queues, divisions, groups, skills, wrap-up codes. */
  readonly directory: Directory;
  /** Conversation start times. */
  readonly timeline: Timeline;
  /** How long conversations last. */
  readonly durations: DurationModel;
  readonly #cache = new Map<string, Selection>();

  /**
   * Creates the data set (only directory ids are generated up front).
   *
   * @param o Seed, sizes, span and duration model.
   * @throws {RangeError} When the span is too short for the conversations.
   */
  constructor(o: DatasetOptions) {
    this.seed = o.seed;
    this.directory = new Directory(o);
    this.timeline = new Timeline(o.seed, o.conversations, o.startMs, o.endMs);
    this.durations = {
      longShare: o.longShare ?? DEFAULT_DURATIONS.longShare,
      maxDurationMs: o.maxDurationMs ?? DEFAULT_DURATIONS.maxDurationMs,
    };
  }

  /**
   * The traits of conversation `i`.
   *
   * @param i The index.
   * @returns Its traits.
   */
  traits(i: number): Traits {
    return traitsOf(this.timeline, this.directory, i, this.durations);
  }

  /**
   * When conversation `i` ends, epoch ms (two hashes; no record or traits built).
   *
   * @param i The index.
   * @returns `conversationEnd` in epoch ms.
   */
  endOf(i: number): number {
    return this.timeline.startOf(i) + durationOf(this.seed, i, this.durations);
  }

  /**
   * The record of conversation `i` as it stood at `asOf`.
   *
   * @param i The index.
   * @param asOf The instant, epoch ms (default: complete).
   * @returns The record.
   */
  conversation(i: number, asOf?: number): Record<string, unknown> {
    return buildConversation(this.seed, this.directory, this.traits(i), asOf);
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
    const asOf = spec.asOfMs ?? Infinity;
    // Only conversations that started before asOf exist; one ending after it is live.
    const toMs = Math.min(spec.toMs, asOf);
    let base: Selection;
    if (spec.mode === "start" && !spec.matcher && orderBy === "start") {
      const [lo, hi] = t.range(spec.fromMs, Math.max(spec.fromMs, toMs));
      base = { total: hi - lo, at: (k) => lo + k, key: `range:${lo}:${hi}` };
    } else {
      // Past this instant nothing in the selection can still be live, so later instants give
      // the same selection: clamp the cache key to it.
      const max = this.durations.maxDurationMs;
      const settled = orderBy === "end" ? spec.toMs + max : Math.max(spec.toMs, spec.fromMs + max);
      const key = JSON.stringify([
        spec.fromMs,
        spec.toMs,
        Math.min(asOf, settled),
        spec.mode,
        spec.matcherKey ?? "",
        orderBy,
      ]);
      const cached = this.#cache.get(key);
      if (cached) {
        this.#cache.delete(key);
        base = cached;
      } else {
        base = this.#build(spec, toMs, asOf, orderBy, key);
      }
      this.#cache.set(key, base);
      if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    }
    const total = Math.min(base.total, spec.limit ?? Infinity);
    const key = `${base.key}:${order}:${total}`;
    if (order === "asc") return { total, at: base.at, key };
    if (order === "desc") return { total, at: (k) => base.at(base.total - 1 - k), key };
    return this.#shuffled(base, total, key);
  }

  /** `unordered`: a seeded permutation k → (a·k + b) mod n of the matched set, then `limit`. */
  #shuffled(base: Selection, total: number, key: string): Selection {
    const n = base.total;
    if (n < 2) return { total, at: base.at, key };
    let a = 1 + (hash32(this.seed, Stream.order, n) % (n - 1));
    while (gcd(a, n) !== 1) a = (a % (n - 1)) + 1;
    const b = hash32(this.seed, Stream.order, n + 1) % n;
    return { total, at: (k) => base.at((a * k + b) % n), key };
  }

  #build(
    spec: SelectSpec,
    toMs: number,
    asOf: number,
    orderBy: "start" | "end",
    key: string,
  ): Selection {
    const { fromMs, mode, matcher } = spec;
    const t = this.timeline;
    if (toMs <= fromMs && mode === "start") return { total: 0, at: (k) => k, key };
    const startLo = t.lowerBound(fromMs);
    const hi = Math.max(startLo, t.lowerBound(toMs));
    // Conversations that started before the interval: only those within the longest duration
    // of it (or of asOf, for ones still live) can overlap it; `day` also stops at 00:00 UTC.
    let scanFrom = Math.min(fromMs, asOf) - this.durations.maxDurationMs;
    if (mode === "day") scanFrom = Math.max(scanFrom, Math.floor(fromMs / DAY_MS) * DAY_MS);
    const lo = mode === "start" ? startLo : t.lowerBound(scanFrom);
    const prefixEnd = Math.min(startLo, t.lowerBound(Math.min(fromMs, asOf)));
    const picked: number[] = [];
    for (let i = lo; i < prefixEnd; i++) {
      const end = this.endOf(i);
      if ((end > fromMs || end > asOf) && (!matcher || matcher(this.traits(i)))) picked.push(i);
    }
    const prefix = picked.length;
    if (!matcher && orderBy === "start") {
      const head = Int32Array.from(picked);
      return {
        total: prefix + Math.max(0, hi - startLo),
        at: (k) => (k < prefix ? head[k] : startLo + k - prefix),
        key,
      };
    }
    for (let i = startLo; i < hi; i++) if (!matcher || matcher(this.traits(i))) picked.push(i);
    if (orderBy === "end") {
      const keyed = picked.map((i) => {
        const end = this.endOf(i);
        return { i, end: end > asOf ? Infinity : end, id: this.traits(i).id };
      });
      keyed.sort((a, b) =>
        a.end - b.end || (a.end === Infinity && b.end === Infinity ? a.i - b.i : 0) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
      );
      const sorted = Int32Array.from(keyed, (x) => x.i);
      return { total: sorted.length, at: (k) => sorted[k], key };
    }
    const list = Int32Array.from(picked);
    return { total: list.length, at: (k) => list[k], key };
  }
}
