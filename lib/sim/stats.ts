/**
 * The simulator's counters.
 *
 * @module
 */
import type { SimulatorStats } from "./types.ts";

/**
 * Live counters; {@link Counters.snapshot} gives a copy.
 *
 * @example
 * ```ts
 * import { Counters } from "./stats.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const c = new Counters();
 * c.begin("127.0.0.1:8080");
 * c.response("users", 200);
 * strictEqual(c.snapshot().byRouteStatus.users["200"], 1);
 * ```
 */
export class Counters {
  #s: SimulatorStats = Counters.#empty();

  static #empty(): SimulatorStats {
    return {
      requests: 0,
      byRoute: {},
      byHost: {},
      byStatus: {},
      byRouteStatus: {},
      tokensIssued: 0,
      tokensRevoked: 0,
      unauthorized: 0,
      rateLimited: 0,
      faults: {},
      jobsSubmitted: 0,
      inFlight: 0,
      maxInFlight: 0,
    };
  }

  /** The live counters (mutable; internal use). */
  get live(): SimulatorStats {
    return this.#s;
  }

  /**
   * A request started.
   *
   * @param host The host it was addressed to.
   */
  begin(host: string): void {
    this.#s.requests++;
    this.#s.byHost[host] = (this.#s.byHost[host] ?? 0) + 1;
    this.#s.inFlight++;
    if (this.#s.inFlight > this.#s.maxInFlight) this.#s.maxInFlight = this.#s.inFlight;
  }

  /** A request ended. */
  end(): void {
    this.#s.inFlight--;
  }

  /**
   * Counts a response.
   *
   * @param route The route name.
   * @param status The status.
   */
  response(route: string, status: number): void {
    const s = this.#s;
    s.byRoute[route] = (s.byRoute[route] ?? 0) + 1;
    s.byStatus[status] = (s.byStatus[status] ?? 0) + 1;
    const byStatus = s.byRouteStatus[route] ??= {};
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  /**
   * Counts an injected fault.
   *
   * @param kind Such as `error.503` or `body.cut`.
   */
  fault(kind: string): void {
    this.#s.faults[kind] = (this.#s.faults[kind] ?? 0) + 1;
  }

  /**
   * A copy of the counters.
   *
   * @param tokensIssued The token store's count.
   * @param tokensRevoked The token store's count.
   * @returns The snapshot.
   */
  snapshot(tokensIssued = 0, tokensRevoked = 0): SimulatorStats {
    return structuredClone({ ...this.#s, tokensIssued, tokensRevoked });
  }

  /** Zeroes the counters (requests in flight stay counted). */
  reset(): void {
    const inFlight = this.#s.inFlight;
    this.#s = Counters.#empty();
    this.#s.inFlight = inFlight;
    this.#s.maxInFlight = inFlight;
  }
}
