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
  // Every draw in a fixed order: the remote party, the times, then the records.
  const rng = Rng.of(seed, Stream.conversationDetail, t.index);
  const remote = drawRemote(seed, rng);
  const times = drawTimes(t, rng);
  const r = new Recorder(asOf, rng, sessionMaker(t, remote));
  addRemote(r, t, remote, times);
  addIvr(r, t, times);
  addAbandoned(r, t, directory, times);
  for (const leg of times.legs) addLeg(r, t, directory, leg, remote.hangsUp);
  return conversationRecord(r, t, directory);
}

/** The customer (or, outbound, the called party) and the org's side of the line. */
interface Remote {
  name: string;
  phone: string;
  email: string;
  orgNumber: string;
  edgeId: string;
  /** The remote party hangs up (otherwise the agent does). */
  hangsUp: boolean;
}

/** When the conversation's parts happen. */
interface Times {
  /** When the IVR hands over (the start when there is none). */
  ivrEnd: number;
  /** The agents' parts, in order (none for an abandoned call). */
  legs: Leg[];
  /** When the customer's part ends. */
  customerEnd: number;
}

const isVoiceLike = (t: Traits): boolean => t.mediaType === "voice" || t.mediaType === "callback";

/** Draws the remote party: name, phone number, the org's number and edge, who hangs up. */
function drawRemote(seed: number, rng: Rng): Remote {
  const name = rng.pick(CUSTOMERS);
  const phone = `tel:+1${rng.between(200, 989)}555${String(rng.int(10000)).padStart(4, "0")}`;
  const orgNumber = rng.pick(ORG_NUMBERS);
  const edgeId = uuidOf(seed, Stream.division, 200 + rng.int(3));
  const hangsUp = rng.chance(0.6);
  const email = `${name.toLowerCase().replace(" ", ".")}@mail.test`;
  return { name, phone, email, orgNumber, edgeId, hangsUp };
}

/** Draws the times: the IVR's end, then each agent's leg (the last one ends the conversation). */
function drawTimes(t: Traits, rng: Rng): Times {
  const d = t.durationMs;
  const frac = (lo: number, hi: number) => Math.floor(d * (lo + rng.next() * (hi - lo)));
  const s = t.startMs;
  const e = t.endMs;
  const inbound = t.direction === "inbound";
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
  return { ivrEnd, legs, customerEnd };
}

/** Makes each participant's session: media, direction, addresses by media type, routing. */
function sessionMaker(t: Traits, remote: Remote): (sessionId: string, agent: boolean) => Json {
  const inbound = t.direction === "inbound";
  const voiceLike = isVoiceLike(t);
  return (sessionId, agent) => {
    const out: Json = { sessionId, mediaType: t.mediaType, direction: t.direction };
    if (voiceLike) {
      out.ani = inbound ? remote.phone : remote.orgNumber;
      out.dnis = inbound ? remote.orgNumber : remote.phone;
      out.edgeId = remote.edgeId;
    } else if (t.mediaType === "email") {
      out.addressFrom = inbound ? remote.email : ORG_ADDRESS;
      out.addressTo = inbound ? ORG_ADDRESS : remote.email;
    } else {
      out.remoteNameDisplayable = remote.name;
    }
    out.provider = PROVIDERS[t.mediaType];
    if (agent) {
      out.requestedRoutings = ["Standard"];
      out.usedRouting = "Standard";
    }
    return out;
  };
}

/** The customer (inbound) or the called party (outbound), from the start or the answer. */
function addRemote(r: Recorder, t: Traits, remote: Remote, times: Times): void {
  const inbound = t.direction === "inbound";
  const { legs } = times;
  const remoteStart = inbound ? t.startMs : legs[0]?.answerAt ?? t.startMs;
  const remoteEnd = inbound ? times.customerEnd : legs[0]?.talkEnd ?? t.endMs;
  r.add(
    remote.name,
    inbound ? "customer" : "external",
    undefined,
    [
      r.segment("interact", remoteStart, remoteEnd, undefined, [
        "disconnectType",
        remote.hangsUp || legs.length === 0 ? "endpoint" : "peer",
      ]),
    ],
    [r.metric("nConnected", 1, remoteStart)],
  );
}

/** The IVR, when the call went through one: up to the queue, or to the end. */
function addIvr(r: Recorder, t: Traits, times: Times): void {
  if (!t.ivr) return;
  const s = t.startMs;
  const end = t.queue >= 0 || times.legs.length > 0 ? times.ivrEnd : times.customerEnd;
  r.add(
    "Main IVR",
    "ivr",
    undefined,
    [r.segment("ivr", s, end, undefined, ["disconnectType", "transfer"])],
    [r.metric("tIvr", end - s, end)],
  );
}

