/**
 * Client-side pacing for one token's rate limits, from what the real API sends: 429s, their
 * `Retry-After`, and the `limit` object a 429 body may carry.
 *
 * Genesys Cloud allows about 300 requests per minute per client-credentials token, counted per
 * minute, and some resources have lower limits of their own. It no longer says how much is left
 * (the `inin-ratelimit-*` headers were removed in June 2021): a client learns the limit only
 * from its 429s. A {@link Pacer} is shared by every request of one token and learns from them:
 *
 * - Until the first 429 nothing is held back (unless a start rate was configured: then requests
 *   are spaced at it from the first one on), so a server that never says 429 never slows a job.
 * - Every 429's `Retry-After` pauses every request of the token, not only the one that got it.
 * - A 429 sets the rate requests are spaced at: the `limit.value` of its body when it names one
 *   (per minute), else the rate the server evidently accepted, which is the requests it accepted
 *   since the start of the window that ends when its `Retry-After` does, spread over that window
 *   (exact for Genesys' per-minute windows, close for a token bucket); never above
 *   `decrease` × the rate that met the 429 (multiplicative decrease).
 * - While requests are held back and no 429 comes, the rate climbs by `increasePerMinute` of the
 *   rate the last 429 met, per minute (additive increase), up to a limit a 429 or header named.
 * - A 429 whose body names a `limit.key` other than the token's own limit gets a limiter of its
 *   own for the routes that met it (such as a lower limit of the users API); requests of other
 *   routes are not slowed by it.
 *
 * This is additive increase / multiplicative decrease, with the decrease aimed at the measured
 * accepted rate instead of a fixed fraction: AWS SDKs' adaptive retry mode (a token bucket whose
 * fill rate is cut on a throttle and grown by a cubic function, enabled only after the first
 * throttle) showed the shape; the measured target fits per-minute windows, where a fixed cut
 * leaves most of every window unused. The old headers, if a server still sends them, are a hint
 * (`inin-ratelimit-allowed` caps the rate), never required.
 *
 * @module
 */

import { DeadlineError } from "../errors.ts";
import { formatWait } from "../_text.ts";
import { DEFAULT_MAX_RETRY_AFTER } from "../retry/retry.ts";
import { parseRetryAfter } from "../retry/retry_after.ts";
import { sleep as defaultSleep } from "../retry/sleep.ts";
import { checkOptions, Limiter, type Shape } from "./_limiter.ts";
import type {
  PacerAcquireOptions,
  PacerOptions,
  PacerResponse,
  PacerStats,
  PacerTicket,
  RateLimitInfo,
} from "./pacer_options.ts";

/** The default start rate: Genesys' default per-token limit, requests per minute. */
export const DEFAULT_RATE_PER_MINUTE = 300;

interface Waiter {
  since: number;
  deadline?: number;
  name?: string;
  limiters: readonly Limiter[];
  route?: string;
  resolve: (ticket: PacerTicket) => void;
  reject: (error: unknown) => void;
  cleanup: () => void;
}

/** The key of the token's own limit, in stats. */
const TOKEN_KEY = "token";
/** A `limit.key` that names the token's own limit, not a resource's. */
const TOKEN_LIMIT = /token\.rate\.per\.minute$/;

/**
 * Paces the requests of one token, as the module description says. Call {@link Pacer.acquire}
 * before each request (it waits as long as needed) and report each outcome with the ticket's
 * `done`.
 *
 * One pacer serves many concurrent requests, in arrival order. Every wait ends at once when its
 * signal aborts, fails at once with a {@link DeadlineError} when it would cross its deadline, and
 * leaves no timer behind once nobody waits. Time and sleeping can be injected (`clock`):
 * after a completed `sleep` the pacer trusts that the time has come, so a fake clock works.
 *
 * @example A 429 pauses everyone, then requests are spaced at the rate the server accepted
 * ```ts
 * import { Pacer } from "./pacer.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let now = 0;
 * const pacer = new Pacer({
 *   clock: { now: () => now, sleep: (ms) => (now += ms, Promise.resolve()) },
 * });
 * // 120 requests go through at once (nothing is held back before the first 429) ...
 * for (let i = 0; i < 120; i++) (await pacer.acquire()).done({ status: 200 });
 * // ... then the server says the minute's budget is spent: everyone waits 60 s.
 * (await pacer.acquire()).done({ status: 429, retryAfterMs: 60_000 });
 * await pacer.acquire();
 * strictEqual(now, 60_000);
 * // 120 accepted in the 60 s window: 2 per second, aimed at 98 % of it.
 * strictEqual(Math.round(pacer.stats.ratePerSecond * 100) / 100, 1.96);
 * ```
 *
 * @example A 429 body that names its limit sets the rate
 * ```ts
 * import { Pacer } from "./pacer.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * let now = 0;
 * const slept: number[] = [];
 * const pacer = new Pacer({
 *   utilization: 1,
 *   clock: { now: () => now, sleep: (ms) => (slept.push(ms), now += ms, Promise.resolve()) },
 * });
 * const limit = { key: "client.credentials.token.rate.per.minute", value: 600 };
 * (await pacer.acquire()).done({ status: 429, retryAfterMs: 1000, limit });
 * for (let i = 0; i < 3; i++) (await pacer.acquire()).done({ status: 200 });
 * deepStrictEqual(slept, [1000, 100, 100]); // the pause, then 600 per minute
 * ```
 */
