/**
 * The engine's handling of sources that end short of their range (issue 11): an open end (an
 * interval clamped to now) is finished now and continued by a later run of the same job, a
 * documented cap is finished and reported (also on a rerun), and dropped records are counted.
 */
import { extract } from "./extract.ts";
import { MemoryCheckpointStore } from "./checkpoint_memory.ts";
import { FileSink } from "./sink.ts";
import { MemorySink } from "./sink_memory.ts";
import type { JsonValue, PageSource, SourcePage } from "../types.ts";
import { assert, assertEquals, assertRejects } from "../../tests/_assert.ts";

type Row = { id: string };

/**
 * `total` records, of which only the first `available` exist yet (the rest "has not happened");
 * two per page; the position is the next index. Ending short, the last page says `openUntil`.
 */
class GrowingSource implements PageSource<Row> {
  readonly recordType = "row";
  readonly description: JsonValue = { fake: "growing" };
  available: number;
  /** Throw before reading from this index (simulating a failure), once. */
  failAt?: number;
  constructor(readonly total: number, available: number) {
    this.available = available;
  }
  async *pages(resumeFrom?: JsonValue): AsyncIterable<SourcePage<Row>> {
    const until = Math.min(this.total, this.available);
    let index = Number(resumeFrom ?? 0);
    const open = until < this.total ? { openUntil: `t${until}` } : {};
    if (index >= until) {
      yield { records: [], position: index, ...open };
      return;
    }
    while (index < until) {
      if (this.failAt === index) {
        this.failAt = undefined;
        throw new Error(`failed at ${index}`);
      }
      const records = [];
      for (let k = index; k < Math.min(index + 2, until); k++) records.push({ id: `r${k}` });
      index += records.length;
      await Promise.resolve();
      yield { records, position: index, ...(index >= until ? open : {}) };
    }
  }
}

const ids = (text: string) => (JSON.parse(text) as Row[]).map((r) => r.id);
const range = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);

Deno.test("extract finishes an open-ended output and continues it in later runs of the same job", async () => {
  const dir = await Deno.makeTempDir({ dir: ".test-tmp", prefix: "open-end-" }).catch(async () => {
    await Deno.mkdir(".test-tmp", { recursive: true });
    return await Deno.makeTempDir({ dir: ".test-tmp", prefix: "open-end-" });
  });
  try {
    const path = `${dir}/rows.json`;
    const store = new MemoryCheckpointStore();
    const checkpoint = { store, key: "rows" };
    const source = new GrowingSource(7, 3);
    const run = () => extract({ source, sink: new FileSink(path, { format: "json" }), checkpoint });

    const first = await run();
    assertEquals([first.status, first.records, first.openUntil], ["complete", 3, "t3"]);
    assertEquals(ids(await Deno.readTextFile(path)), range(3));
    const cp = await store.load("rows");
    assertEquals([cp?.status, cp?.openEnd?.until], ["complete", "t3"]);
    assertEquals(cp?.bytes, (await Deno.stat(path)).size);

    // Nothing new yet: the finished output is left as it is, still open.
    const before = await Deno.readTextFile(path);
    const idle = await run();
    assertEquals([idle.alreadyComplete, idle.resumed, idle.recordsThisRun], [false, true, 0]);
    assertEquals(idle.openUntil, "t3");
    assertEquals(await Deno.readTextFile(path), before);

    // A failure before the first new record leaves the finished output in place.
    source.available = 5;
    source.failAt = 3;
    await assertRejects(run, Error, "failed at 3");
    assertEquals(await Deno.readTextFile(path), before);

    // Later: the rest, appended to the same file; then it is final.
    source.available = 100;
    const last = await run();
    assertEquals([last.records, last.recordsThisRun, last.openUntil], [7, 4, undefined]);
    assertEquals(ids(await Deno.readTextFile(path)), range(7));
    assertEquals((await store.load("rows"))?.openEnd, undefined);
    const again = await run();
    assertEquals([again.alreadyComplete, again.records], [true, 7]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("extract continues an open end after a crash in the continuing run, exactly once", async () => {
  const store = new MemoryCheckpointStore();
  const checkpoint = { store, key: "rows" };
  const sink = new MemorySink({ format: "jsonl" });
  const source = new GrowingSource(9, 2);
  await extract({ source, sink, checkpoint });
  source.available = 6;
  source.failAt = 4; // after one new page (r2, r3) is durable
  await assertRejects(() => extract({ source, sink, checkpoint }), Error, "failed at 4");
  assertEquals((await store.load("rows"))?.status, "running");
  const resumed = await extract({ source, sink, checkpoint });
  assertEquals([resumed.records, resumed.openUntil], [6, "t6"]);
  source.available = 9;
  await extract({ source, sink, checkpoint });
  assertEquals(sink.text().trim().split("\n").map((l) => JSON.parse(l).id), range(9));
});

Deno.test("extract reports a capped source, keeps the cap in the checkpoint and on a rerun", async () => {
  const cap = { limit: 4, description: "rows past 4 answer 400" };
  const source: PageSource<Row> = {
    recordType: "row",
    description: { fake: "capped" },
    async *pages(resumeFrom) {
      let index = Number(resumeFrom ?? 0);
      while (index < 4) {
        yield { records: [{ id: `r${index}` }, { id: `r${index + 1}` }], position: index + 2 };
        index += 2;
        await Promise.resolve();
      }
      if (resumeFrom !== 4) yield { records: [], position: 4, capped: cap };
    },
  };
  const store = new MemoryCheckpointStore();
  const checkpoint = { store, key: "capped" };
  const sink = new MemorySink();
  const controller = new AbortController();
  // Stopped right after the capped page (the third) is durable: the resume still knows the cap.
  let events = 0;
  const first = await extract({
    source,
    sink,
    checkpoint,
    signal: controller.signal,
    onProgress: () => {
      if (++events === 3) controller.abort();
    },
  });
  assertEquals(first.status, "stopped");
  const second = await extract({ source, sink, checkpoint });
  assertEquals([second.status, second.records, second.capped], ["complete", 4, cap]);
  assertEquals((await store.load("capped"))?.capped, cap);
  const rerun = await extract({ source, sink, checkpoint });
  assertEquals([rerun.alreadyComplete, rerun.capped], [true, cap]);
});

Deno.test("extract sums the pages' dropped counts over runs", async () => {
  const source: PageSource<Row> = {
    recordType: "row",
    description: { fake: "dropping" },
    async *pages(resumeFrom) {
      for (let i = Number(resumeFrom ?? 0); i < 3; i++) {
        await Promise.resolve();
        yield { records: [{ id: `r${i}` }], position: i + 1, dropped: i + 1 };
      }
    },
  };
  const store = new MemoryCheckpointStore();
  const sink = new MemorySink();
  const controller = new AbortController();
  const first = await extract({
    source,
    sink,
    checkpoint: { store, key: "d" },
    signal: controller.signal,
    onProgress: (p) => {
      assert(p.dropped >= 1);
      if (p.records === 1) controller.abort();
    },
  });
  assertEquals(first.dropped, 1);
  const second = await extract({ source, sink, checkpoint: { store, key: "d" } });
  assertEquals(second.dropped, 6);
  assertEquals((await store.load("d"))?.dropped, 6);
});
