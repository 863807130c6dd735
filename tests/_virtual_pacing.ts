/**
 * Drives a {@link Pacer} against a simulated rate limit in virtual time: `concurrency` workers
 * send requests through the pacer to a limit (the simulator's per-minute windows or token
 * bucket, on the same virtual clock), wait the 429's `Retry-After` as the client does and ask
 * again, until `requests` were accepted. No real time passes, so minutes of pacing are checked
 * exactly and fast.
 */
import { Pacer } from "../lib/client/pacer.ts";
import type { PacerOptions } from "../lib/client/pacer_options.ts";
import type { Limit } from "../lib/sim/ratelimit.ts";

/** A clock whose sleeps end when the driver moves time to them. */
export class VirtualTime {
  now = 0;
  #timers: { at: number; seq: number; resolve: () => void }[] = [];
  #seq = 0;

  /** Waits `ms` of virtual time; an abort ends it at once. */
  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer = { at: this.now + Math.max(0, ms), seq: this.#seq++, resolve };
      this.#timers.push(timer);
      signal?.addEventListener("abort", () => {
        const index = this.#timers.indexOf(timer);
        if (index >= 0) this.#timers.splice(index, 1);
        reject(signal.reason);
      }, { once: true });
    });
  };

  /** Runs until `done()`, moving time to the next timer whenever nothing else can run. */
  async run(done: () => boolean, maxSteps = 1_000_000): Promise<void> {
    for (let step = 0; step < maxSteps; step++) {
      for (let i = 0; i < 50; i++) await Promise.resolve();
      if (done()) return;
      if (this.#timers.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (this.#timers.length === 0 && !done()) throw new Error("Virtual time stalled");
        continue;
      }
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers.shift()!;
      this.now = Math.max(this.now, next.at);
      next.resolve();
    }
    throw new Error("Virtual time ran out of steps");
  }
}

/** What a virtual run measured. */
export interface VirtualResult {
  /** Requests the limit accepted. */
  accepted: number;
  /** Requests answered 429. */
  rejected: number;
  /** Virtual milliseconds from the first request to the last acceptance. */
  elapsedMs: number;
  /** Accepted requests per minute, over the elapsed time. */
  perMinute: number;
  /** The pacer, for its stats. */
  pacer: Pacer;
}

/**
 * Runs the workers until `requests` were accepted.
 *
 * @param options The limit (made on the virtual clock), workers, latency, pacer options.
 * @returns What happened.
 */
export async function virtualPacing(options: {
  limit: (now: () => number) => Limit;
  requests: number;
  concurrency: number;
  latencyMs: number;
  pacer?: PacerOptions;
  /** The body's `limit` object on a 429, as some limits send it. */
  statesLimit?: boolean;
}): Promise<VirtualResult> {
  const time = new VirtualTime();
  const now = () => time.now;
  const limit = options.limit(now);
  const pacer = new Pacer({
    ...options.pacer,
    clock: { now, sleep: time.sleep, ...options.pacer?.clock },
  });
  let accepted = 0;
  let rejected = 0;
  let issued = 0;
  let last = 0;
  const worker = async (): Promise<void> => {
    while (issued < options.requests) {
      issued++;
      for (;;) {
        const ticket = await pacer.acquire();
        const wait = limit.take();
        await time.sleep(options.latencyMs);
        if (wait === 0) {
          ticket.done({ status: 200 });
          accepted++;
          last = time.now;
          break;
        }
        rejected++;
        const retryAfterMs = Math.max(1, Math.ceil(wait / 1000)) * 1000;
        ticket.done({
          status: 429,
          retryAfterMs,
          limit: options.statesLimit
            ? { key: "client.credentials.token.rate.per.minute", value: limit.perMinute }
            : undefined,
        });
        await time.sleep(retryAfterMs);
      }
    }
  };
  const workers = Array.from({ length: options.concurrency }, worker);
  let finished = false;
  Promise.all(workers).then(() => finished = true);
  await time.run(() => finished);
  return {
    accepted,
    rejected,
    elapsedMs: last,
    perMinute: accepted / (last / 60_000),
    pacer,
  };
}
