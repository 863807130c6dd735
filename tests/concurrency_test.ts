/**
 * Bounded concurrency of the details query: pages fetched ahead (across chunks, and within a
 * chunk once totalHits is known) are still handed out in order with exactly the positions of a
 * one-at-a-time run, resume from any position gives the same rest, nothing is fetched twice or
 * in vain, and the bounds hold. A fake client answers in any order we choose; the simulator run
 * uses seeded random latency so responses really overtake each other.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import {
  type ConversationDetailsPage,
  conversationDetailsPages,
  conversationDetailsSource,
} from "../lib/analytics/conversation_details.ts";
import type { ApiClient, JsonValue, RequestOptions } from "../lib/types.ts";
import { GenesysClient } from "../lib/client/genesys_client.ts";
import { UsageError } from "../lib/errors.ts";
import { extract } from "../lib/extract/extract.ts";
import { formatInstant, parseInterval } from "../lib/analytics/interval.ts";
import { listingSource } from "../lib/paginate/listing_source.ts";
import { Lookahead } from "../lib/paginate/_lookahead.ts";
import { MemoryCheckpointStore } from "../lib/extract/checkpoint_memory.ts";
import { MemorySink } from "../lib/extract/sink_memory.ts";
import { startSimulator } from "../testing.ts";
import { cli, ROOT, simEnv, tempDir } from "./_cli.ts";

interface Conv {
  conversationId: string;
  conversationStart: string;
}

interface Pending {
  key: string;
  settle: () => void;
  signal?: AbortSignal;
}

/**
 * A details query endpoint over a fixed list whose answers wait until the test releases them
 * (`auto` answers at once). It records every request and the most pending at once.
 */
class HeldClient {
  readonly asked: string[] = [];
  readonly pending: Pending[] = [];
  maxPending = 0;
  aborted = 0;
  constructor(readonly convs: Conv[], readonly auto = false) {}

  request<T>(_method: string, _path: string, options?: RequestOptions): Promise<T> {
    const body = options?.body as {
      interval: string;
      paging: { pageSize: number; pageNumber: number };
    };
    const key = `${body.interval}#${body.paging.pageNumber}`;
    this.asked.push(key);
    const { start, end } = parseInterval(body.interval);
    const hits = this.convs.filter((c) => {
      const t = Date.parse(c.conversationStart);
      return t >= start && t < end;
    });
    const { pageSize, pageNumber } = body.paging;
    const page = hits.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    const answer =
      (page.length
        ? { conversations: page, totalHits: hits.length }
        : { totalHits: hits.length }) as T;
    if (this.auto) return Promise.resolve(answer);
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { key, settle: () => resolve(answer), signal: options?.signal };
      options?.signal?.addEventListener("abort", () => {
        this.aborted++;
        const i = this.pending.indexOf(entry);
        if (i >= 0) this.pending.splice(i, 1);
        reject(options.signal?.reason);
      }, { once: true });
      this.pending.push(entry);
      this.maxPending = Math.max(this.maxPending, this.pending.length);
    });
  }

  /** Answers the pending requests, newest first (so later pages overtake earlier ones). */
  releaseNewestFirst(): void {
    for (const p of this.pending.splice(0).reverse()) p.settle();
  }
}

const HOUR = 3_600_000;
const DAY0 = Date.parse("2026-03-01T00:00:00Z");

/** Conversations over three days: 7 on day 1, 1 on day 2, 12 on day 3 (chunks of 1-3 pages). */
function threeDays(): Conv[] {
  const at = (day: number, i: number): Conv => ({
    conversationId: `d${day}-${String(i).padStart(2, "0")}`,
    conversationStart: formatInstant(DAY0 + day * 24 * HOUR + i * HOUR),
  });
  return [
    ...Array.from({ length: 7 }, (_, i) => at(0, i)),
    at(1, 5),
    ...Array.from({ length: 12 }, (_, i) => at(2, i)),
  ];
}

const QUERY = { interval: "2026-03-01T00:00:00Z/2026-03-04T00:00:00Z" };

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Drives the page generator, answering newest first whenever it waits. */
async function drain(
  client: HeldClient,
  options: { concurrency: number; resumeFrom?: JsonValue },
): Promise<ConversationDetailsPage[]> {
  const pages: ConversationDetailsPage[] = [];
  const iterator = conversationDetailsPages(client as unknown as ApiClient, QUERY, {
    pageSize: 5,
    ...options,
  });
  for (let guard = 0; guard < 100; guard++) {
    const next = iterator.next();
    let done = false;
    next.then(() => (done = true), () => (done = true));
    while (!done) {
      await settle();
      client.releaseNewestFirst();
    }
    const result = await next;
    if (result.done) return pages;
    pages.push(result.value);
  }
  throw new Error("too many pages");
}

