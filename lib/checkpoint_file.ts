/**
 * A checkpoint store on the local disk: one JSON file per checkpoint, replaced atomically.
 *
 * @module
 */
import { type Checkpoint, type CheckpointStore, parseCheckpoint } from "./checkpoint.ts";
import { CheckpointError } from "./errors.ts";

/** Options of a {@link FileCheckpointStore}. */
export interface FileCheckpointStoreOptions {
  /** Appended to the encoded key to form the file name. Default `.checkpoint.json`. */
  suffix?: string;
}

function encodeKey(key: string): string {
  if (key === "" || key === "." || key === "..") {
    throw new CheckpointError(`Checkpoint key '${key}' is not usable as a file name`);
  }
  let out = "";
  for (const byte of new TextEncoder().encode(key)) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") || dir.endsWith("\\") ? dir + name : `${dir}/${name}`;
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes a rename durable on POSIX; directories cannot be opened this way on Windows.
  try {
    using handle = await Deno.open(dir, { read: true });
    await handle.sync();
  } catch {
    // best effort
  }
}

/**
 * Keeps each checkpoint in a JSON file, `<directory>/<key><suffix>`, written atomically: a temp
 * file in the same directory, fsync, rename over the old one, fsync of the directory. Characters
 * of the key other than `A-Z a-z 0-9 . _ -` are percent-encoded in the file name.
 *
 * @example
 * ```ts
 * import { FileCheckpointStore } from "./checkpoint_file.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const store = new FileCheckpointStore("checkpoints");
 * strictEqual(store.pathFor("users eu"), "checkpoints/users%20eu.checkpoint.json");
 * ```
 */
export class FileCheckpointStore implements CheckpointStore {
  /** The directory holding the checkpoint files (created on the first save). */
  readonly directory: string;
  readonly #suffix: string;

  /**
   * Creates the store; nothing is read or written yet.
   *
   * @param directory The directory for the checkpoint files.
   * @param options The file-name suffix.
   */
  constructor(directory: string, options: FileCheckpointStoreOptions = {}) {
    this.directory = directory;
    this.#suffix = options.suffix ?? ".checkpoint.json";
  }

  /**
   * The file that holds the checkpoint under `key`: what the CLI shows the user.
   *
   * @param key The checkpoint's key.
   * @returns The file path.
   * @throws {CheckpointError} For an empty key, `.` or `..`.
   */
  pathFor(key: string): string {
    return joinPath(this.directory, encodeKey(key) + this.#suffix);
  }

  /**
   * Names a checkpoint for messages.
   *
   * @param key The checkpoint's key.
   * @returns The file path.
   */
  describe(key: string): string {
    return this.pathFor(key);
  }

  /**
   * Reads a checkpoint file.
   *
   * @param key The checkpoint's key.
   * @returns The checkpoint, or `undefined` when the file does not exist.
   * @throws {CheckpointError} When the file is not a valid checkpoint.
   */
  async load(key: string): Promise<Checkpoint | undefined> {
    const path = this.pathFor(key);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    return parseCheckpoint(text, path);
  }

  /**
   * Writes a checkpoint file atomically (temp file, fsync, rename, directory fsync).
   *
   * @param key The checkpoint's key.
   * @param checkpoint The checkpoint.
   */
  async save(key: string, checkpoint: Checkpoint): Promise<void> {
    const path = this.pathFor(key);
    await Deno.mkdir(this.directory, { recursive: true });
    const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    const data = new TextEncoder().encode(JSON.stringify(checkpoint, null, 2) + "\n");
    try {
      {
        using file = await Deno.open(temp, { write: true, create: true, truncate: true });
        let written = 0;
        while (written < data.length) written += await file.write(data.subarray(written));
        await file.sync();
      }
      await Deno.rename(temp, path);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
    await syncDirectory(this.directory);
  }

  /**
   * Deletes a checkpoint file.
   *
   * @param key The checkpoint's key.
   */
  async delete(key: string): Promise<void> {
    try {
      await Deno.remove(this.pathFor(key));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}
