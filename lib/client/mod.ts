/**
 * The Genesys Cloud API client and what it is built from: {@link GenesysClient} (authenticated
 * requests that survive token expiry, 401s, 429s, 5xx and dropped connections, within a
 * deadline), {@link TokenManager} (one token shared and renewed early), the {@link Pacer} that
 * learns each token's rate limit from its 429s, and the region table ({@link resolveRegion}).
 *
 * @example A client on the bundled simulator
 * ```ts
 * import { GenesysClient } from "./mod.ts";
 * import { startSimulator } from "../../testing.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using sim = await startSimulator({ users: 3 });
 * const client = new GenesysClient({
 *   region: sim.url,
 *   clientId: sim.clientId,
 *   clientSecret: sim.clientSecret,
 * });
 * const page = await client.request<{ entities: unknown[] }>("GET", "/api/v2/users");
 * strictEqual(page.entities.length, 3);
 * strictEqual(client.stats.tokenRequests, 1);
 * ```
 *
 * @module
 */

export { GenesysClient } from "./genesys_client.ts";
export type {
  ClientRetryPolicy,
  ClientStats,
  GenesysClientOptions,
  LastRateLimit,
  PendingRequest,
} from "./client_options.ts";
export type { ClientEvent, RetryCause } from "./events.ts";
export { TokenManager } from "./token_manager.ts";
export type { TokenManagerOptions } from "./token_manager.ts";
export { DEFAULT_RATE_PER_MINUTE, Pacer, sharedPacer } from "./pacer.ts";
export type { PacerLimitStats, PacerOptions, PacerStats, RateLimitInfo } from "./pacer_options.ts";
export type { PacerAcquireOptions, PacerResponse, PacerTicket } from "./pacer_options.ts";
export { REGIONS, resolveRegion } from "./region.ts";
export type { RegionInfo, ResolvedRegion } from "./region.ts";
