/**
 * The fault engine: holds the faults in force, counts the requests each rule sees, and decides
 * (deterministically from the seed) which fault hits which request.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { FixedWindow, type Limit, TokenBucket } from "./ratelimit.ts";
import { hashFloat, Stream } from "./rng.ts";
import {
  type BodyFault,
  type ErrorFault,
  type FaultTrigger,
  type LatencyFault,
  type RouteTarget,
  SIM_ROUTES,
  type SimFaults,
  type SimRoute,
} from "./fault_options.ts";

interface RuleState<T> {
  rule: T;
  seen: number;
  fired: number;
  salt: number;
}

const ERROR_STATUSES = [403, 429, 500, 502, 503, 504];
const BODY_KINDS = ["truncate", "cut", "malformed", "disconnect"];

function check(ok: boolean, message: string): void {
  if (!ok) throw new UsageError(message);
}

function nonNegative(v: number | undefined, name: string): void {
  check(
    v === undefined || (Number.isFinite(v) && v >= 0),
    `Fault option '${name}' must be a number >= 0, got '${v}'`,
  );
}

function validateTrigger(t: FaultTrigger, name: string): void {
  check(
    t.everyNth === undefined || (Number.isInteger(t.everyNth) && t.everyNth >= 1),
    `Fault option '${name}.everyNth' must be an integer >= 1, got '${t.everyNth}'`,
  );
  check(
    t.probability === undefined || (t.probability >= 0 && t.probability <= 1),
    `Fault option '${name}.probability' must be between 0 and 1, got '${t.probability}'`,
  );
  nonNegative(t.after, `${name}.after`);
  nonNegative(t.times, `${name}.times`);
}

function validateRoute(t: RouteTarget, name: string): void {
  const routes = t.route === undefined ? [] : Array.isArray(t.route) ? t.route : [t.route];
  for (const r of routes) {
    check(
      SIM_ROUTES.includes(r),
      `Fault option '${name}.route' has unknown route '${r}': use one of ${SIM_ROUTES.join(", ")}`,
    );
  }
}

/**
 * Checks faults and throws a clear error for a bad value.
 *
 * @param f The faults.
 * @throws {UsageError} For an invalid value.
 *
 * @example
 * ```ts
 * import { validateFaults } from "./faults.ts";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => validateFaults({ errors: [{ status: 418 as 500 }] }), /status/);
 * ```
 */
export function validateFaults(f: SimFaults): void {
  check(
    f.tokenLifetimeSeconds === undefined ||
      (Number.isFinite(f.tokenLifetimeSeconds) && f.tokenLifetimeSeconds > 0),
    `Fault option 'tokenLifetimeSeconds' must be > 0, got '${f.tokenLifetimeSeconds}'`,
  );
  const ra = f.revokeAfterRequests;
  check(
    ra === undefined || ra === null || (Number.isInteger(ra) && ra >= 1),
    `Fault option 'revokeAfterRequests' must be an integer >= 1, got '${ra}'`,
  );
  if (f.rateLimit) {
    const { requestsPerSecond: rps, requestsPerMinute: rpm } = f.rateLimit;
    check(
      (rps === undefined) !== (rpm === undefined),
      "Fault option 'rateLimit' needs one of 'requestsPerMinute' (windows) or 'requestsPerSecond' (token bucket)",
    );
    for (const [name, v] of [["requestsPerSecond", rps], ["requestsPerMinute", rpm]] as const) {
      check(
        v === undefined || (Number.isFinite(v) && v > 0),
        `Fault option 'rateLimit.${name}' must be > 0, got '${v}'`,
      );
    }
    nonNegative(f.rateLimit.burst, "rateLimit.burst");
    validateRoute(f.rateLimit, "rateLimit");
  }
  f.errors?.forEach((e, i) => {
    check(
      ERROR_STATUSES.includes(e.status),
      `Fault option 'errors[${i}].status' must be one of ${
        ERROR_STATUSES.join(", ")
      }, got '${e.status}'`,
    );
    nonNegative(e.retryAfterSeconds, `errors[${i}].retryAfterSeconds`);
    validateTrigger(e, `errors[${i}]`);
    validateRoute(e, `errors[${i}]`);
  });
  f.latency?.forEach((l, i) => {
    nonNegative(l.ms, `latency[${i}].ms`);
    nonNegative(l.jitterMs, `latency[${i}].jitterMs`);
    nonNegative(l.spikeMs, `latency[${i}].spikeMs`);
    validateTrigger(
      { everyNth: l.spikeEveryNth, probability: l.spikeProbability },
      `latency[${i}]`,
    );
    validateRoute(l, `latency[${i}]`);
  });
  f.bodies?.forEach((b, i) => {
    check(
      BODY_KINDS.includes(b.kind),
      `Fault option 'bodies[${i}].kind' must be one of ${BODY_KINDS.join(", ")}, got '${b.kind}'`,
    );
    validateTrigger(b, `bodies[${i}]`);
    validateRoute(b, `bodies[${i}]`);
  });
  if (f.failJobs) validateTrigger(f.failJobs, "failJobs");
  if (f.revokeTokens) {
    validateTrigger(f.revokeTokens, "revokeTokens");
    validateRoute(f.revokeTokens, "revokeTokens");
  }
}

