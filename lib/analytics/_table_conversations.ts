/**
 * The `conversations` table: one row per conversation, the columns of Genesys Cloud's
 * Interactions view (start, end, duration, direction, media, ANI, DNIS, queues, agents, wrap-up
 * codes, disconnect type, abandoned, transferred) and the conversation's metrics summed over
 * every session.
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
  numberOf,
  objectsOf,
  secondsBetween,
  type TableColumn,
  type TableDefinition,
  textOf,
} from "./_table_flatten.ts";

/** What one pass over a conversation record collects for its row. */
export interface ConversationSummary {
  /** The record. */
  record: JsonObject;
  /** Session media types, distinct, in record order. */
  mediaTypes: DistinctTexts;
  /** Segment queue ids, distinct, in record order. */
  queueIds: DistinctTexts;
  /** Participant user ids, distinct, in record order. */
  userIds: DistinctTexts;
  /** Segment wrap-up codes, distinct, in record order. */
  wrapUpCodes: DistinctTexts;
  /** The ANI: customer side first, then any session. */
  ani: string | null;
  /** The DNIS: customer side first, then any session. */
  dnis: string | null;
  /** The customer's last disconnect type. */
  disconnectType: string | null;
  /** A segment ended with disconnect type `transfer`. */
  transferSegment: boolean;
  /** Metric sums over every session. */
  metrics: MetricSums;
}

const CUSTOMER_SIDE = new Set(["customer", "external"]);

/**
 * Collects everything the `conversations` row needs in one pass over the record.
 *
 * @param record A conversation record.
 * @returns The summary.
 *
 * @example
 * ```ts
 * import { summarizeConversation } from "./_table_conversations.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const summary = summarizeConversation({
 *   participants: [
 *     { purpose: "customer", sessions: [{ mediaType: "voice", ani: "tel:+1555", segments: [{ disconnectType: "peer" }] }] },
 *     { purpose: "agent", userId: "u1", sessions: [{ mediaType: "voice", segments: [{ queueId: "q1" }] }] },
 *   ],
 * });
 * deepStrictEqual(summary.queueIds.list, ["q1"]);
 * strictEqual(summary.ani, "tel:+1555");
 * strictEqual(summary.disconnectType, "peer");
 * ```
 */
export function summarizeConversation(record: JsonObject): ConversationSummary {
  const summary: ConversationSummary = {
    record,
    mediaTypes: new DistinctTexts(),
    queueIds: new DistinctTexts(),
    userIds: new DistinctTexts(),
    wrapUpCodes: new DistinctTexts(),
    ani: null,
    dnis: null,
    disconnectType: null,
    transferSegment: false,
    metrics: new MetricSums(),
  };
  let anyAni: string | null = null;
  let anyDnis: string | null = null;
  let customerSeen = false;
  for (const participant of objectsOf(record.participants)) {
    summary.userIds.add(participant.userId);
    // The first customer or external participant is the customer side.
    const customer = !customerSeen && CUSTOMER_SIDE.has(participant.purpose as string);
    if (customer) customerSeen = true;
    for (const session of objectsOf(participant.sessions)) {
      summary.mediaTypes.add(session.mediaType);
      summary.metrics.addSession(session);
      const ani = textOf(session.ani);
      const dnis = textOf(session.dnis);
      anyAni ??= ani;
      anyDnis ??= dnis;
      if (customer) {
        summary.ani ??= ani;
        summary.dnis ??= dnis;
      }
      for (const segment of objectsOf(session.segments)) {
        summary.queueIds.add(segment.queueId);
        summary.wrapUpCodes.add(segment.wrapUpCode);
        const disconnect = textOf(segment.disconnectType);
        if (disconnect === "transfer") summary.transferSegment = true;
        if (customer && disconnect !== null) summary.disconnectType = disconnect;
      }
    }
  }
  summary.ani ??= anyAni;
  summary.dnis ??= anyDnis;
  return summary;
}

type Row = ConversationSummary;
const field = (name: string) => (row: Row): Cell => textOf(row.record[name]);
const list = (pick: (row: Row) => DistinctTexts) => (row: Row): Cell => pick(row).list;
const SESSIONS = "participants[].sessions[]";
const SEGMENTS = `${SESSIONS}.segments[]`;

