/**
 * The record sources over real loopback HTTP: GenesysClient against the simulator, with faults
 * on (2 s tokens, 429s and 5xx), each source giving exactly the simulator's ids.
 */
import { assert, assertEquals } from "./_assert.ts";
import { type Simulator, startSimulator } from "../testing.ts";
import { GenesysClient } from "../lib/client/genesys_client.ts";
import type { JsonValue } from "../lib/types.ts";
import { listingSource } from "../lib/paginate/listing_source.ts";
import { paginate } from "../lib/paginate/paginate.ts";
import { items, paginateItems } from "../lib/paginate/items.ts";
import {
  conversationDetailsPages,
  conversationDetailsSource,
} from "../lib/analytics/conversation_details.ts";
import {
  conversationDetailsJobPages,
  conversationDetailsJobSource,
} from "../lib/analytics/details_job.ts";

/**
 * A virtual clock shared by the simulator and the client: every HTTP request advances it by
 * `stepMs` and every wait passes at once, so 2 s tokens expire every few requests and
 * `Retry-After` waits cost no wall time.
 */
function virtualTime(stepMs = 150) {
  let t = Date.parse("2026-03-01T00:00:00Z");
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: (ms: number, signal?: AbortSignal): Promise<void> => {
      if (signal?.aborted) return Promise.reject(signal.reason);
      t += ms;
      return Promise.resolve();
    },
    fetch: ((input: RequestInfo | URL, init?: RequestInit) => {
      t += stepMs;
      return fetch(input, init);
    }) as typeof fetch,
  };
}

/** 2 s tokens, 5 % 429s, 5 % 503s and 2 % 500s (seeded). */
const FAULTS = {
  tokenLifetimeSeconds: 2,
  errors: [
    { status: 429 as const, probability: 0.05, retryAfterSeconds: 1 },
    { status: 503 as const, probability: 0.05 },
    { status: 500 as const, probability: 0.02 },
  ],
};

function simClient(sim: Simulator, time: ReturnType<typeof virtualTime>): GenesysClient {
  return new GenesysClient({
    region: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    clock: { now: time.now, sleep: time.sleep },
    fetch: time.fetch,
  });
}

/** Asserts the simulator really injected token expiry, 5xx and 429s. */
function assertFaultsFired(sim: Simulator, minTokens: number): void {
  const { tokensIssued, faults } = sim.stats;
  assert.ok(tokensIssued >= minTokens, `tokens issued: ${tokensIssued}`);
  assert.ok((faults["error.503"] ?? 0) + (faults["error.500"] ?? 0) > 0, JSON.stringify(faults));
  assert.ok((faults["error.429"] ?? 0) > 0, JSON.stringify(faults));
}

const ids = (list: { id: string }[]) => list.map((u) => u.id);
const convIds = (list: { conversationId: string }[]) => list.map((c) => c.conversationId);

Deno.test("listingSource over HTTP gives exactly the simulator's users and queues under faults", async () => {
  const time = virtualTime();
  await using sim = await startSimulator({
    users: 230,
    queues: 31,
    conversations: 10,
    seed: 7,
    now: time.now,
    faults: FAULTS,
  });
  const client = simClient(sim, time);
  const users = listingSource<{ id: string }>(client, "/api/v2/users", { pageSize: 5 });
  const pages = await Array.fromAsync(users.pages());
  assertEquals(pages.flatMap((p) => ids(p.records)), [...sim.ids.users]);
  assertEquals(pages.at(-1)!.total, 230);
  // resume from a position in the middle
  const rest = await Array.fromAsync(users.pages(pages[20].position));
  assertEquals(rest.flatMap((p) => ids(p.records)), sim.ids.users.slice(21 * 5));
  const queues = await Array.fromAsync(
    paginateItems<{ id: string }>(client, "/api/v2/routing/queues", { pageSize: 2 }),
  );
  assertEquals(ids(queues), [...sim.ids.queues]);
  assertFaultsFired(sim, 5);
});

Deno.test({
  name: "paginate over HTTP aborts the prefetched request when the loop ends early",
  sanitizeOps: true,
  sanitizeResources: true,
}, async () => {
  await using sim = await startSimulator({ users: 50, conversations: 10 });
  const sent: { path: string; signal?: AbortSignal | null; outcome: Promise<string> }[] = [];
  const client = new GenesysClient({
    region: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    retry: { maxAttempts: 2, minTimeout: 1, maxTimeout: 5 },
    // Under 5 s each request gets a timer of its own, cleared with it: longer timeouts share a
    // watchdog interval that ends on its next tick, which a loaded machine may run after the test
    // (the op sanitizer then reports it). The abort below comes long before 4 s.
    timeoutMs: 4_000,
    fetch: (input, init) => {
      const promise = fetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      sent.push({
        path: url.pathname + url.search,
        signal: init?.signal,
        outcome: promise.then(() => "answered", (e) => (e as Error).name),
      });
      return promise;
    },
  });
  for await (const page of paginate(client, "/api/v2/users", { pageSize: 10 })) {
    assertEquals(page.entities.length, 10);
    // the next page is already requested; make the simulator hold it for 5 s
    sim.setFaults({ latency: [{ route: "users", ms: 5_000 }] });
    break;
  }
  const pageRequests = sent.filter((r) => r.path.startsWith("/api/v2/users"));
  assertEquals(pageRequests.map((r) => r.path), [
    "/api/v2/users?pageSize=10&pageNumber=1",
    "/api/v2/users?pageSize=10&pageNumber=2",
  ]);
  assertEquals(pageRequests[1].signal?.aborted, true);
  assertEquals(await pageRequests[1].outcome, "AbortError");
});