function applies(target: RouteTarget, route: SimRoute): boolean {
  if (target.route === undefined) return route !== "token";
  return Array.isArray(target.route) ? target.route.includes(route) : target.route === route;
}

/**
 * Decides the faults of each request. Every rule counts the requests it applies to; a rule set
 * again with {@link FaultEngine.set} starts counting afresh.
 *
 * @example
 * ```ts
 * import { FaultEngine } from "./faults.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const engine = new FaultEngine(1, Date.now, { errors: [{ status: 503, everyNth: 2 }] });
 * const hits = [1, 2, 3, 4].map(() => engine.error("users")?.status);
 * deepStrictEqual(hits, [undefined, 503, undefined, 503]);
 * ```
 */
export class FaultEngine {
  readonly #seed: number;
  readonly #now: () => number;
  #faults: SimFaults = {};
  #salt = 0;
  #errors: RuleState<ErrorFault>[] = [];
  #latency: RuleState<LatencyFault>[] = [];
  #bodies: RuleState<BodyFault>[] = [];
  #failJobs?: RuleState<FaultTrigger>;
  #revokeTokens?: RuleState<FaultTrigger & RouteTarget>;
  #bucket?: Limit;

  /**
   * Creates the engine.
   *
   * @param seed Seed of the probability draws.
   * @param now Clock of the rate-limit bucket, ms.
   * @param faults Initial faults.
   * @throws {UsageError} For an invalid fault.
   */
  constructor(seed: number, now: () => number, faults: SimFaults = {}) {
    this.#seed = seed;
    this.#now = now;
    this.set(faults);
  }

