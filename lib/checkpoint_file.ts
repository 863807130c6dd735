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
  /**
   * Percent-encode characters of the key other than `A-Z a-z 0-9 . _ -` (default `true`). With
   * `false` the key is the file name as it is, and keys holding `/`, a backslash or NUL are refused.
   */
  encodeKeys?: boolean;
}

function encodeKey(key: string, encode: boolean): string {
  if (key === "" || key === "." || key === ".." || (!encode && /[\/\\\0]/.test(key))) {
    throw new CheckpointError(`Checkpoint key '${key}' is not usable as a file name`);
  }
  if (!encode) return key;
  let out = "";
  for (const byte of new TextEncoder().encode(key)) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function joinPath(dir: string, name: string): string {
  if (dir === "") return name;
  return dir.endsWith("/") || dir.endsWith("\\") ? dir + name : `${dir}/${name}`;
}

function splitPath(path: string): [string, string] {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (cut < 0) return ["", path];
  return [cut === 0 ? path.slice(0, 1) : path.slice(0, cut), path.slice(cut + 1)];
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
  /** The directory holding the checkpoint files (created on the first save; `""` = current). */
  readonly directory: string;
  readonly #suffix: string;
  readonly #encode: boolean;

  /**
   * Creates the store; nothing is read or written yet.
   *
   * @param directory The directory for the checkpoint files.
   * @param options The file-name suffix.
   */
  constructor(directory: string, options: FileCheckpointStoreOptions = {}) {
    this.directory = directory;
    this.#suffix = options.suffix ?? ".checkpoint.json";
    this.#encode = options.encodeKeys ?? true;
  }

  /**
   * A store and key for one checkpoint file at exactly `path` (no suffix, no encoding): what a
   * CLI option such as `--checkpoint state/users.json` needs.
   *
   * @param path The checkpoint file.
   * @returns The store (its directory is the file's) and the key (the file name).
   * @throws {CheckpointError} When `path` ends with a separator or names `.` or `..`.
   *
   * @example
   * ```ts
   * import { FileCheckpointStore } from "./checkpoint_file.ts";
   * import { strictEqual } from "node:assert/strict";
   *
   * const { store, key } = FileCheckpointStore.forFile("state/users eu.json");
   * strictEqual(key, "users eu.json");
   * strictEqual(store.pathFor(key), "state/users eu.json");
   * ```
   */
  static forFile(path: string): { store: FileCheckpointStore; key: string } {
    const [dir, name] = splitPath(path);
    const store = new FileCheckpointStore(dir, { suffix: "", encodeKeys: false });
    store.pathFor(name); // validates the name
    return { store, key: name };
  }

  /**
   * The file that holds the checkpoint under `key`: what the CLI shows the user.
   *
   * @param key The checkpoint's key.
   * @returns The file path.
   * @throws {CheckpointError} For an empty key, `.` or `..` (or a separator, without encoding).
   */
  pathFor(key: string): string {
    return joinPath(this.directory, encodeKey(key, this.#encode) + this.#suffix);
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
    if (this.directory !== "") await Deno.mkdir(this.directory, { recursive: true });
    // One fixed temp name per checkpoint: a process killed between open and rename leaves at most
    // this file, and the next save overwrites and renames it (a random name would stay forever).
    const temp = `${path}.tmp`;
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
    await syncDirectory(this.directory === "" ? "." : this.directory);
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