Deno.test("conversationDetailsPages with concurrency 4 gives the pages and positions of concurrency 1, in order, though answers arrive newest first", async () => {
  const sequential = new HeldClient(threeDays(), true);
  const expected = await Array.fromAsync(
    conversationDetailsPages(sequential as unknown as ApiClient, QUERY, { pageSize: 5 }),
  );
  const concurrent = new HeldClient(threeDays());
  const pages = await drain(concurrent, { concurrency: 4 });
  assertEquals(pages, expected);
  // Each day ends on its first empty page.
  assertEquals(pages.map((p) => `${p.interval.slice(8, 10)}#${p.pageNumber}`), [
    "01#1",
    "01#2",
    "01#3",
    "02#1",
    "02#2",
    "03#1",
    "03#2",
    "03#3",
    "03#4",
  ]);
  // Nothing was asked twice or in vain, and more than one request was out at once.
  assertEquals(concurrent.asked.toSorted(), sequential.asked.toSorted());
  assertEquals(concurrent.aborted, 0);
  assert.ok(concurrent.maxPending > 1, `at most ${concurrent.maxPending} pending`);
  assert.ok(concurrent.maxPending <= 4, `${concurrent.maxPending} pending at once`);
});

Deno.test("conversationDetailsPages resumed with concurrency from every position gives the same rest", async () => {
  const sequential = new HeldClient(threeDays(), true);
  const all = await Array.fromAsync(
    conversationDetailsPages(sequential as unknown as ApiClient, QUERY, { pageSize: 5 }),
  );
  for (let i = 0; i < all.length; i++) {
    const rest = await drain(new HeldClient(threeDays()), {
      concurrency: 3,
      resumeFrom: all[i].position,
    });
    assertEquals(rest, all.slice(i + 1), `resumed after page ${i + 1}`);
  }
});

Deno.test("conversationDetailsPages never has more than concurrency requests pending", async () => {
  const convs = Array.from({ length: 60 }, (_, i) => ({
    conversationId: `c${i}`,
    conversationStart: formatInstant(DAY0 + i * HOUR),
  }));
  for (const concurrency of [1, 2, 5]) {
    const client = new HeldClient(convs);
    const pages = await drain(client, { concurrency });
    assertEquals(
      pages.flatMap((p) => p.conversations.map((c) => c.conversationId)),
      convs.map((c) => c.conversationId),
    );
    assert.ok(client.maxPending <= concurrency, `${client.maxPending} > ${concurrency}`);
    assertEquals(client.aborted, 0);
  }
});

Deno.test("conversationDetailsPages leaving the loop early aborts the requests fetched ahead", async () => {
  const client = new HeldClient(threeDays());
  const iterator = conversationDetailsPages(client as unknown as ApiClient, QUERY, {
    pageSize: 5,
    concurrency: 4,
  });
  const first = iterator.next();
  await settle();
  client.releaseNewestFirst();
  await first;
  await settle();
  assert.ok(client.pending.length > 0, "requests are out ahead");
  await iterator.return();
  assertEquals(client.pending.length, 0);
  assert.ok(client.aborted > 0);
});

Deno.test("conversationDetailsSource refuses a concurrency outside 1 to 16", () => {
  const client = new HeldClient([], true) as unknown as ApiClient;
  assertThrows(
    () => conversationDetailsSource(client, QUERY, { concurrency: 0 }),
    UsageError,
    "concurrency",
  );
  assertThrows(
    () => conversationDetailsSource(client, QUERY, { concurrency: 17 }),
    UsageError,
    "concurrency",
  );
});

