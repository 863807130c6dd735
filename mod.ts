/**
 * A toolkit that makes long Genesys Cloud batch jobs survive what kills them: access tokens that
 * expire mid-run, 401s, 429 rate limits with `Retry-After`, 5xx errors, dropped connections,
 * deadlines and a killed process. Extractions stream page by page, make each page durable, and
 * resume exactly where they stopped, losing and duplicating nothing.
 *
 * - {@link GenesysClient}: authenticated requests with token refresh, retries and typed errors;
 * - {@link TokenManager}, {@link retry}, {@link deadline}: the parts it is built from;
 * - {@link paginate}, {@link conversationDetails}, {@link conversationDetailsJob}: async
 *   generators over listings and analytics conversation details;
 * - {@link extract} with {@link FileSink} and a checkpoint store: resumable extraction to JSONL,
 *   CSV or JSON, of the records or of a table shape of conversation details
 *   ({@link conversationTable}, names from {@link fetchNameDirectory}).
 *
 * The Genesys Cloud simulator for offline development and tests is in `testing.ts`.
 *
 * @example Page every user of an org (here: the bundled simulator)
 * ```ts
 * import { GenesysClient, paginateItems } from "./mod.ts";
 * import { startSimulator } from "./testing.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using sim = await startSimulator({ users: 30 });
 * const client = new GenesysClient({
 *   region: sim.url,
 *   clientId: sim.clientId,
 *   clientSecret: sim.clientSecret,
 * });
 * let count = 0;
 * for await (const _user of paginateItems(client, "/api/v2/users", { pageSize: 10 })) count++;
 * strictEqual(count, 30);
 * ```
 *
 * @module
 */

export * from "./lib/errors.ts";
export * from "./lib/client/mod.ts";
export * from "./lib/retry/mod.ts";
export * from "./lib/log.ts";
export * from "./lib/types.ts";
export * from "./lib/paginate/mod.ts";
export * from "./lib/analytics/mod.ts";
export * from "./lib/extract/mod.ts";
export type { Clock } from "./lib/types.ts";
