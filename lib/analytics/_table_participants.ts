/**
 * The `participants` table: one row per participant of a conversation (customer, IVR, queue,
 * agent, ...), with who or what it is, its media, its span and its metrics summed over its
 * sessions.
 *
 * @module
 */
import {
  addressColumns,
  type Cell,
  DistinctTexts,
  type JsonObject,
  metricColumns,
  MetricSums,
  nameColumn,
  nameListColumn,
  objectsOf,
  secondsBetween,
  type TableColumn,
  type TableDefinition,
  textOf,
} from "./_table_flatten.ts";

/** What one pass over a participant collects for its row. */
export interface ParticipantSummary {
  /** The conversation id. */
  conversationId: string | null;
  /** The participant. */
  participant: JsonObject;
  /** Session media types, distinct, in record order. */
  mediaTypes: DistinctTexts;
  /** Segment queue ids, distinct, in record order. */
  queueIds: DistinctTexts;
  /** Segment wrap-up codes, distinct, in record order. */
  wrapUpCodes: DistinctTexts;
  /** The first session's ANI that has one. */
  ani: string | null;
  /** The first session's DNIS that has one. */
  dnis: string | null;
  /** The first segment's start. */
  start: string | null;
  /** The last segment's end (`null` when it is still open). */
  end: string | null;
  /** The last disconnect type. */
  disconnectType: string | null;
  /** Metric sums over the participant's sessions. */
  metrics: MetricSums;
}

/**
 * Collects one participant's row.
 *
 * @param conversationId The conversation id.
 * @param participant The participant object.
 * @returns The summary.
 *
 * @example
 * ```ts
 * import { summarizeParticipant } from "./_table_participants.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const summary = summarizeParticipant("c1", {
 *   purpose: "agent",
 *   sessions: [{ segments: [
 *     { segmentStart: "2026-01-01T10:00:00.000Z", segmentEnd: "2026-01-01T10:00:05.000Z" },
 *     { segmentStart: "2026-01-01T10:00:05.000Z" },
 *   ] }],
 * });
 * strictEqual(summary.start, "2026-01-01T10:00:00.000Z");
 * strictEqual(summary.end, null);
 * ```
 */
export function summarizeParticipant(
  conversationId: string | null,
  participant: JsonObject,
): ParticipantSummary {
  const summary: ParticipantSummary = {
    conversationId,
    participant,
    mediaTypes: new DistinctTexts(),
    queueIds: new DistinctTexts(),
    wrapUpCodes: new DistinctTexts(),
    ani: null,
    dnis: null,
    start: null,
    end: null,
    disconnectType: null,
    metrics: new MetricSums(),
  };
  for (const session of objectsOf(participant.sessions)) {
    summary.mediaTypes.add(session.mediaType);
    summary.metrics.addSession(session);
    summary.ani ??= textOf(session.ani);
    summary.dnis ??= textOf(session.dnis);
    for (const segment of objectsOf(session.segments)) {
      summary.queueIds.add(segment.queueId);
      summary.wrapUpCodes.add(segment.wrapUpCode);
      summary.start ??= textOf(segment.segmentStart);
      summary.end = textOf(segment.segmentEnd);
      summary.disconnectType = textOf(segment.disconnectType) ?? summary.disconnectType;
    }
  }
  return summary;
}

type Row = ParticipantSummary;
const field = (name: string) => (row: Row): Cell => textOf(row.participant[name]);
const SESSIONS = "participants[].sessions[]";
const SEGMENTS = `${SESSIONS}.segments[]`;

const COLUMNS: readonly TableColumn<Row>[] = Object.freeze([
  {
    name: "conversationId",
    source: "conversationId",
    unit: "text",
    combine: "the participant's conversation",
    value: (row) => row.conversationId,
  },
  {
    name: "participantId",
    source: "participants[].participantId",
    unit: "text",
    combine: "one per participant",
    value: field("participantId"),
  },
  {
    name: "purpose",
    source: "participants[].purpose",
    unit: "text",
    combine: "as in the record (`customer`, `ivr`, `acd`, `agent`, ...)",
    value: field("purpose"),
  },
  {
    name: "participantName",
    source: "participants[].participantName",
    unit: "text",
    combine: "as in the record",
    value: field("participantName"),
  },
  {
    name: "userId",
    source: "participants[].userId",
    unit: "text",
    combine: "as in the record (agents and users)",
    value: field("userId"),
  },
  nameColumn("userName", "users", (row: Row) => row.participant.userId, "userId"),
  {
    name: "queueId",
    source: `${SEGMENTS}.queueId`,
    unit: "text",
    combine: "first of the participant's segments, in record order",
    value: (row) => row.queueIds.list[0] ?? null,
  },
  nameColumn("queueName", "queues", (row: Row) => row.queueIds.list[0], "queueId"),
  {
    name: "mediaTypes",
    source: `${SESSIONS}.mediaType`,
    unit: "list",
    combine: "distinct over the participant's sessions, in record order",
    value: (row) => row.mediaTypes.list,
  },
  ...addressColumns<Row>(
    SESSIONS,
    "first of the participant's sessions that has one",
  ),
  {
    name: "participantStart",
    source: `${SEGMENTS}.segmentStart`,
    unit: "ISO 8601 UTC",
    combine: "the participant's first segment, in record order",
    value: (row) => row.start,
  },
  {
    name: "participantEnd",
    source: `${SEGMENTS}.segmentEnd`,
    unit: "ISO 8601 UTC",
    combine: "the participant's last segment, in record order; empty while it is open",
    value: (row) => row.end,
  },
  {
    name: "durationSeconds",
    source: "participantEnd − participantStart",
    unit: "seconds",
    combine: "empty while the last segment is open",
    value: (row) => secondsBetween(row.start, row.end),
  },
  {
    name: "wrapUpCodes",
    source: `${SEGMENTS}.wrapUpCode`,
    unit: "list",
    combine: "distinct over the participant's segments, in record order",
    value: (row) => row.wrapUpCodes.list,
  },
  nameListColumn(
    "wrapUpCodeNames",
    "wrapUpCodes",
    (row: Row) => row.wrapUpCodes.list,
    "wrapUpCodes",
  ),
  {
    name: "disconnectType",
    source: `${SEGMENTS}.disconnectType`,
    unit: "text",
    combine: "the participant's last, in record order",
    value: (row) => row.disconnectType,
  },
  ...metricColumns<Row>("the participant's sessions", (row) => row.metrics, SESSIONS),
]);

/**
 * The `participants` table: one row per participant.
 *
 * @example
 * ```ts
 * import { PARTICIPANTS_TABLE } from "./_table_participants.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const rows = PARTICIPANTS_TABLE.rows({ conversationId: "c1", participants: [{ purpose: "customer" }, { purpose: "agent" }] });
 * strictEqual(rows.length, 2);
 * ```
 */
export const PARTICIPANTS_TABLE: TableDefinition<ParticipantSummary> = Object.freeze({
  rowsAre: "one row per participant",
  columns: COLUMNS,
  rows: (record: JsonObject): ParticipantSummary[] => {
    const id = textOf(record.conversationId);
    return objectsOf(record.participants).map((p) => summarizeParticipant(id, p));
  },
});
