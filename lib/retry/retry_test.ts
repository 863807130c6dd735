import { assert, assertEquals, assertRejects } from "../../tests/_assert.ts";
import { fakeClock } from "../../tests/_fake_genesys.ts";
import { deadline } from "./deadline.ts";
import { parseRetryAfter } from "./retry_after.ts";
import { retry, type RetryInfo } from "./retry.ts";
import { sleep } from "./sleep.ts";
import { formatWait } from "../_text.ts";
import { DeadlineError, RateLimitError } from "../errors.ts";

function failing(times: number, make = (n: number) => new Error(`Failure ${n}`)) {
  const calls: number[] = [];
  const fn = (attempt: number): string => {
    calls.push(attempt);
    if (attempt <= times) throw make(attempt);
    return `ok after ${attempt}`;
  };
  return { fn, calls };
}

Deno.test("retry returns the first success and passes the attempt number and signal", async () => {
  const clock = fakeClock();
  const controller = new AbortController();
  const signals: AbortSignal[] = [];
  const { fn, calls } = failing(2);
  const result = await retry((attempt, signal) => {
    signals.push(signal);
    return fn(attempt);
  }, { clock: { sleep: clock.sleep, now: clock.now }, signal: controller.signal });
  assertEquals(result, "ok after 3");
  assertEquals(calls, [1, 2, 3]);
  assert.ok(signals.every((s) => s === controller.signal));
});

Deno.test("retry backs off like @std/async: min(maxTimeout, minTimeout * multiplier ** n), then jitter", async () => {
  const full = fakeClock();
  await assertRejects(
    () => retry(failing(99).fn, { maxAttempts: 5, jitter: 0, clock: { sleep: full.sleep } }),
    Error,
  );
  assertEquals(full.sleeps, [1000, 2000, 4000, 8000]);

  const capped = fakeClock();
  await assertRejects(
    () =>
      retry(failing(99).fn, {
        maxAttempts: 5,
        minTimeout: 1000,
        multiplier: 3,
        maxTimeout: 5000,
        jitter: 0,
        clock: { sleep: capped.sleep },
      }),
    Error,
  );
  assertEquals(capped.sleeps, [1000, 3000, 5000, 5000]);

  const jittered = fakeClock();
  const randoms = [0.5, 0.25, 0.999];
  await assertRejects(
    () =>
      retry(failing(99).fn, {
        maxAttempts: 4,
        clock: { sleep: jittered.sleep, random: () => randoms.shift()! },
      }),
    Error,
  );
  // Full jitter takes random() of the backoff off: 1000 * 0.5, 2000 * 0.75, 4000 * 0.001.
  assertEquals(jittered.sleeps, [500, 1500, 4]);

  const half = fakeClock();
  await assertRejects(
    () =>
      retry(failing(99).fn, {
        maxAttempts: 2,
        jitter: 0.5,
        clock: { random: () => 1, sleep: half.sleep },
      }),
    Error,
  );
  assertEquals(half.sleeps, [500]);
});

Deno.test("retry rethrows the last error itself when the attempts run out", async () => {
  const clock = fakeClock();
  const { fn, calls } = failing(99);
  const error = await assertRejects(
    () => retry(fn, { maxAttempts: 3, clock: { sleep: clock.sleep } }),
    Error,
    "Failure 3",
  );
  assertEquals(error.message, "Failure 3");
  assertEquals(calls, [1, 2, 3]);
});

Deno.test("retry stops at once on an error that is not retriable", async () => {
  const clock = fakeClock();
  const { fn, calls } = failing(99, (n) => new TypeError(`Bad ${n}`));
  await assertRejects(
    () =>
      retry(fn, { clock: { sleep: clock.sleep }, isRetriable: (e) => !(e instanceof TypeError) }),
    TypeError,
    "Bad 1",
  );
  assertEquals(calls, [1]);
  assertEquals(clock.sleeps, []);
});

Deno.test("retry waits the retryAfter hint in place of the backoff and reports it", async () => {
  const clock = fakeClock();
  const infos: RetryInfo[] = [];
  const hints = [2000, undefined];
  const { fn } = failing(2);
  await retry(fn, {
    clock: { sleep: clock.sleep, now: clock.now },
    jitter: 0,
    retryAfter: () => hints.shift(),
    onRetry: (info) => infos.push(info),
  });
  assertEquals(clock.sleeps, [2000, 2000]);
  assertEquals(infos.map((i) => [i.attempt, i.delayMs, i.reason]), [
    [1, 2000, "retryAfter"],
    [2, 2000, "backoff"],
  ]);
  assert.match(String((infos[0].error as Error).message), /Failure 1/);
});

Deno.test("retry fails at once with RateLimitError when the hint exceeds maxRetryAfter", async () => {
  const clock = fakeClock();
  const cause = Object.assign(new Error("429"), { correlationId: "corr-9" });
  const error = await assertRejects(
    () =>
      retry(() => Promise.reject(cause), {
        clock: { sleep: clock.sleep },
        retryAfter: () => 3_600_000,
        name: "GET /api/v2/users",
      }),
    RateLimitError,
  );
  assertEquals(clock.sleeps, []);
  assertEquals(error.retryAfterMs, 3_600_000);
  assertEquals(error.maxRetryAfterMs, 180_000);
  assertEquals(error.correlationId, "corr-9");
  assertEquals(error.request, "GET /api/v2/users");
  assertEquals(error.cause, cause);
  assertEquals(
    error.message,
    "GET /api/v2/users was rate limited: the server asked to wait 3600 s, longer than the 180 s allowed (maxRetryAfter); try again later or raise maxRetryAfter",
  );
});