  /** A copy of the faults in force. */
  get current(): SimFaults {
    return structuredClone(this.#faults);
  }

  #states<T>(rules: T[] | null | undefined): RuleState<T>[] {
    return (rules ?? []).map((rule) => ({ rule, seen: 0, fired: 0, salt: ++this.#salt }));
  }

  /**
   * Merges faults: keys present replace (`null` clears), absent keys stay.
   *
   * @param faults The faults to merge.
   * @throws {UsageError} For an invalid fault (nothing changes then).
   */
  set(faults: SimFaults): void {
    validateFaults(faults);
    const copy = structuredClone(faults);
    const next: Record<string, unknown> = { ...this.#faults };
    for (const [key, value] of Object.entries(copy)) {
      if (value === null || value === undefined) delete next[key];
      else next[key] = value;
    }
    this.#faults = next as SimFaults;
    if ("errors" in copy) this.#errors = this.#states(copy.errors);
    if ("latency" in copy) this.#latency = this.#states(copy.latency);
    if ("bodies" in copy) this.#bodies = this.#states(copy.bodies);
    if ("failJobs" in copy) {
      this.#failJobs = copy.failJobs ? this.#states([copy.failJobs])[0] : undefined;
    }
    if ("revokeTokens" in copy) {
      this.#revokeTokens = copy.revokeTokens ? this.#states([copy.revokeTokens])[0] : undefined;
    }
    if ("rateLimit" in copy) {
      const rl = copy.rateLimit;
      this.#bucket = !rl
        ? undefined
        : rl.requestsPerMinute !== undefined
        ? new FixedWindow(rl.requestsPerMinute, 60_000, this.#now)
        : new TokenBucket(rl.requestsPerSecond!, rl.burst ?? rl.requestsPerSecond!, this.#now);
    }
  }

  /** Removes every fault. */
  clear(): void {
    this.set({
      tokenLifetimeSeconds: undefined,
      revokeAfterRequests: null,
      rateLimit: null,
      errors: null,
      latency: null,
      bodies: null,
      failJobs: null,
      revokeTokens: null,
    });
    this.#faults = {};
  }

  #draw(state: RuleState<unknown>, n: number): number {
    return hashFloat(this.#seed, Stream.fault, state.salt * 1_000_003 + n);
  }

  #fires(state: RuleState<FaultTrigger>): boolean {
    const r = state.rule;
    state.seen++;
    const n = state.seen - (r.after ?? 0);
    if (n < 1) return false;
    if (r.times !== undefined && state.fired >= r.times) return false;
    const hit = (r.everyNth === undefined && r.probability === undefined) ||
      (r.everyNth !== undefined && n % r.everyNth === 0) ||
      (r.probability !== undefined && this.#draw(state, n) < r.probability);
    if (hit) state.fired++;
    return hit;
  }

  /** `expires_in` override, if set. */
  get tokenLifetimeSeconds(): number | undefined {
    return this.#faults.tokenLifetimeSeconds;
  }

  /** Per-token request budget, if set. */
  get revokeAfterRequests(): number | undefined {
    return this.#faults.revokeAfterRequests ?? undefined;
  }

  /** The rate limit per minute, if one is set (the old `inin-ratelimit-allowed` header). */
  get allowedPerMinute(): number | undefined {
    return this.#bucket?.perMinute;
  }

  /** The `limit` object of the rate limit's 429 body, if the fault names one. */
  get rateLimitInfo(): { key: string; namespace: string; value: number } | undefined {
    const limit = this.#faults.rateLimit?.limit;
    return limit && this.#bucket ? { ...limit, value: this.#bucket.perMinute } : undefined;
  }

  /**
   * Counts a request against the rate limit when it applies to `route`.
   *
   * @param route The route.
   * @returns 0 when allowed, else milliseconds until a request would be.
   */
  rateLimit(route: SimRoute): number {
    const rl = this.#faults.rateLimit;
    if (!this.#bucket || !rl || !applies(rl, route)) return 0;
    return this.#bucket.take();
  }

  /**
   * The injected error for this request of `route`, if any.
   *
   * @param route The route.
   * @returns The rule that fired.
   */
  error(route: SimRoute): ErrorFault | undefined {
    for (const s of this.#errors) if (applies(s.rule, route) && this.#fires(s)) return s.rule;
    return undefined;
  }

  /**
   * The added latency of this request of `route`.
   *
   * @param route The route.
   * @returns Milliseconds and whether it is a spike, or `undefined` for none.
   */
  latency(route: SimRoute): { ms: number; spike: boolean } | undefined {
    const s = this.#latency.find((x) => applies(x.rule, route));
    if (!s) return undefined;
    const r = s.rule;
    const n = ++s.seen;
    let ms = (r.ms ?? 0) + Math.floor(this.#draw(s, 2 * n) * (r.jitterMs ?? 0));
    const spike = (r.spikeEveryNth !== undefined && n % r.spikeEveryNth === 0) ||
      (r.spikeProbability !== undefined && this.#draw(s, 2 * n + 1) < r.spikeProbability);
    if (spike) ms += r.spikeMs ?? 0;
    return { ms, spike };
  }

  /**
   * The body damage for this (successful) response of `route`, if any.
   *
   * @param route The route.
   * @returns The kind of damage.
   */
  body(route: SimRoute): BodyFault["kind"] | undefined {
    for (const s of this.#bodies) if (applies(s.rule, route) && this.#fires(s)) return s.rule.kind;
    return undefined;
  }

  /**
   * Whether every live token is to be revoked as this request of `route` arrives.
   *
   * @param route The route.
   * @returns True when the `revokeTokens` trigger fires.
   */
  revokeTokens(route: SimRoute): boolean {
    const s = this.#revokeTokens;
    return s !== undefined && applies(s.rule, route) && this.#fires(s);
  }

  /**
   * Whether the job being submitted will fail.
   *
   * @returns True when the `failJobs` trigger fires.
   */
  failJob(): boolean {
    return this.#failJobs ? this.#fires(this.#failJobs) : false;
  }
}
