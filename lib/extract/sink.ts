/**
 * Output sinks: where extracted pages go, one page at a time. A sink encodes a page, writes it and
 * makes it durable before the engine checkpoints it; on resume it truncates its output back to the
 * checkpoint's byte length and continues. This file holds the {@link Sink} interface and
 * {@link FileSink} (resumable, atomic finish); `sink_stream.ts` has `StreamSink` (standard output
 * and other pipes: not resumable) and `sink_memory.ts` has `MemorySink` (resumable, for tests and
 * small jobs).
 *
 * @module
 */
import type { JsonValue } from "../types.ts";
import { CheckpointError, UsageError } from "../errors.ts";
import {
  createRecordEncoder,
  type OutputFormat,
  type RecordEncoder,
  type RecordEncoderOptions,
} from "./format.ts";
import type { NameDirectory } from "../analytics/names.ts";
import type { TableShape } from "../analytics/table.ts";
import {
  fileFailure,
  parentOf,
  refuseSymlinks,
  samePath,
  syncDirectory,
  writeAll,
} from "./_safe_files.ts";

/** A sink's durable position: its output length in bytes and its encoder's state. */
export interface SinkMark {
  /** Bytes of output that are durable. */
  bytes: number;
  /** The encoder's state after them (stored in the checkpoint). */
  state: JsonValue;
}

/** How the engine opens a sink. */
export interface SinkOpenOptions {
  /** The source's record type (the CSV columns depend on it). */
  recordType: string;
  /** Continue from this mark (from a checkpoint) instead of starting a new output. */
  resume?: SinkMark;
}

/** Where extracted records go. The engine calls `open`, `write` per page, then `finish` or `close`. */
export interface Sink {
  /** The output format. */
  readonly format: OutputFormat;
  /** What about the sink changes its bytes (format, fixed columns): part of the job key. */
  readonly identity: JsonValue;
  /** Whether the output can be truncated and continued after a stop or a crash. */
  readonly resumable: boolean;
  /** The final output file, when there is one. */
  readonly path?: string;
  /** A short name for messages: the file path, `stdout`, `memory`. */
  readonly name: string;
  /**
   * Starts a new output, or continues one from a checkpoint's mark.
   *
   * @param options The record type and the mark to resume from.
   * @throws {UsageError} When a new output would overwrite a complete one without permission.
   * @throws {CheckpointError} When the output to resume is missing or shorter than the mark.
   */
  open(options: SinkOpenOptions): Promise<void>;
  /**
   * Encodes and writes one page and makes it durable (fsync for files).
   *
   * @param records The page's records.
   * @returns The mark to store in the checkpoint.
   */
  write(records: readonly unknown[]): Promise<SinkMark>;
  /**
   * Writes the format's ending, makes it durable and publishes the output (a file is renamed from
   * `<file>.partial` to `<file>`). The sink is closed afterwards.
   *
   * @returns The final mark.
   */
  finish(): Promise<SinkMark>;
  /** Releases the output without finishing it (after a stop or an error); idempotent. */
  close(): Promise<void>;
}

/** Options of the sinks. */
export interface SinkOptions {
  /**
   * The output format.
   *
   * @default {"jsonl"}
   */
  format?: OutputFormat;
  /** CSV of raw records only: fixed columns instead of the automatic choice. */
  columns?: readonly string[];
  /**
   * Conversation details only: write the rows of this table shape (`docs/tables.md`). Default:
   * `conversations` for CSV, `raw` (the records) for JSON Lines and JSON.
   */
  table?: TableShape;
  /**
   * With a table: names for its name columns, read when rows are written (so it may be filled
   * after the sink is created, before the first page).
   */
  names?: NameDirectory;
}

/** Options of a {@link FileSink}. */
export interface FileSinkOptions extends SinkOptions {
  /**
   * Replace an existing output file (the CLI's `--force`).
   *
   * @default {false}
   */
  overwrite?: boolean;
  /**
   * The granted folder the output must stay within: the output, its `.partial` file and every
   * folder below `root` on their way are refused when they are symbolic links. Default: the
   * current folder for a relative path, the output's own folder for an absolute one.
   */
  root?: string;
  /**
   * Opens files; tests spy on writes and fsyncs here.
   *
   * @default {Deno.open}
   */
  open?: typeof Deno.open;
}

