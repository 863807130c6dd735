/**
 * Pacer: spacing from the `inin-ratelimit-*` headers, the window budget, 429 pauses, backoff and
 * recovery, order, aborts, deadlines, and its place in GenesysClient. Every clock is injected:
 * nothing here waits for real time or asserts on it.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { fakeGenesys } from "./_fake_genesys.ts";
import { GenesysClient } from "../lib/client.ts";
import { DeadlineError, RateLimitError, UsageError } from "../lib/errors.ts";
import { Pacer, type PacerOptions, type PacerResponse } from "../lib/pacer.ts";
import { TokenManager } from "../lib/token.ts";

/** A clock whose sleeps end only when the test advances time (a sleep aborted ends at once). */
function manualClock(start = 1_000_000) {
  let time = start;
  const pending: { at: number; resolve: () => void; signal?: AbortSignal }[] = [];
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleeps,
    pending,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return Promise.reject(signal.reason);
      sleeps.push(ms);
      return new Promise<void>((resolve, reject) => {
        const entry = { at: time + ms, resolve, signal };
        pending.push(entry);
        signal?.addEventListener("abort", () => {
          pending.splice(pending.indexOf(entry), 1);
          reject(signal.reason);
        }, { once: true });
      });
    },
    /** Moves time on, ending the sleeps that are due, and lets promise chains run. */
    async advance(ms: number): Promise<void> {
      time += ms;
      for (const entry of pending.filter((p) => p.at <= time)) {
        pending.splice(pending.indexOf(entry), 1);
        entry.resolve();
      }
      await settle();
    },
  };
}

/** A clock whose sleeps end at once and move time by what they asked (plus `late` ms). */
function instantClock(late = 0, start = 1_000_000) {
  let time = start;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleeps,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return Promise.reject(signal.reason);
      sleeps.push(ms);
      time += ms + late;
      return Promise.resolve();
    },
    advance(ms: number): void {
      time += ms;
    },
  };
}

/** Lets pending promise chains run (one macrotask). */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function ok(headers: Record<string, string> = {}): PacerResponse {
  return { status: 200, headers: new Headers(headers) };
}

function tooMany(retryAfter = "1"): PacerResponse {
  return { status: 429, headers: new Headers({ "Retry-After": retryAfter }) };
}

function pacer(clock: { now: () => number; sleep: PacerOptions["sleep"] }, o: PacerOptions = {}) {
  return new Pacer({ now: clock.now, sleep: clock.sleep, ...o });
}

Deno.test("Pacer in always mode spaces requests at allowed / window from the headers", async () => {
  const clock = instantClock();
  const p = pacer(clock, { mode: "always" });
  const sentAt: number[] = [];
  for (let i = 0; i < 5; i++) {
    const ticket = await p.acquire();
    sentAt.push(clock.now() - 1_000_000);
    ticket.done(ok({ "inin-ratelimit-allowed": "1200" })); // 20 per second
  }
  // The first request was scheduled at the default 300/min (200 ms), rescaled when the header
  // said 1200/min: 50 ms apart from then on.
  assertEquals(sentAt, [0, 50, 100, 150, 200]);
  assertEquals(p.stats.ratePerSecond, 20);
  assertEquals(p.stats.allowedPerSecond, 20);
  assertEquals(p.stats.waits, 4);
  assertEquals(p.stats.waitedMs, 200);
  assertEquals(p.stats.acquired, 5);
  assertEquals(p.stats.inFlight, 0);
});

Deno.test("Pacer schedules on the ideal timeline, so late timers do not lower the rate", async () => {
  const clock = instantClock(7); // every sleep ends 7 ms late
  const p = pacer(clock, { mode: "always", defaultAllowed: 600 }); // 100 ms apart
  for (let i = 0; i < 11; i++) (await p.acquire()).done();
  // Ten gaps of 100 ms; each sleep is shortened by the previous one's lateness.
  assertEquals(clock.sleeps, [100, ...Array(9).fill(93)]);
  assertEquals(clock.now() - 1_000_000, 1000 + 7);
});

Deno.test("Pacer serves concurrent requests in arrival order on one shared schedule", async () => {
  const clock = manualClock();
  const p = pacer(clock, { mode: "always", defaultAllowed: 600 });
  const order: number[] = [];
  const all = Array.from({ length: 4 }, (_, i) =>
    p.acquire().then((ticket) => {
      order.push(i);
      ticket.done();
    }));
  await settle();
  assertEquals(order, [0]);
  assertEquals(p.stats.queued, 3);
  await clock.advance(99);
  assertEquals(order, [0]);
  await clock.advance(1);
  assertEquals(order, [0, 1]);
  await clock.advance(200);
  await Promise.all(all);
  assertEquals(order, [0, 1, 2, 3]);
  assertEquals(clock.pending.length, 0);
  assertEquals(p.stats.queued, 0);
});