export class Pacer {
  readonly #shape: Shape;
  readonly #maxPauseMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #token: Limiter;
  /** The limiters of a request whose route has no limit of its own (shared, never changed). */
  readonly #tokenOnly: readonly Limiter[];
  readonly #keyed = new Map<string, Limiter>();
  readonly #routes = new Map<string, Limiter>();
  #pausedUntil = -Infinity;
  #inFlight = 0;
  #queue: Waiter[] = [];
  #pumping = false;
  #wake?: AbortController;
  #acquired = 0;
  #waits = 0;
  #waitedMs = 0;
  #rateLimited = 0;

  /**
   * Creates a pacer; nothing runs until the first {@link Pacer.acquire}.
   *
   * @param options Start rate, shaping of the rate, injected time.
   * @throws {UsageError} For an option out of range.
   */
  constructor(options: PacerOptions = {}) {
    checkOptions(options);
    this.#shape = {
      startRate: (options.rate ?? DEFAULT_RATE_PER_MINUTE) / 60,
      windowMs: options.windowMs ?? 60_000,
      utilization: options.utilization ?? 0.98,
      decrease: options.decrease ?? 0.9,
      increase: options.increasePerMinute ?? 0.1,
      minRate: (options.minRate ?? 6) / 60,
    };
    this.#maxPauseMs = options.maxPauseMs ?? DEFAULT_MAX_RETRY_AFTER;
    this.#now = options.clock?.now ?? Date.now;
    this.#sleep = options.clock?.sleep ?? defaultSleep;
    const fromStart = options.paceFromStart ?? options.rate !== undefined;
    this.#token = new Limiter(TOKEN_KEY, this.#shape, fromStart);
    this.#tokenOnly = [this.#token];
  }

  /** A snapshot of the pacer's state and counters. */
  get stats(): PacerStats {
    const now = this.#now();
    const limits = [this.#token, ...this.#keyed.values()];
    const stats: PacerStats = {
      spacing: this.#token.paced,
      ratePerSecond: this.#token.rate,
      startRatePerMinute: this.#shape.startRate * 60,
      limits: limits.map((l) => l.stats()),
      acquired: this.#acquired,
      waits: this.#waits,
      waitedMs: this.#waitedMs,
      rateLimited: this.#rateLimited,
      slowdowns: limits.reduce((sum, l) => sum + l.slowdowns, 0),
      queued: this.#queue.length,
      inFlight: this.#inFlight,
    };
    if (this.#token.stated !== undefined) stats.allowed = this.#token.stated * 60;
    if (this.#pausedUntil > now) stats.pausedUntil = this.#pausedUntil;
    return stats;
  }

  /**
   * Waits until one more request may be sent, in arrival order.
   *
   * @param options A signal that ends the wait, a deadline it may not cross, a name for messages,
   * the route for limits of its own.
   * @returns The ticket; call its `done` when the request has ended.
   * @throws {DeadlineError} When the wait would cross the deadline (at once, or as soon as a 429
   * or a lower rate makes it so).
   * @throws The signal's reason when it aborts.
   */
  acquire(options: PacerAcquireOptions = {}): Promise<PacerTicket> {
    const { signal, deadline, name } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const limiters = this.#limitersOf(options.route);
    const now = this.#now();
    const due = this.#dueAt(now, limiters);
    if (this.#queue.length === 0 && due <= now) {
      return Promise.resolve(this.#take(now, limiters, options.route));
    }
    const spacing = this.#token.paced ? 1000 / this.#token.rate : 0;
    const expected = due + this.#queue.length * spacing;
    if (deadline !== undefined && expected > deadline) {
      return Promise.reject(this.#deadlineError(expected - now, deadline - now, name));
    }
    return new Promise<PacerTicket>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(signal?.reason);
        this.#wake?.abort();
      };
      const waiter: Waiter = {
        since: now,
        deadline,
        name,
        limiters,
        route: options.route,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
      if (!this.#pumping) this.#pump();
    });
  }

  /**
   * Reads a response sent without a ticket (a ticket's `done` does this for its own).
   *
   * @param response The status, and for a 429 its wait and limit.
   * @param route The route it answered, for limits of its own.
   */
  observe(response: PacerResponse, route?: string): void {
    this.#observe(response, this.#now(), this.#limitersOf(route), route);
  }

  /** The limiters a request of `route` answers to: the token's, and the route's own if it has one. */
  #limitersOf(route: string | undefined): readonly Limiter[] {
    const keyed = route === undefined ? undefined : this.#routes.get(route);
    return keyed ? [this.#token, keyed] : this.#tokenOnly;
  }

  #observe(
    response: PacerResponse,
    sentAt: number,
    limiters: readonly Limiter[],
    route?: string,
  ): void {
    const now = this.#now();
    const allowed = Number(response.headers?.get("inin-ratelimit-allowed") ?? NaN);
    if (allowed > 0) this.#token.state(allowed / 60, now);
    if (response.status !== 429) {
      if (response.status < 500) {
        for (const limiter of limiters) {
          limiter.accept(sentAt);
          limiter.grow(now);
        }
      }
      return;
    }
    this.#rateLimited++;
    const wait = response.retryAfterMs ??
      parseRetryAfter(response.headers?.get("retry-after"), now) ?? 1000;
    if (wait <= this.#maxPauseMs) this.#pausedUntil = Math.max(this.#pausedUntil, now + wait);
    const limiter = this.#limiterFor(response.limit, limiters, route);
    const value = response.limit?.value;
    if (typeof value === "number" && value > 0) limiter.state(value / 60, now);
    // One slowdown per episode: the 429s of requests sent before the last one do not count, nor
    // do 429s in a row without an accepted request between them (a storm says nothing of the
    // rate: the pause is what helps).
    // A wait longer than maxPauseMs (a daily quota) fails its request at once: no rate signal.
    if (wait <= this.#maxPauseMs && sentAt >= limiter.cutAt && limiter.acceptedSinceCut) {
      limiter.slowDown(now, wait, Math.max(now, this.#pausedUntil));
    }
    this.#wake?.abort();
  }

  /** The limiter a 429 is about: the token's, or the one of the `limit.key` it names. */
  #limiterFor(
    limit: RateLimitInfo | undefined,
    limiters: readonly Limiter[],
    route?: string,
  ): Limiter {
    const key = limit?.key;
    if (!key || TOKEN_LIMIT.test(key)) return this.#token;
    const name = limit.namespace ? `${limit.namespace}/${key}` : key;
    let limiter = this.#keyed.get(name);
    if (!limiter) {
      limiter = new Limiter(name, this.#shape, false);
      // What this route was let through by so far counts against its new limit.
      limiter.firstAt = limiters[0].firstAt;
      this.#keyed.set(name, limiter);
    }
    if (route !== undefined) this.#routes.set(route, limiter);
    return limiter;
  }

  /** The earliest time the next request may go. */
  #dueAt(now: number, limiters: readonly Limiter[]): number {
    let due = Math.max(now, this.#pausedUntil);
    for (const limiter of limiters) due = Math.max(due, limiter.due());
    return due;
  }

  #take(at: number, limiters: readonly Limiter[], route?: string): PacerTicket {
    this.#acquired++;
    this.#inFlight++;
    for (const limiter of limiters) limiter.take(at);
    let open = true;
    const sentAt = this.#now();
    return {
      done: (response?: PacerResponse): void => {
        if (!open) return;
        open = false;
        this.#inFlight--;
        if (response) this.#observe(response, sentAt, limiters, route);
      },
    };
  }

  #deadlineError(waitMs: number, remainingMs: number, name?: string): DeadlineError {
    return new DeadlineError(
      `Deadline reached: ${name ?? "the request"} would wait ${
        formatWait(waitMs)
      } for the rate limit, but only ${formatWait(Math.max(0, remainingMs))} remain`,
      { request: name, waitMs, remainingMs },
    );
  }

  #release(waiter: Waiter, at: number): void {
    this.#queue.shift();
    waiter.cleanup();
    this.#waits++;
    this.#waitedMs += Math.max(0, this.#now() - waiter.since);
    waiter.resolve(this.#take(at, waiter.limiters, waiter.route));
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const head = this.#queue[0];
        const now = this.#now();
        const due = this.#dueAt(now, head.limiters);
        if (due <= now) {
          this.#release(head, now);
          continue;
        }
        if (head.deadline !== undefined && due > head.deadline) {
          this.#queue.shift();
          head.cleanup();
          head.reject(this.#deadlineError(due - now, head.deadline - now, head.name));
          continue;
        }
        const wake = new AbortController();
        this.#wake = wake;
        let failure: unknown;
        try {
          await this.#sleep(due - now, wake.signal);
        } catch (error) {
          failure = error;
        } finally {
          this.#wake = undefined;
        }
        if (wake.signal.aborted || this.#queue[0] !== head) continue; // things changed: look again
        if (failure !== undefined) {
          this.#queue.shift();
          head.cleanup();
          head.reject(failure);
          continue;
        }
        // The sleep ended: its time has come (even by a fake clock that did not move).
        this.#release(head, due);
      }
    } finally {
      this.#pumping = false;
    }
  }
}

const shared = new WeakMap<object, Pacer>();

/**
 * The pacer shared by everything that uses `owner` (such as a token manager: one pacer per
 * token), created with `options` the first time.
 *
 * @param owner The object the pacer belongs to.
 * @param options Options for the pacer, used only when it is created.
 * @returns The owner's pacer.
 *
 * @example
 * ```ts
 * import { sharedPacer } from "./pacer.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const token = {};
 * strictEqual(sharedPacer(token), sharedPacer(token));
 * ```
 */
export function sharedPacer(owner: object, options: PacerOptions = {}): Pacer {
  let pacer = shared.get(owner);
  if (!pacer) {
    pacer = new Pacer(options);
    shared.set(owner, pacer);
  }
  return pacer;
}
