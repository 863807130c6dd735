import type { Checkpoint } from "./checkpoint.ts";
import { computeJobKey } from "./_job_key.ts";
import { MemoryCheckpointStore } from "./checkpoint_memory.ts";
import { parseCheckpoint, validateCheckpoint } from "./checkpoint_json.ts";
import { FileCheckpointStore } from "./checkpoint_file.ts";
import { KvCheckpointStore, type KvKeyPart, type KvLike } from "./checkpoint_kv.ts";
import { CheckpointError } from "../errors.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/_assert.ts";

function sample(overrides: Partial<Checkpoint> = {}): Checkpoint {
  return {
    version: 2,
    jobKey: "ab".repeat(32),
    recordType: "user",
    format: "csv",
    output: "out/users.csv",
    position: { pageNumber: 3, nested: [1, "two", null] },
    pages: 3,
    records: 300,
    bytes: 12345,
    sinkState: { columns: ["id", "name"] },
    total: 1000,
    createdAt: "2024-05-01T10:00:00.000Z",
    updatedAt: "2024-05-01T10:05:00.000Z",
    status: "running",
    ...overrides,
  };
}

async function tempDir(): Promise<string> {
  await Deno.mkdir(".test-tmp", { recursive: true });
  return await Deno.makeTempDir({ dir: ".test-tmp", prefix: "checkpoint-" });
}

// Compile-time proof that a real Deno.Kv fits KvLike (this file is type-checked by `deno test`).
function acceptsDenoKv(kv: Deno.Kv): KvLike {
  return kv;
}

Deno.test("computeJobKey ignores key order and undefined members but not values", async () => {
  const a = await computeJobKey({ region: "mypurecloud.ie", query: { b: 2, a: [1, 2] } });
  const b = await computeJobKey({
    query: { a: [1, 2], b: 2, c: undefined } as never,
    region: "mypurecloud.ie",
  });
  assertEquals(a, b);
  assert(/^[0-9a-f]{64}$/.test(a));
  assert(a !== await computeJobKey({ region: "mypurecloud.ie", query: { b: 2, a: [2, 1] } }));
  assert(a !== await computeJobKey({ region: "mypurecloud.de", query: { b: 2, a: [1, 2] } }));
  // Known SHA-256 of the canonical text `{"a":1}`.
  assertEquals(
    await computeJobKey({ a: 1 }),
    "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862",
  );
});

Deno.test("validateCheckpoint accepts a full checkpoint and refuses each broken field", () => {
  assertEquals(validateCheckpoint(sample(), "x"), sample());
  const cases: [Record<string, unknown>, string][] = [
    [{ version: 3 }, "version '3'"],
    [{ version: undefined }, "version 'undefined'"],
    [{ jobKey: "short" }, "'jobKey'"],
    [{ recordType: 5 }, "'recordType'"],
    [{ format: undefined }, "'format'"],
    [{ createdAt: null }, "'createdAt'"],
    [{ updatedAt: undefined }, "'updatedAt'"],
    [{ output: 1 }, "'output'"],
    [{ pages: -1 }, "'pages'"],
    [{ records: 1.5 }, "'records'"],
    [{ bytes: "10" }, "'bytes'"],
    [{ total: -3 }, "'total'"],
    [{ status: "done" }, "'status' is 'done'"],
  ];
  for (const [patch, expected] of cases) {
    const broken = { ...sample(), ...patch };
    const error = assertThrows(
      () => validateCheckpoint(broken, "dir/users.checkpoint.json"),
      CheckpointError,
      expected,
    );
    assert(error.message.startsWith("Checkpoint 'dir/users.checkpoint.json' is corrupt: "));
    assert(error.message.endsWith("delete it or use --restart to start over"), error.message);
  }
  const noPosition: Record<string, unknown> = { ...sample() };
  delete noPosition.position;
  assertThrows(() => validateCheckpoint(noPosition, "x"), CheckpointError, "'position' is missing");
  const noState: Record<string, unknown> = { ...sample() };
  delete noState.sinkState;
  assertThrows(() => validateCheckpoint(noState, "x"), CheckpointError, "'sinkState' is missing");
  assertThrows(() => validateCheckpoint([], "x"), CheckpointError, "not a JSON object");
  assertThrows(() => parseCheckpoint("{oops", "x"), CheckpointError, "not valid JSON");
});

