/**
 * The `segments` table: one row per segment of every session of every participant, in record
 * order: the finest grain of a conversation (alert, interact, hold, wrap-up, IVR, ...).
 *
 * @module
 */
import {
  type Cell,
  type JsonObject,
  nameColumn,
  objectsOf,
  secondsBetween,
  type TableColumn,
  type TableDefinition,
  textOf,
} from "./_table_flatten.ts";

/** A segment with the participant and session it belongs to. */
export interface SegmentContext {
  /** The conversation id. */
  conversationId: string | null;
  /** The participant. */
  participant: JsonObject;
  /** The session. */
  session: JsonObject;
  /** The segment. */
  segment: JsonObject;
}

type Row = SegmentContext;
const PARTICIPANT = "participants[]";
const SESSION = `${PARTICIPANT}.sessions[]`;
const SEGMENT = `${SESSION}.segments[]`;
const of = (part: "participant" | "session" | "segment", name: string) => (row: Row): Cell =>
  textOf(row[part][name]);
const asIs = "as in the record";

const COLUMNS: readonly TableColumn<Row>[] = Object.freeze([
  {
    name: "conversationId",
    source: "conversationId",
    unit: "text",
    combine: "the segment's conversation",
    value: (row) => row.conversationId,
  },
  {
    name: "participantId",
    source: `${PARTICIPANT}.participantId`,
    unit: "text",
    combine: "the segment's participant",
    value: of("participant", "participantId"),
  },
  {
    name: "sessionId",
    source: `${SESSION}.sessionId`,
    unit: "text",
    combine: "the segment's session",
    value: of("session", "sessionId"),
  },
  {
    name: "purpose",
    source: `${PARTICIPANT}.purpose`,
    unit: "text",
    combine: "the participant's",
    value: of("participant", "purpose"),
  },
  {
    name: "participantName",
    source: `${PARTICIPANT}.participantName`,
    unit: "text",
    combine: "the participant's",
    value: of("participant", "participantName"),
  },
  {
    name: "userId",
    source: `${PARTICIPANT}.userId`,
    unit: "text",
    combine: "the participant's (agents and users)",
    value: of("participant", "userId"),
  },
  nameColumn("userName", "users", (row: Row) => row.participant.userId, "userId"),
  {
    name: "queueId",
    source: `${SEGMENT}.queueId`,
    unit: "text",
    combine: asIs,
    value: of("segment", "queueId"),
  },
  nameColumn("queueName", "queues", (row: Row) => row.segment.queueId, "queueId"),
  {
    name: "mediaType",
    source: `${SESSION}.mediaType`,
    unit: "text",
    combine: "the session's",
    value: of("session", "mediaType"),
  },
  {
    name: "direction",
    source: `${SESSION}.direction`,
    unit: "text",
    combine: "the session's",
    value: of("session", "direction"),
  },
  {
    name: "segmentType",
    source: `${SEGMENT}.segmentType`,
    unit: "text",
    combine: `${asIs} (\`alert\`, \`interact\`, \`hold\`, \`wrapup\`, \`ivr\`, ...)`,
    value: of("segment", "segmentType"),
  },
  {
    name: "segmentStart",
    source: `${SEGMENT}.segmentStart`,
    unit: "ISO 8601 UTC",
    combine: asIs,
    value: of("segment", "segmentStart"),
  },
  {
    name: "segmentEnd",
    source: `${SEGMENT}.segmentEnd`,
    unit: "ISO 8601 UTC",
    combine: `${asIs}; empty while the segment is open`,
    value: of("segment", "segmentEnd"),
  },
  {
    name: "durationSeconds",
    source: "segmentEnd − segmentStart",
    unit: "seconds",
    combine: "empty while the segment is open",
    value: (row) => secondsBetween(row.segment.segmentStart, row.segment.segmentEnd),
  },
  {
    name: "wrapUpCode",
    source: `${SEGMENT}.wrapUpCode`,
    unit: "text",
    combine: `${asIs} (on wrap-up segments)`,
    value: of("segment", "wrapUpCode"),
  },
  nameColumn("wrapUpCodeName", "wrapUpCodes", (row: Row) => row.segment.wrapUpCode, "wrapUpCode"),
  {
    name: "disconnectType",
    source: `${SEGMENT}.disconnectType`,
    unit: "text",
    combine: `${asIs} (on a session's last segment)`,
    value: of("segment", "disconnectType"),
  },
]);

/**
 * The `segments` table: one row per segment.
 *
 * @example
 * ```ts
 * import { SEGMENTS_TABLE } from "./_table_segments.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const rows = SEGMENTS_TABLE.rows({
 *   conversationId: "c1",
 *   participants: [{ sessions: [{ segments: [{ segmentType: "alert" }, { segmentType: "interact" }] }] }],
 * });
 * strictEqual(rows.length, 2);
 * ```
 */
export const SEGMENTS_TABLE: TableDefinition<SegmentContext> = Object.freeze({
  rowsAre: "one row per segment",
  columns: COLUMNS,
  rows: (record: JsonObject): SegmentContext[] => {
    const conversationId = textOf(record.conversationId);
    const rows: SegmentContext[] = [];
    for (const participant of objectsOf(record.participants)) {
      for (const session of objectsOf(participant.sessions)) {
        for (const segment of objectsOf(session.segments)) {
          rows.push({ conversationId, participant, session, segment });
        }
      }
    }
    return rows;
  },
});
