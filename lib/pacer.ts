/**
 * Client-side pacing for one token's rate limit, from the `inin-ratelimit-*` headers and 429s.
 *
 * Genesys Cloud allows about 300 requests per minute per token and says so on every response:
 * `inin-ratelimit-allowed` (requests per window), `inin-ratelimit-count` (used so far) and
 * `inin-ratelimit-reset` (seconds until the window resets). A {@link Pacer} is shared by every
 * request of one token (one client) and holds each request back just long enough that a long job
 * settles at that rate instead of provoking a storm of 429s.
 *
 * @module
 */

import { DeadlineError, UsageError } from "./errors.ts";
import { formatWait, parseRetryAfter, sleep as defaultSleep } from "./retry.ts";

/**
 * When requests are spaced:
 * - `auto` (default): the window budget (`count`/`allowed`/`reset`) is always kept, and a 429
 *   pauses everyone for its `Retry-After`; requests are spaced evenly at `allowed / window` only
 *   once the server has answered 429 (it then evidently enforces a smooth rate). Short bursts
 *   within the budget stay fast.
 * - `always`: spaced evenly from the first request, at `allowed / window` (before any header:
 *   `defaultAllowed / window`).
 */
export type PacerMode = "auto" | "always";

/** Options of a {@link Pacer}. */
export interface PacerOptions {
  /** When requests are spaced (see {@link PacerMode}). Default `auto`. */
  mode?: PacerMode;
  /** The window `inin-ratelimit-allowed` counts requests in, in milliseconds. Default 60000. */
  windowMs?: number;
  /** Requests allowed per window until a response says otherwise. Default 300 (Genesys' default). */
  defaultAllowed?: number;
  /** The share of the allowed rate to aim for, above 0 and at most 1. Default 1. */
  utilization?: number;
  /** Requests that may go at once after a quiet spell, when spaced (at least 1). Default 1. */
  burst?: number;
  /** The factor the spacing rate is multiplied by after a 429 (above 0, below 1). Default 0.5. */
  backoff?: number;
  /** Successful responses that climb the rate back from a 429 to the allowed rate. Default 20. */
  recovery?: number;
  /** The slowest rate a run of 429s can push the pacer to, requests per second. Default 0.1. */
  minRatePerSecond?: number;
  /**
   * The longest pause a 429's `Retry-After` imposes on every request, in milliseconds; a longer
   * one (a daily quota) pauses no one, since the client fails such a request at once. Default
   * 180000 (the client's `maxRetryAfter`).
   */
  maxPauseMs?: number;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Waits `ms` milliseconds; an abort of `signal` ends the wait. Default a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Options of {@link Pacer.acquire}. */
export interface PacerAcquireOptions {
  /** Ends the wait at once, rejecting with the signal's reason. */
  signal?: AbortSignal;
  /** An absolute deadline (epoch ms by the pacer's clock): a wait that would cross it fails at once. */
  deadline?: number;
  /** What is waiting, for the deadline message (such as `GET /api/v2/users`). */
  name?: string;
}

/** The parts of a response a pacer reads. */
export interface PacerResponse {
  /** The HTTP status. */
  status: number;
  /** The response headers (`inin-ratelimit-*`, `Retry-After`). */
  headers: Headers;
  /**
   * For a 429: the wait the caller already read from it (headers or body), in milliseconds.
   * Without it the pacer reads `Retry-After`, then `inin-ratelimit-reset`, then waits 1 s.
   */
  retryAfterMs?: number;
}

/** The permission to send one request; report its outcome with {@link PacerTicket.done}. */
export interface PacerTicket {
  /**
   * Reports that the request ended: with its response (the headers feed the pacer), or without
   * one after a network failure. Only the first call counts.
   *
   * @param response The response, when there was one.
   */
  done(response?: PacerResponse): void;
}

/** What a pacer is doing, as a snapshot. */
export interface PacerStats {
  /** The mode. */
  mode: PacerMode;
  /** Whether requests are being spaced evenly (always in `always` mode; after a 429 in `auto`). */
  spacing: boolean;
  /** The current spacing rate, requests per second (what is used once `spacing` is on). */
  ratePerSecond: number;
  /** The allowed rate, requests per second: `allowed / window × utilization`. */
  allowedPerSecond: number;
  /** The last `inin-ratelimit-allowed` seen. */
  allowed?: number;
  /** The highest `inin-ratelimit-count` seen in the current window. */
  count?: number;
  /** Requests let through. */
  acquired: number;
  /** Requests that had to wait. */
  waits: number;
  /** Milliseconds spent waiting, all requests together. */
  waitedMs: number;
  /** 429 responses seen. */
  rateLimited: number;
  /** Times a 429 lowered the spacing rate. */
  slowdowns: number;
  /** Requests waiting now. */
  queued: number;
  /** Requests let through whose outcome is not reported yet. */
  inFlight: number;
  /** Until when (epoch ms) a 429 or a spent window holds every request, if that is in the future. */
  pausedUntil?: number;
}

interface Waiter {
  since: number;
  deadline?: number;
  name?: string;
  resolve: (ticket: PacerTicket) => void;
  reject: (error: unknown) => void;
  cleanup: () => void;
}

function header(headers: Headers, name: string): number | undefined {
  const text = headers.get(name)?.trim() ?? "";
  const value = text === "" ? NaN : Number(text);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

function checkOptions(o: PacerOptions): void {
  const check = (name: keyof PacerOptions, ok: (v: number) => boolean, what: string): void => {
    const value = o[name];
    if (value !== undefined && !(typeof value === "number" && ok(value))) {
      throw new UsageError(`Pacer option '${name}' must be ${what}, got '${String(value)}'`);
    }
  };
  const positive = (v: number) => Number.isFinite(v) && v > 0;
  check("windowMs", positive, "a positive number of milliseconds");
  check("defaultAllowed", positive, "a positive number");
  check("utilization", (v) => v > 0 && v <= 1, "above 0 and at most 1");
  check("burst", (v) => Number.isFinite(v) && v >= 1, "at least 1");
  check("backoff", (v) => v > 0 && v < 1, "above 0 and below 1");
  check("recovery", positive, "a positive number");
  check("minRatePerSecond", positive, "a positive number");
  check("maxPauseMs", (v) => v >= 0, "0 or more milliseconds");
  if (o.mode !== undefined && o.mode !== "auto" && o.mode !== "always") {
    throw new UsageError(`Pacer option 'mode' must be 'auto' or 'always', got '${String(o.mode)}'`);
  }
}

/**
 * Paces the requests of one token. Call {@link Pacer.acquire} before each request (it waits as
 * long as needed) and report each outcome with the ticket's `done`:
 *
 * - The window budget: once the requests counted in the window (`inin-ratelimit-count`, plus
 *   those in flight) reach `inin-ratelimit-allowed`, everyone waits for the window to reset.
 * - A 429 pauses every request for its `Retry-After` (else `inin-ratelimit-reset`, else 1 s), so
 *   concurrent requests do not run into the same wall. In `auto` mode the first 429 turns on even
 *   spacing at the allowed rate; a later one lowers the rate (× `backoff`) and successes climb it
 *   back (fast up to just below the rate that failed, then slowly) to the allowed rate.
 * - Spacing is a token bucket (generic cell rate): requests go in order, `1 / rate` apart, with
 *   `burst` allowed at once after a quiet spell. Waits are scheduled on the ideal timeline, so
 *   late timers do not pile up into a lower rate.
 *
 * One pacer serves many concurrent requests, in arrival order. Every wait ends at once when its
 * signal aborts, fails at once with a {@link DeadlineError} when it would cross its deadline, and
 * leaves no timer behind once nobody waits. Time and sleeping can be injected (`now`, `sleep`):
 * after a completed `sleep` the pacer trusts that the time has come, so a fake clock works.
 *
 * @example Space requests at the allowed rate (injected clock, no real waiting)
 * ```ts
 * import { Pacer } from "./pacer.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * let now = 0;
 * const slept: number[] = [];
 * const pacer = new Pacer({
 *   mode: "always",
 *   now: () => now,
 *   sleep: (ms) => {
 *     slept.push(ms);
 *     now += ms;
 *     return Promise.resolve();
 *   },
 * });
 * // 600 requests per minute allowed: one every 100 ms.
 * const headers = new Headers({ "inin-ratelimit-allowed": "600" });
 * for (let i = 0; i < 3; i++) (await pacer.acquire()).done({ status: 200, headers });
 * deepStrictEqual(slept, [100, 100]);
 * strictEqual(pacer.stats.ratePerSecond, 10);
 * ```
 *
 * @example A 429 pauses everyone for its Retry-After
 * ```ts
 * import { Pacer } from "./pacer.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let now = 0;
 * const pacer = new Pacer({ now: () => now, sleep: (ms) => (now += ms, Promise.resolve()) });
 * const ticket = await pacer.acquire();
 * ticket.done({ status: 429, headers: new Headers({ "Retry-After": "2" }) });
 * await pacer.acquire();
 * strictEqual(now, 2000);
 * strictEqual(pacer.stats.spacing, true);
 * ```
 */
export class Pacer {
  readonly #mode: PacerMode;
  readonly #windowMs: number;
  readonly #defaultAllowed: number;
  readonly #utilization: number;
  readonly #burst: number;
  readonly #backoff: number;
  readonly #recovery: number;
  readonly #minRate: number;
  readonly #maxPauseMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #spacing: boolean;
  #rate: number;
  #allowed?: number;
  /** The ideal time of the next spaced request (generic cell rate algorithm). */
  #tat = -Infinity;
  #pausedUntil = -Infinity;
  #windowEnd = -Infinity;
  #windowCount = 0;
  #inFlight = 0;
  #limitedRate?: number;
  #lastSlowdown = -Infinity;
  #queue: Waiter[] = [];
  #pumping = false;
  #wake?: AbortController;
  #budgetBound = false;
  #acquired = 0;
  #waits = 0;
  #waitedMs = 0;
  #rateLimited = 0;
  #slowdowns = 0;

  /**
   * Creates a pacer; nothing runs until the first {@link Pacer.acquire}.
   *
   * @param options Mode, window, shaping of the rate, injected time.
   * @throws {UsageError} For an option out of range.
   */
  constructor(options: PacerOptions = {}) {
    checkOptions(options);
    this.#mode = options.mode ?? "auto";
    this.#windowMs = options.windowMs ?? 60_000;
    this.#defaultAllowed = options.defaultAllowed ?? 300;
    this.#utilization = options.utilization ?? 1;
    this.#burst = options.burst ?? 1;
    this.#backoff = options.backoff ?? 0.5;
    this.#recovery = options.recovery ?? 20;
    this.#minRate = options.minRatePerSecond ?? 0.1;
    this.#maxPauseMs = options.maxPauseMs ?? 180_000;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#spacing = this.#mode === "always";
    this.#rate = this.#cap;
  }

  /** A snapshot of the pacer's state and counters. */
  get stats(): PacerStats {
    const now = this.#now();
    const stats: PacerStats = {
      mode: this.#mode,
      spacing: this.#spacing,
      ratePerSecond: this.#rate,
      allowedPerSecond: this.#cap,
      acquired: this.#acquired,
      waits: this.#waits,
      waitedMs: this.#waitedMs,
      rateLimited: this.#rateLimited,
      slowdowns: this.#slowdowns,
      queued: this.#queue.length,
      inFlight: this.#inFlight,
    };
    if (this.#allowed !== undefined) stats.allowed = this.#allowed;
    if (this.#allowed !== undefined && now < this.#windowEnd) stats.count = this.#windowCount;
    const paused = Math.max(this.#pausedUntil, this.#budgetSpent(now) ? this.#windowEnd : 0);
    if (paused > now) stats.pausedUntil = paused;
    return stats;
  }

  /** The allowed rate, requests per second. */
  get #cap(): number {
    return ((this.#allowed ?? this.#defaultAllowed) * 1000 / this.#windowMs) * this.#utilization;
  }

  /**
   * Waits until one more request may be sent, in arrival order.
   *
   * @param options A signal that ends the wait, a deadline it may not cross, a name for messages.
   * @returns The ticket; call its `done` when the request has ended.
   * @throws {DeadlineError} When the wait would cross the deadline (at once, or as soon as a 429
   * or a lower rate makes it so).
   * @throws The signal's reason when it aborts.
   */
  acquire(options: PacerAcquireOptions = {}): Promise<PacerTicket> {
    const { signal, deadline, name } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = this.#now();
    const due = this.#dueAt(now);
    if (this.#queue.length === 0 && due <= now) return Promise.resolve(this.#take(now));
    const expected = due + this.#queue.length * (this.#spacing ? 1000 / this.#rate : 0);
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
   * Reads a response's `inin-ratelimit-*` headers and status (a ticket's `done` does this; call
   * it directly only for responses sent without a ticket).
   *
   * @param response The status and headers.
   */
  observe(response: PacerResponse): void {
    this.#observe(response);
  }

  #observe(response: PacerResponse, sentAt?: number): void {
    const now = this.#now();
    const { status, headers } = response;
    let slower = false;
    const allowed = header(headers, "inin-ratelimit-allowed");
    if (allowed !== undefined && allowed > 0 && allowed !== this.#allowed) {
      const before = this.#cap;
      this.#allowed = allowed;
      const after = this.#cap;
      // At the allowed rate: follow it. Backed off after a 429: keep climbing from where it is.
      this.#setRate(this.#rate >= before ? after : Math.min(this.#rate, after), now);
      if (after < before) slower = true;
    }
    if (status === 429) {
      this.#rateLimited++;
      slower = true;
      const wait = response.retryAfterMs ?? parseRetryAfter(headers, now) ?? 1000;
      if (wait <= this.#maxPauseMs) this.#pausedUntil = Math.max(this.#pausedUntil, now + wait);
      if (!this.#spacing) {
        // The server enforces a smooth rate: space requests at the allowed rate from now on.
        this.#spacing = true;
        this.#setRate(this.#cap, now);
        this.#lastSlowdown = now;
      } else if ((sentAt ?? now) > this.#lastSlowdown) {
        // One slowdown per episode: the 429s of requests sent before the last one do not count.
        this.#lastSlowdown = now;
        this.#limitedRate = this.#rate;
        this.#setRate(
          Math.max(Math.min(this.#minRate, this.#cap), this.#rate * this.#backoff),
          now,
        );
        this.#slowdowns++;
      }
    } else {
      const count = header(headers, "inin-ratelimit-count");
      const reset = header(headers, "inin-ratelimit-reset");
      if (count !== undefined && reset !== undefined) {
        const end = now + reset * 1000;
        if (now >= this.#windowEnd || count + this.#inFlight + 1 < this.#windowCount) {
          this.#windowCount = count;
          this.#windowEnd = end;
        } else {
          this.#windowCount = Math.max(this.#windowCount, count);
          this.#windowEnd = Math.min(this.#windowEnd, end);
        }
        if (this.#budgetSpent(now)) slower = true;
      }
      if (status < 400 && this.#spacing && this.#rate < this.#cap) this.#climb(now);
    }
    if (slower) this.#wake?.abort();
  }

  /** Changes the spacing rate; the backlog already scheduled keeps its size in requests. */
  #setRate(rate: number, now: number): void {
    if (this.#tat > now) this.#tat = now + (this.#tat - now) * this.#rate / rate;
    this.#rate = rate;
  }

  #climb(now: number): void {
    const step = this.#cap / this.#recovery;
    const careful = this.#limitedRate !== undefined && this.#rate >= 0.9 * this.#limitedRate;
    this.#setRate(Math.min(this.#cap, this.#rate + (careful ? step / 10 : step)), now);
    if (this.#limitedRate !== undefined && this.#rate >= this.#limitedRate) {
      this.#limitedRate = undefined;
    }
  }

  #budgetSpent(now: number): boolean {
    return this.#allowed !== undefined && now < this.#windowEnd &&
      this.#windowCount + this.#inFlight >= this.#allowed;
  }

  /** The earliest time the next request may go. */
  #dueAt(now: number): number {
    let due = Math.max(now, this.#pausedUntil);
    this.#budgetBound = this.#budgetSpent(now);
    if (this.#budgetBound) due = Math.max(due, this.#windowEnd);
    if (this.#spacing) due = Math.max(due, this.#tat - (this.#burst - 1) * 1000 / this.#rate);
    return due;
  }

  #take(at: number): PacerTicket {
    this.#acquired++;
    this.#inFlight++;
    if (this.#spacing) this.#tat = Math.max(this.#tat, at) + 1000 / this.#rate;
    let open = true;
    const sentAt = this.#now();
    return {
      done: (response?: PacerResponse): void => {
        if (!open) return;
        open = false;
        if (response) this.#observe(response, sentAt);
        this.#inFlight--;
        if (this.#budgetBound) this.#wake?.abort();
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
    waiter.resolve(this.#take(at));
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const head = this.#queue[0];
        const now = this.#now();
        const due = this.#dueAt(now);
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
