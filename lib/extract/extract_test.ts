import { extract, type ExtractProgress } from "./extract.ts";
import { extractJobKey } from "./_job_key.ts";
import { MemoryCheckpointStore } from "./checkpoint_memory.ts";
import { createRecordEncoder, type OutputFormat } from "./format.ts";
import { MemorySink } from "./sink_memory.ts";
import { StreamSink } from "./sink_stream.ts";
import type { Sink, SinkMark, SinkOpenOptions } from "./sink.ts";
import type { JsonValue, PageSource, SourcePage } from "../types.ts";
import { CheckpointError, UsageError } from "../errors.ts";
import { assert, assertEquals, assertRejects } from "../../tests/_assert.ts";

type Row = { id: string; n: number; text: string };

function row(i: number): Row {
  return { id: `r${i}`, n: i % 2 ? -i : i, text: i % 3 ? `plain ${i}` : `=cmd, "${i}"\n` };
}

/** A deterministic source of `pageCount` pages of `perPage` records; position = next page index. */
class FakeSource implements PageSource<Row> {
  readonly recordType = "widget";
  readonly description: JsonValue;
  /** How many times pages() was called. */
  calls = 0;
  /** How many generators ran their cleanup. */
  cleanups = 0;
  constructor(
    readonly pageCount: number,
    readonly perPage: number,
    readonly hooks: {
      /** Runs before page `index` is produced (throw to fail the source). */
      before?: (index: number, signal?: AbortSignal) => Promise<void> | void;
    } = {},
  ) {
    this.description = { fake: "widgets", pageCount, perPage };
  }
  async *pages(resumeFrom?: JsonValue, signal?: AbortSignal): AsyncIterable<SourcePage<Row>> {
    this.calls += 1;
    try {
      for (let index = Number(resumeFrom ?? 0); index < this.pageCount; index++) {
        await this.hooks.before?.(index, signal);
        const records = Array.from(
          { length: this.perPage },
          (_, k) => row(index * this.perPage + k),
        );
        yield { records, position: index + 1, total: this.pageCount * this.perPage };
      }
    } finally {
      this.cleanups += 1;
    }
  }
}

function expectedOutput(format: OutputFormat, source: FakeSource): string {
  const enc = createRecordEncoder(format, source.recordType);
  let text = "";
  for (let i = 0; i < source.pageCount; i++) {
    text += enc.encode(
      Array.from({ length: source.perPage }, (_, k) => row(i * source.perPage + k)),
    );
  }
  return text + enc.end();
}

/** A clock that advances 250 ms each time it is read. */
function steppingClock(start = 1_700_000_000_000): () => number {
  let t = start - 250;
  return () => (t += 250);
}

Deno.test("extract writes every page to each format and reports progress", async () => {
  for (const format of ["jsonl", "csv", "json"] as OutputFormat[]) {
    const source = new FakeSource(4, 3);
    const sink = new MemorySink({ format });
    const events: ExtractProgress[] = [];
    let statsCalls = 0;
    const result = await extract({
      source,
      sink,
      onProgress: (p) => events.push(p),
      stats: () => ({ requests: 10 + statsCalls, retries: 2, tokenRequests: ++statsCalls }),
      clock: { now: steppingClock() },
    });
    assertEquals(sink.text(), expectedOutput(format, source), format);
    assert(sink.complete);
    assertEquals(result.status, "complete");
    assertEquals(result.alreadyComplete, false);
    assertEquals(result.resumed, false);
    assertEquals(result.resumable, false);
    assertEquals([result.pages, result.records, result.total], [4, 12, 12]);
    assertEquals(result.bytes, sink.bytes().length);
    assertEquals(result.output, undefined);
    assertEquals(result.checkpoint, undefined);
    assertEquals(result.jobKey, await extractJobKey({ source, sink }));
    assertEquals(events.map((e) => [e.pages, e.records, e.total]), [
      [1, 3, 12],
      [2, 6, 12],
      [3, 9, 12],
      [4, 12, 12],
    ]);
    assertEquals(events.map((e) => e.tokenRequests), [1, 2, 3, 4]);
    assertEquals(events[3].requests, 13);
    assertEquals(events[3].retries, 2);
    // The stepping clock: start, then one read per progress event.
    assertEquals(events.map((e) => e.elapsedMs), [250, 500, 750, 1000]);
    assertEquals(events[3].recordsPerSecond, 12);
    assert(events.every((e, i) => i === 0 || e.bytes > events[i - 1].bytes));
  }
});