Deno.test("validateCheckpoint refuses a version 1 checkpoint as written by an earlier version, with the fix", () => {
  for (
    const [status, fix] of [["running", "finish it with the version that wrote it"], [
      "complete",
      "use --restart (or delete it) to extract again",
    ]]
  ) {
    const error = assertThrows(
      () => validateCheckpoint({ ...sample(), version: 1, status }, "out/c.jsonl.checkpoint.json"),
      CheckpointError,
      "Checkpoint 'out/c.jsonl.checkpoint.json' was written by an earlier version of this toolkit (checkpoint format 1)",
    );
    assert(error.message.includes(fix), error.message);
    assert(!error.message.includes("corrupt"), error.message);
  }
});

Deno.test("validateCheckpoint checks dropped, capped and openEnd", () => {
  const full = sample({
    dropped: 3,
    capped: { limit: 10_000, description: "inactive users" },
    openEnd: { until: "2026-01-02T00:00:00Z", bytes: 10, sinkState: null },
    status: "complete",
  });
  assertEquals(validateCheckpoint(full, "x"), full);
  for (
    const [field, bad] of [
      ["dropped", -1],
      ["capped", { limit: "many" }],
      ["openEnd", { until: 5, bytes: 1, sinkState: null }],
      ["openEnd", { until: "2026-01-02T00:00:00Z", bytes: 1 }],
    ] as const
  ) {
    assertThrows(
      () => validateCheckpoint({ ...full, [field]: bad }, "x"),
      CheckpointError,
      `'${field}'`,
    );
  }
});

Deno.test("MemoryCheckpointStore saves copies and reports corrupt text", async () => {
  const store = new MemoryCheckpointStore();
  const cp = sample();
  await store.save("job", cp);
  cp.pages = 99; // mutating the caller's object must not change what was saved
  assertEquals((await store.load("job"))?.pages, 3);
  assertEquals(store.describe("job"), "memory:job");
  store.setRaw("job", '{"version":2}');
  await assertRejects(
    () => store.load("job"),
    CheckpointError,
    "Checkpoint 'memory:job' is corrupt",
  );
  await store.delete("job");
  assertEquals(await store.load("job"), undefined);
});

