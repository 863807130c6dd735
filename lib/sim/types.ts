/**
 * The simulator's public types: its options, its counters and the handle {@link startSimulator}
 * returns (the faults it can inject are in `fault_options.ts`).
 *
 * @module
 */

import type { SimFaults } from "./fault_options.ts";

/**
 * Options of {@link startSimulator}. Every option has a fixed, deterministic default, and the
 * defaults model the real API (see `docs/simulator.md`); a few options switch a behaviour off for
 * tests that need the simple model.
 */
export interface SimulatorOptions {
  /**
   * Port on 127.0.0.1; 0 is any free port.
   *
   * @default {0}
   */
  port?: number;
  /**
   * Seed of all generated data and seeded faults. Same seed and clock, same bytes.
   *
   * @default {1}
   */
  seed?: number;
  /**
   * How many active users.
   *
   * @default {120}
   */
  users?: number;
  /** How many inactive users, listed with `state=inactive` (default `users / 10`, rounded down). */
  inactiveUsers?: number;
  /** How many deleted users, listed with `state=deleted` (default `users / 40`, rounded down). */
  deletedUsers?: number;
  /**
   * `GET /api/v2/users?state=inactive` answers 400 for a page reaching past this many results,
   * like the real service past 10,000.
   *
   * @default {10000}
   */
  inactiveUserLimit?: number;
  /**
   * How many queues.
   *
   * @default {12}
   */
  queues?: number;
  /**
   * How many groups.
   *
   * @default {6}
   */
  groups?: number;
  /**
   * How many routing skills.
   *
   * @default {10}
   */
  skills?: number;
  /**
   * How many wrap-up codes; agents' wrap-up segments use them.
   *
   * @default {8}
   */
  wrapUpCodes?: number;
  /**
   * How many conversations. Generated on demand, so millions are fine.
   *
   * @default {2000}
   */
  conversations?: number;
  /**
   * Start of the data span, ISO-8601 or Date.
   *
   * @default {"2026-01-01T00:00:00.000Z"}
   */
  start?: string | Date;
  /**
   * End of the data span, exclusive.
   *
   * @default {"2026-01-31T00:00:00.000Z"}
   */
  end?: string | Date;
  /**
   * Share of conversations that last hours, from a quarter of {@link maxConversationHours} up
   * to it (0 for none). The others last 30 s to 40 min.
   *
   * @default {0.02}
   */
  longConversationShare?: number;
  /**
   * The longest a conversation lasts, in hours.
   *
   * @default {4}
   */
  maxConversationHours?: number;
  /**
   * Share of conversations that the details query's index holds twice; the server drops the
   * second entry, so pages of 2 or more can hold fewer than `pageSize` (0 for none).
   *
   * @default {0.02}
   */
  duplicateShare?: number;
  /**
   * The details query's `totalHits` error: reported = (matched + expected duplicates) × (1 +
   * error), rounded (-0.1 reports 10 % low). Default: a seeded error of up to ±3 % per query;
   * 0 (with `duplicateShare: 0`) gives the exact count.
   */
  totalHitsError?: number;
  /**
   * The details query's paging limit: a page with `pageNumber × pageSize` above it answers 400,
   * like the real service past 100,000. Lower it to make a small day too big to page through, so
   * an extraction must split it (give the library's `maxResults` the same value).
   *
   * @default {100000}
   */
  detailsResultLimit?: number;
  /**
   * The client id the token endpoint accepts.
   *
   * @default {"sim-client-id"}
   */
  clientId?: string;
  /**
   * The client secret the token endpoint accepts.
   *
   * @default {"sim-client-secret"}
   */
  clientSecret?: string;
  /**
   * `expires_in` of issued tokens, in seconds.
   *
   * @default {86400}
   */
  tokenLifetimeSeconds?: number;
  /**
   * Status of the `invalid_client` answer to bad credentials: 400 or 401.
   *
   * @default {401}
   */
  invalidClientStatus?: 400 | 401;
  /**
   * Largest `pageSize` of the page-number listings; above it answers 400.
   *
   * @default {500}
   */
  maxPageSize?: number;
  /**
   * The `pageSize` of jobs results when the request gives none.
   *
   * @default {1000}
   */
  jobResultsPageSize?: number;
  /**
   * Largest `pageSize` of jobs results.
   *
   * @default {10000}
   */
  maxJobResultsPageSize?: number;
  /**
   * Status polls a job answers `QUEUED`/`PENDING` before `FULFILLED`.
   *
   * @default {2}
   */
  jobPolls?: number;
  /**
   * Seconds from submission until a job is `EXPIRED`.
   *
   * @default {3600}
   */
  jobExpirySeconds?: number;
  /**
   * How far the jobs' data lags behind now, in seconds: `dataAvailabilityDate` is now minus this,
   * and a job sees the data as it was then.
   *
   * @default {7200}
   */
  dataAvailabilityLagSeconds?: number;
  /** A fixed `dataAvailabilityDate` instead of one that lags behind now. */
  dataAvailabilityDate?: string | Date;
  /**
   * Send the old `inin-ratelimit-count`, `-allowed` and `-reset` headers on every response, as
   * servers did before June 2021 (the real API no longer sends them).
   *
   * @default {false}
   */
  rateLimitHeaders?: boolean;
  /**
   * The `inin-ratelimit-allowed` value (per minute) when no rate limit fault is set.
   *
   * @default {300}
   */
  rateLimitAllowed?: number;
  /** Faults active from the start. */
  faults?: SimFaults;
  /**
   * The simulator's clock in epoch milliseconds: token and job expiry, the rate limit, and the
   * data's present. Conversations that start after now do not exist yet; those that end after now
   * are still live (no `conversationEnd`, open last segments).
   *
   * @default {Date.now}
   */
  now?: () => number;
}

