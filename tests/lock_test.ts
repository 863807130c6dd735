/**
 * One run per job: the file lock between real processes (a live holder refuses, a SIGKILLed
 * one is taken over, another host's is left alone), the KV lock (atomic, expiring, a lost lock
 * cannot save), the engine taking and releasing the store's lock, and the CLI end to end: a
 * second run of a job while the first is held at a gate exits 6 at once, the first then finishes
 * byte-identical to a clean run, and a killed run's lock is taken over with a notice. Nothing
 * here waits on real time: runs are held by a gate the test opens.
 */
import { startSimulator } from "../testing.ts";
import { MemoryCheckpointStore } from "../lib/extract/checkpoint_memory.ts";
import { acquireFileLock } from "../lib/extract/_lock_file.ts";
import { KvCheckpointStore } from "../lib/extract/checkpoint_kv.ts";
import { LockError, UsageError } from "../lib/errors.ts";
import { extract } from "../lib/extract/extract.ts";
import { MemorySink } from "../lib/extract/sink_memory.ts";
import type { PageSource } from "../lib/types.ts";
import { absolute, cliCommand, credentials, runCli } from "./chaos/cli.ts";
import { listFiles, sameFiles, tempDir } from "./chaos/files.ts";
import { makeSymlinks } from "./_symlink.ts";
import { gatedProxy, until, untilWhileRunning } from "./_gated_proxy.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

const LIB = new URL("../lib/", import.meta.url).href;