Deno.test("Pacer in auto mode lets requests through until a 429, then pauses everyone and spaces", async () => {
  const clock = manualClock();
  const p = pacer(clock); // auto
  const headers = { "inin-ratelimit-allowed": "600" };
  for (let i = 0; i < 20; i++) (await p.acquire()).done(ok(headers));
  assertEquals(p.stats.waits, 0);
  assertEquals(p.stats.spacing, false);

  (await p.acquire()).done(tooMany("2"));
  assertEquals(p.stats.spacing, true);
  assertEquals(p.stats.rateLimited, 1);
  assertEquals(p.stats.pausedUntil, clock.now() + 2000);
  let released = 0;
  const waiting = [p.acquire(), p.acquire()].map((w) =>
    w.then((ticket) => {
      released++;
      ticket.done(ok(headers));
    })
  );
  await settle();
  await clock.advance(1999);
  assertEquals(released, 0);
  await clock.advance(1);
  assertEquals(released, 1);
  await clock.advance(100); // spaced at the allowed 10 per second
  await Promise.all(waiting);
  assertEquals(released, 2);
  // The 429 that turned spacing on did not also lower the rate.
  assertEquals(p.stats.ratePerSecond, 10);
  assertEquals(p.stats.slowdowns, 0);
});

Deno.test("Pacer keeps the window budget: at count = allowed it waits for the reset", async () => {
  const clock = instantClock();
  const p = pacer(clock);
  (await p.acquire()).done(ok({
    "inin-ratelimit-allowed": "300",
    "inin-ratelimit-count": "299",
    "inin-ratelimit-reset": "12",
  }));
  const last = await p.acquire(); // the 300th of the window may go
  assertEquals(clock.sleeps, []);
  last.done(ok({
    "inin-ratelimit-allowed": "300",
    "inin-ratelimit-count": "300",
    "inin-ratelimit-reset": "12",
  }));
  assertEquals(p.stats.pausedUntil, clock.now() + 12_000);
  (await p.acquire()).done(ok({
    "inin-ratelimit-allowed": "300",
    "inin-ratelimit-count": "1",
    "inin-ratelimit-reset": "60",
  }));
  assertEquals(clock.sleeps, [12_000]);
  assertEquals(p.stats.count, 1);
  assertEquals(p.stats.pausedUntil, undefined);
});

Deno.test("Pacer counts requests in flight against the window budget", async () => {
  const clock = manualClock();
  const p = pacer(clock);
  (await p.acquire()).done(ok({
    "inin-ratelimit-allowed": "10",
    "inin-ratelimit-count": "8",
    "inin-ratelimit-reset": "30",
  }));
  const a = await p.acquire();
  const b = await p.acquire(); // 8 counted + 2 in flight = 10: the budget is spent
  let third = false;
  const c = p.acquire().then((ticket) => {
    third = true;
    return ticket;
  });
  await settle();
  assertEquals(third, false);
  assertEquals(p.stats.inFlight, 2);
  // One finishes without a response (a network failure): a slot frees at once.
  a.done();
  await settle();
  assertEquals(third, true);
  b.done();
  (await c).done();
  assertEquals(clock.pending.length, 0);
});

Deno.test("Pacer slows down once per 429 episode and climbs back to the allowed rate", async () => {
  const clock = instantClock();
  const p = pacer(clock, { mode: "always", recovery: 10 });
  const headers = { "inin-ratelimit-allowed": "600" }; // cap: 10 per second
  (await p.acquire()).done(ok(headers));
  assertEquals(p.stats.ratePerSecond, 10);
  // Three requests in flight together all meet a 429: one slowdown, not three.
  const tickets = [await p.acquire(), await p.acquire(), await p.acquire()];
  for (const ticket of tickets) ticket.done(tooMany("1"));
  assertEquals(p.stats.rateLimited, 3);
  assertEquals(p.stats.slowdowns, 1);
  assertEquals(p.stats.ratePerSecond, 5);
  // Successes climb fast to 90 % of the rate that failed, then carefully.
  const rates: number[] = [];
  for (let i = 0; i < 14; i++) {
    (await p.acquire()).done(ok(headers));
    rates.push(Math.round(p.stats.ratePerSecond * 10) / 10);
  }
  assertEquals(rates.slice(0, 4), [6, 7, 8, 9]);
  assertEquals(rates.slice(4, 7), [9.1, 9.2, 9.3]);
  assertEquals(rates.at(-1), 10);
  assertEquals(p.stats.slowdowns, 1);
});