/** What the simulator has served. A snapshot: read {@link Simulator.stats} again for fresh values. */
export interface SimulatorStats {
  /** Every request, token endpoint included. */
  requests: number;
  /** Requests by route name (`unknown` for unserved paths). */
  byRoute: Record<string, number>;
  /**
   * Requests by the host they were addressed to: `api.mypurecloud.ie` for a request sent through
   * {@link Simulator.fetch} to that host, `127.0.0.1:<port>` for one sent to the simulator's URL.
   */
  byHost: Record<string, number>;
  /** Responses by status code. */
  byStatus: Record<string, number>;
  /** Responses by route, then status. */
  byRouteStatus: Record<string, Record<string, number>>;
  /** Tokens issued. */
  tokensIssued: number;
  /** Tokens revoked (by `revokeTokens()` or `revokeAfterRequests`). */
  tokensRevoked: number;
  /** 401s answered to API requests. */
  unauthorized: number;
  /** 429s answered by the rate-limit bucket (injected 429s not included). */
  rateLimited: number;
  /** Injected faults by kind: `error.503`, `latency`, `latency.spike`, `body.cut`, `job.failed`, ... */
  faults: Record<string, number>;
  /** Analytics jobs submitted. */
  jobsSubmitted: number;
  /** Requests being handled right now. */
  inFlight: number;
  /** The most requests handled at once. */
  maxInFlight: number;
}

/**
 * The body of a details query or job, for computing expected ids (the same fields the endpoints
 * take; `interval` defaults to the whole data span).
 */
export interface ConversationQuery {
  /** `start/end` in ISO-8601 (default: the whole data span). */
  interval?: string;
  /**
   * `asc` or `desc`; jobs also take `unordered`.
   *
   * @default {"asc"}
   */
  order?: "asc" | "desc" | "unordered";
  /**
   * `conversationStart`, `conversationEnd`, `segmentStart` or `segmentEnd`.
   *
   * @default {"conversationStart"}
   */
  orderBy?: string;
  /** Conversation-level filters, as in the request body. */
  conversationFilters?: unknown[];
  /** Segment-level filters, as in the request body. */
  segmentFilters?: unknown[];
  /**
   * Job only: keep only conversations that started on or after 00:00 UTC of the interval's
   * first day (they must still overlap the interval).
   */
  startOfDayIntervalMatching?: boolean;
  /** Job only: at most this many conversations. */
  limit?: number;
}

