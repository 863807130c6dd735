import { csvCell, csvColumns, csvRow, csvValue, KNOWN_CSV_COLUMNS } from "./_csv.ts";
import {
  createRecordEncoder,
  formatFromPath,
  type OutputFormat,
  parseOutputFormat,
} from "./format.ts";
import { FileSink } from "./sink.ts";
import { MemorySink } from "./sink_memory.ts";
import { StreamSink } from "./sink_stream.ts";
import { CheckpointError, UsageError } from "../errors.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/_assert.ts";

/** A strict RFC 4180 parser (CRLF rows), to check what csv.ts writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i += 1;
        if (![",", "\r", undefined].includes(text[i])) throw new Error(`Junk after quote at ${i}`);
      } else {
        cell += ch;
        i += 1;
      }
    } else if (ch === '"') {
      if (cell !== "") throw new Error(`Quote inside an unquoted cell at ${i}`);
      quoted = true;
      i += 1;
    } else if (ch === ",") {
      row.push(cell);
      cell = "";
      i += 1;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i += 2;
    } else if (ch === "\n" || ch === "\r") {
      throw new Error(`Bare line break in an unquoted cell at ${i}`);
    } else {
      cell += ch;
      i += 1;
    }
  }
  if (quoted || cell !== "" || row.length > 0) throw new Error("Unterminated last row");
  return rows;
}

async function tempDir(): Promise<string> {
  await Deno.mkdir(".test-tmp", { recursive: true });
  return await Deno.makeTempDir({ dir: ".test-tmp", prefix: "sink-" });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("csvCell neutralises formula starts in strings and leaves JSON numbers alone", () => {
  const cases: [unknown, string][] = [
    ["=1+2", "'=1+2"],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", '"\'\rx"'],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ["a=b", "a=b"],
    [" =x", " =x"],
    [-5, "-5"],
    [-0.25, "-0.25"],
    [1e21, "1e+21"],
    [true, "true"],
    [false, "false"],
    [null, ""],
    [undefined, ""],
    ["", ""],
    [{ a: "=x" }, '"{""a"":""=x""}"'],
    [[1, 2], '"[1,2]"'],
    ["plain", "plain"],
    ["é ✓ 日本", "é ✓ 日本"],
  ];
  for (const [value, expected] of cases) {
    assertEquals(csvCell(value), expected, `csvCell(${JSON.stringify(value)})`);
  }
});

Deno.test("csvRow quotes commas, quotes and line breaks as RFC 4180 says", () => {
  const values = ['say "hi"', "a,b", "line1\nline2", "cr\rlf\r\n", "plain", 3, null, "=x,y"];
  const row = csvRow(values);
  assertEquals(
    row,
    `"say ""hi""","a,b","line1\nline2","cr\rlf\r\n",plain,3,,"'=x,y"\r\n`,
  );
  assertEquals(parseCsv(row), [[
    'say "hi"',
    "a,b",
    "line1\nline2",
    "cr\rlf\r\n",
    "plain",
    "3",
    "",
    "'=x,y",
  ]]);
});

Deno.test("csvColumns uses the curated list for known types and sorted fields otherwise", () => {
  assertEquals(csvColumns("user", [{ anything: 1 }]), [...KNOWN_CSV_COLUMNS.user]);
  assertEquals(csvColumns("queue", []), [...KNOWN_CSV_COLUMNS.queue]);
  // Conversations are written as a table shape (table.ts), not by curated paths.
  assert(!Object.hasOwn(KNOWN_CSV_COLUMNS, "conversation"));
  assertEquals(
    csvColumns("widget", [
      { z: 1, id: "a", meta: { b: 1, a: { deep: true } }, list: [1], empty: {} },
      { extra: "only on the second record" },
    ]),
    ["id", "empty", "extra", "list", "meta.a.deep", "meta.b", "z"],
  );
  assertEquals(csvColumns("widget", [{ b: 1, a: 2 }]), ["a", "b"]);
  // An own-property check, not the prototype chain.
  assertEquals(csvColumns("constructor", [{ x: 1 }]), ["x"]);
});

Deno.test("csvValue reads flattened fields, array counts and indexes", () => {
  const record = {
    id: "c1",
    division: { name: "Home" },
    participants: [{ purpose: "customer" }, { purpose: "agent" }],
    "odd.key": "dotted",
  };
  assertEquals(csvValue(record, "division.name"), "Home");
  assertEquals(csvValue(record, "participants.length"), 2);
  assertEquals(csvValue(record, "participants.1.purpose"), "agent");
  assertEquals(csvValue(record, "participants.5.purpose"), undefined);
  assertEquals(csvValue(record, "participants.purpose"), undefined);
  assertEquals(csvValue(record, "odd.key"), "dotted");
  assertEquals(csvValue(record, "id.length"), undefined);
});

Deno.test("createRecordEncoder writes each format and resumes from a saved state", () => {
  const records = [{ id: "a", n: 1 }, { id: "b", n: -2 }, { id: "c", n: 3 }];
  for (const format of ["jsonl", "csv", "json"] as OutputFormat[]) {
    const clean = createRecordEncoder(format, "widget");
    const expected = clean.encode(records.slice(0, 2)) + clean.encode(records.slice(2)) +
      clean.end();
    const first = createRecordEncoder(format, "widget");
    let text = first.encode(records.slice(0, 2));
    const second = createRecordEncoder(format, "widget");
    second.restore(JSON.parse(JSON.stringify(first.state())));
    text += second.encode(records.slice(2)) + second.end();
    assertEquals(text, expected, format);
  }
  const json = createRecordEncoder("json", "widget");
  assertEquals(json.end(), "[]\n");
  const emptyPages = createRecordEncoder("json", "widget");
  assertEquals(emptyPages.encode([]) + emptyPages.encode([]) + emptyPages.end(), "[]\n");
  assertEquals(createRecordEncoder("csv", "widget").end(), "");
  assertEquals(createRecordEncoder("csv", "queue").end(), csvRow(KNOWN_CSV_COLUMNS.queue));
  const fixed = createRecordEncoder("csv", "user", { columns: ["id", "x.y"] });
  assertEquals(fixed.encode([{ id: 1, x: { y: "=z" } }]), "id,x.y\r\n1,'=z\r\n");
  assertThrows(() => createRecordEncoder("csv", "w").restore({ columns: [1] }), CheckpointError);
  assertThrows(() => createRecordEncoder("json", "w").restore(null), CheckpointError);
  assertThrows(() => createRecordEncoder("jsonl", "w").restore({}), CheckpointError);
});

Deno.test("CSV columns come from the first non-empty page and stay fixed afterwards", () => {
  const enc = createRecordEncoder("csv", "widget");
  assertEquals(enc.encode([]), "");
  assertEquals(enc.state(), { columns: null });
  const text = enc.encode([{ id: "w1", b: "x" }]) + enc.encode([{ id: "w2", c: "new" }]) +
    enc.end();
  assertEquals(parseCsv(text), [["id", "b"], ["w1", "x"], ["w2", ""]]);
  assertEquals(enc.state(), { columns: ["id", "b"] });
});

Deno.test("parseOutputFormat and formatFromPath", () => {
  assertEquals(parseOutputFormat(" Json "), "json");
  assertThrows(() => parseOutputFormat("xml"), UsageError, "Unknown format 'xml'; use one of");
  assertEquals(formatFromPath("a/b.ndjson"), "jsonl");
  assertEquals(formatFromPath("a/b.jsonl"), "jsonl");
  assertEquals(formatFromPath("a/b.json"), "json");
  assertEquals(formatFromPath("a/b"), undefined);
});

Deno.test("FileSink writes to .partial and renames on finish", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/out.json`;
    const sink = new FileSink(path, { format: "json" });
    await sink.open({ recordType: "widget" });
    const mark = await sink.write([{ id: 1 }]);
    assertEquals(mark, { bytes: 10, state: { started: true, items: true } });
    assertEquals(await Deno.readTextFile(sink.partialPath), '[\n{"id":1}');
    assert(!(await exists(path)));
    const final = await sink.finish();
    assertEquals(final.bytes, 13);
    assert(!(await exists(sink.partialPath)));
    assertEquals(JSON.parse(await Deno.readTextFile(path)), [{ id: 1 }]);
    assertEquals((await Deno.stat(path)).size, 13);
    await sink.close(); // closing after finish is harmless
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSink refuses to replace a complete output unless allowed", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/users.jsonl`;
    await Deno.writeTextFile(path, "old\n");
    const error = await assertRejects(
      () => new FileSink(path).open({ recordType: "user" }),
      UsageError,
      `Output '${path}' already exists; use --force`,
    );
    assert(!error.message.endsWith("."));
    const sink = new FileSink(path, { overwrite: true });
    await sink.open({ recordType: "user" });
    await sink.write([{ id: "u1" }]);
    assertEquals(await Deno.readTextFile(path), "old\n"); // old output stays until the finish
    await sink.finish();
    assertEquals(await Deno.readTextFile(path), '{"id":"u1"}\n');
    await assertRejects(
      () => new FileSink(`${dir}/missing/x.jsonl`).open({ recordType: "user" }),
      UsageError,
      "its directory does not exist",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSink resume truncates bytes written after the checkpoint", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/w.csv`;
    const first = new FileSink(path, { format: "csv" });
    await first.open({ recordType: "widget" });
    const mark = await first.write([{ id: "w1", v: "=1" }]);
    await first.write([{ id: "w2", v: "lost" }]); // durable, but never checkpointed
    await first.close();
    assert((await Deno.stat(first.partialPath)).size > mark.bytes);
    const second = new FileSink(path, { format: "csv" });
    await second.open({ recordType: "widget", resume: mark });
    assertEquals((await Deno.stat(second.partialPath)).size, mark.bytes);
    await second.write([{ id: "w2", v: "kept" }]);
    await second.finish();
    assertEquals(parseCsv(await Deno.readTextFile(path)), [
      ["id", "v"],
      ["w1", "'=1"],
      ["w2", "kept"],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSink resume refuses a missing or short partial file", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/w.jsonl`;
    const resume = { bytes: 50, state: null };
    await assertRejects(
      () => new FileSink(path).open({ recordType: "w", resume }),
      CheckpointError,
      `Partial output '${path}.partial' is missing, so the checkpoint cannot resume; use --restart`,
    );
    await Deno.writeTextFile(`${path}.partial`, "short\n");
    await assertRejects(
      () => new FileSink(path).open({ recordType: "w", resume }),
      CheckpointError,
      "has 6 bytes, fewer than the 50 the checkpoint recorded",
    );
    // A complete output of another length is not taken for this job's partial file.
    await Deno.remove(`${path}.partial`);
    await Deno.writeTextFile(path, "x".repeat(80));
    await assertRejects(
      () => new FileSink(path).open({ recordType: "w", resume }),
      CheckpointError,
      "is missing",
    );
    assertEquals(await Deno.readTextFile(path), "x".repeat(80));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSink resume recovers a finished file whose checkpoint was not marked complete", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/w.json`;
    const first = new FileSink(path, { format: "json" });
    await first.open({ recordType: "w" });
    const mark = await first.write([{ id: 1 }, { id: 2 }]);
    await first.finish(); // crash here: the checkpoint still says "running" at `mark`
    const expected = await Deno.readTextFile(path);
    const second = new FileSink(path, { format: "json" });
    await second.open({ recordType: "w", resume: mark });
    assert(!(await exists(path)));
    await second.finish();
    assertEquals(await Deno.readTextFile(path), expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSink.write before open is a clear UsageError", async () => {
  await assertRejects(() => new FileSink("x.jsonl").write([]), UsageError, "call open() first");
});

Deno.test("StreamSink streams each page, refuses to resume and leaves the stream open", async () => {
  const chunks: string[] = [];
  let closed = false;
  const stream = new WritableStream<Uint8Array>({
    write: (chunk) => void chunks.push(new TextDecoder().decode(chunk)),
    close: () => void (closed = true),
  });
  const sink = new StreamSink(stream, { format: "json" });
  assertEquals(sink.resumable, false);
  assertEquals((sink as { path?: string }).path, undefined);
  await assertRejects(
    () => sink.open({ recordType: "w", resume: { bytes: 1, state: null } }),
    UsageError,
    "Output 'stdout' cannot resume",
  );
  await sink.open({ recordType: "w" });
  await sink.write([{ id: 1 }]);
  assertEquals(chunks, ['[\n{"id":1}']);
  await sink.write([{ id: 2 }]);
  const mark = await sink.finish();
  assertEquals(JSON.parse(chunks.join("")), [{ id: 1 }, { id: 2 }]);
  assertEquals(mark.bytes, new TextEncoder().encode(chunks.join("")).length);
  assert(!closed);
  const writer = stream.getWriter(); // the lock was released
  await writer.close();
  assert(closed);

  let closedToo = false;
  const own = new StreamSink(new WritableStream({ close: () => void (closedToo = true) }), {
    closeOnFinish: true,
    name: "pipe",
  });
  await own.open({ recordType: "w" });
  await own.finish();
  assert(closedToo);
});

Deno.test("MemorySink behaves like a file: truncates on resume, refuses a short output", async () => {
  const sink = new MemorySink({ format: "jsonl" });
  await sink.open({ recordType: "w" });
  const mark = await sink.write([{ id: 1 }]);
  await sink.write([{ id: 2 }]);
  assert(!sink.complete);
  await sink.open({ recordType: "w", resume: mark });
  assertEquals(sink.text(), '{"id":1}\n');
  await sink.finish();
  assert(sink.complete);
  await assertRejects(
    () => sink.open({ recordType: "w", resume: { bytes: 999, state: null } }),
    CheckpointError,
    "fewer than the 999",
  );
});