/**
 * The identity of a sink that writes `format` (with fixed CSV columns, a table shape and name
 * columns, when given): what goes into the job key. A table equal to the format's default
 * (`conversations` for CSV, `raw` otherwise) is left out, so naming the default changes nothing.
 * Custom sinks that write the standard formats can use it too.
 *
 * @param format The output format.
 * @param columns Fixed CSV columns, when set.
 * @param shape The table shape and whether names are resolved.
 * @returns `{ format }`, plus `columns`, `table` and `names: true` when they apply.
 *
 * @example
 * ```ts
 * import { sinkIdentity } from "./sink.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(sinkIdentity("csv", ["id"]), { format: "csv", columns: ["id"] });
 * deepStrictEqual(sinkIdentity("csv", undefined, { table: "conversations" }), { format: "csv" });
 * deepStrictEqual(sinkIdentity("jsonl", undefined, { table: "segments", names: {} }), {
 *   format: "jsonl",
 *   table: "segments",
 *   names: true,
 * });
 * ```
 */
export function sinkIdentity(
  format: OutputFormat,
  columns?: readonly string[],
  shape: { table?: TableShape; names?: unknown } = {},
): JsonValue {
  const identity: { [key: string]: JsonValue } = { format };
  if (columns) identity.columns = [...columns];
  const fallback = format === "csv" ? "conversations" : "raw";
  if (shape.table !== undefined && shape.table !== fallback) identity.table = shape.table;
  if (shape.names !== undefined) identity.names = true;
  return identity;
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw fileFailure(error, "read", path);
  }
}

const encoder = new TextEncoder();

/**
 * Writes to a file, through `<file>.partial`: each page is appended and fsynced, and the finished
 * output is fsynced and renamed to `<file>`, so `<file>` only ever holds a complete output. On
 * resume the partial file is truncated to the checkpoint's byte length, so bytes written after the
 * last checkpoint (a page written just before a crash) disappear.
 *
 * A new output refuses to replace an existing `<file>` unless `overwrite` is set; an existing
 * `<file>.partial` without a checkpoint is a leftover and is replaced. A resumed job needs no
 * `overwrite` again: permission given on its first run holds. A finished `<file>` whose length is
 * the resume mark plus the format's ending is taken back to `<file>.partial` and continued: after
 * a crash between the rename and the checkpoint, and when a later run continues an output that
 * covered its interval only up to now (`Checkpoint.openEnd`). Neither file is ever written
 * through a symbolic link (see {@link FileSinkOptions.root}), and a full disk or a file that is
 * not writable fails with a `StorageError` that names the file.
 *
 * @example
 * ```ts
 * import { FileSink } from "./sink.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const sink = new FileSink("out/users.csv", { format: "csv" });
 * strictEqual(sink.partialPath, "out/users.csv.partial");
 * strictEqual(sink.resumable, true);
 * ```
 */
export class FileSink implements Sink {
  /** The output format. */
  readonly format: OutputFormat;
  /** Format, fixed columns, table shape and names. */
  readonly identity: JsonValue;
  /** Always `true`. */
  readonly resumable = true;
  /** The final output file. */
  readonly path: string;
  /** The file written until the output is complete: `<path>.partial`. */
  readonly partialPath: string;
  /** The path, for messages. */
  readonly name: string;
  readonly #overwrite: boolean;
  readonly #encoding: RecordEncoderOptions;
  readonly #root?: string;
  readonly #open: typeof Deno.open;
  #encoder?: RecordEncoder;
  #file?: Deno.FsFile;
  #bytes = 0;

  /**
   * Creates the sink; nothing is touched before {@link FileSink.open}.
   *
   * @param path The final output file.
   * @param options Format, fixed CSV columns or a table shape and names, permission to overwrite.
   */
  constructor(path: string, options: FileSinkOptions = {}) {
    this.path = path;
    this.partialPath = `${path}.partial`;
    this.name = path;
    this.format = options.format ?? "jsonl";
    this.#overwrite = options.overwrite ?? false;
    this.#encoding = { columns: options.columns, table: options.table, names: options.names };
    this.#root = options.root;
    this.#open = options.open ?? Deno.open;
    this.identity = sinkIdentity(this.format, options.columns, options);
  }