Deno.test("Pacer never goes below minRatePerSecond and follows a lower allowed at once", async () => {
  const clock = instantClock();
  const p = pacer(clock, { mode: "always", minRatePerSecond: 2 });
  (await p.acquire()).done(ok({ "inin-ratelimit-allowed": "600" }));
  for (let i = 0; i < 6; i++) {
    (await p.acquire()).done(tooMany("1"));
  }
  assertEquals(p.stats.ratePerSecond, 2);
  (await p.acquire()).done(ok({ "inin-ratelimit-allowed": "60" }));
  assertEquals(p.stats.allowedPerSecond, 1);
  assertEquals(p.stats.ratePerSecond, 1);
});

Deno.test("Pacer ignores a Retry-After longer than maxPauseMs (the client fails that request)", async () => {
  const clock = instantClock();
  const p = pacer(clock, { maxPauseMs: 180_000 });
  (await p.acquire()).done(tooMany("3600"));
  assertEquals(p.stats.pausedUntil, undefined);
  (await p.acquire()).done();
  assertEquals(clock.sleeps, []);
});

Deno.test("Pacer: an abort ends the wait at once and leaves no sleep behind", async () => {
  const clock = manualClock();
  const p = pacer(clock);
  (await p.acquire()).done(tooMany("60"));
  const controller = new AbortController();
  const waiting = p.acquire({ signal: controller.signal });
  await settle();
  assertEquals(clock.pending.length, 1);
  controller.abort(new Error("Stopped by the user"));
  await assertRejects(() => waiting, Error, "Stopped by the user");
  await settle();
  assertEquals(clock.pending.length, 0);
  assertEquals(p.stats.queued, 0);
  await assertRejects(() => p.acquire({ signal: controller.signal }), Error, "Stopped");
});

Deno.test("Pacer with the default timer: an abort clears it (leak sanitizer)", async () => {
  const p = new Pacer();
  (await p.acquire()).done(tooMany("120"));
  const controller = new AbortController();
  const waiting = p.acquire({ signal: controller.signal });
  controller.abort(new Error("Gone"));
  await assertRejects(() => waiting, Error, "Gone");
});

Deno.test("Pacer fails at once when the wait would cross the deadline", async () => {
  const clock = instantClock();
  const p = pacer(clock);
  (await p.acquire()).done(tooMany("5"));
  const error = await assertRejects(
    () => p.acquire({ deadline: clock.now() + 3000, name: "GET /api/v2/users" }),
    DeadlineError,
  );
  assert.match(error.message, /GET \/api\/v2\/users would wait 5 s for the rate limit/);
  assertEquals(clock.sleeps, []);
  // Within the deadline it waits.
  (await p.acquire({ deadline: clock.now() + 6000 })).done();
  assertEquals(clock.sleeps, [5000]);
});

Deno.test("Pacer rejects a waiter as soon as a 429 pushes its turn past its deadline", async () => {
  const clock = manualClock();
  const p = pacer(clock, { mode: "always", defaultAllowed: 600 });
  const first = await p.acquire();
  const waiting = p.acquire({ deadline: clock.now() + 1000 });
  await settle();
  assertEquals(clock.pending.length, 1); // sleeping 100 ms for its turn
  first.done(tooMany("30"));
  await assertRejects(() => waiting, DeadlineError, "for the rate limit");
  await settle();
  assertEquals(clock.pending.length, 0);
});

Deno.test("Pacer refuses options out of range", () => {
  assertThrows(() => new Pacer({ utilization: 0 }), UsageError, "utilization");
  assertThrows(() => new Pacer({ burst: 0.5 }), UsageError, "burst");
  assertThrows(() => new Pacer({ backoff: 1 }), UsageError, "backoff");
  assertThrows(() => new Pacer({ windowMs: -1 }), UsageError, "windowMs");
  assertThrows(() => new Pacer({ mode: "never" as "auto" }), UsageError, "mode");
});

Deno.test("Pacer with burst lets that many go at once after a quiet spell", async () => {
  const clock = instantClock();
  const p = pacer(clock, { mode: "always", defaultAllowed: 600, burst: 3 });
  for (let i = 0; i < 3; i++) (await p.acquire()).done();
  assertEquals(clock.sleeps, []);
  (await p.acquire()).done();
  assertEquals(clock.sleeps, [100]);
  clock.advance(10_000);
  for (let i = 0; i < 3; i++) (await p.acquire()).done();
  assertEquals(clock.sleeps, [100]);
});

function clientOn(
  api: Parameters<typeof fakeGenesys>[0]["api"],
  extra: Partial<ConstructorParameters<typeof GenesysClient>[0]> = {},
) {
  const clock = instantClock();
  const fake = fakeGenesys({ api });
  const client = new GenesysClient({
    region: "http://127.0.0.1:9",
    clientId: "id",
    clientSecret: "secret-value",
    fetch: fake.fetch,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0,
    ...extra,
  });
  return { client, clock, fake };
}

