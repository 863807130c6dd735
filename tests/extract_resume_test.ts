/**
 * Stop, fail or kill an extraction at every point that matters, resume it, and compare the output
 * with one clean run, byte for byte, for every format, through the real file sink and file
 * checkpoint store.
 */
import { extract, type ExtractResult } from "../lib/extract/extract.ts";
import type { Checkpoint, CheckpointStore } from "../lib/extract/checkpoint.ts";
import { FileCheckpointStore } from "../lib/extract/checkpoint_file.ts";
import type { OutputFormat } from "../lib/extract/format.ts";
import { FileSink } from "../lib/extract/sink.ts";
import type { JsonValue, PageSource, SourcePage } from "../lib/types.ts";
import { assert, assertEquals } from "./_assert.ts";
import { tempDir } from "./chaos/files.ts";

const FORMATS: OutputFormat[] = ["jsonl", "csv", "json"];
const PAGES = 6;
const PER_PAGE = 4;

function record(i: number): Record<string, JsonValue> {
  const r: Record<string, JsonValue> = {
    id: `w-${i}`,
    amount: i % 2 ? -i * 1.5 : i,
    note: i % 3 === 0 ? `=HYPERLINK("x","${i}"), line\r\nnext` : `café ✓ ${i}`,
    owner: { name: `Owner ${i % 4}`, team: { id: `t${i % 2}` } },
    tags: [`a${i}`, i],
  };
  if (i % 7 === 5) r.late = "only on some records";
  return r;
}

type Hook = (index: number, signal?: AbortSignal) => Promise<void> | void;

class Widgets implements PageSource<Record<string, JsonValue>> {
  readonly recordType = "widget";
  readonly description: JsonValue = { fake: "widgets", pages: PAGES, perPage: PER_PAGE };
  constructor(readonly before?: Hook) {}
  async *pages(
    resumeFrom?: JsonValue,
    signal?: AbortSignal,
  ): AsyncIterable<SourcePage<Record<string, JsonValue>>> {
    const start = resumeFrom === undefined ? 0 : (resumeFrom as { next: number }).next;
    for (let page = start; page < PAGES; page++) {
      await this.before?.(page, signal);
      yield {
        records: Array.from({ length: PER_PAGE }, (_, k) => record(page * PER_PAGE + k)),
        position: { next: page + 1 },
        total: PAGES * PER_PAGE,
      };
    }
  }
}

interface Job {
  dir: string;
  format: OutputFormat;
  path: string;
}

function job(dir: string, format: OutputFormat, name = "out"): Job {
  return { dir, format, path: `${dir}/${name}.${format}` };
}

function run(
  j: Job,
  options: {
    source?: Widgets;
    signal?: AbortSignal;
    store?: CheckpointStore;
    onPage?: () => void;
  } = {},
): Promise<ExtractResult> {
  return extract({
    source: options.source ?? new Widgets(),
    sink: new FileSink(j.path, { format: j.format }),
    checkpoint: { store: options.store ?? new FileCheckpointStore(`${j.dir}/cp`), key: "widgets" },
    identity: { region: "test" },
    signal: options.signal,
    onProgress: options.onPage,
  });
}

const clean = new Map<OutputFormat, Uint8Array>();

