/**
 * What a client tells its `onEvent` listener: one event per request, response, retry and token
 * request, and why it retried.
 *
 * @module
 */

/** Why the client retried: the counters of {@link ClientStats.retries} and the `cause` of events. */
export type RetryCause = "rateLimit" | "serverError" | "network" | "timeout" | "unauthorized";

/**
 * A debug event about one HTTP exchange, for logging and tests. It never holds a token, a secret,
 * a request body or a response body.
 */
export interface ClientEvent {
  /**
   * `request` before a request is sent, `response` when its status is known, `retry` before the
   * client retries (after a wait of `delayMs`), `token` when a token request is sent.
   */
  type: "request" | "response" | "retry" | "token";
  /** The HTTP method. */
  method: string;
  /** The path with its query (for `token`: `/oauth/token`). */
  path: string;
  /** The attempt number, from 1. */
  attempt: number;
  /** The response status (`response`, and `token` once answered). */
  status?: number;
  /** The wait before the next attempt, in milliseconds (`retry`). */
  delayMs?: number;
  /** Why it retries (`retry`). */
  cause?: RetryCause;
  /** How long the exchange took, by the client's clock (`response`). */
  durationMs?: number;
  /** A short description of the failure (`retry`), never holding a secret. */
  error?: string;
}
