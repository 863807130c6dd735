/**
 * Analytics conversation details: the details query as a stream that chunks, bisects and keeps
 * only the conversations each window owns ({@link conversationDetailsPages}); the asynchronous
 * jobs API, as a stream ({@link conversationDetailsJobPages}) and one call at a time
 * ({@link submitDetailsJob}, {@link waitForDetailsJob}); intervals and durations
 * ({@link parseInterval}); the table shapes of a conversation ({@link conversationTable}); and the
 * names directory that fills their name columns ({@link fetchNameDirectory}).
 *
 * @example A day of conversations, as rows of the conversations table
 * ```ts
 * import { conversationDetailsPages, conversationTable } from "./mod.ts";
 * import { GenesysClient } from "../client/mod.ts";
 * import { startSimulator } from "../../testing.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using sim = await startSimulator({
 *   conversations: 40,
 *   start: "2024-05-01T00:00:00Z",
 *   end: "2024-05-02T00:00:00Z",
 * });
 * const client = new GenesysClient({
 *   region: sim.url,
 *   clientId: sim.clientId,
 *   clientSecret: sim.clientSecret,
 * });
 * const table = conversationTable("conversations");
 * let rows = 0;
 * const interval = "2024-05-01T00:00:00Z/2024-05-02T00:00:00Z";
 * for await (const page of conversationDetailsPages(client, { interval })) {
 *   for (const conversation of page.conversations) rows += table.rows(conversation).length;
 * }
 * strictEqual(rows, 40);
 * ```
 *
 * @module
 */

export {
  conversationDetails,
  conversationDetailsPages,
  conversationDetailsSource,
} from "./conversation_details.ts";
export type {
  ConversationDetailsOptions,
  ConversationDetailsPage,
} from "./conversation_details.ts";
export { conversationDetailsJobPages, conversationDetailsJobSource } from "./details_job.ts";
export type {
  ConversationDetailsJobOptions,
  ConversationDetailsJobPage,
} from "./details_job_options.ts";
export {
  cancelDetailsJob,
  detailsJobAvailability,
  detailsJobStatus,
  submitDetailsJob,
  waitForDetailsJob,
} from "./details_job_api.ts";
export type {
  DetailsJobEvent,
  DetailsJobHints,
  DetailsJobRequestOptions,
  DetailsJobStatus,
  WaitForDetailsJobOptions,
} from "./details_job_api.ts";
export {
  checkDetailsQuery,
  DETAILS_JOBS_PATH,
  DETAILS_QUERY_PATH,
  ownedBy,
} from "./details_query.ts";
export type {
  CheckedDetailsQuery,
  Conversation,
  ConversationDetailsQuery,
} from "./details_query.ts";
export {
  DAY_MS,
  formatDuration,
  formatInstant,
  formatInterval,
  parseDuration,
  parseInstant,
  parseInterval,
  splitInterval,
} from "./interval.ts";
export type { Interval } from "./interval.ts";
export { conversationTable, TABLE_SHAPES } from "./table.ts";
export type { Cell, ConversationTable, TableShape } from "./table.ts";
export { emptyNameDirectory, NAME_KINDS } from "./names.ts";
export type { NameDirectory, NameKind } from "./names.ts";
export { fetchNameDirectory } from "./names_fetch.ts";
export type { FetchNamesOptions } from "./names_fetch.ts";