/** Ids of the generated directory, each list in listing order. */
export interface SimulatorIds {
  /** Active users (`GET /api/v2/users`, the default `state=active`). */
  readonly users: readonly string[];
  /** Inactive users (`state=inactive`). */
  readonly inactiveUsers: readonly string[];
  /** Deleted users (`state=deleted`). */
  readonly deletedUsers: readonly string[];
  /** Queues. */
  readonly queues: readonly string[];
  /** Groups. */
  readonly groups: readonly string[];
  /** Routing skills. */
  readonly skills: readonly string[];
  /** Wrap-up codes (the `wrapUpCode` of agents' wrap-up segments). */
  readonly wrapUpCodes: readonly string[];
  /** Divisions (the conversations' `divisionIds`). */
  readonly divisions: readonly string[];
}

/** The running simulator. Close it with `close()` or `await using`. */
export interface Simulator extends AsyncDisposable {
  /** Base URL (`http://127.0.0.1:<port>`) of both the API and the login host. */
  readonly url: string;
  /** The client id the token endpoint accepts. */
  readonly clientId: string;
  /** The client secret the token endpoint accepts. */
  readonly clientSecret: string;
  /** The seed in use. */
  readonly seed: number;
  /** Start of the data span (ISO-8601). */
  readonly start: string;
  /** End of the data span, exclusive (ISO-8601). */
  readonly end: string;
  /** The date jobs see data up to, now (ISO-8601): now minus the lag, or the fixed date. */
  readonly dataAvailabilityDate: string;
  /** How many conversations the span holds (some may not have started yet at now). */
  readonly conversationCount: number;
  /** Ids of the generated users, queues, groups, skills, wrap-up codes and divisions. */
  readonly ids: SimulatorIds;
  /** A snapshot of the counters. */
  readonly stats: SimulatorStats;
  /** A copy of the faults in force. */
  readonly faults: SimFaults;
  /**
   * A `fetch` that sends requests addressed to a real Genesys Cloud host (`https://api.<env>`
   * or `https://login.<env>` of the 18 environments) to the simulator, keeping the path and
   * query, and counts them by that host in {@link SimulatorStats.byHost}. A login host serves only
   * `/oauth/token` and an API host everything else, as the real ones do (404 otherwise).
   * Requests to the simulator's own URL pass through.
   *
   * @param input The request or URL.
   * @param init Request options.
   * @returns The simulator's response.
   * @throws {TypeError} For a host that is neither a Genesys Cloud host nor the simulator.
   */
  fetch(input: Request | URL | string, init?: RequestInit): Promise<Response>;
  /**
   * Merges `faults` into the faults in force.
   *
   * @param faults Keys to replace (`null` clears one).
   */
  setFaults(faults: SimFaults): void;
  /** Removes every fault. */
  clearFaults(): void;
  /**
   * Revokes every live token now; their next API request gets 401.
   *
   * @returns How many tokens were revoked.
   */
  revokeTokens(): number;
  /** Zeroes the counters. */
  resetStats(): void;
  /**
   * The conversations that started in `interval` (`[start, end)`, default the whole span) and
   * exist at now, in order (`conversationStart` ascending unless `query` says otherwise): what a
   * complete extraction of `interval` writes, each once.
   *
   * @param interval `start/end` in ISO-8601.
   * @param query Order and filters, as in the query body.
   * @returns Conversation ids.
   */
  conversationIds(interval?: string, query?: ConversationQuery): string[];
  /**
   * The conversations the details query matches for `interval` at now, in its order, each once:
   * a start on a UTC day the interval touches and a lifetime that overlaps it.
   *
   * @param interval `start/end` in ISO-8601 (default: the whole span).
   * @param query Order and filters, as in the query body.
   * @returns Conversation ids.
   */
  detailsQueryIds(interval?: string, query?: ConversationQuery): string[];
  /**
   * The ids a details job with this body returns if it completes now, in order: every
   * conversation whose lifetime overlaps the interval (started on or after the interval's first
   * UTC day with `startOfDayIntervalMatching`), as the data stood at `dataAvailabilityDate`,
   * then `limit`.
   *
   * @param body The job body (`interval` defaults to the whole span).
   * @returns Conversation ids.
   */
  jobConversationIds(body?: ConversationQuery): string[];
  /**
   * Stops the server (pending latency waits end at once). Safe to call twice.
   *
   * @returns When the server has stopped.
   */
  close(): Promise<void>;
}