/** Abandoned in queue: the customer hung up before an agent answered. */
function addAbandoned(r: Recorder, t: Traits, directory: Directory, times: Times): void {
  if (!(t.direction === "inbound" && times.legs.length === 0 && t.queue >= 0)) return;
  const { ivrEnd } = times;
  const e = t.endMs;
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

/** One agent's leg: the queue wait (inbound), then the agent's segments and metrics. */
function addLeg(r: Recorder, t: Traits, directory: Directory, leg: Leg, hangsUp: boolean): void {
  const queueId = leg.queue >= 0 ? directory.queueIds[leg.queue] : undefined;
  if (t.direction === "inbound" && queueId) {
    const waited = leg.answerAt - leg.queuedAt;
    r.add(
      directory.queueName(leg.queue),
      "acd",
      undefined,
      [r.segment("interact", leg.queuedAt, leg.answerAt, queueId, ["disconnectType", "transfer"])],
      [
        r.metric("nOffered", 1, leg.queuedAt),
        r.metric("tAcd", waited, leg.answerAt),
        r.metric("tWait", waited, leg.answerAt),
      ],
    );
  }
  const segments = agentSegments(r, t, directory, leg, hangsUp, queueId);
  const metrics = agentMetrics(r, t, leg);
  r.add(directory.userName(leg.user), "agent", directory.userIds[leg.user], segments, metrics);
}

/** An agent's segments: alert or dialing, talk (around a hold), then wrap-up with a drawn code. */
function agentSegments(
  r: Recorder,
  t: Traits,
  directory: Directory,
  leg: Leg,
  hangsUp: boolean,
  q: string | undefined,
): (Json | null)[] {
  const hangUp: Ending = [
    "disconnectType",
    leg.transferred ? "transfer" : hangsUp ? "peer" : "client",
  ];
  const segments = [
    t.direction === "inbound"
      ? r.segment("alert", leg.alertAt, leg.answerAt, q)
      : r.segment(t.mediaType === "voice" ? "dialing" : "contacting", t.startMs, leg.answerAt, q),
  ];
  if (leg.holdTo - leg.holdFrom > 0) {
    segments.push(
      r.segment("interact", leg.answerAt, leg.holdFrom, q),
      r.segment("hold", leg.holdFrom, leg.holdTo, q),
      r.segment("interact", leg.holdTo, leg.talkEnd, q, hangUp),
    );
  } else {
    segments.push(r.segment("interact", leg.answerAt, leg.talkEnd, q, hangUp));
  }
  const code = directory.wrapUpCodeIds[r.rng.int(directory.wrapUpCodeIds.length)];
  segments.push(r.segment("wrapup", leg.talkEnd, leg.wrapEnd, q, ["wrapUpCode", code]));
  return segments;
}

/** An agent's metrics, which add up: alert, answer, talk, hold, transfer, after-call work. */
function agentMetrics(r: Recorder, t: Traits, leg: Leg): (Json | null)[] {
  const held = leg.holdTo - leg.holdFrom;
  const talked = leg.talkEnd - leg.answerAt - held;
  const metrics = t.direction === "inbound"
    ? [
      r.metric("tAlert", leg.answerAt - leg.alertAt, leg.answerAt),
      r.metric("tAnswered", leg.answerAt - leg.queuedAt, leg.answerAt),
    ]
    : [r.metric("nOutbound", 1, t.startMs)];
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
  return metrics;
}

/** The conversation record around its participants, with media stats (drawn last) once ended. */
function conversationRecord(r: Recorder, t: Traits, directory: Directory): Json {
  const e = t.endMs;
  const out: Json = {
    conversationId: t.id,
    conversationStart: iso(t.startMs),
  };
  if (e <= r.asOf) out.conversationEnd = iso(e);
  out.originatingDirection = t.direction;
  out.divisionIds = [directory.divisions[t.division].id];
  const mos = Math.round((3.6 + r.rng.next() * 0.9) * 1000) / 1000;
  const rFactor = Math.round((70 + r.rng.next() * 23) * 100) / 100;
  if (isVoiceLike(t) && e <= r.asOf) {
    out.mediaStatsMinConversationMos = mos;
    out.mediaStatsMinConversationRFactor = rFactor;
  }
  out.participants = r.participants;
  return out;
}
