/**
 * Bounded, ordered prefetching for page sources: requests the pages a source will need next, a
 * few at a time, and hands each back when the source asks for it, in the source's own order. The
 * source stays the only judge of what a page means and where to resume, so its positions stay
 * exactly what a one-page-at-a-time run would give.
 *
 * @module
 */

/** Something a {@link Lookahead} may fetch: `key` names it (equal keys, equal requests). */
export interface LookaheadItem {
  /** Identifies the request, such as `2026-01-01T00:00:00Z/2026-01-02T00:00:00Z#3`. */
  key: string;
}

/** Options of a {@link Lookahead}. */
export interface LookaheadOptions<I extends LookaheadItem, R> {
  /**
   * Most requests in flight at once (at least 1). Pages held at once (in flight plus fetched but
   * not yet taken) are at most 1 with a concurrency of 1 (fetch the next page while the current
   * one is handled), else twice the concurrency.
   */
  concurrency: number;
  /** Sends one request; its signal aborts when the item is no longer needed or on close. */
  fetch: (item: I, signal: AbortSignal) => Promise<R>;
  /**
   * The items the source expects to take next, in order, starting with the one it takes next.
   * Read lazily and often (after every response), so keep it cheap; an item it no longer lists
   * is dropped (aborted if in flight).
   */
  plan: () => Iterable<I>;
  /** Told about every response as it arrives (to learn, say, how many pages a chunk has). */
  onResponse?: (item: I, response: R) => void;
  /**
   * Fetch ahead while the caller handles a page. With `false`, requests start only while
   * {@link Lookahead.take} waits.
   *
   * @default {true}
   */
  eager?: boolean;
  /** Aborts every request. */
  signal?: AbortSignal;
}

interface Entry<I, R> {
  item: I;
  controller: AbortController;
  promise: Promise<R>;
  settled: boolean;
}

/** How many plan items one refill reads at most (a guard against endless plans). */
const MAX_SCAN = 100_000;

/**
 * A window of prefetched requests, at most `concurrency` in flight (and a few more held), started in
 * the order the plan gives and taken in the order the caller needs. A request the plan stops
 * listing is aborted (or its response dropped); an error surfaces only when its item is taken.
 *
 * @example
 * ```ts
 * import { Lookahead } from "./_lookahead.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * let next = 1;
 * const started: number[] = [];
 * const window = new Lookahead<{ key: string; page: number }, string>({
 *   concurrency: 3,
 *   fetch: (item) => {
 *     started.push(item.page);
 *     return Promise.resolve(`page ${item.page}`);
 *   },
 *   plan: function* () {
 *     for (let page = next; page <= 5; page++) yield { key: String(page), page };
 *   },
 * });
 * const pages = [];
 * for (; next <= 5; next++) pages.push(await window.take({ key: String(next), page: next }));
 * await window.close();
 * deepStrictEqual(pages, ["page 1", "page 2", "page 3", "page 4", "page 5"]);
 * deepStrictEqual(started, [1, 2, 3, 4, 5]);
 * ```
 */
export class Lookahead<I extends LookaheadItem, R> {
  readonly #o: LookaheadOptions<I, R>;
  readonly #concurrency: number;
  readonly #held: number;
  #entries = new Map<string, Entry<I, R>>();
  #current?: Entry<I, R>;
  #lastTaken?: string;
  #inFlight = 0;
  #waiting?: { item: I; resolve: (entry: Entry<I, R>) => void };
  #closed = false;
  #started = 0;
  #dropped = 0;