Deno.test("conversationDetailsSource over HTTP gives exactly the simulator's ids under faults", async () => {
  const time = virtualTime();
  await using sim = await startSimulator({
    conversations: 3000,
    seed: 11,
    now: time.now,
    faults: FAULTS,
  });
  const client = simClient(sim, time);
  const interval = "2026-01-03T06:00:00Z/2026-01-09T18:00:00Z";
  for (const order of ["asc", "desc"] as const) {
    const source = conversationDetailsSource(client, { interval, order }, { pageSize: 25 });
    const pages = await Array.fromAsync(source.pages());
    const got = pages.flatMap((p) => convIds(p.records));
    const expected = sim.conversationIds(interval, { order });
    assert.ok(expected.length > 500, `${expected.length} conversations`);
    assertEquals(got, expected);
    assertEquals(pages.at(-1)!.total, expected.length);
    // resume from a saved position in the middle
    const k = Math.floor(pages.length / 2);
    const done = pages.slice(0, k + 1).reduce((n, p) => n + p.records.length, 0);
    const rest = await Array.fromAsync(source.pages(pages[k].position));
    assertEquals(rest.flatMap((p) => convIds(p.records)), expected.slice(done));
  }
  assertFaultsFired(sim, 5);
});

Deno.test("conversationDetails over HTTP bisects dense chunks and keeps every id once", async () => {
  const time = virtualTime(10);
  await using sim = await startSimulator({ conversations: 3000, seed: 12, now: time.now });
  const client = simClient(sim, time);
  const interval = "2026-01-10T00:00:00Z/2026-01-13T00:00:00Z";
  const spans = new Set<string>();
  const got: string[] = [];
  for await (
    const page of conversationDetailsPages(client, { interval }, { pageSize: 20, maxResults: 60 })
  ) {
    spans.add(page.interval);
    got.push(...convIds(page.conversations));
  }
  assertEquals(got, sim.conversationIds(interval));
  assert.ok(spans.size > 3, `${spans.size} spans`);
});

const SIM_QUERY = { interval: "2026-01-05T00:00:00Z/2026-01-12T00:00:00Z" };

/** The job's results that started in its interval, in the job's order (the ownership rule). */
function ownedJobIds(sim: Simulator): string[] {
  const started = new Set(sim.conversationIds(SIM_QUERY.interval));
  return sim.jobConversationIds(SIM_QUERY).filter((id) => started.has(id));
}

Deno.test("conversationDetailsJobSource over HTTP gives exactly the simulator's job ids under faults", async () => {
  const time = virtualTime();
  await using sim = await startSimulator({
    conversations: 2000,
    seed: 5,
    jobPolls: 3,
    now: time.now,
    faults: FAULTS,
  });
  const client = simClient(sim, time);
  const source = conversationDetailsJobSource(client, SIM_QUERY, {
    pageSize: 20,
    clock: { now: time.now, sleep: time.sleep },
  });
  const pages = await Array.fromAsync(source.pages());
  const expected = ownedJobIds(sim);
  assert.ok(expected.length > 300, `${expected.length} conversations`);
  assertEquals(pages.flatMap((p) => convIds(p.records)), expected);
  assertEquals(sim.stats.jobsSubmitted, 1);
  assertFaultsFired(sim, 3);
});

Deno.test("conversationDetailsJobSource over HTTP resumes a live job by cursor and resubmits an expired one", async () => {
  const time = virtualTime();
  await using sim = await startSimulator({
    conversations: 2000,
    seed: 6,
    jobExpirySeconds: 600,
    now: time.now,
  });
  const client = simClient(sim, time);
  const source = conversationDetailsJobSource(client, SIM_QUERY, {
    pageSize: 50,
    clock: { now: time.now, sleep: time.sleep },
  });
  const expected = ownedJobIds(sim);
  // a first run stops after 3 result pages (the engine's graceful stop: the job is kept)
  const got: string[] = [];
  let position: JsonValue = null;
  let n = 0;
  for await (const page of source.pages()) {
    got.push(...convIds(page.records));
    position = page.position;
    if (++n === 4) break;
  }
  assertEquals(got, expected.slice(0, got.length));
  assert.ok(got.length > 100, `${got.length} after 3 pages of 50`);
  assertEquals(sim.stats.byRoute["jobs.delete"] ?? 0, 0);
  // resume while the job lives: same job, from the saved cursor
  const second: string[] = [];
  for await (const page of source.pages(position)) {
    second.push(...convIds(page.records));
    position = page.position;
    if (second.length >= 100) break;
  }
  assertEquals(sim.stats.jobsSubmitted, 1);
  // the job expires; resuming resubmits and skips the results already read
  time.advance(3_600_000);
  for await (const page of source.pages(position)) {
    second.push(...convIds(page.records));
  }
  assertEquals(sim.stats.jobsSubmitted, 2);
  assertEquals([...got, ...second], expected);
});

Deno.test("items(conversationDetailsJobPages) over HTTP cancels the job when the consumer stops early", async () => {
  const time = virtualTime();
  await using sim = await startSimulator({ conversations: 500, seed: 8, now: time.now });
  const client = simClient(sim, time);
  for await (
    const conv of items(conversationDetailsJobPages(client, SIM_QUERY, {
      pageSize: 10,
      clock: { now: time.now, sleep: time.sleep },
    }))
  ) {
    assertEquals(typeof conv.conversationId, "string");
    break;
  }
  assertEquals(sim.stats.byRouteStatus["jobs.delete"], { "202": 1 });
});
