/**
 * The cheap, filterable facts of a conversation (start, duration, media type, direction, queue,
 * agent, division), computed from (seed, index) without building the record.
 *
 * @module
 */
import type { Directory } from "./directory.ts";
import { Rng, Stream, uuidOf } from "./rng.ts";
import type { Timeline } from "./timeline.ts";

/**
 * The longest conversation, in milliseconds (bounds overlap searches).
 *
 * @example
 * ```ts
 * import { MAX_DURATION_MS } from "./traits.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(MAX_DURATION_MS, 7_200_000);
 * ```
 */
export const MAX_DURATION_MS = 2 * 3_600_000;

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
  /** Duration in ms (at least 20 s, at most {@link MAX_DURATION_MS}). */
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
 * @returns Its traits.
 *
 * @example
 * ```ts
 * import { traitsOf } from "./traits.ts";
 * import { Timeline } from "./timeline.ts";
 * import { Directory } from "./directory.ts";
 * import { ok } from "node:assert/strict";
 *
 * const t = traitsOf(new Timeline(1, 10, 0, 1e9), new Directory(1, 5, 2), 3);
 * ok(t.endMs > t.startMs);
 * ```
 */
export function traitsOf(timeline: Timeline, directory: Directory, i: number): Traits {
  const seed = timeline.seed;
  const rng = Rng.of(seed, Stream.conversationTraits, i);
  const mediaType = rng.weighted(MEDIA);
  const direction = mediaType !== "callback" && rng.chance(0.2) ? "outbound" : "inbound";
  const queues = directory.queueIds.length;
  const users = directory.userIds.length;
  const queue = queues > 0 ? rng.int(queues) : -1;
  const abandoned = direction === "inbound" && (users === 0 || rng.chance(0.1));
  const user = abandoned || users === 0 ? -1 : rng.int(users);
  const r = rng.next();
  const durationMs = 20_000 + Math.floor(r * r * r * (MAX_DURATION_MS - 20_000));
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
  return out;
}