/** Counts what the engine holds: records yielded by the source but not yet written by the sink. */
class CountingSink extends MemorySink {
  written = 0;
  override async write(records: readonly unknown[]): Promise<SinkMark> {
    const mark = await super.write(records);
    this.written += records.length;
    return mark;
  }
}

Deno.test("extract holds at most one page: the next page is asked for only after a write", async () => {
  const perPage = 50;
  const sink = new CountingSink({ format: "csv" });
  let yielded = 0;
  let maxOutstanding = 0;
  let requests = 0;
  const source = new FakeSource(40, perPage, {
    before: () => {
      requests += 1;
      // When the engine asks for the next page, everything yielded so far must be written.
      maxOutstanding = Math.max(maxOutstanding, yielded - sink.written);
      yielded += perPage;
    },
  });
  const result = await extract({
    source,
    sink,
    onProgress: (p) => {
      maxOutstanding = Math.max(maxOutstanding, yielded - sink.written);
      assertEquals(p.records, sink.written);
    },
  });
  assertEquals(result.records, 40 * perPage);
  assertEquals(requests, 40);
  assertEquals(maxOutstanding, 0);
  assertEquals(sink.written, 2000);
});

Deno.test("extract saves a checkpoint after every durable page, then marks it complete", async () => {
  const store = new MemoryCheckpointStore();
  const source = new FakeSource(3, 2);
  const sink = new MemorySink({ format: "json" });
  const seen: JsonValue[] = [];
  const result = await extract({
    source,
    sink,
    checkpoint: { store, key: "w" },
    identity: { region: "mypurecloud.ie" },
    onProgress: async () => {},
    clock: { now: steppingClock(Date.UTC(2024, 0, 1)) },
    stats: () => {
      // At each progress event the checkpoint already holds this page.
      const raw = store.getRaw("w");
      if (raw) seen.push(JSON.parse(raw).position);
      return {};
    },
  });
  assertEquals(seen, [1, 2, 3]);
  const cp = await store.load("w");
  assert(cp);
  assertEquals(cp.status, "complete");
  assertEquals([cp.pages, cp.records, cp.bytes, cp.total], [3, 6, result.bytes, 6]);
  assertEquals(cp.jobKey, result.jobKey);
  assertEquals(cp.format, "json");
  assertEquals(cp.recordType, "widget");
  assertEquals(cp.createdAt, "2024-01-01T00:00:00.000Z");
  assertEquals(result.checkpoint, "memory:w");
  assertEquals(result.checkpointKey, "w");
  // The arguments are kept beside their hash, so a refused resume can say which one differs.
  assertEquals(cp.job, {
    checkpointVersion: 2,
    source: { fake: "widgets", pageCount: 3, perPage: 2 },
    recordType: "widget",
    sink: { format: "json" },
    identity: { region: "mypurecloud.ie" },
  });
});

Deno.test("extract says 'already complete' for a finished job and reads nothing", async () => {
  const store = new MemoryCheckpointStore();
  const sink = new MemorySink();
  await extract({ source: new FakeSource(2, 2), sink, checkpoint: { store, key: "w" } });
  const again = new FakeSource(2, 2);
  const otherSink = new MemorySink();
  const result = await extract({ source: again, sink: otherSink, checkpoint: { store, key: "w" } });
  assertEquals(result.status, "complete");
  assertEquals(result.alreadyComplete, true);
  assertEquals([result.pages, result.records, result.pagesThisRun], [2, 4, 0]);
  assertEquals(again.calls, 0);
  assertEquals(otherSink.bytes().length, 0);
  // restart runs it again
  const restarted = await extract({
    source: again,
    sink: otherSink,
    checkpoint: { store, key: "w" },
    restart: true,
  });
  assertEquals([restarted.alreadyComplete, restarted.recordsThisRun], [false, 4]);
  assertEquals(otherSink.text(), sink.text());
});