Deno.test("extract with concurrency 4 against the simulator (random latency): same bytes and checkpoints as concurrency 1, stop and resume exact", async () => {
  await using sim = await startSimulator({
    conversations: 1500,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-06T00:00:00Z",
    rateLimitAllowed: 1_000_000,
    faults: { latency: [{ route: "details.query", ms: 1, jitterMs: 15 }] },
  });
  const query = { interval: `${sim.start}/${sim.end}` };
  const client = (concurrencyLabel: string) =>
    new GenesysClient({
      region: sim.url,
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      userAgent: `concurrency-test/${concurrencyLabel}`,
    });
  const run = async (concurrency: number, stopAfter?: number) => {
    const store = new MemoryCheckpointStore();
    const sink = new MemorySink({ format: "jsonl" });
    const positions: JsonValue[] = [];
    const saved: JsonValue[] = [];
    const save = store.save.bind(store);
    store.save = (key, checkpoint) => {
      saved.push(checkpoint.position);
      return save(key, checkpoint);
    };
    const controller = new AbortController();
    const options = { pageSize: 40, concurrency };
    const first = await extract({
      source: conversationDetailsSource(client(String(concurrency)), query, options),
      sink,
      checkpoint: { store, key: "job" },
      signal: controller.signal,
      onProgress: (p) => {
        if (stopAfter !== undefined && p.pagesThisRun === stopAfter) controller.abort();
      },
    });
    positions.push(...saved);
    if (first.status === "stopped") {
      const second = await extract({
        source: conversationDetailsSource(client(String(concurrency)), query, options),
        sink,
        checkpoint: { store, key: "job" },
      });
      assertEquals(second.resumed, true);
      assertEquals(second.status, "complete");
    }
    return { text: sink.text(), positions: saved };
  };
  sim.resetStats();
  const one = await run(1);
  const requestsOne = sim.stats.byRoute["details.query"];
  sim.resetStats();
  const four = await run(4);
  const stats = sim.stats;
  assertEquals(four.text, one.text);
  assertEquals(four.positions, one.positions);
  assertEquals(stats.byRoute["details.query"], requestsOne);
  assert.ok(stats.maxInFlight > 1 && stats.maxInFlight <= 4, `max in flight ${stats.maxInFlight}`);
  const ids = one.text.trim().split("\n").map((line) => JSON.parse(line).conversationId);
  assertEquals(ids, sim.conversationIds(query.interval));
  // Stopped after 7 durable pages at concurrency 4 and resumed: the same bytes and checkpoints.
  const stopped = await run(4, 7);
  assertEquals(stopped.text, one.text);
  assertEquals(stopped.positions, one.positions);
});

Deno.test("listingSource with concurrency 4 pages users ahead once pageCount is known: same pages and positions, in order", async () => {
  await using sim = await startSimulator({
    users: 130,
    conversations: 10,
    rateLimitAllowed: 1_000_000,
    faults: { latency: [{ route: "users", ms: 1, jitterMs: 15 }] },
  });
  const pagesWith = async (concurrency: number, resumeFrom?: JsonValue) => {
    const client = new GenesysClient({
      region: sim.url,
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
    });
    const source = listingSource<{ id: string }>(client, "/api/v2/users", {
      pageSize: 10,
      concurrency,
    });
    return await Array.fromAsync(source.pages(resumeFrom));
  };
  sim.resetStats();
  const one = await pagesWith(1);
  const requestsOne = sim.stats.byRoute.users;
  sim.resetStats();
  const four = await pagesWith(4);
  assertEquals(four, one);
  assertEquals(one.flatMap((p) => p.records.map((u) => u.id)), sim.ids.users);
  assertEquals(sim.stats.byRoute.users, requestsOne);
  assert.ok(sim.stats.maxInFlight > 1 && sim.stats.maxInFlight <= 4, `${sim.stats.maxInFlight}`);
  assertEquals(await pagesWith(4, one[5].position), one.slice(6));
});