Deno.test("GenesysClient paces by default and shows the pacer in stats", async () => {
  let n = 0;
  const { client } = clientOn(() => {
    n++;
    return n === 3
      ? Response.json({ message: "slow down" }, { status: 429, headers: { "Retry-After": "1" } })
      : Response.json({}, { headers: { "inin-ratelimit-allowed": "600" } });
  });
  for (let i = 0; i < 4; i++) await client.request("GET", "/api/v2/users");
  const pacer = client.stats.pacer;
  assert.ok(pacer);
  assertEquals(pacer.rateLimited, 1);
  assertEquals(pacer.spacing, true);
  assertEquals(pacer.allowed, 600);
  assertEquals(pacer.acquired, 5);
  assertEquals(pacer.inFlight, 0);
});

Deno.test("GenesysClient with pacing: false has no pacer", async () => {
  const { client } = clientOn(() => Response.json({}), { pacing: false });
  await client.request("GET", "/api/v2/users");
  assertEquals(client.stats.pacer, undefined);
});

Deno.test("GenesysClient clients of one token manager share one pacer; options give an own one", async () => {
  const fake = fakeGenesys({ api: () => Response.json({}) });
  const tokenManager = new TokenManager({
    region: "http://127.0.0.1:9",
    clientId: "id",
    clientSecret: "secret-value",
    fetch: fake.fetch,
  });
  const make = (pacing?: PacerOptions | Pacer) =>
    new GenesysClient({ tokenManager, fetch: fake.fetch, pacing });
  const a = make();
  const b = make();
  const shared = new Pacer();
  const c = make(shared);
  const d = make(shared);
  const own = make({ mode: "always", defaultAllowed: 60_000 });
  await a.request("GET", "/api/v2/users");
  await a.request("GET", "/api/v2/users");
  await c.request("GET", "/api/v2/users");
  assertEquals(b.stats.pacer?.acquired, 2);
  assertEquals(d.stats.pacer?.acquired, 1);
  assertEquals(shared.stats.acquired, 1);
  assertEquals(own.stats.pacer?.acquired, 0);
  assertEquals(own.stats.pacer?.mode, "always");
});

Deno.test("GenesysClient: a 429 pauses the other concurrent requests too (one token, one pacer)", async () => {
  const sentAt: number[] = [];
  let n = 0;
  const { client, clock } = clientOn(() => {
    n++;
    sentAt.push(clock.now());
    return n === 1
      ? Response.json({}, { status: 429, headers: { "Retry-After": "3" } })
      : Response.json({}, { headers: { "inin-ratelimit-allowed": "6000" } });
  });
  const start = clock.now();
  await client.request("GET", "/api/v2/users");
  await Promise.all([client.request("GET", "/api/v2/a"), client.request("GET", "/api/v2/b")]);
  // The retry waited 3 s; the two later requests were spaced at the allowed 100 per second.
  assertEquals(sentAt.slice(0, 2).map((t) => t - start), [0, 3000]);
  assertEquals(clock.sleeps, [3000, 10, 10]);
});

Deno.test("GenesysClient: a 429 whose only hint is its body pauses the pacer for that long", async () => {
  let n = 0;
  let limitedAt = 0;
  const pausedDuringRetry: (number | undefined)[] = [];
  const { client, clock } = clientOn(() => {
    n++;
    if (n === 1) limitedAt = clock.now();
    return n === 1
      ? Response.json({
        message: "Rate limit exceeded the maximum. Retry the request in [4] seconds",
        code: "too.many.requests.retry.after",
        status: 429,
      }, { status: 429 })
      : Response.json({});
  }, {
    sleep: (ms, signal) => {
      pausedDuringRetry.push(client.stats.pacer?.pausedUntil);
      return clock.sleep(ms, signal);
    },
  });
  await client.request("GET", "/api/v2/users");
  // The retry waited the 4 s the body asked for, and so did the pacer's pause for everyone.
  assertEquals(clock.sleeps, [4000]);
  assertEquals(pausedDuringRetry, [limitedAt + 4000]);
});

Deno.test("GenesysClient: the pacer's wait honours the request deadline", async () => {
  let n = 0;
  const { client, clock } = clientOn(() => {
    n++;
    return n === 1
      ? Response.json({}, { status: 429, headers: { "Retry-After": "30" } })
      : Response.json({});
  }, { maxAttempts: 1 });
  await assertRejects(() => client.request("GET", "/api/v2/users"), RateLimitError);
  await assertRejects(
    () => client.request("GET", "/api/v2/users", { deadline: clock.now() + 5000 }),
    DeadlineError,
    "for the rate limit",
  );
  assertEquals(n, 1);
});
