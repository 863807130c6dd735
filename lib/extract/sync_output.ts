/**
 * Where a sync (`sync.ts`) writes its days: one output per UTC day, final or provisional. A
 * {@link SyncOutput} makes each day's sink, reads a finished day back (for its length and SHA-256
 * in the manifest) and removes a provisional day once it is final. {@link FileSyncOutput} writes
 * `<folder>/<day>.<format>` and `<folder>/provisional/<day>.<format>`; {@link MemorySyncOutput}
 * keeps days in memory (tests, examples); a Deno KV one is in `examples/deploy_cron.ts`.
 *
 * @module
 */
import type { JsonValue } from "../types.ts";
import { FileSink, type Sink, sinkIdentity, type SinkOptions } from "./sink.ts";
import { MemorySink } from "./sink_memory.ts";
import { fileFailure, parentOf, refuseSymlinks } from "./_safe_files.ts";
import { UsageError } from "../errors.ts";
import type { OutputFormat } from "./format.ts";

/** A final day (written once, listed in the manifest) or a provisional one (replaced each run). */
export type SyncDayKind = "final" | "provisional";

/** Where the days of a sync go. */
export interface SyncOutput {
  /** The output format of every day. */
  readonly format: OutputFormat;
  /** The identity of its sinks (format, table shape): part of the sync's settings. */
  readonly identity: JsonValue;
  /**
   * The sink for a day (its folder is created here when there is one). A final day's sink is
   * resumed from its checkpoint after a stop, so it must be resumable; a provisional day's is
   * written from scratch, replacing the last one.
   *
   * @param day The UTC day, `YYYY-MM-DD`.
   * @param kind Final or provisional.
   * @returns A new sink.
   */
  sink(day: string, kind: SyncDayKind): Promise<Sink>;
  /**
   * What a finished day holds, for the manifest's byte count and SHA-256.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @returns The bytes, in pieces.
   */
  read(day: string, kind: SyncDayKind): AsyncIterable<Uint8Array>;
  /**
   * Removes a day's output and anything a stopped run left of it (a provisional day once it is
   * final; a day that was started and left the range). Nothing happens when there is none.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   */
  remove(day: string, kind: SyncDayKind): Promise<void>;
  /**
   * How the manifest names a day's output: `2026-01-01.jsonl`, `provisional/2026-01-01.jsonl`.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @returns The name.
   */
  name(day: string, kind: SyncDayKind): string;
}

/** Options of a {@link FileSyncOutput}. */
export interface FileSyncOutputOptions extends SinkOptions {
  /** Put before each day in file names: `users-` gives `users-2026-01-01.jsonl`. Default none. */
  prefix?: string;
  /**
   * Replace a final day's file that exists without a checkpoint (the CLI's `--force`); else such
   * a file is refused (the manifest does not list it: something else wrote it).
   *
   * @default {false}
   */
  overwrite?: boolean;
  /** The granted folder the files must stay within (see `FileSink`). */
  root?: string;
}

const CHUNK = 1 << 20;

/**
 * Days as files in a folder: `<folder>/<prefix><day>.<format>` for final days,
 * `<folder>/provisional/<prefix><day>.<format>` for provisional ones, each written through
 * `.partial` and renamed when complete ({@link FileSink}), never through a symbolic link.
 *
 * @example
 * ```ts
 * import { FileSyncOutput } from "./sync_output.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const output = new FileSyncOutput("output/sync", { format: "csv" });
 * strictEqual(output.path("2026-01-01", "final"), "output/sync/2026-01-01.csv");
 * strictEqual(output.name("2026-01-01", "provisional"), "provisional/2026-01-01.csv");
 * ```
 */
export class FileSyncOutput implements SyncOutput {
  /** The folder. */
  readonly directory: string;
  /** The output format. */
  readonly format: OutputFormat;
  /** The identity of its sinks. */
  readonly identity: JsonValue;
  readonly #options: FileSyncOutputOptions;

  /**
   * Creates the output; nothing is touched yet.
   *
   * @param directory The folder of the days.
   * @param options Format, table shape, file name prefix, overwrite, granted root.
   */
  constructor(directory: string, options: FileSyncOutputOptions = {}) {
    this.directory = directory.replace(/[\\/]+$/, "") || ".";
    this.format = options.format ?? "jsonl";
    this.identity = sinkIdentity(this.format, options.columns, options);
    this.#options = options;
  }

  /**
   * How the manifest names a day's file (relative to the folder).
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @returns The relative path.
   */
  name(day: string, kind: SyncDayKind): string {
    const file = `${this.#options.prefix ?? ""}${day}.${this.format}`;
    return kind === "final" ? file : `provisional/${file}`;
  }

  /**
   * The path of a day's file.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @returns The path.
   */
  path(day: string, kind: SyncDayKind): string {
    return `${this.directory}/${this.name(day, kind)}`;
  }