  /**
   * Creates the window; nothing is fetched before the first {@link Lookahead.take} or
   * {@link Lookahead.refill}.
   *
   * @param options Concurrency, the fetch function, the plan.
   * @throws {RangeError} For a concurrency below 1.
   */
  constructor(options: LookaheadOptions<I, R>) {
    const { concurrency } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(
        `Lookahead concurrency must be a whole number of at least 1, got '${concurrency}'`,
      );
    }
    this.#o = options;
    this.#concurrency = concurrency;
    this.#held = concurrency === 1 ? 1 : 2 * concurrency;
  }

  /** Counters: requests started, dropped unused, in flight now, held now. */
  get stats(): { started: number; dropped: number; inFlight: number; held: number } {
    return {
      started: this.#started,
      dropped: this.#dropped,
      inFlight: this.#inFlight,
      held: this.#entries.size,
    };
  }

  /**
   * Gives the response for `item`: the prefetched one, or one fetched now (waiting for a free
   * slot when `concurrency` requests are already in flight).
   *
   * @param item What the caller needs now.
   * @returns Its response.
   * @throws What the request threw (its error, or the abort reason).
   */
  async take(item: I): Promise<R> {
    if (this.#closed) throw new RangeError("Lookahead is closed");
    this.#lastTaken = undefined;
    let entry = this.#entries.get(item.key);
    if (!entry) {
      entry = await new Promise<Entry<I, R>>((resolve) => {
        this.#waiting = { item, resolve };
        this.refill();
      });
    }
    this.#entries.delete(item.key);
    // Until the caller takes the next item, its plan may still list this one first: not again.
    this.#lastTaken = item.key;
    this.#current = entry;
    try {
      return await entry.promise;
    } finally {
      this.#current = undefined;
    }
  }

  /**
   * Starts what the plan needs next, within the limits, and drops what it no longer lists.
   * Called by the window itself after every response and take; call it after the caller's state
   * moved on (so the plan changed) to prefetch at once. Without `eager` it does nothing unless a
   * {@link Lookahead.take} waits.
   */
  refill(): void {
    const waiting = this.#waiting;
    if (this.#closed || !((this.#o.eager ?? true) || waiting)) return;
    if (waiting && !this.#entries.has(waiting.item.key) && this.#inFlight < this.#concurrency) {
      this.#start(waiting.item); // what the caller waits for goes first, whatever the limit on held
    }
    if (waiting && this.#entries.has(waiting.item.key)) {
      // Handed over at once: the scan below must not drop what the caller already holds, even
      // when the plan does not list it (a span about to be split).
      const entry = this.#entries.get(waiting.item.key)!;
      this.#entries.delete(waiting.item.key);
      this.#current = entry;
      this.#waiting = undefined;
      waiting.resolve(entry);
    }
    const needed = new Set<string>();
    let complete = true;
    let scanned = 0;
    let found = 0;
    const pending = new Set(this.#entries.keys());
    for (const item of this.#o.plan()) {
      if (++scanned > MAX_SCAN) {
        complete = false;
        break;
      }
      needed.add(item.key);
      if (pending.has(item.key)) {
        found++;
      } else if (
        this.#inFlight < this.#concurrency && this.#entries.size < this.#held &&
        item.key !== this.#lastTaken && item.key !== this.#current?.item.key
      ) {
        this.#start(item);
        found++;
        pending.add(item.key);
      }
      const full = this.#inFlight >= this.#concurrency || this.#entries.size >= this.#held;
      if (full && found >= pending.size) {
        complete = false; // every held entry is accounted for; the rest of the plan cannot start
        break;
      }
    }
    if (complete || found >= pending.size) {
      for (const [key, entry] of this.#entries) {
        if (!needed.has(key) && key !== this.#waiting?.item.key) this.#drop(key, entry);
      }
    }
  }

  /**
   * Aborts every request still held or in flight (with an `AbortError`) and waits until they have
   * settled. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#entries.values(), ...(this.#current ? [this.#current] : [])];
    this.#entries.clear();
    const why = new DOMException("The page loop ended before this request finished", "AbortError");
    for (const entry of all) if (!entry.settled) entry.controller.abort(why);
    await Promise.allSettled(all.map((entry) => entry.promise));
  }

  #start(item: I): void {
    const controller = new AbortController();
    const signal = this.#o.signal
      ? AbortSignal.any([this.#o.signal, controller.signal])
      : controller.signal;
    this.#inFlight++;
    this.#started++;
    const entry: Entry<I, R> = {
      item,
      controller,
      settled: false,
      promise: this.#send(item, signal),
    };
    entry.promise.catch(() => {});
    this.#entries.set(item.key, entry);
    entry.promise.then((response) => {
      if (!controller.signal.aborted) this.#o.onResponse?.(item, response);
    }, () => {}).finally(() => {
      entry.settled = true;
      this.#inFlight--;
      // The page the caller takes now is handled with its state not yet moved on: it refills
      // itself afterwards. Any other response frees a slot for the next request at once.
      const handled = entry === this.#current || item.key === this.#lastTaken;
      if (!handled) this.refill();
    });
  }

  /** Sends at once (the request is on its way before the caller's next step), errors as rejections. */
  #send(item: I, signal: AbortSignal): Promise<R> {
    try {
      return Promise.resolve(this.#o.fetch(item, signal));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #drop(key: string, entry: Entry<I, R>): void {
    this.#entries.delete(key);
    this.#dropped++;
    if (!entry.settled) {
      entry.controller.abort(
        new DOMException("This page is no longer needed", "AbortError"),
      );
    }
  }
}
