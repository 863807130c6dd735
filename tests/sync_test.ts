/**
 * `syncDays` and `syncSnapshot` against the simulator with the real API's interval semantics
 * (long calls across midnight, live calls at the simulator's now, approximate totalHits, jobs
 * that return every overlapping conversation): each final day holds exactly the conversations
 * that started that day, whichever way it was read; a rerun sends no analytics request; a run
 * stopped mid-day resumes to the bytes of one clean run; provisional days are replaced and then
 * dropped once final; the manifest is refused for other settings; KV keeps a long manifest.
 */
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { type Simulator, startSimulator } from "../testing.ts";
import {
  CheckpointError,
  FileCheckpointStore,
  FileSyncOutput,
  GenesysClient,
  KvCheckpointStore,
  listingSource,
  LockError,
  MemoryCheckpointStore,
  MemorySyncOutput,
  readSyncManifest,
  syncDays,
  type SyncDaysOptions,
  syncSnapshot,
  UsageError,
} from "../mod.ts";
import { tempDir } from "./chaos/files.ts";

/** The simulator's (and the sync's) now: 10:00 on 7 January. */
const NOW = Date.parse("2026-01-07T10:00:00Z");
/** With the default 48 h settle, 1–4 January are final; 5–7 January are not. */
const FINAL = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"];
const OPEN = ["2026-01-05", "2026-01-06", "2026-01-07"];

function startSim(options: { now?: () => number; conversations?: number } = {}) {
  return startSimulator({
    seed: 14,
    conversations: options.conversations ?? 1400,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-08T00:00:00Z",
    // Many long calls, up to 6 hours: days and their neighbours overlap at every midnight.
    longConversationShare: 0.1,
    maxConversationHours: 6,
    jobPolls: 1,
    now: options.now ?? (() => NOW),
  });
}

function clientOf(sim: Simulator, now: () => number = () => NOW): GenesysClient {
  return new GenesysClient({
    region: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    clock: { now },
  });
}

function dayInterval(day: string): string {
  const start = Date.parse(`${day}T00:00:00Z`);
  return `${day}T00:00:00Z/${new Date(start + 86_400_000).toISOString().slice(0, 19)}Z`;
}

function idsOf(text: string | undefined): string[] {
  assert(text !== undefined, "the day is not finished");
  return text.trim() === ""
    ? []
    : text.trim().split("\n").map((line) => JSON.parse(line).conversationId);
}

