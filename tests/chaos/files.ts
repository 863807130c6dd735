/**
 * File helpers of the proof suites: temp dirs under `.test-tmp/`, the ids an output holds (JSONL,
 * CSV or JSON), the files of a directory tree, and a scan for secrets in them.
 *
 * @module
 */

/** Output formats the CLI and the engine write. */
export type Format = "jsonl" | "csv" | "json";

/** Every output format. */
export const FORMATS: readonly Format[] = ["jsonl", "csv", "json"];

/** The repository root, with a trailing slash. */
const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * A fresh temp directory under the repository's `.test-tmp/` (the only place tests may write).
 *
 * @param prefix A name prefix.
 * @returns The directory path, relative to the repository root.
 */
export async function tempDir(prefix: string): Promise<string> {
  await Deno.mkdir(`${ROOT}.test-tmp`, { recursive: true });
  const abs = await Deno.makeTempDir({ dir: `${ROOT}.test-tmp`, prefix: `${prefix}-` });
  return abs.slice(ROOT.length);
}

/**
 * Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF rows) into rows of fields.
 *
 * @param text The CSV text.
 * @returns The rows, header first.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * The ids an output file holds, in file order (duplicates kept, so a test sees them).
 *
 * @param format The file's format.
 * @param text The file's content.
 * @param idField The id field: `id` (users, queues) or `conversationId`.
 * @returns The ids.
 * @throws {Error} When the text is not a well-formed output of that format.
 */
export function idsOf(format: Format, text: string, idField: string): string[] {
  if (format === "jsonl") {
    if (text === "") return [];
    if (!text.endsWith("\n")) throw new Error("JSONL output does not end with a newline");
    return text.slice(0, -1).split("\n").map((line) => JSON.parse(line)[idField]);
  }
  if (format === "json") {
    const array = JSON.parse(text);
    if (!Array.isArray(array)) throw new Error("JSON output is not an array");
    return array.map((r: Record<string, string>) => r[idField]);
  }
  const rows = parseCsv(text);
  if (rows.length === 0) return [];
  const column = rows[0].indexOf(idField);
  if (column < 0) throw new Error(`CSV header has no '${idField}' column`);
  return rows.slice(1).map((r) => r[column]);
}

/** One record of an output: its text as written (a line, a row, an array element) and whether
 * its conversation was still live (no `conversationEnd`). */
interface OutputRecord {
  text: string;
  live: boolean;
}

function recordsIn(format: Format, text: string): OutputRecord[] {
  if (format === "csv") {
    const [header, ...rows] = parseCsv(text);
    const end = header?.indexOf("conversationEnd") ?? -1;
    return rows.map((r) => ({ text: JSON.stringify(r), live: end >= 0 && r[end] === "" }));
  }
  const values: Record<string, unknown>[] = format === "json"
    ? JSON.parse(text)
    : text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
  return values.map((v) => ({ text: JSON.stringify(v), live: !("conversationEnd" in v) }));
}

/**
 * Compares two outputs of conversations read at slightly different instants: the same records
 * in the same order, each identical unless its conversation was still live in the first (a call
 * in progress may have moved on between the two reads).
 *
 * @param format The outputs' format.
 * @param clean The first output (a clean run's).
 * @param got The second output.
 * @returns What differs besides live records, or `undefined`; and how many live records differ.
 */
export function diffBesidesLive(
  format: Format,
  clean: string,
  got: string,
): { problem?: string; liveChanged: number } {
  const a = recordsIn(format, clean);
  const b = recordsIn(format, got);
  if (a.length !== b.length) {
    return { problem: `${b.length} records, ${a.length} expected`, liveChanged: 0 };
  }
  let liveChanged = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i].text === b[i].text) continue;
    if (!a[i].live) return { problem: `record ${i + 1} differs and was final`, liveChanged };
    liveChanged++;
  }
  return { liveChanged };
}

/**
 * Every file under `dir`, as paths relative to it, sorted.
 *
 * @param dir The directory.
 * @returns Relative file paths (directories themselves are not listed).
 */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for await (const entry of Deno.readDir(rel === "" ? dir : `${dir}/${rel}`)) {
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else out.push(path);
    }
  };
  try {
    await walk("");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort();
}

/** A secret to look for, with a label for messages (the value itself is never printed). */
export interface Needle {
  /** What it is: `client secret`, `token #3`, ... */
  label: string;
  /** The string that must not appear. */
  value: string;
}

/**
 * Finds needles in texts. A match is reported by label and where, never by value.
 *
 * @param texts Named texts: `stderr`, a file path, ...
 * @param needles The strings that must not appear.
 * @param patterns Patterns that must not match (such as any simulator token).
 * @returns One line per leak, empty when clean.
 */
export function findLeaks(
  texts: Record<string, string>,
  needles: readonly Needle[],
  patterns: readonly RegExp[] = [],
): string[] {
  const leaks: string[] = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const needle of needles) {
      if (needle.value !== "" && text.includes(needle.value)) {
        leaks.push(`${needle.label} appears in ${where}`);
      }
    }
    for (const pattern of patterns) {
      if (pattern.test(text)) leaks.push(`${pattern} matches in ${where}`);
    }
  }
  return leaks;
}

/**
 * The text of every file under `dir`, keyed by relative path (binary files decode lossily, which
 * is fine for a search).
 *
 * @param dir The directory.
 * @returns Texts by path.
 */
export async function readTree(dir: string): Promise<Record<string, string>> {
  const texts: Record<string, string> = {};
  for (const file of await listFiles(dir)) {
    texts[`${dir}/${file}`] = new TextDecoder().decode(await Deno.readFile(`${dir}/${file}`));
  }
  return texts;
}

/**
 * Whether two files hold the same bytes, compared in 1 MiB chunks (outputs can be hundreds of MB).
 *
 * @param a A file path.
 * @param b Another file path.
 * @returns `true` when sizes and bytes are equal.
 */
export async function sameFiles(a: string, b: string): Promise<boolean> {
  if ((await Deno.stat(a)).size !== (await Deno.stat(b)).size) return false;
  using fa = await Deno.open(a);
  using fb = await Deno.open(b);
  const ba = new Uint8Array(1 << 20);
  const bb = new Uint8Array(1 << 20);
  while (true) {
    const na = await readFull(fa, ba);
    const nb = await readFull(fb, bb);
    if (na !== nb) return false;
    if (na === 0) return true;
    for (let i = 0; i < na; i++) if (ba[i] !== bb[i]) return false;
  }
}

async function readFull(file: Deno.FsFile, buffer: Uint8Array): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const n = await file.read(buffer.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return filled;
}
