/**
 * Full conversation detail records, shaped like the analytics API's, built on demand from
 * (seed, index) and consistent with their {@link Traits}.
 *
 * @module
 */
import type { Directory } from "./directory.ts";
import { Rng, Stream, uuidOf } from "./rng.ts";
import { type ParticipantPlan, participantsOf, type Traits } from "./traits.ts";

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

/** A JSON object as generated. */
export type Json = Record<string, unknown>;

interface Span {
  start: number;
  end: number;
}

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

function metric(name: string, value: number, at: number): Json {
  return { name, value, emitDate: iso(at) };
}

function segment(type: string, span: Span, extra: Json = {}): Json {
  return {
    segmentStart: iso(span.start),
    segmentEnd: iso(span.end),
    ...extra,
    segmentType: type,
    conference: false,
  };
}

/**
 * Builds the record of a conversation.
 *
 * @param seed The seed.
 * @param directory Users and queues (for ids and names).
 * @param t The conversation's traits.
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
 * const dir = new Directory(1, 5, 2);
 * const t = traitsOf(new Timeline(1, 10, 0, 1e9), dir, 0);
 * strictEqual(buildConversation(1, dir, t).conversationId, t.id);
 * ```
 */
export function buildConversation(seed: number, directory: Directory, t: Traits): Json {
  const rng = Rng.of(seed, Stream.conversationDetail, t.index);
  const d = t.durationMs;
  const frac = (lo: number, hi: number) => Math.floor(d * (lo + rng.next() * (hi - lo)));
  const s = t.startMs;
  const e = t.endMs;
  const ivrEnd = t.ivr ? s + frac(0.05, 0.15) : s;
  const inbound = t.direction === "inbound";
  const acdEnd = !inbound || t.queue < 0 ? ivrEnd : t.abandoned ? e : ivrEnd + frac(0.03, 0.2);
  const alertEnd = acdEnd + frac(0.01, 0.04);
  const acwStart = e - frac(0.05, 0.15);
  const hold = rng.chance(0.3);
  const holdStart = alertEnd + Math.floor((acwStart - alertEnd) * 0.4);
  const holdEnd = holdStart + Math.floor((acwStart - alertEnd) * 0.1);
  const voiceLike = t.mediaType === "voice" || t.mediaType === "callback";
  const customerName = rng.pick(CUSTOMERS);
  const customerPhone = `tel:+1${rng.between(200, 989)}555${
    String(rng.int(10000)).padStart(4, "0")
  }`;
  const orgNumber = rng.pick(ORG_NUMBERS);
  const edgeId = uuidOf(seed, Stream.division, 200 + rng.int(3));
  const disconnects = ["peer", "client", "endpoint", "transfer"];

  const session = (p: ParticipantPlan, segments: Json[], metrics: Json[]): Json => {
    const out: Json = {
      sessionId: rng.uuid(),
      mediaType: t.mediaType,
      direction: t.direction,
    };
    if (voiceLike) {
      out.ani = inbound ? customerPhone : orgNumber;
      out.dnis = inbound ? orgNumber : customerPhone;
      out.edgeId = edgeId;
    } else if (t.mediaType === "email") {
      out.addressFrom = inbound
        ? `${customerName.toLowerCase().replace(" ", ".")}@mail.test`
        : "support@example-sim.com";
      out.addressTo = inbound
        ? "support@example-sim.com"
        : `${customerName.toLowerCase().replace(" ", ".")}@mail.test`;
    } else {
      out.remoteNameDisplayable = customerName;
    }
    out.provider = PROVIDERS[t.mediaType];
    if (p.purpose === "agent") {
      out.requestedRoutings = ["Standard"];
      out.usedRouting = "Standard";
    }
    const last = segments[segments.length - 1];
    last.disconnectType = rng.pick(disconnects);
    out.segments = segments;
    if (metrics.length > 0) out.metrics = metrics;
    return out;
  };

  const participants: Json[] = [];
  for (const p of participantsOf(t)) {
    const participantId = rng.uuid();
    const queueId = p.queue >= 0 ? directory.queueIds[p.queue] : undefined;
    let name: string;
    let segments: Json[];
    let metrics: Json[];
    switch (p.purpose) {
      case "customer":
      case "external": {
        name = customerName;
        const span = inbound ? { start: s, end: e } : { start: alertEnd, end: acwStart };
        segments = [segment("interact", span)];
        metrics = [metric("nConnected", 1, span.start)];
        break;
      }
      case "ivr":
        name = "Main IVR";
        segments = [segment("ivr", { start: s, end: ivrEnd })];
        metrics = [metric("tIvr", ivrEnd - s, ivrEnd)];
        break;
      case "acd":
        name = directory.queueName(p.queue);
        segments = [segment("interact", { start: ivrEnd, end: acdEnd }, { queueId })];
        metrics = [
          metric("nOffered", 1, ivrEnd),
          t.abandoned
            ? metric("tAbandon", acdEnd - ivrEnd, acdEnd)
            : metric("tAcd", acdEnd - ivrEnd, acdEnd),
        ];
        break;
      case "agent": {
        name = directory.userName(p.user);
        const q = queueId ? { queueId } : {};
        segments = [segment("alert", { start: acdEnd, end: alertEnd }, q)];
        if (hold) {
          segments.push(segment("interact", { start: alertEnd, end: holdStart }, q));
          segments.push(segment("hold", { start: holdStart, end: holdEnd }, q));
          segments.push(segment("interact", { start: holdEnd, end: acwStart }, q));
        } else {
          segments.push(segment("interact", { start: alertEnd, end: acwStart }, q));
        }
        segments.push(
          segment("wrapup", { start: acwStart, end: e }, {
            ...q,
            wrapUpCode: uuidOf(seed, Stream.division, 100 + rng.int(6)),
          }),
        );
        const held = hold ? holdEnd - holdStart : 0;
        metrics = [
          metric("tAlert", alertEnd - acdEnd, alertEnd),
          metric("tAnswered", alertEnd - s, alertEnd),
          metric("nConnected", 1, alertEnd),
          metric("tTalk", acwStart - alertEnd - held, acwStart),
          metric("tTalkComplete", acwStart - alertEnd - held, acwStart),
          ...(hold ? [metric("tHeld", held, holdEnd), metric("tHeldComplete", held, holdEnd)] : []),
          metric("tAcw", e - acwStart, e),
          metric("tHandle", e - alertEnd, e),
        ];
        break;
      }
    }
    const participant: Json = { participantId, participantName: name, purpose: p.purpose };
    if (p.user >= 0) participant.userId = directory.userIds[p.user];
    participant.sessions = [session(p, segments, metrics)];
    participants.push(participant);
  }

  const out: Json = {
    conversationId: t.id,
    conversationStart: iso(s),
    conversationEnd: iso(e),
    originatingDirection: t.direction,
    divisionIds: [directory.divisions[t.division].id],
  };
  if (voiceLike) {
    out.mediaStatsMinConversationMos = Math.round((3.6 + rng.next() * 0.9) * 1000) / 1000;
    out.mediaStatsMinConversationRFactor = Math.round((70 + rng.next() * 23) * 100) / 100;
  }
  out.participants = participants;
  return out;
}