  /**
   * Opens `<file>.partial`: new and empty, or truncated to the resume mark.
   *
   * @param options Record type and resume mark.
   * @throws {UsageError} When `<file>` exists and `overwrite` is not set, its directory is
   * missing, or the output, the partial file or a folder on their way is a symbolic link.
   * @throws {CheckpointError} When the partial file to resume is missing or too short.
   * @throws {StorageError} When a file cannot be created or written (the message names it).
   */
  async open(options: SinkOpenOptions): Promise<void> {
    await this.close();
    await refuseSymlinks(this.path, { root: this.#root, label: "output" });
    await refuseSymlinks(this.partialPath, { root: this.#root, label: "partial output" });
    const enc = createRecordEncoder(this.format, options.recordType, this.#encoding);
    const resume = options.resume;
    if (resume) {
      enc.restore(resume.state);
      const file = await this.#openForResume(resume, enc);
      try {
        await file.truncate(resume.bytes);
        await file.seek(0, Deno.SeekMode.End);
      } catch (error) {
        file.close();
        throw fileFailure(error, "write", this.partialPath);
      }
      this.#file = file;
      this.#bytes = resume.bytes;
    } else {
      if (!this.#overwrite && (await fileSize(this.path)) !== undefined) {
        throw new UsageError(
          `Output '${this.path}' already exists; use --force to overwrite it or choose another file`,
        );
      }
      this.#file = await this.#createPartial();
      this.#bytes = 0;
    }
    this.#encoder = enc;
  }

  /** A new, empty partial file: a leftover is deleted first and the file created exclusively,
   * so a link planted under its name is never followed. */
  async #createPartial(): Promise<Deno.FsFile> {
    try {
      await Deno.remove(this.partialPath);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw fileFailure(error, "replace", this.partialPath);
      }
    }
    try {
      return await this.#open(this.partialPath, { write: true, createNew: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new UsageError(
          `Cannot create '${this.partialPath}': its directory does not exist; create it first`,
        );
      }
      throw fileFailure(error, "create", this.partialPath);
    }
  }

  async #openForResume(resume: SinkMark, enc: RecordEncoder): Promise<Deno.FsFile> {
    let size = await fileSize(this.partialPath);
    if (size === undefined) {
      // A crash between publishing the output and saving the complete checkpoint leaves the
      // finished file and a running checkpoint: take the file back when its length is exactly the
      // checkpoint's bytes plus this format's ending.
      const finalSize = await fileSize(this.path);
      const ending = encoder.encode(enc.end()).length;
      if (finalSize !== undefined && finalSize === resume.bytes + ending) {
        try {
          await Deno.rename(this.path, this.partialPath);
        } catch (error) {
          throw fileFailure(error, "rename", this.path);
        }
        size = finalSize;
      } else {
        throw new CheckpointError(
          `Partial output '${this.partialPath}' is missing, so the checkpoint cannot resume; use --restart to start over`,
        );
      }
    }
    if (size < resume.bytes) {
      throw new CheckpointError(
        `Partial output '${this.partialPath}' has ${size} bytes, fewer than the ${resume.bytes} the checkpoint recorded; use --restart to start over`,
      );
    }
    let file: Deno.FsFile;
    try {
      file = await this.#open(this.partialPath, { write: true });
    } catch (error) {
      throw fileFailure(error, "open", this.partialPath);
    }
    // Checked before the open: a link put there since is not written through.
    if (!samePath(await file.stat(), this.partialPath)) {
      file.close();
      await refuseSymlinks(this.partialPath, { root: this.#root, label: "partial output" });
      throw new CheckpointError(
        `Partial output '${this.partialPath}' changed while it was opened; run again`,
      );
    }
    return file;
  }

  #mark(): SinkMark {
    return { bytes: this.#bytes, state: this.#encoder!.state() };
  }

  #opened(): { file: Deno.FsFile; enc: RecordEncoder } {
    if (!this.#file || !this.#encoder) {
      throw new UsageError(`Sink '${this.name}' is not open; call open() first`);
    }
    return { file: this.#file, enc: this.#encoder };
  }

  /**
   * Appends one page and fsyncs it.
   *
   * @param records The page's records.
   * @returns The durable mark.
   * @throws {UsageError} When the sink is not open.
   */
  async write(records: readonly unknown[]): Promise<SinkMark> {
    const { file, enc } = this.#opened();
    const data = encoder.encode(enc.encode(records));
    if (data.length > 0) await this.#append(file, data);
    return this.#mark();
  }

  /** Appends `data`, fsyncs it and counts it; a failure names the partial file. */
  async #append(file: Deno.FsFile, data: Uint8Array): Promise<void> {
    try {
      await writeAll(file, data);
      await file.sync();
    } catch (error) {
      throw fileFailure(error, "write", this.partialPath);
    }
    this.#bytes += data.length;
  }

  /**
   * Appends the ending, fsyncs, closes and renames `<file>.partial` to `<file>`.
   *
   * @returns The final mark (the file's length).
   * @throws {UsageError} When the sink is not open.
   */
  async finish(): Promise<SinkMark> {
    const { file, enc } = this.#opened();
    await this.#append(file, encoder.encode(enc.end()));
    const mark = this.#mark();
    await this.close();
    try {
      await Deno.rename(this.partialPath, this.path);
    } catch (error) {
      throw fileFailure(error, "write", this.path);
    }
    await syncDirectory(parentOf(this.path));
    return mark;
  }

  /** Closes the partial file without finishing it. */
  close(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    file?.close();
    return Promise.resolve();
  }
}