Deno.test("extract refuses to resume a running checkpoint with other arguments", async () => {
  const store = new MemoryCheckpointStore();
  const controller = new AbortController();
  const sink = new MemorySink({ format: "csv" });
  const stopped = await extract({
    source: new FakeSource(5, 2),
    sink,
    checkpoint: { store, key: "job" },
    identity: { region: "mypurecloud.ie" },
    signal: controller.signal,
    onProgress: () => controller.abort(),
  });
  assertEquals([stopped.status, stopped.resumable, stopped.pages], ["stopped", true, 1]);
  const variants = [
    { source: new FakeSource(6, 2), sink, identity: { region: "mypurecloud.ie" } },
    {
      source: new FakeSource(5, 2),
      sink: new MemorySink(),
      identity: { region: "mypurecloud.ie" },
    },
    { source: new FakeSource(5, 2), sink, identity: { region: "mypurecloud.de" } },
  ];
  const differences = [
    "its source.pageCount was '5' there and is '6' now",
    "its sink.format was 'csv' there and is 'jsonl' now",
    "its identity.region was 'mypurecloud.ie' there and is 'mypurecloud.de' now",
  ];
  for (const [i, variant] of variants.entries()) {
    const error = await assertRejects(
      () => extract({ ...variant, checkpoint: { store, key: "job" } }),
      CheckpointError,
      "Checkpoint 'memory:job' belongs to another job",
    );
    assert(error.message.includes(differences[i]), error.message);
    assert(error.message.includes("--restart or delete it to start over"), error.message);
    assertEquals(variant.source.calls, 0);
  }
  // The same arguments resume.
  const resumed = await extract({
    source: new FakeSource(5, 2),
    sink,
    checkpoint: { store, key: "job" },
    identity: { region: "mypurecloud.ie" },
  });
  assertEquals([resumed.resumed, resumed.pagesThisRun, resumed.pages], [true, 4, 5]);
  assertEquals(sink.text(), expectedOutput("csv", new FakeSource(5, 2)));
  // A complete checkpoint of another job is replaced, not refused.
  const next = new MemorySink({ format: "csv" });
  const other = await extract({
    source: new FakeSource(2, 2),
    sink: next,
    checkpoint: { store, key: "job" },
  });
  assertEquals([other.status, other.alreadyComplete, other.resumed], ["complete", false, false]);
  assertEquals((await store.load("job"))?.jobKey, other.jobKey);
});

Deno.test("extract reports a corrupt checkpoint clearly", async () => {
  const store = new MemoryCheckpointStore();
  store.setRaw("job", '{"version":2,"jobKey":"x"}');
  const source = new FakeSource(2, 2);
  await assertRejects(
    () => extract({ source, sink: new MemorySink(), checkpoint: { store, key: "job" } }),
    CheckpointError,
    "Checkpoint 'memory:job' is corrupt: 'jobKey' is missing or malformed",
  );
  assertEquals(source.calls, 0);
});

Deno.test("extract refuses a checkpoint with a sink that cannot resume, runs without one", async () => {
  const chunks: Uint8Array[] = [];
  const stream = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) });
  await assertRejects(
    () =>
      extract({
        source: new FakeSource(2, 2),
        sink: new StreamSink(stream),
        checkpoint: { store: new MemoryCheckpointStore(), key: "x" },
      }),
    UsageError,
    "Output 'stdout' cannot resume, so it cannot be used with a checkpoint",
  );
  const source = new FakeSource(2, 2);
  const result = await extract({ source, sink: new StreamSink(stream) });
  assertEquals(result.status, "complete");
  assertEquals(result.checkpoint, undefined);
  const text = chunks.map((c) => new TextDecoder().decode(c)).join("");
  assertEquals(text, expectedOutput("jsonl", source));
});

