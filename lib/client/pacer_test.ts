/**
 * Pacer: nothing held back before the first 429, 429 pauses, the rate learned from what the
 * server accepted or from a 429 body's `limit`, additive increase, limits per `limit.key`, order,
 * aborts, deadlines, its place in GenesysClient, and minutes of pacing against per-minute windows
 * and token buckets in virtual time. Every clock is injected: nothing here waits for real time.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/_assert.ts";
import { fakeGenesys } from "../../tests/_fake_genesys.ts";
import { GenesysClient } from "./genesys_client.ts";
import { DeadlineError, RateLimitError, UsageError } from "../errors.ts";
import { Pacer } from "./pacer.ts";
import type { PacerOptions, PacerResponse } from "./pacer_options.ts";
import type { Clock } from "../types.ts";
import { TokenManager } from "./token_manager.ts";
import { FixedWindow, TokenBucket } from "../sim/ratelimit.ts";
import { virtualPacing } from "../../tests/_virtual_pacing.ts";

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

function pacer(clock: Clock, o: PacerOptions = {}) {
  return new Pacer({ clock, ...o });
}

Deno.test("Pacer holds nothing back until the first 429, then pauses everyone and spaces at the accepted rate", async () => {
  const clock = instantClock();
  const p = pacer(clock);
  for (let i = 0; i < 30; i++) (await p.acquire()).done(ok());
  assertEquals(clock.sleeps, []);
  assertEquals(p.stats.spacing, false);
  clock.advance(10_000);
  // The window of 30 is spent: 429 until it resets, 50 s from now.
  (await p.acquire()).done({ status: 429, retryAfterMs: 50_000 });
  const sentAt: number[] = [];
  for (let i = 0; i < 3; i++) {
    const ticket = await p.acquire();
    sentAt.push(clock.now() - 1_000_000);
    ticket.done(ok());
  }
  // 30 accepted in the 60 s window: 0.5 per second, aimed at 98 % of it (2.04 s apart), then
  // climbing slowly while requests are held back.
  assertEquals(sentAt.slice(0, 2).map(Math.round), [60_000, 62_041]);
  assert.ok(sentAt[2] - sentAt[1] > 1900 && sentAt[2] - sentAt[1] < 2041, `${sentAt}`);
  assertEquals(p.stats.spacing, true);
  assertEquals(p.stats.rateLimited, 1);
  assertEquals(p.stats.slowdowns, 1);
});

Deno.test("Pacer with a rate spaces from the first request, on the ideal timeline", async () => {
  const clock = instantClock(7); // every sleep ends 7 ms late
  const p = pacer(clock, { rate: 600, increasePerMinute: 0 }); // 100 ms apart
  for (let i = 0; i < 11; i++) (await p.acquire()).done();
  // Ten gaps of 100 ms; each sleep is shortened by the previous one's lateness.
  assertEquals(clock.sleeps, [100, ...Array(9).fill(93)]);
  assertEquals(clock.now() - 1_000_000, 1000 + 7);
  assertEquals(p.stats.startRatePerMinute, 600);
  assertEquals(p.stats.waits, 10);
});

Deno.test("Pacer serves concurrent requests in arrival order on one shared schedule", async () => {
  const clock = manualClock();
  const p = pacer(clock, { rate: 600 });
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

Deno.test("Pacer takes a 429 body's limit.value and never climbs above it", async () => {
  const clock = instantClock();
  const p = pacer(clock, { utilization: 1 });
  const limit = {
    key: "client.credentials.token.rate.per.minute",
    namespace: "platform.api",
    value: 120,
  };
  (await p.acquire()).done({ status: 429, retryAfterMs: 2000, limit });
  for (let i = 0; i < 200; i++) (await p.acquire()).done(ok());
  // Paused 2 s, then 500 ms apart for 100 s, held back all along: no climb past the stated 120.
  assertEquals(clock.sleeps.slice(0, 3), [2000, 500, 500]);
  assertEquals(p.stats.ratePerSecond, 2);
  assertEquals(p.stats.allowed, 120);
  assertEquals(p.stats.limits, [
    { key: "token", paced: true, ratePerMinute: 120, statedPerMinute: 120, slowdowns: 1 },
  ]);
});

Deno.test("Pacer climbs while requests are held back and no 429 comes, and not while idle", async () => {
  const clock = instantClock();
  const p = pacer(clock, { rate: 60, utilization: 1 }); // one a second
  for (let i = 0; i < 61; i++) (await p.acquire()).done(ok());
  // A minute held back: +10 % of the start rate.
  assert.ok(Math.abs(p.stats.ratePerSecond - 1.1) < 0.01, `${p.stats.ratePerSecond}`);
  clock.advance(600_000); // ten idle minutes
  (await p.acquire()).done(ok());
  assert.ok(p.stats.ratePerSecond < 1.12, `${p.stats.ratePerSecond}`);
});

Deno.test("Pacer slows down once per episode: not for 429s of requests sent before, nor for 429s in a row", async () => {
  const clock = manualClock();
  const p = pacer(clock, { rate: 600 });
  const first = await p.acquire();
  const second = p.acquire();
  await clock.advance(100);
  const secondTicket = await second;
  first.done({ status: 429, retryAfterMs: 1000 });
  secondTicket.done({ status: 429, retryAfterMs: 1000 }); // sent before the slowdown
  assertEquals(p.stats.slowdowns, 1);
  // A storm: every request after the pause is answered 429, none accepted in between.
  for (let i = 0; i < 5; i++) {
    const waiting = p.acquire();
    await clock.advance(1000);
    (await waiting).done({ status: 429, retryAfterMs: 1000 });
  }
  assertEquals(p.stats.slowdowns, 1);
  assertEquals(p.stats.rateLimited, 7);
  const rate = p.stats.ratePerSecond;
  // Once a request is accepted again, the next 429 counts.
  let waiting = p.acquire();
  await clock.advance(1000);
  (await waiting).done(ok());
  waiting = p.acquire();
  await clock.advance(1000);
  (await waiting).done({ status: 429, retryAfterMs: 1000 });
  assertEquals(p.stats.slowdowns, 2);
  assert.ok(p.stats.ratePerSecond <= rate * 0.9 + 1e-9);
});

Deno.test("Pacer keeps a limit of its own for a route whose 429 names a resource's limit.key", async () => {
  const clock = instantClock();
  const p = pacer(clock, { utilization: 1 });
  const users = "GET /api/v2/users";
  const queues = "GET /api/v2/routing/queues";
  const limit = { key: "user.rate.per.minute", namespace: "directory", value: 60 };
  (await p.acquire({ route: users })).done({ status: 429, retryAfterMs: 1000, limit });
  assertEquals(clock.sleeps, []);
  (await p.acquire({ route: users })).done(ok()); // after the pause everyone waits
  (await p.acquire({ route: users })).done(ok());
  assertEquals(clock.sleeps, [1000, 1000]); // 60 per minute for the users route
  for (let i = 0; i < 5; i++) (await p.acquire({ route: queues })).done(ok());
  assertEquals(clock.sleeps, [1000, 1000]); // the queues route is not held by it
  assertEquals(p.stats.spacing, false);
  assertEquals(p.stats.limits.map((l) => [l.key, l.paced, l.statedPerMinute]), [
    ["token", false, undefined],
    ["directory/user.rate.per.minute", true, 60],
  ]);
});

Deno.test("Pacer reads an old inin-ratelimit-allowed header as a hint only", async () => {
  const clock = instantClock();
  const p = pacer(clock, { utilization: 1 });
  for (let i = 0; i < 5; i++) (await p.acquire()).done(ok({ "inin-ratelimit-allowed": "600" }));
  assertEquals(clock.sleeps, []); // no pacing from a header alone
  assertEquals(p.stats.allowed, 600);
  (await p.acquire()).done(tooMany("1"));
  for (let i = 0; i < 3; i++) (await p.acquire()).done(ok());
  // Paced from the 429 on, at most at the stated 600 per minute (100 ms apart).
  assert.ok(clock.sleeps.slice(1).every((ms) => ms >= 100), `${clock.sleeps}`);
});

for (
  const [kind, make] of [
    ["per-minute windows", (rpm: number, now: () => number) => new FixedWindow(rpm, 60_000, now)],
    [
      "a token bucket",
      (rpm: number, now: () => number) => new TokenBucket(rpm / 60, rpm / 60, now),
    ],
  ] as const
) {
  Deno.test(`Pacer reaches 90 % of unknown limits of 120 to 1200 a minute with at most 2 % 429s (${kind}, 10 virtual minutes)`, async () => {
    for (const rpm of [120, 300, 600, 1200]) {
      for (const concurrency of [2, 8]) {
        const run = await virtualPacing({
          limit: (now) => make(rpm, now),
          requests: rpm * 10,
          concurrency,
          latencyMs: 50,
        });
        const share = run.rejected / (run.accepted + run.rejected);
        const label = `${rpm}/min, c=${concurrency}: ${Math.round(run.perMinute)}/min, ${
          (share * 100).toFixed(2)
        } % 429s`;
        assert.ok(run.perMinute >= 0.9 * rpm, label);
        assert.ok(share <= 0.02, label);
        if (rpm === 300) assert.ok(run.perMinute >= 0.95 * rpm && share <= 0.01, label);
      }
    }
  });
}

Deno.test("Pacer takes a stated limit at once: no second 429 over 10 virtual minutes", async () => {
  const run = await virtualPacing({
    limit: (now) => new FixedWindow(300, 60_000, now),
    requests: 3000,
    concurrency: 4,
    latencyMs: 50,
    statesLimit: true,
  });
  assert.ok(run.rejected <= 4, `${run.rejected} 429s`); // only the requests in flight at the first
  assert.ok(run.perMinute >= 0.95 * 300, `${run.perMinute}`);
});

Deno.test("Pacer ignores a Retry-After longer than maxPauseMs (the client fails that request)", async () => {
  const clock = instantClock();
  const p = pacer(clock, { maxPauseMs: 180_000 });
  (await p.acquire()).done(tooMany("3600"));
  assertEquals(p.stats.pausedUntil, undefined);
  assertEquals([p.stats.slowdowns, p.stats.spacing], [0, false]); // no rate signal either
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
  const p = pacer(clock, { rate: 600 });
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
  assertThrows(() => new Pacer({ rate: 0 }), UsageError, "rate");
  assertThrows(() => new Pacer({ decrease: 1 }), UsageError, "decrease");
  assertThrows(() => new Pacer({ windowMs: -1 }), UsageError, "windowMs");
  assertThrows(() => new Pacer({ increasePerMinute: -1 }), UsageError, "increasePerMinute");
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
    ...extra,
    clock: { now: clock.now, sleep: clock.sleep, random: () => 0, ...extra.clock },
  });
  return { client, clock, fake };
}

Deno.test("GenesysClient paces by default and shows the pacer in stats", async () => {
  let n = 0;
  const { client } = clientOn(() => {
    n++;
    return n === 3
      ? Response.json({ message: "slow down" }, { status: 429, headers: { "Retry-After": "1" } })
      : Response.json({});
  });
  for (let i = 0; i < 4; i++) await client.request("GET", "/api/v2/users");
  const pacer = client.stats.pacer;
  assert.ok(pacer);
  assertEquals(pacer.rateLimited, 1);
  assertEquals(pacer.spacing, true);
  assertEquals(pacer.startRatePerMinute, 300);
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
  const own = make({ rate: 60_000 });
  await a.request("GET", "/api/v2/users");
  await a.request("GET", "/api/v2/users");
  await c.request("GET", "/api/v2/users");
  assertEquals(b.stats.pacer?.acquired, 2);
  assertEquals(d.stats.pacer?.acquired, 1);
  assertEquals(shared.stats.acquired, 1);
  assertEquals(own.stats.pacer?.acquired, 0);
  assertEquals(own.stats.pacer?.spacing, true);
});

Deno.test("GenesysClient: a 429 pauses the other concurrent requests too (one token, one pacer)", async () => {
  const sentAt: number[] = [];
  let n = 0;
  const { client, clock } = clientOn(() => {
    n++;
    sentAt.push(clock.now());
    return n === 1
      ? Response.json({
        message: "Rate limit exceeded the maximum. Retry the request in [3] seconds",
        limit: { key: "client.credentials.token.rate.per.minute", value: 6000 },
      }, { status: 429, headers: { "Retry-After": "3" } })
      : Response.json({});
  });
  const start = clock.now();
  await client.request("GET", "/api/v2/users");
  await Promise.all([client.request("GET", "/api/v2/a"), client.request("GET", "/api/v2/b")]);
  // The retry waited 3 s; the two later requests were spaced at the stated 6000 per minute
  // (98 % of it: 10.2 ms apart).
  assertEquals(sentAt.slice(0, 2).map((t) => t - start), [0, 3000]);
  assertEquals(clock.sleeps.map(Math.round), [3000, 10, 10]);
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
    clock: {
      sleep: (ms, signal) => {
        pausedDuringRetry.push(client.stats.pacer?.pausedUntil);
        return clock.sleep(ms, signal);
      },
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
  }, { retry: { rateLimitBudget: 0 } });
  await assertRejects(() => client.request("GET", "/api/v2/users"), RateLimitError);
  await assertRejects(
    () => client.request("GET", "/api/v2/users", { deadline: clock.now() + 5000 }),
    DeadlineError,
    "for the rate limit",
  );
  assertEquals(n, 1);
});