  /**
   * A file sink for the day (a provisional one replaces the last run's file), its folder created.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @returns The sink.
   * @throws {UsageError} When the folder or one on its way is a symbolic link, or a file.
   */
  async sink(day: string, kind: SyncDayKind): Promise<Sink> {
    const { prefix: _prefix, overwrite, ...sinkOptions } = this.#options;
    const path = this.path(day, kind);
    const folder = parentOf(path);
    await refuseSymlinks(path, { root: this.#options.root, label: "output" });
    try {
      await Deno.mkdir(folder, { recursive: true });
    } catch (error) {
      if (
        error instanceof Deno.errors.AlreadyExists || error instanceof Deno.errors.NotADirectory
      ) {
        throw new UsageError(`Cannot create the folder '${folder}': a file is in the way`);
      }
      throw fileFailure(error, "create the folder", folder);
    }
    return new FileSink(path, {
      ...sinkOptions,
      format: this.format,
      overwrite: kind === "provisional" || overwrite === true,
    });
  }

  /**
   * Reads a day's file in 1 MiB pieces.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @returns The bytes.
   * @throws {UsageError} When the file or a folder on its way is a symbolic link.
   */
  async *read(day: string, kind: SyncDayKind): AsyncGenerator<Uint8Array> {
    const path = this.path(day, kind);
    await refuseSymlinks(path, { root: this.#options.root, label: "output" });
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (error) {
      throw fileFailure(error, "read", path);
    }
    try {
      const buffer = new Uint8Array(CHUNK);
      while (true) {
        const n = await file.read(buffer);
        if (n === null) break;
        yield buffer.slice(0, n);
      }
    } finally {
      file.close();
    }
  }

  /**
   * Deletes a day's file and its `.partial`, when they exist.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @throws {UsageError} When a file or a folder on its way is a symbolic link.
   */
  async remove(day: string, kind: SyncDayKind): Promise<void> {
    const path = this.path(day, kind);
    for (const file of [path, `${path}.partial`]) {
      await refuseSymlinks(file, { root: this.#options.root, label: "output" });
      try {
        await Deno.remove(file);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw fileFailure(error, "delete", file);
      }
    }
  }
}

/**
 * Days in memory, one {@link MemorySink} each: for tests and small jobs.
 *
 * @example
 * ```ts
 * import { MemorySyncOutput } from "./sync_output.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const output = new MemorySyncOutput({ format: "jsonl" });
 * const sink = await output.sink("2026-01-01", "final");
 * await sink.open({ recordType: "conversation" });
 * await sink.write([{ conversationId: "a" }]);
 * await sink.finish();
 * strictEqual(output.text("2026-01-01"), '{"conversationId":"a"}\n');
 * ```
 */
export class MemorySyncOutput implements SyncOutput {
  /** The output format. */
  readonly format: OutputFormat;
  /** The identity of its sinks. */
  readonly identity: JsonValue;
  readonly #options: SinkOptions;
  readonly #days = new Map<string, MemorySink>();

  /**
   * Creates an empty output.
   *
   * @param options Format and table shape.
   */
  constructor(options: SinkOptions = {}) {
    this.format = options.format ?? "jsonl";
    this.identity = sinkIdentity(this.format, options.columns, options);
    this.#options = options;
  }

  /**
   * Names a day.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @returns `2026-01-01` or `provisional/2026-01-01`.
   */
  name(day: string, kind: SyncDayKind): string {
    return kind === "final" ? day : `provisional/${day}`;
  }

  /**
   * The day's sink: the same one for every run of a final day (so it resumes), a new one for a
   * provisional day.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @returns The sink.
   */
  sink(day: string, kind: SyncDayKind): Promise<Sink> {
    const name = this.name(day, kind);
    let sink = this.#days.get(name);
    if (!sink || kind === "provisional") {
      sink = new MemorySink({ ...this.#options, format: this.format });
      this.#days.set(name, sink);
    }
    return Promise.resolve(sink);
  }

  /**
   * The day's bytes.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   * @returns One piece (none for an unknown day).
   */
  async *read(day: string, kind: SyncDayKind): AsyncGenerator<Uint8Array> {
    const sink = this.#days.get(this.name(day, kind));
    if (sink) yield await Promise.resolve(sink.bytes());
  }

  /**
   * Forgets a day.
   *
   * @param day The UTC day.
   * @param kind Final or provisional.
   */
  remove(day: string, kind: SyncDayKind): Promise<void> {
    this.#days.delete(this.name(day, kind));
    return Promise.resolve();
  }

  /**
   * A finished day's text.
   *
   * @param day The UTC day.
   * @param kind Final (default) or provisional.
   * @returns The text, or `undefined` when the day is not there or not finished.
   */
  text(day: string, kind: SyncDayKind = "final"): string | undefined {
    const sink = this.#days.get(this.name(day, kind));
    return sink?.complete ? sink.text() : undefined;
  }
}