async function cleanOutput(format: OutputFormat): Promise<Uint8Array> {
  const cached = clean.get(format);
  if (cached) return cached;
  const dir = await tempDir("resume");
  try {
    const j = job(dir, format);
    const result = await run(j);
    assertEquals([result.status, result.records], ["complete", PAGES * PER_PAGE]);
    const bytes = await Deno.readFile(j.path);
    clean.set(format, bytes);
    return bytes;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function assertSameAsClean(j: Job, label: string): Promise<void> {
  const actual = await Deno.readFile(j.path);
  const expected = await cleanOutput(j.format);
  assertEquals(new TextDecoder().decode(actual), new TextDecoder().decode(expected), label);
  if (j.format === "json") assertEquals(JSON.parse(new TextDecoder().decode(actual)).length, 24);
  const names = [];
  for await (const entry of Deno.readDir(j.dir)) names.push(entry.name);
  assert(!names.some((n) => n.endsWith(".partial")), `${label}: partial file left: ${names}`);
}

Deno.test("clean runs give the expected shape in every format", async () => {
  const text = (f: OutputFormat) => new TextDecoder().decode(clean.get(f));
  for (const format of FORMATS) await cleanOutput(format);
  assertEquals(text("jsonl").split("\n").length, PAGES * PER_PAGE + 1);
  assertEquals(JSON.parse(text("json")).map((r: { id: string }) => r.id)[23], "w-23");
  const header = text("csv").split("\r\n")[0];
  assertEquals(header, "id,amount,note,owner.name,owner.team.id,tags"); // "late" is not on page 1
  assert(text("csv").includes(`"'=HYPERLINK(""x"",""0""), line\r\nnext"`));
});

Deno.test("a stop after every page boundary, resumed each time, gives the clean output", async () => {
  for (const format of FORMATS) {
    const dir = await tempDir("resume");
    try {
      const j = job(dir, format);
      let runs = 0;
      let result: ExtractResult;
      do {
        const controller = new AbortController();
        result = await run(j, { signal: controller.signal, onPage: () => controller.abort() });
        runs += 1;
        assertEquals(result.resumed, runs > 1);
        if (result.status === "stopped") {
          assertEquals([result.pagesThisRun, result.pages, result.resumable], [1, runs, true]);
          const cp = await new FileCheckpointStore(`${dir}/cp`).load("widgets");
          assertEquals((await Deno.stat(`${j.path}.partial`)).size, cp?.bytes);
        }
      } while (result.status === "stopped");
      // The last page is written in the run that finishes: PAGES stops, then a run with 0 pages.
      assertEquals(runs, PAGES + 1);
      assertEquals(result.pagesThisRun, 0);
      await assertSameAsClean(j, `${format} stopped at every boundary`);
      const again = await run(j);
      assertEquals([again.alreadyComplete, again.records], [true, PAGES * PER_PAGE]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("a stop while a page is being fetched abandons that page; the resume gives the clean output", async () => {
  for (const format of FORMATS) {
    for (let page = 0; page < PAGES; page++) {
      for (const honoursSignal of [true, false]) {
        const dir = await tempDir("resume");
        try {
          const j = job(dir, format);
          const controller = new AbortController();
          const source = new Widgets((index, signal) => {
            if (index !== page) return;
            // The page is pending when the signal fires.
            const pending = new Promise<void>((resolve, reject) => {
              signal?.addEventListener("abort", () => {
                if (honoursSignal) reject(signal.reason);
                else queueMicrotask(resolve); // arrives after the stop: must not be written
              }, { once: true });
            });
            queueMicrotask(() => controller.abort());
            return pending;
          });
          const stopped = await run(j, { source, signal: controller.signal });
          assertEquals([stopped.status, stopped.pages], ["stopped", page]);
          const cp = await new FileCheckpointStore(`${dir}/cp`).load("widgets");
          assertEquals(cp?.pages, page === 0 ? undefined : page);
          const done = await run(j);
          assertEquals([done.status, done.records], ["complete", PAGES * PER_PAGE]);
          await assertSameAsClean(j, `${format} stopped fetching page ${page} (${honoursSignal})`);
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      }
    }
  }
});

/** Saves normally until save number `crashAt`, which "crashes" instead of saving. */
class CrashingStore implements CheckpointStore {
  saves = 0;
  constructor(readonly inner: FileCheckpointStore, readonly crashAt: number) {}
  load(key: string): Promise<Checkpoint | undefined> {
    return this.inner.load(key);
  }
  save(key: string, checkpoint: Checkpoint): Promise<void> {
    this.saves += 1;
    if (this.saves === this.crashAt) return Promise.reject(new Error("simulated crash"));
    return this.inner.save(key, checkpoint);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  describe(key: string): string {
    return this.inner.describe(key);
  }
}

Deno.test("a crash after a page is written but before its checkpoint is truncated away on resume", async () => {
  for (const format of FORMATS) {
    // Save number PAGES + 1 is the "complete" checkpoint after the rename.
    for (let crashAt = 1; crashAt <= PAGES + 1; crashAt++) {
      const dir = await tempDir("resume");
      try {
        const j = job(dir, format);
        const files = new FileCheckpointStore(`${dir}/cp`);
        let failed = false;
        await run(j, { store: new CrashingStore(files, crashAt) }).catch((error) => {
          assertEquals(error.message, "simulated crash");
          failed = true;
        });
        assert(failed);
        const cp = await files.load("widgets");
        assertEquals(cp?.pages, crashAt === 1 ? undefined : crashAt - 1);
        if (crashAt <= PAGES) {
          // The unsaved page's bytes are in the partial file, past the checkpoint.
          const size = (await Deno.stat(`${j.path}.partial`)).size;
          assert(size > (cp?.bytes ?? 0), `${format}/${crashAt}: ${size} <= ${cp?.bytes}`);
          // A torn write on top: garbage after the durable bytes.
          using file = await Deno.open(`${j.path}.partial`, { append: true });
          await file.write(new TextEncoder().encode('{"torn'));
        }
        const done = await run(j);
        assertEquals([done.status, done.resumed], ["complete", crashAt > 1]);
        await assertSameAsClean(j, `${format} crash at save ${crashAt}`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  }
});

const CHILD = `
import { extract } from "LIB/extract/extract.ts";
import { FileCheckpointStore } from "LIB/extract/checkpoint_file.ts";
import { FileSink } from "LIB/extract/sink.ts";
const [dir, format, crashAt] = Deno.args;
const files = new FileCheckpointStore(dir + "/cp");
let saves = 0;
const store = {
  load: (k) => files.load(k),
  delete: (k) => files.delete(k),
  describe: (k) => files.describe(k),
  save: async (k, cp) => {
    if (++saves === Number(crashAt)) Deno.exit(137); // dies with files open, nothing flushed by us
    await files.save(k, cp);
  },
};
const record = RECORD;
const source = {
  recordType: "widget",
  description: { fake: "widgets", pages: ${PAGES}, perPage: ${PER_PAGE} },
  async *pages(from) {
    for (let page = from === undefined ? 0 : from.next; page < ${PAGES}; page++) {
      yield {
        records: Array.from({ length: ${PER_PAGE} }, (_, k) => record(page * ${PER_PAGE} + k)),
        position: { next: page + 1 },
        total: ${PAGES * PER_PAGE},
      };
    }
  },
};
await extract({
  source,
  sink: new FileSink(dir + "/out." + format, { format }),
  checkpoint: { store, key: "widgets" },
  identity: { region: "test" },
});
`;

Deno.test("a killed process resumes to the clean output (subprocess exits inside the checkpoint save)", async () => {
  const dir = await tempDir("resume");
  try {
    const lib = new URL("../lib", import.meta.url).href;
    const script = `${dir}/child.js`;
    await Deno.writeTextFile(
      script,
      CHILD.replace(/LIB/g, lib).replace(
        "RECORD",
        record.toString().replace(/: Record<string, JsonValue>/g, "").replace(
          /\(i: number\)/,
          "(i)",
        ),
      ),
    );
    const crashPoints: Record<OutputFormat, number> = { jsonl: 2, csv: 4, json: PAGES };
    for (const format of FORMATS) {
      const sub = await tempDir("resume");
      try {
        const j = job(sub, format);
        const spawn = (crashAt: number) =>
          new Deno.Command("deno", {
            args: [
              "run",
              "--allow-read",
              `--allow-write=${sub}`,
              script,
              sub,
              format,
              `${crashAt}`,
            ],
            stdout: "piped",
            stderr: "piped",
          }).output();
        const killed = await spawn(crashPoints[format]);
        assertEquals(killed.code, 137, new TextDecoder().decode(killed.stderr));
        const cp = await new FileCheckpointStore(`${sub}/cp`).load("widgets");
        assertEquals(cp?.pages, crashPoints[format] - 1);
        assert((await Deno.stat(`${j.path}.partial`)).size > cp!.bytes);
        const resumed = await spawn(0);
        assertEquals(resumed.code, 0, new TextDecoder().decode(resumed.stderr));
        await assertSameAsClean(j, `${format} killed at save ${crashPoints[format]}`);
      } finally {
        await Deno.remove(sub, { recursive: true });
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