/** A child process that takes the lock at `path`, prints its holder, and waits for stdin to end. */
async function holderChild(dir: string, path: string, sys = false): Promise<Deno.ChildProcess> {
  const script = `${dir}/holder.ts`;
  await Deno.writeTextFile(
    script,
    `import { acquireFileLock } from "${LIB}extract/_lock_file.ts";
try {
  const lock = await acquireFileLock(Deno.args[0]);
  console.log(JSON.stringify({ holder: lock.holder, tookOver: lock.tookOver ?? null }));
  for await (const _ of Deno.stdin.readable) { /* hold until stdin closes */ }
  await lock.release();
} catch (error) {
  console.log(JSON.stringify({ error: error.name, message: error.message }));
}
`,
  );
  return new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      "--no-config",
      "--no-lock",
      `--allow-read`,
      `--allow-write=${dir}`,
      ...(sys ? ["--allow-sys=hostname"] : []),
      script,
      path,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** The first line the child prints (bounded: the child prints one line, then waits or ends). */
async function firstLine(child: Deno.ChildProcess): Promise<Record<string, unknown>> {
  const reader = child.stdout.getReader();
  let text = "";
  try {
    for (let i = 0; i < 1000 && !text.includes("\n"); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  } finally {
    reader.releaseLock();
  }
  assert(text.includes("\n"), `the child printed nothing: '${text}'`);
  return JSON.parse(text.split("\n")[0]);
}

Deno.test("acquireFileLock refuses a second holder, records pid and start time, and deletes the file on release", async () => {
  const dir = await tempDir("lock");
  try {
    const path = `${dir}/job.lock`;
    const lock = await acquireFileLock(path);
    const saved = JSON.parse(await Deno.readTextFile(path));
    assertEquals([saved.pid, saved.startedAt, lock.tookOver], [
      Deno.pid,
      lock.holder.startedAt,
      undefined,
    ]);
    const refused = await assertRejects(() => acquireFileLock(path), LockError);
    assert(
      refused.message.startsWith(`Another run of this job is already running (pid ${Deno.pid}`),
      refused.message,
    );
    assertEquals([refused.location, refused.owner?.pid], [path, Deno.pid]);
    await lock.release();
    assertEquals(await listFiles(dir), []);
    await lock.release(); // twice is fine
    await (await acquireFileLock(path)).release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Two processes: a live holder's lock refuses the other; once it is SIGKILLed the other takes it over", async () => {
  const dir = absolute(await tempDir("lock"));
  const path = `${dir}/job.lock`;
  const child = await holderChild(dir, path);
  try {
    const held = await firstLine(child);
    const pid = (held.holder as { pid: number }).pid;
    assertEquals(pid, child.pid);
    const refused = await assertRejects(() => acquireFileLock(path), LockError);
    assert(refused.message.includes(`(pid ${child.pid}`), refused.message);
    child.kill("SIGKILL");
    assertEquals((await child.status).signal, "SIGKILL");
    // The dead run's file is still there; its OS lock went with the process.
    assertEquals(JSON.parse(await Deno.readTextFile(path)).pid, child.pid);
    const lock = await acquireFileLock(path);
    assertEquals(lock.tookOver?.pid, child.pid);
    assertEquals(JSON.parse(await Deno.readTextFile(path)).pid, Deno.pid);
    await lock.release();
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.stdin.close().catch(() => {});
    await child.output().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("A lock left by another host is not taken over: the message names the host and what to delete", async () => {
  const dir = absolute(await tempDir("lock"));
  const path = `${dir}/job.lock`;
  try {
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        pid: 4242,
        host: "batch-host-elsewhere",
        startedAt: "2026-01-01T00:00:00Z",
      }),
    );
    // A process that knows its own host name (--allow-sys=hostname) compares them.
    const child = await holderChild(dir, path, true);
    await child.stdin.close();
    const result = await firstLine(child);
    await child.output();
    assertEquals(result.error, "LockError", JSON.stringify(result));
    assertEquals(
      result.message,
      `The lock '${path}' was left by pid 4242 on 'batch-host-elsewhere', started 2026-01-01T00:00:00Z, another host, and this host cannot tell whether that run still goes; if it has ended, delete '${path}' and run again`,
    );
    assertEquals(JSON.parse(await Deno.readTextFile(path)).pid, 4242);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("A lock file that is a symbolic link is refused and its target is left alone", async () => {
  const dir = await tempDir("lock");
  try {
    await Deno.writeTextFile(`${dir}/victim.txt`, "keep me");
    await makeSymlinks([["victim.txt", `${dir}/job.lock`]]);
    const error = await assertRejects(() => acquireFileLock(`${dir}/job.lock`), UsageError);
    assert(error.message.startsWith(`The lock file '${dir}/job.lock' is a symbolic link`));
    assertEquals(await Deno.readTextFile(`${dir}/victim.txt`), "keep me");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvCheckpointStore's lock: refused while held, taken over once expired, and a run that lost it cannot save", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let now = Date.UTC(2026, 0, 1);
    const clock = () => now;
    const a = new KvCheckpointStore(kv, ["t"], { lockTtlMs: 60_000, clock: { now: clock } });
    const b = new KvCheckpointStore(kv, ["t"], { lockTtlMs: 60_000, clock: { now: clock } });
    const first = await a.lock("job");
    const refused = await assertRejects(() => b.lock("job"), LockError);
    assert(refused.message.includes(`pid ${Deno.pid}`), refused.message);
    assertEquals(refused.location, 'kv:["t","job","lock"]');
    // The holder stops renewing (its isolate froze); after the lifetime, another run takes it.
    now += 61_000;
    const second = await b.lock("job");
    assertEquals(second.tookOver?.pid, Deno.pid);
    const sample = {
      version: 2,
      jobKey: "b".repeat(64),
      recordType: "user",
      format: "jsonl",
      position: null,
      pages: 0,
      records: 0,
      bytes: 0,
      sinkState: null,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
      status: "running" as const,
    };
    await assertRejects(() => a.save("job", sample), LockError, "lost the lock");
    assertEquals(await a.load("job"), undefined);
    await b.save("job", sample);
    assertEquals((await b.load("job"))?.jobKey, sample.jobKey);
    await first.release(); // lost: releasing deletes nothing
    await assertRejects(() => a.lock("job"), LockError);
    await second.release();
    assertEquals((await kv.get(["t", "job", "lock"])).value, null);
    await (await a.lock("job")).release();
  } finally {
    kv.close();
  }
});

Deno.test("extract takes the store's lock for the run and releases it however the run ends", async () => {
  const store = new MemoryCheckpointStore();
  let nested: unknown;
  const source: PageSource<{ id: number }> = {
    description: { test: "lock" },
    recordType: "number",
    async *pages() {
      // A second run of the same job while this one holds the lock.
      nested = await extract({
        source: { ...source, pages: async function* () {} },
        sink: new MemorySink(),
        checkpoint: { store, key: "job" },
      }).catch((error) => error);
      yield { records: [{ id: 1 }], position: 1 };
      throw new Error("source failed");
    },
  };
  await assertRejects(
    () => extract({ source, sink: new MemorySink(), checkpoint: { store, key: "job" } }),
    Error,
    "source failed",
  );
  assert(nested instanceof LockError, String(nested));
  // Released after the failure: the job resumes.
  const lock = await store.lock("job");
  await lock.release();
});

/** The pages a checkpoint file says are durable (0 while there is none). */
async function durablePages(path: string): Promise<number> {
  try {
    return JSON.parse(await Deno.readTextFile(path)).pages;
  } catch {
    return 0;
  }
}

Deno.test("CLI: a second run of the same job exits 6 at once while the first runs; the first finishes identical to a clean run", async () => {
  await using sim = await startSimulator({ users: 200, seed: 31, rateLimitAllowed: 1_000_000 });
  const proxy = gatedProxy(sim.url, 2);
  const root = absolute(await tempDir("lock-cli"));
  const env = credentials(sim);
  const args = ["users", "--page-size", "20", "-o", "output/users.jsonl", "--region", proxy.url];
  try {
    await Deno.mkdir(`${root}/a`);
    await Deno.mkdir(`${root}/clean`);
    const first = (await cliCommand(args, { cwd: `${root}/a`, env })).spawn();
    const firstDone = first.output();
    // The first run holds the lock and is held at the gate on its third page.
    await until(() => proxy.state.waiting > 0, "the first run to reach the gate");
    const lockFile = `${root}/a/output/users.jsonl.checkpoint.json.lock`;
    assertEquals(JSON.parse(await Deno.readTextFile(lockFile)).pid, first.pid);
    const second = await runCli(args, { cwd: `${root}/a`, env });
    assertEquals(second.code, 6, second.stderr);
    assert(
      second.stderr.startsWith(
        `error: Another run of this job is already running (pid ${first.pid}, started `,
      ),
      second.stderr,
    );
    assert(
      second.stderr.includes(`it holds the lock '${"output/users.jsonl.checkpoint.json.lock"}'`),
    );
    assertEquals(second.stderr.trim().split("\n").length, 1, second.stderr);
    proxy.open();
    const done = await firstDone;
    assertEquals(done.code, 0, new TextDecoder().decode(done.stderr));
    const clean = await runCli(args, { cwd: `${root}/clean`, env });
    assertEquals(clean.code, 0, clean.stderr);
    assert(
      await sameFiles(`${root}/a/output/users.jsonl`, `${root}/clean/output/users.jsonl`),
      "the first run's output differs from a clean run's",
    );
    assertEquals(await listFiles(`${root}/a/output`), [
      "users.jsonl",
      "users.jsonl.checkpoint.json",
    ]);
  } finally {
    await proxy.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("CLI: the lock of a run killed with SIGKILL is taken over with a notice, and the job completes", async () => {
  await using sim = await startSimulator({ users: 200, seed: 32, rateLimitAllowed: 1_000_000 });
  const proxy = gatedProxy(sim.url, 3);
  const root = absolute(await tempDir("lock-cli"));
  const env = credentials(sim);
  const args = ["users", "--page-size", "20", "-o", "output/users.jsonl", "--region", proxy.url];
  try {
    const killed = (await cliCommand(args, { cwd: root, env })).spawn();
    // The three pages before the gate are durable (with prefetch they may land after it is hit).
    await untilWhileRunning(
      killed,
      async () => await durablePages(`${root}/output/users.jsonl.checkpoint.json`) === 3,
      "the run to save 3 pages and reach the gate",
    );
    killed.kill("SIGKILL");
    assertEquals((await killed.output()).signal, "SIGKILL");
    const lockFile = `${root}/output/users.jsonl.checkpoint.json.lock`;
    assertEquals(JSON.parse(await Deno.readTextFile(lockFile)).pid, killed.pid);
    proxy.open();
    const next = await runCli(args, { cwd: root, env });
    assertEquals(next.code, 0, next.stderr);
    assert(
      next.stderr.includes(
        `warning: Took over the lock 'output/users.jsonl.checkpoint.json.lock' left by pid ${killed.pid}, started `,
      ),
      next.stderr,
    );
    assert(next.stderr.includes("Resuming from output/users.jsonl.checkpoint.json"), next.stderr);
    assertEquals(await listFiles(`${root}/output`), [
      "users.jsonl",
      "users.jsonl.checkpoint.json",
    ]);
  } finally {
    await proxy.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("CLI: SIGINT and SIGTERM stop a run with exit 130 and release its lock; the next run resumes without a takeover", async () => {
  await using sim = await startSimulator({ users: 200, seed: 33, rateLimitAllowed: 1_000_000 });
  const root = absolute(await tempDir("lock-cli"));
  const env = credentials(sim);
  try {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const proxy = gatedProxy(sim.url, 2);
      const dir = `${root}/${signal}`;
      await Deno.mkdir(dir);
      const args = ["users", "--page-size", "20", "-o", "output/u.jsonl", "--region", proxy.url];
      try {
        const child = (await cliCommand(args, { cwd: dir, env })).spawn();
        await untilWhileRunning(
          child,
          async () => await durablePages(`${dir}/output/u.jsonl.checkpoint.json`) === 2,
          `the run to save 2 pages and reach the gate (${signal})`,
        );
        child.kill(signal);
        const stopped = await child.output();
        const stderr = new TextDecoder().decode(stopped.stderr);
        assertEquals(stopped.code, 130, stderr);
        assert(stderr.includes(`Interrupted by ${signal}`), stderr);
        assertEquals(await listFiles(`${dir}/output`), [
          "u.jsonl.checkpoint.json",
          "u.jsonl.partial",
        ]);
        proxy.open();
        const next = await runCli(args, { cwd: dir, env });
        assertEquals(next.code, 0, next.stderr);
        assert(next.stderr.includes("Resuming from output/u.jsonl.checkpoint.json"), next.stderr);
        assert(!next.stderr.includes("Took over"), next.stderr);
      } finally {
        await proxy.close();
      }
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