Deno.test("retry never sleeps past the deadline and says what it was waiting for", async () => {
  const clock = fakeClock();
  const start = clock.now();
  const { fn, calls } = failing(99, (n) => new Error(`503 number ${n}`));
  const error = await assertRejects(
    () =>
      retry(fn, {
        maxAttempts: 100,
        jitter: 0,
        deadline: start + 5000,
        clock: { now: clock.now, sleep: clock.sleep },
        name: "GET /api/v2/users",
      }),
    DeadlineError,
  );
  assertEquals(clock.sleeps, [1000, 2000]);
  assert.ok(clock.now() - start <= 5000);
  assertEquals(calls, [1, 2, 3]);
  assertEquals(error.waitMs, 4000);
  assertEquals(error.remainingMs, 2000);
  assertEquals(error.request, "GET /api/v2/users");
  assertEquals((error.cause as Error).message, "503 number 3");
  assertEquals(
    error.message,
    "Deadline reached: GET /api/v2/users would wait 4 s (backoff) before attempt 4, but only 2 s remain; last error: 503 number 3",
  );
});

Deno.test("retry does not start an attempt once the deadline has passed", async () => {
  const clock = fakeClock();
  let called = 0;
  await assertRejects(
    () => retry(() => called++, { clock: { now: clock.now }, deadline: clock.now() }),
    DeadlineError,
    "before attempt 1",
  );
  assertEquals(called, 0);
});

Deno.test("retry ends a wait at once when the signal aborts, with the signal's reason", async () => {
  const controller = new AbortController();
  const reason = new Error("Stopped by SIGINT");
  const error = await assertRejects(
    () =>
      retry(() => Promise.reject(new Error("busy")), {
        minTimeout: 60_000,
        jitter: 0,
        signal: controller.signal,
        onRetry: () => queueMicrotask(() => controller.abort(reason)),
      }),
    Error,
  );
  // Resolving at all proves the 60 s wait ended; the leak sanitizer proves its timer was cleared.
  assertEquals(error, reason);
});

Deno.test("retry rejects with the signal's reason when it aborts during an attempt", async () => {
  const controller = new AbortController();
  let calls = 0;
  await assertRejects(
    () =>
      retry((_, signal) => {
        calls++;
        controller.abort(new RangeError("cancelled"));
        signal.throwIfAborted();
        return 1;
      }, { signal: controller.signal }),
    RangeError,
    "cancelled",
  );
  assertEquals(calls, 1);
});

Deno.test("retry validates its options", async () => {
  for (
    const options of [
      { maxAttempts: 0 },
      { maxAttempts: 1.5 },
      { multiplier: 0.5 },
      { jitter: 2 },
      { minTimeout: -1 },
      { minTimeout: 10, maxTimeout: 5 },
      { maxTimeout: 0 },
    ]
  ) {
    await assertRejects(() => retry(() => 1, options), RangeError, "Cannot retry");
  }
});

Deno.test("deadline resolves, rejects with DeadlineError or the signal's reason, and clears its timer", async () => {
  assertEquals(await deadline(Promise.resolve("fast"), 10_000), "fast");
  await assertRejects(() => deadline(Promise.reject(new TypeError("own")), 10_000), TypeError);
  const error = await assertRejects(() => deadline(new Promise(() => {}), 5), DeadlineError);
  assertEquals(error.waitMs, 5);
  const controller = new AbortController();
  const pending = deadline(new Promise(() => {}), 10_000, { signal: controller.signal });
  controller.abort(new Error("aborted"));
  await assertRejects(() => pending, Error, "aborted");
  await assertRejects(
    () => deadline(Promise.resolve(1), 10, { signal: AbortSignal.abort(new Error("early")) }),
    Error,
    "early",
  );
});

Deno.test("parseRetryAfter reads seconds, HTTP dates and inin-ratelimit-reset", () => {
  const now = Date.parse("2024-03-01T10:00:00Z");
  assertEquals(parseRetryAfter("0", now), 0);
  assertEquals(parseRetryAfter(" 2 ", now), 2000);
  assertEquals(parseRetryAfter("1.5", now), 1500);
  assertEquals(parseRetryAfter("3600", now), 3_600_000);
  assertEquals(parseRetryAfter("Fri, 01 Mar 2024 10:01:00 GMT", now), 60_000);
  assertEquals(parseRetryAfter("Fri, 01 Mar 2024 09:00:00 GMT", now), 0);
  for (const bad of ["", "-1", "soon", "1e3", null, undefined]) {
    assertEquals(parseRetryAfter(bad, now), undefined, String(bad));
  }
  assertEquals(
    parseRetryAfter(new Headers({ "Retry-After": "4", "inin-ratelimit-reset": "9" }), now),
    4000,
  );
  assertEquals(
    parseRetryAfter(new Headers({ "Retry-After": "later", "inin-ratelimit-reset": "9" }), now),
    9000,
  );
  assertEquals(parseRetryAfter(new Headers(), now), undefined);
});

Deno.test("sleep waits and an abort ends it at once", async () => {
  await sleep(1);
  await sleep(0);
  await assertRejects(() => sleep(10, AbortSignal.abort(new Error("already"))), Error, "already");
});

Deno.test("formatWait writes milliseconds and seconds", () => {
  assertEquals(
    [0, 999, 1000, 1500, 2049, 180_000].map(formatWait),
    ["0 ms", "999 ms", "1 s", "1.5 s", "2 s", "180 s"],
  );
});