Deno.test("extract propagates a source error and keeps the checkpoint at the last durable page", async () => {
  const store = new MemoryCheckpointStore();
  const sink = new MemorySink({ format: "json" });
  const failure = new Error("socket hang up");
  let failOnce = true;
  const source = new FakeSource(5, 2, {
    before: (index) => {
      if (index === 3 && failOnce) {
        failOnce = false;
        throw failure;
      }
    },
  });
  const thrown = await assertRejects(
    () => extract({ source, sink, checkpoint: { store, key: "j" } }),
    Error,
  );
  assert(thrown === failure);
  const cp = await store.load("j");
  assertEquals([cp?.status, cp?.pages, cp?.position, cp?.bytes], [
    "running",
    3,
    3,
    sink.bytes().length,
  ]);
  const result = await extract({ source, sink, checkpoint: { store, key: "j" } });
  assertEquals([result.resumed, result.pagesThisRun], [true, 2]);
  assertEquals(sink.text(), expectedOutput("json", source));
  assertEquals(JSON.parse(sink.text()).length, 10);
});

/** A sink whose writes fail at a chosen call, as a full disk would. */
class FailingSink implements Sink {
  readonly format = "jsonl" as const;
  readonly identity: JsonValue = { format: "jsonl" };
  readonly resumable = true;
  readonly name = "failing";
  closed = 0;
  #writes = 0;
  constructor(readonly inner: MemorySink, readonly failAt: number) {}
  open(options: SinkOpenOptions): Promise<void> {
    return this.inner.open(options);
  }
  write(records: readonly unknown[]): Promise<SinkMark> {
    this.#writes += 1;
    if (this.#writes === this.failAt) return Promise.reject(new Error("No space left on device"));
    return this.inner.write(records);
  }
  finish(): Promise<SinkMark> {
    return this.inner.finish();
  }
  close(): Promise<void> {
    this.closed += 1;
    return this.inner.close();
  }
}

Deno.test("extract closes the sink and the source when the sink fails", async () => {
  const store = new MemoryCheckpointStore();
  const memory = new MemorySink();
  const sink = new FailingSink(memory, 2);
  const source = new FakeSource(4, 1);
  await assertRejects(
    () => extract({ source, sink, checkpoint: { store, key: "k" } }),
    Error,
    "No space left on device",
  );
  assertEquals(sink.closed, 1);
  assertEquals(source.cleanups, 1);
  assertEquals((await store.load("k"))?.pages, 1);
  await extract({ source, sink: memory, checkpoint: { store, key: "k" } });
  assertEquals(memory.text(), expectedOutput("jsonl", source));
});

Deno.test("extract with an already aborted signal stops before reading", async () => {
  const controller = new AbortController();
  controller.abort();
  const source = new FakeSource(3, 1);
  const result = await extract({
    source,
    sink: new MemorySink(),
    checkpoint: { store: new MemoryCheckpointStore(), key: "k" },
    signal: controller.signal,
  });
  assertEquals([result.status, result.pages, result.resumable], ["stopped", 0, true]);
  assertEquals(source.calls, 0);
});

Deno.test("extract of an empty source writes a valid empty output", async () => {
  for (const [format, expected] of [["json", "[]\n"], ["jsonl", ""], ["csv", ""]] as const) {
    const sink = new MemorySink({ format });
    const result = await extract({ source: new FakeSource(0, 5), sink });
    assertEquals([result.status, result.pages, sink.text()], ["complete", 0, expected]);
  }
});

Deno.test("extract sums retries given by cause, as GenesysClient.stats gives them", async () => {
  const source: PageSource<{ id: string }> = {
    description: { test: "retries by cause" },
    recordType: "thing",
    async *pages() {
      yield { records: [{ id: "a" }], position: { done: true } };
    },
  };
  const seen: (number | undefined)[] = [];
  await extract({
    source,
    sink: new MemorySink(),
    stats: () => ({ requests: 4, retries: { rateLimit: 2, serverError: 1 }, tokenRequests: 1 }),
    onProgress: (p) => seen.push(p.retries),
  });
  assertEquals(seen, [3]);
});