Deno.test("FileCheckpointStore writes atomically, reloads, replaces and deletes", async () => {
  const dir = await tempDir();
  try {
    const store = new FileCheckpointStore(`${dir}/nested/checkpoints`);
    assertEquals(await store.load("users"), undefined);
    await store.save("users", sample());
    const path = store.pathFor("users");
    assertEquals(path, `${dir}/nested/checkpoints/users.checkpoint.json`);
    assertEquals(JSON.parse(await Deno.readTextFile(path)), sample());
    assertEquals(await store.load("users"), sample());
    await store.save("users", sample({ pages: 4, records: 400, status: "complete" }));
    assertEquals((await store.load("users"))?.status, "complete");
    const names = [];
    for await (const entry of Deno.readDir(`${dir}/nested/checkpoints`)) names.push(entry.name);
    assertEquals(names, ["users.checkpoint.json"]); // no temp file left behind
    await store.delete("users");
    await store.delete("users"); // deleting twice is fine
    assertEquals(await store.load("users"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileCheckpointStore names files safely and reports corrupt files by path", async () => {
  const dir = await tempDir();
  try {
    const store = new FileCheckpointStore(dir, { suffix: ".cp" });
    assertEquals(store.pathFor("eu/users é"), `${dir}/eu%2Fusers%20%C3%A9.cp`);
    assertThrows(() => store.pathFor(".."), CheckpointError, "'..'");
    assertThrows(() => store.pathFor(""), CheckpointError, "not usable");
    await Deno.writeTextFile(store.pathFor("bad"), "{ this is not json");
    const error = await assertRejects(() => store.load("bad"), CheckpointError, "not valid JSON");
    assert(error.message.includes(`'${dir}/bad.cp'`), error.message);
    await Deno.writeTextFile(store.pathFor("old"), JSON.stringify(sample({ version: 0 })));
    await assertRejects(() => store.load("old"), CheckpointError, "version '0' is not '2'");
    await Deno.writeTextFile(store.pathFor("partial"), JSON.stringify({ version: 2 }));
    await assertRejects(() => store.load("partial"), CheckpointError, "'jobKey'");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileCheckpointStore.forFile uses the exact path given", async () => {
  const dir = await tempDir();
  try {
    const { store, key } = FileCheckpointStore.forFile(`${dir}/my job (eu).json`);
    assertEquals(key, "my job (eu).json");
    assertEquals(store.pathFor(key), `${dir}/my job (eu).json`);
    await store.save(key, sample());
    assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/my job (eu).json`)), sample());
    assertEquals(
      FileCheckpointStore.forFile("plain.json").store.pathFor("plain.json"),
      "plain.json",
    );
    assertThrows(() => FileCheckpointStore.forFile(`${dir}/`), CheckpointError, "not usable");
    assertThrows(() => store.pathFor("a/b"), CheckpointError, "not usable");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

class MapKv implements KvLike {
  readonly entries = new Map<string, unknown>();
  get(key: readonly KvKeyPart[]): Promise<{ value: unknown }> {
    return Promise.resolve({ value: this.entries.get(JSON.stringify(key)) ?? null });
  }
  set(key: readonly KvKeyPart[], value: unknown): Promise<unknown> {
    this.entries.set(JSON.stringify(key), value);
    return Promise.resolve({ ok: true });
  }
  delete(key: readonly KvKeyPart[]): Promise<void> {
    this.entries.delete(JSON.stringify(key));
    return Promise.resolve();
  }
}

Deno.test("KvCheckpointStore keeps checkpoints under the prefix and validates them", async () => {
  const kv = new MapKv();
  const store = new KvCheckpointStore(kv, ["app", "cp"]);
  await store.save("users", sample());
  assertEquals([...kv.entries.keys()], ['["app","cp","users"]']);
  assertEquals(await store.load("users"), sample());
  assertEquals(store.describe("users"), 'kv:["app","cp","users"]');
  kv.entries.set('["app","cp","bad"]', "nope");
  await assertRejects(
    () => store.load("bad"),
    CheckpointError,
    `Checkpoint 'kv:["app","cp","bad"]' is corrupt`,
  );
  kv.entries.set('["app","cp","obj"]', { version: 2, jobKey: 5 });
  await assertRejects(() => store.load("obj"), CheckpointError, "'jobKey'");
  const huge = sample({
    sinkState: { columns: Array.from({ length: 8000 }, (_, i) => `column${i}`) },
  });
  await assertRejects(() => store.save("huge", huge), CheckpointError, "limit of one KV value");
  await store.delete("users");
  assertEquals(await store.load("users"), undefined);
  assertEquals(new KvCheckpointStore(kv).describe("x"), 'kv:["genesys-batch","checkpoints","x"]');
});

Deno.test({
  name: "KvCheckpointStore works on a real Deno.Kv (needs --unstable-kv)",
  ignore: typeof Deno.openKv !== "function",
  fn: async () => {
    const kv = await Deno.openKv(":memory:");
    try {
      const store = new KvCheckpointStore(acceptsDenoKv(kv), ["t"]);
      assertEquals(await store.load("job"), undefined);
      await store.save("job", sample());
      assertEquals(await store.load("job"), sample());
      assertEquals(typeof (await kv.get(["t", "job"])).value, "string");
      await store.save("job", sample({ status: "complete" }));
      assertEquals((await store.load("job"))?.status, "complete");
      await store.delete("job");
      assertEquals(await store.load("job"), undefined);
    } finally {
      kv.close();
    }
  },
});