Deno.test("CLI conversations --concurrency 4 reaches the details query: several requests at once, same output as 1", async () => {
  await using sim = await startSimulator({
    conversations: 600,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-04T00:00:00Z",
    rateLimitAllowed: 1_000_000,
    faults: { latency: [{ route: "details.query", ms: 5, jitterMs: 10 }] },
  });
  const dir = await tempDir("concurrency_cli");
  try {
    const outputs: string[] = [];
    const maxInFlight: number[] = [];
    for (const concurrency of ["1", "4"]) {
      sim.resetStats();
      const out = `${dir}/c${concurrency}.jsonl`;
      const run = await cli([
        "conversations",
        "--interval",
        `${sim.start}/${sim.end}`,
        "--page-size",
        "20",
        "--concurrency",
        concurrency,
        "-o",
        out,
      ], { env: simEnv(sim), write: dir });
      assertEquals(run.code, 0, run.stderr);
      outputs.push(await Deno.readTextFile(`${ROOT}${out}`));
      maxInFlight.push(sim.stats.maxInFlight);
    }
    assertEquals(outputs[1], outputs[0]);
    assertEquals(maxInFlight[0], 1);
    assert.ok(maxInFlight[1] > 1 && maxInFlight[1] <= 4, `${maxInFlight[1]} in flight`);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("Lookahead drops a prefetched request once the plan no longer lists it", async () => {
  const signals = new Map<number, AbortSignal>();
  let plan = [1, 2, 3];
  const window = new Lookahead<{ key: string; n: number }, number>({
    concurrency: 3,
    fetch: (item, signal) => {
      signals.set(item.n, signal);
      return new Promise((resolve, reject) => {
        if (item.n === 1) resolve(1);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    },
    plan: () => plan.map((n) => ({ key: String(n), n })),
  });
  assertEquals(await window.take({ key: "1", n: 1 }), 1);
  assertEquals(window.stats.started, 3);
  plan = [2, 4];
  window.refill();
  assertEquals(signals.get(3)?.aborted, true);
  assertEquals(signals.get(2)?.aborted, false);
  assertEquals(window.stats.dropped, 1);
  await settle();
  assertEquals(window.stats.started, 4);
  await window.close();
  assertEquals(signals.get(2)?.aborted, true);
  assertEquals(signals.get(4)?.aborted, true);
});

Deno.test("Lookahead hands the caller the request it waits for even when the plan does not list it", async () => {
  // The details query's plan stops before a span whose first page says it must be split: the
  // caller still takes that first page. Before the fix the window started it for the waiting
  // caller, then dropped (aborted) it in the same refill: 'This page is no longer needed'.
  const signals: AbortSignal[] = [];
  const window = new Lookahead<{ key: string }, string>({
    concurrency: 2,
    fetch: (item, signal) => {
      signals.push(signal);
      return new Promise((resolve) => setTimeout(() => resolve(item.key), 5));
    },
    plan: () => [],
  });
  assertEquals(await window.take({ key: "a" }), "a");
  assertEquals(signals.map((s) => s.aborted), [false]);
  assertEquals(window.stats.dropped, 0);
  await window.close();
});

Deno.test("conversationDetailsPages with concurrency splits a span fetched ahead without asking its first page twice", async () => {
  // Day 1 has 3 conversations, day 2 has 9 (more than 80 % of maxResults 10): day 2's first page
  // is fetched ahead while day 1 is read, and says split.
  const convs = [
    ...Array.from({ length: 3 }, (_, i) => ({
      conversationId: `a${i}`,
      conversationStart: formatInstant(DAY0 + i * HOUR),
    })),
    ...Array.from({ length: 9 }, (_, i) => ({
      conversationId: `b${i}`,
      conversationStart: formatInstant(DAY0 + 24 * HOUR + i * 2 * HOUR),
    })),
  ];
  const query = { interval: "2026-03-01T00:00:00Z/2026-03-03T00:00:00Z" };
  const sequential = new HeldClient(convs, true);
  const expected = await Array.fromAsync(
    conversationDetailsPages(sequential as unknown as ApiClient, query, {
      pageSize: 2,
      maxResults: 10,
    }),
  );
  for (const concurrency of [2, 4]) {
    const client = new HeldClient(convs, true);
    const pages = await Array.fromAsync(
      conversationDetailsPages(client as unknown as ApiClient, query, {
        pageSize: 2,
        maxResults: 10,
        concurrency,
      }),
    );
    assertEquals(pages, expected, `concurrency ${concurrency}`);
    const day2 = "2026-03-02T00:00:00Z/2026-03-03T00:00:00Z#1";
    assertEquals(client.asked.filter((k) => k === day2).length, 1, client.asked.join(" "));
  }
  assertEquals(
    expected.flatMap((p) => p.conversations.map((c) => c.conversationId)),
    convs.map((c) => c.conversationId),
  );
});

Deno.test("Lookahead surfaces a prefetched request's error only when it is taken", async () => {
  const window = new Lookahead<{ key: string }, string>({
    concurrency: 2,
    fetch: (item) =>
      item.key === "b" ? Promise.reject(new Error("b failed")) : Promise.resolve(item.key),
    plan: () => [{ key: "a" }, { key: "b" }],
  });
  assertEquals(await window.take({ key: "a" }), "a");
  await settle();
  await assertRejects(() => window.take({ key: "b" }), Error, "b failed");
  await window.close();
});

Deno.test("Lookahead refuses a concurrency below 1", () => {
  assertThrows(
    () => new Lookahead({ concurrency: 0, fetch: () => Promise.resolve(1), plan: () => [] }),
    RangeError,
    "concurrency",
  );
});
