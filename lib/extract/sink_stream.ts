/**
 * A sink for standard output and other pipes: streams pages as they come; not resumable.
 *
 * @module
 */
import type { JsonValue } from "../types.ts";
import { UsageError } from "../errors.ts";
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

/** Options of a {@link StreamSink}. */
export interface StreamSinkOptions extends SinkOptions {
  /**
   * A name for messages.
   *
   * @default {"stdout"}
   */
  name?: string;
  /**
   * Close the stream after finishing.
   *
   * @default {false} standard output stays open
   */
  closeOnFinish?: boolean;
}

/**
 * Writes to a `WritableStream` such as `Deno.stdout.writable`, for pipes. Not resumable: bytes
 * sent down a pipe cannot be taken back, so the engine refuses to combine it with a checkpoint.
 *
 * @example
 * ```ts
 * import { StreamSink } from "./sink_stream.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const chunks: Uint8Array[] = [];
 * const sink = new StreamSink(new WritableStream({ write: (c) => void chunks.push(c) }));
 * await sink.open({ recordType: "user" });
 * await sink.write([{ id: "u1" }]);
 * await sink.finish();
 * strictEqual(new TextDecoder().decode(chunks[0]), '{"id":"u1"}\n');
 * strictEqual(sink.resumable, false);
 * ```
 */
export class StreamSink implements Sink {
  /** The output format. */
  readonly format: OutputFormat;
  /** Format, fixed columns, table shape and names. */
  readonly identity: JsonValue;
  /** Always `false`. */
  readonly resumable = false;
  /** The name for messages. */
  readonly name: string;
  readonly #stream: WritableStream<Uint8Array>;
  readonly #encoding: RecordEncoderOptions;
  readonly #closeOnFinish: boolean;
  #writer?: WritableStreamDefaultWriter<Uint8Array>;
  #encoder?: RecordEncoder;
  #bytes = 0;

  /**
   * Creates the sink.
   *
   * @param stream Where the bytes go, such as `Deno.stdout.writable`.
   * @param options Format, fixed CSV columns or a table shape and names, name, whether to close
   * the stream at the end.
   */
  constructor(stream: WritableStream<Uint8Array>, options: StreamSinkOptions = {}) {
    this.#stream = stream;
    this.format = options.format ?? "jsonl";
    this.name = options.name ?? "stdout";
    this.#encoding = { ...options };
    this.#closeOnFinish = options.closeOnFinish ?? false;
    this.identity = sinkIdentity(this.format, options.columns, options);
  }

  /**
   * Starts the output.
   *
   * @param options Record type; a resume mark is refused.
   * @throws {UsageError} When asked to resume.
   */
  open(options: SinkOpenOptions): Promise<void> {
    if (options.resume) {
      return Promise.reject(
        new UsageError(`Output '${this.name}' cannot resume; write to a file to use a checkpoint`),
      );
    }
    let encoder: RecordEncoder;
    try {
      encoder = createRecordEncoder(this.format, options.recordType, this.#encoding);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#writer ??= this.#stream.getWriter();
    this.#encoder = encoder;
    this.#bytes = 0;
    return Promise.resolve();
  }

  async #send(text: string): Promise<void> {
    if (!this.#writer || !this.#encoder) {
      throw new UsageError(`Sink '${this.name}' is not open; call open() first`);
    }
    const data = encoder.encode(text);
    if (data.length > 0) await this.#writer.write(data);
    this.#bytes += data.length;
  }

  /**
   * Writes one page.
   *
   * @param records The page's records.
   * @returns The bytes written so far and the encoder's state.
   * @throws {UsageError} When the sink is not open.
   */
  async write(records: readonly unknown[]): Promise<SinkMark> {
    await this.#send(this.#encoder?.encode(records) ?? "");
    return { bytes: this.#bytes, state: this.#encoder!.state() };
  }

  /**
   * Writes the ending and releases (or closes) the stream.
   *
   * @returns The final mark.
   * @throws {UsageError} When the sink is not open.
   */
  async finish(): Promise<SinkMark> {
    await this.#send(this.#encoder?.end() ?? "");
    const mark = { bytes: this.#bytes, state: this.#encoder!.state() };
    const writer = this.#writer!;
    this.#writer = undefined;
    if (this.#closeOnFinish) await writer.close();
    else writer.releaseLock();
    return mark;
  }

  /** Releases the stream without writing an ending. */
  close(): Promise<void> {
    this.#writer?.releaseLock();
    this.#writer = undefined;
    return Promise.resolve();
  }
}
