/**
 * Durability, proved with faults and spies instead of hoped for: a checkpoint write that fails
 * half way keeps the previous checkpoint (a write in place instead of temp + rename fails here),
 * every page is fsynced before the checkpoint that counts it (a sink that skipped the fsync, or
 * an engine that saved first, fails here), and a full disk or an unwritable file is reported with
 * the file's name.
 */
import type { Checkpoint, CheckpointStore } from "../lib/extract/checkpoint.ts";
import { FileCheckpointStore } from "../lib/extract/checkpoint_file.ts";
import { StorageError } from "../lib/errors.ts";
import { extract } from "../lib/extract/extract.ts";
import { FileSink } from "../lib/extract/sink.ts";
import type { PageSource } from "../lib/types.ts";
import { exitCodeFor } from "../lib/cli/exit.ts";
import { tempDir } from "./chaos/files.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

function checkpoint(records: number): Checkpoint {
  return {
    version: 2,
    jobKey: "a".repeat(64),
    recordType: "user",
    format: "jsonl",
    position: { pageNumber: records / 10 },
    pages: records / 10,
    records,
    bytes: records * 20,
    sinkState: null,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    status: "running",
  };
}

function diskFull(): Error {
  return Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
}

/** Three pages of two records; the position is the number of pages read. */
const source: PageSource<{ id: number }> = {
  description: { test: "durability" },
  recordType: "number",
  async *pages(resumeFrom) {
    for (let page = Number(resumeFrom ?? 0); page < 3; page++) {
      yield { records: [{ id: page * 2 }, { id: page * 2 + 1 }], position: page + 1 };
    }
  },
};

Deno.test("FileCheckpointStore keeps the previous checkpoint when a save fails half way through its write", async () => {
  const dir = await tempDir("durability");
  try {
    let fault = false;
    // Every file the store opens writes half of what it is given, then fails like a full disk.
    const open: typeof Deno.open = async (path, options) => {
      const file = await Deno.open(path, options);
      if (fault) {
        const write = file.write.bind(file);
        file.write = async (data: Uint8Array) => {
          await write(data.subarray(0, Math.max(1, data.length >> 1)));
          throw diskFull();
        };
      }
      return file;
    };
    const store = new FileCheckpointStore(dir, { open });
    await store.save("job", checkpoint(10));
    fault = true;
    const error = await assertRejects(() => store.save("job", checkpoint(20)), StorageError);
    const path = store.pathFor("job");
    assert(error.message.startsWith(`Cannot write '${path}.${Deno.pid}.tmp'`), error.message);
    assert(error.message.includes("no space left on device"), error.message);
    assertEquals(error.code, "ENOSPC");
    // The checkpoint on disk is the previous one, whole; no temp file is left.
    assertEquals(await store.load("job"), checkpoint(10));
    const names: string[] = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assertEquals(names, ["job.checkpoint.json"]);
    fault = false;
    await store.save("job", checkpoint(20));
    assertEquals(await store.load("job"), checkpoint(20));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("extract fsyncs each page's bytes before it saves the checkpoint that counts them", async () => {
  const dir = await tempDir("durability");
  try {
    const events: string[] = [];
    // A spy on the sink's file: what was written, what was fsynced (the file's size then).
    const open: typeof Deno.open = async (path, options) => {
      const file = await Deno.open(path, options);
      const write = file.write.bind(file);
      const sync = file.sync.bind(file);
      file.write = async (data: Uint8Array) => {
        const n = await write(data);
        events.push(`write ${n}`);
        return n;
      };
      file.sync = async () => {
        await sync();
        events.push(`sync ${(await file.stat()).size}`);
      };
      return file;
    };
    const files = new FileCheckpointStore(dir);
    const store: CheckpointStore = {
      load: (key) => files.load(key),
      delete: (key) => files.delete(key),
      describe: (key) => files.describe(key),
      save: async (key, cp) => {
        events.push(`checkpoint ${cp.bytes}`);
        await files.save(key, cp);
      },
    };
    const sink = new FileSink(`${dir}/out.jsonl`, { open });
    const result = await extract({ source, sink, checkpoint: { store, key: "job" } });
    assertEquals(result.status, "complete");
    const saves = events.filter((e) => e.startsWith("checkpoint"));
    assertEquals(saves.length, 4, events.join(", ")); // 3 pages, then the complete checkpoint
    let written = 0;
    let synced = 0;
    for (const event of events) {
      const [what, n] = [event.split(" ")[0], Number(event.split(" ")[1])];
      if (what === "write") written += n;
      else if (what === "sync") synced = n;
      else {
        assertEquals(synced, written, `checkpoint before fsync: ${events.join(", ")}`);
        assertEquals(n, synced, `the checkpoint counts other bytes: ${events.join(", ")}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("A full disk stops extract with the partial file's name; the checkpoint stays at the last durable page", async () => {
  const dir = await tempDir("durability");
  try {
    let writes = 0;
    const open: typeof Deno.open = async (path, options) => {
      const file = await Deno.open(path, options);
      const write = file.write.bind(file);
      file.write = (data: Uint8Array) => ++writes >= 2 ? Promise.reject(diskFull()) : write(data);
      return file;
    };
    const store = new FileCheckpointStore(dir);
    const output = `${dir}/out.jsonl`;
    const error = await assertRejects(
      () =>
        extract({
          source,
          sink: new FileSink(output, { open }),
          checkpoint: { store, key: "job" },
        }),
      StorageError,
    );
    assertEquals(
      error.message,
      `Cannot write '${output}.partial': no space left on device (os error 28); free some space, then run the same command again to resume`,
    );
    assertEquals(exitCodeFor(error), 1);
    assertEquals((await store.load("job"))?.pages, 1);
    // Space is back: the same job resumes and completes.
    const done = await extract({
      source,
      sink: new FileSink(output),
      checkpoint: { store, key: "job" },
    });
    assertEquals([done.status, done.resumed, done.records], ["complete", true, 6]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("An output that cannot be created for lack of OS permission names the file and exits 2", async () => {
  const dir = await tempDir("durability");
  try {
    const output = `${dir}/out.jsonl`;
    const open: typeof Deno.open = (path) =>
      Promise.reject(
        new Deno.errors.PermissionDenied(`Permission denied (os error 13): open '${path}'`),
      );
    const error = await assertRejects(
      () => extract({ source, sink: new FileSink(output, { open }) }),
      StorageError,
    );
    assertEquals(
      error.message,
      `Cannot create '${output}.partial': permission denied (os error 13); check that the file and its folder are writable by this user`,
    );
    assertEquals(exitCodeFor(error), 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
