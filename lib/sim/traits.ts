/**
 * The cheap, filterable facts of a conversation (start, duration, media type, direction, queue,
 * agent, transfer, division), computed from (seed, index) without building the record.
 *
 * @module
 */
import type { Directory } from "./directory.ts";
import { hashFloat, Rng, Stream, uuidOf } from "./rng.ts";
import type { Timeline } from "./timeline.ts";

/** How long conversations last. */
export interface DurationModel {
  /** Share of conversations lasting hours. */
  longShare: number;
  /** The longest conversation, ms. */
  maxDurationMs: number;
}

/**
 * The default {@link DurationModel}: 2 % of conversations last 1 to 4 hours.
 *
 * @example
 * ```ts
 * import { DEFAULT_DURATIONS } from "./traits.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(DEFAULT_DURATIONS.maxDurationMs, 4 * 3_600_000);
 * ```
 */
export const DEFAULT_DURATIONS: DurationModel = { longShare: 0.02, maxDurationMs: 4 * 3_600_000 };

const NORMAL_MAX_MS = 40 * 60_000;
const NORMAL_MIN_MS = 30_000;

/**
 * Whether conversation `i` is one of the long ones (cheap: one hash).
 *
 * @param seed The seed.
 * @param i The conversation index.
 * @param model The duration model.
 * @returns True for a conversation lasting hours.
 *
 * @example
 * ```ts
 * import { isLong } from "./traits.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(isLong(1, 5, { longShare: 0, maxDurationMs: 1e7 }), false);
 * ```
 */
export function isLong(seed: number, i: number, model: DurationModel): boolean {
  return model.longShare > 0 &&
    hashFloat(seed, Stream.conversationDuration, 2 * i) < model.longShare;
}

/**
 * How long conversation `i` lasts, in ms, from two hashes (no record is built), so overlap
 * searches can test thousands of conversations cheaply. Long ones last from a quarter of the
 * maximum to the maximum; the others 30 s to 40 min, most of them a few minutes.
 *
 * @param seed The seed.
 * @param i The conversation index.
 * @param model The duration model.
 * @returns Milliseconds, at most `model.maxDurationMs`.
 *
 * @example
 * ```ts
 * import { DEFAULT_DURATIONS, durationOf } from "./traits.ts";
 * import { ok } from "node:assert/strict";
 *
 * const d = durationOf(1, 7, DEFAULT_DURATIONS);
 * ok(d >= 30_000 && d <= DEFAULT_DURATIONS.maxDurationMs);
 * ```
 */
export function durationOf(seed: number, i: number, model: DurationModel): number {
  const r = hashFloat(seed, Stream.conversationDuration, 2 * i + 1);
  const max = model.maxDurationMs;
  if (isLong(seed, i, model)) return Math.floor(max / 4 + r * (max - max / 4));
  const hi = Math.min(NORMAL_MAX_MS, max);
  const lo = Math.min(NORMAL_MIN_MS, hi / 2);
  return Math.floor(lo + r * r * r * (hi - lo));
}

/** Media types of generated conversations. */
export type MediaType = "voice" | "chat" | "email" | "message" | "callback";

/** The facts of one conversation that filters and ordering need. */
export interface Traits {
  /** Index in start order. */
  index: number;
  /** `conversationId`. */
  id: string;
  /** `conversationStart`, epoch ms. */
  startMs: number;
  /** Duration in ms ({@link durationOf}). */
  durationMs: number;
  /** `conversationEnd`, epoch ms. */
  endMs: number;
  /** The media type of every session. */
  mediaType: MediaType;
  /** `originatingDirection` (and every session's `direction`). */
  direction: "inbound" | "outbound";
  /** Queue index, or -1 for none. */
  queue: number;
  /** Agent user index, or -1 when no agent answered. */
  user: number;
  /** A blind transfer: the second queue and agent, or `undefined` for none. */
  transfer?: { queue: number; user: number };
  /** Division index (`divisionIds[0]`). */
  division: number;
  /** An inbound conversation nobody answered. */
  abandoned: boolean;
  /** Has an IVR participant (inbound voice). */
  ivr: boolean;
}

