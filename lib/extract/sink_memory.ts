/**
 * A sink that keeps its output in memory and behaves like a resumable file.
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
import {
  type Sink,
  sinkIdentity,
  type SinkMark,
  type SinkOpenOptions,
  type SinkOptions,
} from "./sink.ts";

const encoder = new TextEncoder();

/**
 * Keeps the output in memory and behaves like a file: resumable (truncated to the mark on
 * resume) and `complete` only after {@link MemorySink.finish}. For tests and small jobs.
 *
 * @example
 * ```ts
 * import { MemorySink } from "./sink_memory.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const sink = new MemorySink({ format: "csv" });
 * await sink.open({ recordType: "widget" });
 * const mark = await sink.write([{ id: "w1", size: 2 }]);
 * await sink.write([{ id: "w2", size: 3 }]); // written, then "crash" before the checkpoint
 * await sink.open({ recordType: "widget", resume: mark });
 * await sink.write([{ id: "w2", size: 3 }]);
 * await sink.finish();
 * strictEqual(sink.text(), "id,size\r\nw1,2\r\nw2,3\r\n");
 * ```
 */
export class MemorySink implements Sink {
  /** The output format. */
  readonly format: OutputFormat;
  /** Format, fixed columns, table shape and names. */
  readonly identity: JsonValue;
  /** Always `true`. */
  readonly resumable = true;
  /** `memory`. */
  readonly name = "memory";
  readonly #encoding: RecordEncoderOptions;
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #encoder?: RecordEncoder;
  #complete = false;

  /**
   * Creates an empty sink.
   *
   * @param options Format, fixed CSV columns or a table shape and names.
   */
  constructor(options: SinkOptions = {}) {
    this.format = options.format ?? "jsonl";
    this.#encoding = { ...options };
    this.identity = sinkIdentity(this.format, options.columns, options);
  }

  /** Whether the output was finished. */
  get complete(): boolean {
    return this.#complete;
  }

  /**
   * Starts a new output (dropping any earlier one) or truncates to the resume mark.
   *
   * @param options Record type and resume mark.
   * @throws {CheckpointError} When the output is shorter than the mark.
   */
  open(options: SinkOpenOptions): Promise<void> {
    const resume = options.resume;
    let enc: RecordEncoder;
    try {
      enc = createRecordEncoder(this.format, options.recordType, this.#encoding);
      if (resume) {
        enc.restore(resume.state);
        if (this.#bytes < resume.bytes) {
          throw new CheckpointError(
            `Output 'memory' has ${this.#bytes} bytes, fewer than the ${resume.bytes} the checkpoint recorded; use --restart to start over`,
          );
        }
        const all = this.bytes().slice(0, resume.bytes);
        this.#chunks = [all];
        this.#bytes = resume.bytes;
      } else {
        this.#chunks = [];
        this.#bytes = 0;
      }
    } catch (error) {
      return Promise.reject(error);
    }
    this.#complete = false;
    this.#encoder = enc;
    return Promise.resolve();
  }

  #append(text: string): SinkMark {
    if (!this.#encoder) throw new UsageError("Sink 'memory' is not open; call open() first");
    const data = encoder.encode(text);
    this.#chunks.push(data);
    this.#bytes += data.length;
    return { bytes: this.#bytes, state: this.#encoder.state() };
  }

  /**
   * Appends one page.
   *
   * @param records The page's records.
   * @returns The mark.
   */
  write(records: readonly unknown[]): Promise<SinkMark> {
    try {
      return Promise.resolve(this.#append(this.#encoder?.encode(records) ?? ""));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Appends the ending and marks the output complete.
   *
   * @returns The final mark.
   */
  finish(): Promise<SinkMark> {
    try {
      const mark = this.#append(this.#encoder?.end() ?? "");
      this.#complete = true;
      this.#encoder = undefined;
      return Promise.resolve(mark);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Stops accepting pages; the bytes stay (as a partial file would). */
  close(): Promise<void> {
    this.#encoder = undefined;
    return Promise.resolve();
  }

  /**
   * The output so far.
   *
   * @returns A copy of the bytes.
   */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#bytes);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  /**
   * The output so far, decoded as UTF-8.
   *
   * @returns The text.
   */
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}