/** Analytics requests the simulator served (details query and every jobs route). */
function analyticsRequests(sim: Simulator): number {
  const routes = sim.stats.byRoute;
  return Object.entries(routes)
    .filter(([route]) => route.startsWith("details.") || route.startsWith("jobs."))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** The sync's clock: the simulator's now, and job polls that do not wait. */
const fastClock = { now: () => NOW, sleep: () => Promise.resolve() };

for (const via of ["query", "jobs", "auto"] as const) {
  Deno.test(`syncDays via ${via}: 4 final days, each exactly the conversations that started that day; a rerun sends no analytics request`, async () => {
    await using sim = await startSim();
    const output = new MemorySyncOutput();
    const store = new MemoryCheckpointStore();
    const options: SyncDaysOptions = {
      client: clientOf(sim),
      store,
      output,
      since: "2026-01-01",
      via,
      clock: fastClock,
      pageSize: 25,
      jobPageSize: 40,
      jobs: { pollInterval: 1 },
      // The simulator's jobs take 2 polls: with that cost, jobs win days of ~200 in pages of 40.
      jobPolls: 2,
    };
    const first = await syncDays(options);
    assertEquals(first.status, "complete");
    assertEquals(first.days.map((d) => [d.day, d.status]), FINAL.map((d) => [d, "written"]));
    let dropped = 0;
    for (const day of FINAL) {
      const expected = sim.conversationIds(dayInterval(day));
      assert(expected.length > 100, `${day} has ${expected.length} conversations`);
      assertEquals(idsOf(output.text(day)), expected, day);
      const entry = first.manifest.days[day];
      assertEquals(entry.records, expected.length);
      assertEquals(entry.file, day);
      const bytes = new TextEncoder().encode(output.text(day)!);
      assertEquals(entry.bytes, bytes.length);
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      assertEquals(
        entry.sha256,
        Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
      );
      if (via !== "auto") assertEquals(entry.via, via);
      dropped += first.days.find((d) => d.day === day)!.dropped;
    }
    // Jobs return the long calls of the day before that ran past midnight: they were dropped.
    if (via === "jobs") assert(dropped > 0, "no overlapping conversation was dropped");
    if (via === "auto") {
      // About 200 a day: a job costs 1 submit + 2 polls + pages of 40, the query pages of 25.
      for (const d of first.days) {
        assert(d.estimate !== undefined);
        assert(d.estimate.conversations > 150, JSON.stringify(d.estimate));
        assertEquals(d.via, d.estimate.jobs < d.estimate.query ? "jobs" : "query");
      }
      assert(first.days.some((d) => d.via === "jobs"), "auto never chose jobs");
    }
    assertEquals(first.unsettled, []);
    assertEquals(first.settledUntil, "2026-01-05");

    const before = analyticsRequests(sim);
    const second = await syncDays(options);
    assertEquals(second.days.map((d) => d.status), FINAL.map(() => "present"));
    assertEquals(analyticsRequests(sim), before, "a rerun sent analytics requests");
    assertEquals(second.manifest, first.manifest);
  });
}

Deno.test("syncDays stopped mid-day resumes that day exactly: the files equal one clean run's", async () => {
  await using sim = await startSim();
  const root = await tempDir("sync-stop");
  try {
    const run = async (dir: string, signal?: AbortSignal, onPage?: () => void) =>
      await syncDays({
        client: clientOf(sim),
        store: new FileCheckpointStore(dir, { suffix: ".checkpoint.json" }),
        output: new FileSyncOutput(dir, { format: "csv", table: "participants" }),
        since: "2026-01-01",
        via: "query",
        pageSize: 20,
        clock: { now: () => NOW },
        signal,
        onProgress: onPage,
      });
    const clean = await run(`${root}/clean`);
    assertEquals(clean.status, "complete");

    // Stop after 3, then 11, then 17 pages in all; each run resumes where the last stopped.
    let pages = 0;
    const stops = [3, 11, 17];
    const statuses: string[] = [];
    for (const at of stops) {
      const controller = new AbortController();
      const result = await run(`${root}/stopped`, controller.signal, () => {
        if (++pages >= at) controller.abort();
      });
      statuses.push(result.status);
      const last = result.days.at(-1)!;
      assertEquals(last.status, "stopped");
    }
    assertEquals(statuses, ["stopped", "stopped", "stopped"]);
    const resumed = await run(`${root}/stopped`);
    assertEquals(resumed.status, "complete");
    assert(resumed.days.some((d) => d.status === "written" && d.resumed), "no day was resumed");
    for (const day of FINAL) {
      const a = await Deno.readFile(`${root}/clean/${day}.csv`);
      const b = await Deno.readFile(`${root}/stopped/${day}.csv`);
      assertEquals(b, a, day);
    }
    const files = [...Deno.readDirSync(`${root}/stopped`)].map((e) => e.name).sort();
    assertEquals(files, [...FINAL.map((d) => `${d}.csv`), "manifest.checkpoint.json"]);
    const strip = (m: unknown) =>
      JSON.parse(JSON.stringify(m), (k, v) => (k === "at" || k === "updatedAt" ? undefined : v));
    assertEquals(strip(resumed.manifest), strip(clean.manifest));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("syncDays --provisional writes the unsettled days up to now apart, replaces them, and drops each once final", async () => {
  let now = NOW;
  await using sim = await startSim({ now: () => now });
  const output = new MemorySyncOutput();
  const store = new MemoryCheckpointStore();
  const options = (): SyncDaysOptions => ({
    client: clientOf(sim, () => now),
    store,
    output,
    since: "2026-01-03",
    via: "query",
    provisional: true,
    clock: { now: () => now },
  });
  const first = await syncDays(options());
  assertEquals(first.days.map((d) => d.day), ["2026-01-03", "2026-01-04"]);
  assertEquals(first.provisional.map((d) => d.day), OPEN);
  assertEquals(Object.keys(first.manifest.provisional), OPEN);
  // Today is read up to now, live calls included (without an end yet).
  const today = first.manifest.provisional["2026-01-07"];
  assertEquals(today.until, "2026-01-07T10:00:00Z");
  assertEquals(today.file, "provisional/2026-01-07");
  const live = idsOf(output.text("2026-01-07", "provisional"));
  assertEquals(live, sim.conversationIds(dayInterval("2026-01-07")));
  const records = output.text("2026-01-07", "provisional")!.trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  assert(records.some((r) => r.conversationEnd === undefined), "no live call in today's file");

  // A day later: 5 January is final (and no longer provisional), 8 January is new.
  now += 86_400_000;
  const second = await syncDays(options());
  assertEquals(second.days.map((d) => [d.day, d.status]), [
    ["2026-01-03", "present"],
    ["2026-01-04", "present"],
    ["2026-01-05", "written"],
  ]);
  assertEquals(second.provisional.map((d) => d.day), ["2026-01-06", "2026-01-07", "2026-01-08"]);
  assertEquals(Object.keys(second.manifest.provisional), [
    "2026-01-06",
    "2026-01-07",
    "2026-01-08",
  ]);
  assertEquals(output.text("2026-01-05", "provisional"), undefined);
  // Yesterday's provisional 7 January is replaced: its live calls have ended by now.
  assertEquals(
    idsOf(output.text("2026-01-07", "provisional")),
    sim.conversationIds(dayInterval("2026-01-07")),
  );
  assert(idsOf(output.text("2026-01-07", "provisional")).length > live.length);
  assertEquals(second.manifest.provisional["2026-01-07"].until, undefined);
});

Deno.test("syncDays refuses a manifest of other settings, and a second run while the first holds the lock", async () => {
  await using sim = await startSim({ conversations: 200 });
  const store = new MemoryCheckpointStore();
  const base: SyncDaysOptions = {
    client: clientOf(sim),
    store,
    output: new MemorySyncOutput(),
    since: "2026-01-03",
    via: "query",
    clock: { now: () => NOW },
  };
  await syncDays(base);
  await assertRejects(
    () => syncDays({ ...base, output: new MemorySyncOutput({ format: "csv" }) }),
    UsageError,
    "its output.format was 'jsonl' there and is 'csv' now",
  );
  await assertRejects(
    () =>
      syncDays({
        ...base,
        query: {
          segmentFilters: [{
            type: "and",
            predicates: [{ dimension: "mediaType", value: "voice" }],
          }],
        },
      }),
    UsageError,
    "belongs to a sync with other settings: its filter.segmentFilters",
  );
  const lock = await store.lock("manifest");
  try {
    await assertRejects(
      () => syncDays(base),
      LockError,
      "Another run of this job is already running",
    );
  } finally {
    await lock.release();
  }
  store.setRaw("manifest", "{ not json");
  await assertRejects(
    () => syncDays(base),
    CheckpointError,
    "Manifest 'memory:manifest' is corrupt",
  );
});

Deno.test("syncDays in Deno KV: the manifest and checkpoints live in KV, a manifest of a year of days spans several values", async () => {
  await using sim = await startSim({ conversations: 100 });
  const kv = await Deno.openKv(":memory:");
  try {
    const store = new KvCheckpointStore(kv, ["sync"]);
    const result = await syncDays({
      client: clientOf(sim),
      store,
      output: new MemorySyncOutput(),
      since: "2025-01-01",
      via: "query",
      clock: { now: () => NOW },
    });
    assertEquals(Object.keys(result.manifest.days).length, 369);
    const text = await store.loadText("manifest");
    assert(text !== undefined && text.length > 60_000, `manifest of ${text?.length} bytes`);
    assertEquals((await readSyncManifest({ store, key: "manifest" }))?.days, result.manifest.days);
    assert((await kv.get(["sync", "manifest", "part", 1])).value instanceof Uint8Array);
  } finally {
    kv.close();
  }
});

Deno.test("syncSnapshot takes at most one users snapshot per UTC day and drops a day left unfinished", async () => {
  let now = Date.parse("2026-01-07T08:00:00Z");
  await using sim = await startSimulator({ users: 90, now: () => now });
  const client = clientOf(sim, () => now);
  const output = new MemorySyncOutput();
  const store = new MemoryCheckpointStore();
  const notices: string[] = [];
  const options = (signal?: AbortSignal, onProgress?: () => void) => ({
    kind: "users",
    source: listingSource(client, "/api/v2/users", { pageSize: 20 }),
    job: { path: "/api/v2/users" },
    store,
    output,
    clock: { now: () => now },
    signal,
    onProgress,
    onNotice: (n: string) => notices.push(n),
  });
  const stop = new AbortController();
  const stopped = await syncSnapshot(options(stop.signal, () => stop.abort()));
  assertEquals([stopped.status, stopped.day.status, stopped.day.records], [
    "stopped",
    "stopped",
    20,
  ]);
  assertEquals(stopped.manifest.pending, "2026-01-07");

  // The next day: the unfinished snapshot of the 7th is dropped, the 8th's is taken.
  now += 86_400_000;
  const next = await syncSnapshot(options());
  assertEquals([next.status, next.day.day, next.day.records], ["complete", "2026-01-08", 90]);
  assertEquals(Object.keys(next.manifest.days), ["2026-01-08"]);
  assertEquals(next.manifest.pending, undefined);
  assert(notices.some((n) => n.includes("2026-01-07")), notices.join("\n"));
  assertEquals(await store.load("2026-01-07"), undefined);
  const ids = output.text("2026-01-08")!.trim().split("\n").map((l) => JSON.parse(l).id);
  assertEquals(ids, [...sim.ids.users]);

  const requests = sim.stats.byRoute.users;
  const again = await syncSnapshot(options());
  assertEquals(again.day.status, "present");
  assertEquals(sim.stats.byRoute.users, requests);
});
