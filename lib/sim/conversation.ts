/**
 * Full conversation detail records, shaped like the analytics API's, built on demand from
 * (seed, index) and consistent with their {@link Traits}: customer, IVR, ACD and agent
 * participants, a blind transfer on some calls, abandoned calls, wrap-up codes, disconnect types
 * and metrics whose values add up (see `docs/simulator.md`). Built as they stood at an instant
 * `asOf`: a conversation still live then has no `conversationEnd`, its open segments no
 * `segmentEnd`, and nothing that happens later (segments, participants, metrics).
 *
 * @module
 */
import type { Directory } from "./directory.ts";
import { Rng, Stream, uuidOf } from "./rng.ts";
import type { Traits } from "./traits.ts";

const CUSTOMERS = [
  "Alex Carter",
  "Bea Lindqvist",
  "Chen Wei",
  "Dana Okoro",
  "Elif Demir",
  "Femi Adeyemi",
  "Greta Holm",
  "Hiro Sato",
  "Ivan Petrov",
  "Julia Santos",
  "Kofi Mensah",
  "Lara Weiss",
];
const ORG_NUMBERS = ["tel:+18005550100", "tel:+18005550111", "tel:+442035550123"];
const PROVIDERS: Record<string, string> = {
  voice: "Edge",
  callback: "Edge",
  chat: "PureCloud Webchat",
  email: "PureCloud Email",
  message: "PureCloud Messaging",
};
const ORG_ADDRESS = "support@example-sim.com";

/** A JSON object as generated. */
export type Json = Record<string, unknown>;

const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
let isoDay = NaN;
let isoDayPrefix = "";

/**
 * `new Date(ms).toISOString()`, about five times faster: a record holds dozens of timestamps, most
 * on the same day, so the date part is formatted once per day and the time of day by arithmetic.
 */
function iso(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== isoDay) {
    const text = new Date(day * DAY_MS).toISOString();
    isoDay = day;
    isoDayPrefix = text.slice(0, text.indexOf("T") + 1);
  }
  let t = ms - day * DAY_MS;
  const milli = t % 1000;
  t = (t - milli) / 1000;
  const sec = t % 60;
  t = (t - sec) / 60;
  const min = t % 60;
  return `${isoDayPrefix}${PAD2[(t - min) / 60]}:${PAD2[min]}:${PAD2[sec]}.${PAD3[milli]}Z`;
}

/** One agent's part of an answered call: queue entry, alert, answer, talk, wrap-up. */
interface Leg {
  queue: number;
  user: number;
  queuedAt: number;
  alertAt: number;
  answerAt: number;
  holdFrom: number;
  holdTo: number;
  talkEnd: number;
  wrapEnd: number;
  transferred: boolean;
}

/** What a segment carries once it has ended: a disconnect type or a wrap-up code. */
type Ending = ["disconnectType" | "wrapUpCode", string] | undefined;

/**
 * Builds the records of one conversation as of an instant: segments that had not started before
 * it are left out, a segment still open has no `segmentEnd` (nor what it carries once ended), and
 * metrics are emitted when their segment ends.
 */
class Recorder {
  readonly participants: Json[] = [];
  constructor(
    readonly asOf: number,
    readonly rng: Rng,
    readonly session: (sessionId: string, agent: boolean) => Json,
  ) {}

  segment(
    type: string,
    start: number,
    end: number,
    queueId?: string,
    ending?: Ending,
  ): Json | null {
    if (start >= this.asOf) return null;
    const out: Json = { segmentStart: iso(start) };
    const ended = end <= this.asOf;
    if (ended) out.segmentEnd = iso(end);
    if (queueId) out.queueId = queueId;
    if (ended && ending) out[ending[0]] = ending[1];
    out.segmentType = type;
    out.conference = false;
    return out;
  }

  metric(name: string, value: number, at: number): Json | null {
    return at > this.asOf ? null : { name, value, emitDate: iso(at) };
  }

  /** Adds a participant with one session, unless none of its segments has started. */
  add(
    name: string,
    purpose: string,
    userId: string | undefined,
    segments: (Json | null)[],
    metrics: (Json | null)[],
  ): void {
    const participantId = this.rng.uuid();
    const sessionId = this.rng.uuid();
    if (segments[0] === null) return; // nothing has started yet (segments are in time order)
    const session = this.session(sessionId, purpose === "agent");
    session.segments = segments.filter((x) => x !== null);
    const emitted = metrics.filter((x) => x !== null);
    if (emitted.length > 0) session.metrics = emitted;
    const out: Json = { participantId, participantName: name, purpose };
    if (userId) out.userId = userId;
    out.sessions = [session];
    this.participants.push(out);
  }
}