const COLUMNS: readonly TableColumn<Row>[] = Object.freeze([
  {
    name: "conversationId",
    source: "conversationId",
    unit: "text",
    combine: "one per conversation",
    value: field("conversationId"),
  },
  {
    name: "conversationStart",
    source: "conversationStart",
    unit: "ISO 8601 UTC",
    combine: "as in the record",
    value: field("conversationStart"),
  },
  {
    name: "conversationEnd",
    source: "conversationEnd",
    unit: "ISO 8601 UTC",
    combine: "as in the record; empty while the conversation is live",
    value: field("conversationEnd"),
  },
  {
    name: "durationSeconds",
    source: "conversationEnd − conversationStart",
    unit: "seconds",
    combine: "empty while the conversation is live",
    value: (row) => secondsBetween(row.record.conversationStart, row.record.conversationEnd),
  },
  {
    name: "originatingDirection",
    source: "originatingDirection",
    unit: "text",
    combine: "as in the record (`inbound`, `outbound`)",
    value: field("originatingDirection"),
  },
  {
    name: "mediaTypes",
    source: `${SESSIONS}.mediaType`,
    unit: "list",
    combine: "distinct, in record order",
    value: list((row) => row.mediaTypes),
  },
  ...addressColumns<Row>(
    SESSIONS,
    "first of the customer side (first `customer`/`external` participant), else first",
  ),
  {
    name: "queueId",
    source: `${SEGMENTS}.queueId`,
    unit: "text",
    combine: "first in record order (the queue the conversation entered first)",
    value: (row) => row.queueIds.list[0] ?? null,
  },
  nameColumn("queueName", "queues", (row: Row) => row.queueIds.list[0], "queueId"),
  {
    name: "queueIds",
    source: `${SEGMENTS}.queueId`,
    unit: "list",
    combine: "distinct, in record order (every queue, transfers included)",
    value: list((row) => row.queueIds),
  },
  nameListColumn("queueNames", "queues", (row: Row) => row.queueIds.list, "queueIds"),
  {
    name: "userIds",
    source: "participants[].userId",
    unit: "list",
    combine: "distinct, in record order (every agent or user who took part, answered or not)",
    value: list((row) => row.userIds),
  },
  nameListColumn("userNames", "users", (row: Row) => row.userIds.list, "userIds"),
  {
    name: "wrapUpCodes",
    source: `${SEGMENTS}.wrapUpCode`,
    unit: "list",
    combine: "distinct, in record order",
    value: list((row) => row.wrapUpCodes),
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
    combine: "the customer side's last (`peer`: the other side hung up), in record order",
    value: (row) => row.disconnectType,
  },
  {
    name: "answered",
    source: `${SESSIONS}.metrics[name=tAnswered]`,
    unit: "boolean",
    combine: "true when any session has tAnswered",
    value: (row) => row.metrics.get("tAnswered") !== undefined,
  },
  {
    name: "abandoned",
    source: `${SESSIONS}.metrics[name=tAbandon]`,
    unit: "boolean",
    combine: "true when any session has tAbandon",
    value: (row) => row.metrics.get("tAbandon") !== undefined,
  },
  {
    name: "transferred",
    source: `${SESSIONS}.metrics[name=nTransferred], ${SEGMENTS}.disconnectType`,
    unit: "boolean",
    combine: "true when nTransferred sums above 0 or a segment ended with `transfer`",
    value: (row) => (row.metrics.get("nTransferred") ?? 0) > 0 || row.transferSegment,
  },
  ...metricColumns<Row>("every session of the conversation", (row) => row.metrics, SESSIONS),
  {
    name: "divisionIds",
    source: "divisionIds",
    unit: "list",
    combine: "as in the record",
    value: (row) => {
      const ids = new DistinctTexts();
      if (Array.isArray(row.record.divisionIds)) {
        for (const id of row.record.divisionIds) ids.add(id);
      }
      return ids.list;
    },
  },
  {
    name: "mediaStatsMinConversationMos",
    source: "mediaStatsMinConversationMos",
    unit: "number",
    combine: "as in the record (voice only)",
    value: (row) => numberOf(row.record.mediaStatsMinConversationMos),
  },
  {
    name: "mediaStatsMinConversationRFactor",
    source: "mediaStatsMinConversationRFactor",
    unit: "number",
    combine: "as in the record (voice only)",
    value: (row) => numberOf(row.record.mediaStatsMinConversationRFactor),
  },
]);

/**
 * The `conversations` table: one row per conversation.
 *
 * @example
 * ```ts
 * import { CONVERSATIONS_TABLE } from "./_table_conversations.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const rows = CONVERSATIONS_TABLE.rows({ conversationId: "c1", participants: [] });
 * strictEqual(rows.length, 1);
 * strictEqual(CONVERSATIONS_TABLE.columns[0].name, "conversationId");
 * ```
 */
export const CONVERSATIONS_TABLE: TableDefinition<ConversationSummary> = Object.freeze({
  rowsAre: "one row per conversation",
  columns: COLUMNS,
  rows: (record: JsonObject): ConversationSummary[] => [summarizeConversation(record)],
});