/** One participant of a conversation, as filters see it. */
export interface ParticipantPlan {
  /** `purpose`: customer, external, ivr, acd or agent. */
  purpose: "customer" | "external" | "ivr" | "acd" | "agent";
  /** Queue index or -1. */
  queue: number;
  /** User index or -1. */
  user: number;
}

const MEDIA: readonly (readonly [MediaType, number])[] = [
  ["voice", 60],
  ["chat", 14],
  ["email", 10],
  ["message", 11],
  ["callback", 5],
];

/**
 * Computes the traits of conversation `i`.
 *
 * @param timeline Start times.
 * @param directory Users and queues.
 * @param i The conversation index.
 * @param model How long conversations last (default {@link DEFAULT_DURATIONS}).
 * @returns Its traits.
 *
 * @example
 * ```ts
 * import { traitsOf } from "./traits.ts";
 * import { Timeline } from "./timeline.ts";
 * import { Directory } from "./directory.ts";
 * import { ok } from "node:assert/strict";
 *
 * const t = traitsOf(new Timeline(1, 10, 0, 1e9), new Directory({ seed: 1, users: 5, queues: 2 }), 3);
 * ok(t.endMs > t.startMs);
 * ```
 */
export function traitsOf(
  timeline: Timeline,
  directory: Directory,
  i: number,
  model: DurationModel = DEFAULT_DURATIONS,
): Traits {
  const seed = timeline.seed;
  const rng = Rng.of(seed, Stream.conversationTraits, i);
  const mediaType = rng.weighted(MEDIA);
  const direction = mediaType !== "callback" && rng.chance(0.2) ? "outbound" : "inbound";
  const queues = directory.queueIds.length;
  const users = directory.activeUsers;
  const queue = queues > 0 ? rng.int(queues) : -1;
  const long = isLong(seed, i, model);
  const abandoned = direction === "inbound" && (users === 0 || (!long && rng.chance(0.1)));
  const user = abandoned || users === 0 ? -1 : rng.int(users);
  const transfer = direction === "inbound" && user >= 0 && users > 1 && queue >= 0 &&
      rng.chance(0.12)
    ? { queue: rng.int(queues), user: (user + 1 + rng.int(users - 1)) % users }
    : undefined;
  const durationMs = durationOf(seed, i, model);
  const startMs = timeline.startOf(i);
  return {
    index: i,
    id: uuidOf(seed, Stream.conversationId, i),
    startMs,
    durationMs,
    endMs: startMs + durationMs,
    mediaType,
    direction,
    queue,
    user,
    transfer,
    division: queue >= 0 ? directory.queueDivision(queue) : 0,
    abandoned,
    ivr: mediaType === "voice" && direction === "inbound",
  };
}

/**
 * The participants of a conversation, in record order.
 *
 * @param t The conversation's traits.
 * @returns One entry per participant.
 *
 * @example
 * ```ts
 * import { participantsOf, type Traits } from "./traits.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const t = { direction: "outbound", ivr: false, queue: 0, user: 2, abandoned: false } as Traits;
 * deepStrictEqual(participantsOf(t).map((p) => p.purpose), ["agent", "external"]);
 * ```
 */
export function participantsOf(t: Traits): ParticipantPlan[] {
  if (t.direction === "outbound") {
    const out: ParticipantPlan[] = [];
    if (t.user >= 0) out.push({ purpose: "agent", queue: t.queue, user: t.user });
    out.push({ purpose: "external", queue: -1, user: -1 });
    return out;
  }
  const out: ParticipantPlan[] = [{ purpose: "customer", queue: -1, user: -1 }];
  if (t.ivr) out.push({ purpose: "ivr", queue: -1, user: -1 });
  if (t.queue >= 0) out.push({ purpose: "acd", queue: t.queue, user: -1 });
  if (t.user >= 0) out.push({ purpose: "agent", queue: t.queue, user: t.user });
  if (t.transfer) {
    out.push({ purpose: "acd", queue: t.transfer.queue, user: -1 });
    out.push({ purpose: "agent", queue: t.transfer.queue, user: t.transfer.user });
  }
  return out;
}