/**
 * Builds the record of a conversation as it stood at `asOf`.
 *
 * @param seed The seed.
 * @param directory Users, queues and wrap-up codes (for ids and names).
 * @param t The conversation's traits.
 * @param asOf The instant, epoch ms (default: after the end, so the record is complete).
 * @returns The conversation as the details query returns it.
 *
 * @example
 * ```ts
 * import { buildConversation } from "./conversation.ts";
 * import { traitsOf } from "./traits.ts";
 * import { Timeline } from "./timeline.ts";
 * import { Directory } from "./directory.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const dir = new Directory({ seed: 1, users: 5, queues: 2 });
 * const t = traitsOf(new Timeline(1, 10, 0, 1e9), dir, 0);
 * strictEqual(buildConversation(1, dir, t).conversationId, t.id);
 * strictEqual(buildConversation(1, dir, t, t.startMs + 1).conversationEnd, undefined);
 * ```
 */
export function buildConversation(
  seed: number,
  directory: Directory,
  t: Traits,
  asOf: number = Infinity,
): Json {
  const rng = Rng.of(seed, Stream.conversationDetail, t.index);
  const d = t.durationMs;
  const frac = (lo: number, hi: number) => Math.floor(d * (lo + rng.next() * (hi - lo)));
  const s = t.startMs;
  const e = t.endMs;
  const inbound = t.direction === "inbound";
  const voiceLike = t.mediaType === "voice" || t.mediaType === "callback";
  const customerName = rng.pick(CUSTOMERS);
  const customerPhone = `tel:+1${rng.between(200, 989)}555${
    String(rng.int(10000)).padStart(4, "0")
  }`;
  const orgNumber = rng.pick(ORG_NUMBERS);
  const edgeId = uuidOf(seed, Stream.division, 200 + rng.int(3));
  const customerHangsUp = rng.chance(0.6);
  const customerEmail = `${customerName.toLowerCase().replace(" ", ".")}@mail.test`;

  // Times first (every draw in a fixed order), then the records.
  const ivrEnd = t.ivr ? s + frac(0.05, 0.12) : s;
  const acw = frac(0.04, 0.1);
  const legs: Leg[] = [];
  const plans = t.user < 0 ? [] : [{ queue: t.queue, user: t.user }];
  if (t.transfer) plans.push(t.transfer);
  let queuedAt = inbound ? ivrEnd : s;
  plans.forEach((plan, k) => {
    const last = k === plans.length - 1;
    const alertAt = queuedAt + (inbound ? frac(0.02, 0.1) : 0);
    const answerAt = alertAt + frac(inbound ? 0.005 : 0.03, inbound ? 0.02 : 0.1);
    const talkEnd = last ? e - acw : answerAt + frac(0.1, 0.25);
    const wrapEnd = last ? e : talkEnd + frac(0.02, 0.05);
    const talk = talkEnd - answerAt;
    const holds = rng.chance(0.3);
    const holdFrom = answerAt + Math.floor(talk * 0.4);
    const holdTo = holds ? holdFrom + Math.floor(talk * 0.15) : holdFrom;
    legs.push({
      ...plan,
      queuedAt,
      alertAt,
      answerAt,
      holdFrom,
      holdTo,
      talkEnd,
      wrapEnd,
      transferred: !last,
    });
    queuedAt = talkEnd;
  });
  const customerEnd = legs.length > 0 ? legs[legs.length - 1].talkEnd : e;

  const session = (sessionId: string, agent: boolean): Json => {
    const out: Json = { sessionId, mediaType: t.mediaType, direction: t.direction };
    if (voiceLike) {
      out.ani = inbound ? customerPhone : orgNumber;
      out.dnis = inbound ? orgNumber : customerPhone;
      out.edgeId = edgeId;
    } else if (t.mediaType === "email") {
      out.addressFrom = inbound ? customerEmail : ORG_ADDRESS;
      out.addressTo = inbound ? ORG_ADDRESS : customerEmail;
    } else {
      out.remoteNameDisplayable = customerName;
    }
    out.provider = PROVIDERS[t.mediaType];
    if (agent) {
      out.requestedRoutings = ["Standard"];
      out.usedRouting = "Standard";
    }
    return out;
  };

  const r = new Recorder(asOf, rng, session);
  const remoteStart = inbound ? s : legs[0]?.answerAt ?? s;
  const remoteEnd = inbound ? customerEnd : legs[0]?.talkEnd ?? e;
  r.add(
    customerName,
    inbound ? "customer" : "external",
    undefined,
    [
      r.segment("interact", remoteStart, remoteEnd, undefined, [
        "disconnectType",
        customerHangsUp || legs.length === 0 ? "endpoint" : "peer",
      ]),
    ],
    [r.metric("nConnected", 1, remoteStart)],
  );
  if (t.ivr) {
    const end = t.queue >= 0 || legs.length > 0 ? ivrEnd : customerEnd;
    r.add(
      "Main IVR",
      "ivr",
      undefined,
      [r.segment("ivr", s, end, undefined, ["disconnectType", "transfer"])],
      [r.metric("tIvr", end - s, end)],
    );
  }
  if (inbound && legs.length === 0 && t.queue >= 0) {
    // Abandoned in queue: the customer hung up before an agent answered.
    const queueId = directory.queueIds[t.queue];
    r.add(
      directory.queueName(t.queue),
      "acd",
      undefined,
      [r.segment("interact", ivrEnd, e, queueId, ["disconnectType", "peer"])],
      [
        r.metric("nOffered", 1, ivrEnd),
        r.metric("tAcd", e - ivrEnd, e),
        r.metric("tWait", e - ivrEnd, e),
        r.metric("tAbandon", e - ivrEnd, e),
      ],
    );
  }
  for (const leg of legs) {
    const queueId = leg.queue >= 0 ? directory.queueIds[leg.queue] : undefined;
    const q = queueId;
    if (inbound && queueId) {
      const waited = leg.answerAt - leg.queuedAt;
      r.add(
        directory.queueName(leg.queue),
        "acd",
        undefined,
        [r.segment("interact", leg.queuedAt, leg.answerAt, q, ["disconnectType", "transfer"])],
        [
          r.metric("nOffered", 1, leg.queuedAt),
          r.metric("tAcd", waited, leg.answerAt),
          r.metric("tWait", waited, leg.answerAt),
        ],
      );
    }
    const hangUp: Ending = [
      "disconnectType",
      leg.transferred ? "transfer" : customerHangsUp ? "peer" : "client",
    ];
    const held = leg.holdTo - leg.holdFrom;
    const talked = leg.talkEnd - leg.answerAt - held;
    const segments = [
      inbound
        ? r.segment("alert", leg.alertAt, leg.answerAt, q)
        : r.segment(t.mediaType === "voice" ? "dialing" : "contacting", s, leg.answerAt, q),
    ];
    if (held > 0) {
      segments.push(
        r.segment("interact", leg.answerAt, leg.holdFrom, q),
        r.segment("hold", leg.holdFrom, leg.holdTo, q),
        r.segment("interact", leg.holdTo, leg.talkEnd, q, hangUp),
      );
    } else {
      segments.push(r.segment("interact", leg.answerAt, leg.talkEnd, q, hangUp));
    }
    const code = directory.wrapUpCodeIds[rng.int(directory.wrapUpCodeIds.length)];
    segments.push(r.segment("wrapup", leg.talkEnd, leg.wrapEnd, q, ["wrapUpCode", code]));
    const metrics = inbound
      ? [
        r.metric("tAlert", leg.answerAt - leg.alertAt, leg.answerAt),
        r.metric("tAnswered", leg.answerAt - leg.queuedAt, leg.answerAt),
      ]
      : [r.metric("nOutbound", 1, s)];
    metrics.push(
      r.metric("nConnected", 1, leg.answerAt),
      r.metric("tTalk", talked, leg.talkEnd),
      r.metric("tTalkComplete", talked, leg.talkEnd),
    );
    if (held > 0) {
      metrics.push(
        r.metric("tHeld", held, leg.holdTo),
        r.metric("tHeldComplete", held, leg.holdTo),
      );
    }
    if (leg.transferred) metrics.push(r.metric("nTransferred", 1, leg.talkEnd));
    const acwMs = leg.wrapEnd - leg.talkEnd;
    metrics.push(
      r.metric("tAcw", acwMs, leg.wrapEnd),
      r.metric("tHandle", talked + held + acwMs, leg.wrapEnd),
    );
    r.add(directory.userName(leg.user), "agent", directory.userIds[leg.user], segments, metrics);
  }

  const out: Json = {
    conversationId: t.id,
    conversationStart: iso(s),
  };
  if (e <= asOf) out.conversationEnd = iso(e);
  out.originatingDirection = t.direction;
  out.divisionIds = [directory.divisions[t.division].id];
  const mos = Math.round((3.6 + rng.next() * 0.9) * 1000) / 1000;
  const rFactor = Math.round((70 + rng.next() * 23) * 100) / 100;
  if (voiceLike && e <= asOf) {
    out.mediaStatsMinConversationMos = mos;
    out.mediaStatsMinConversationRFactor = rFactor;
  }
  out.participants = r.participants;
  return out;
}
