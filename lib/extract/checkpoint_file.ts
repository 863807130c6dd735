/**
 * A checkpoint store on the local disk: one JSON file per checkpoint, replaced atomically, with
 * a lock file beside it (one run per job), and never through a symbolic link.
 *
 * @module
 */
import type { Checkpoint, CheckpointStore } from "./checkpoint.ts";
import type { CheckpointLock } from "./lock.ts";
import { parseCheckpoint } from "./checkpoint_json.ts";
import { acquireFileLock, type FileLock } from "./_lock_file.ts";
import { CheckpointError, UsageError } from "../errors.ts";
import { fileFailure, refuseSymlinks, syncDirectory, writeAll } from "./_safe_files.ts";

/** Options of a {@link FileCheckpointStore}. */
export interface FileCheckpointStoreOptions {
  /**
   * Appended to the encoded key to form the file name.
   *
   * @default {".checkpoint.json"}
   */
  suffix?: string;
  /**
   * Percent-encode characters of the key other than `A-Z a-z 0-9 . _ -`. With `false` the key
   * is the file name as it is, and keys holding `/`, a backslash or NUL are refused.
   *
   * @default {true}
   */
  encodeKeys?: boolean;
  /**
   * The granted folder the checkpoint files must stay within: the checkpoint, its temp and lock
   * files and every folder below `root` on their way are refused when they are symbolic links.
   * Default: the current folder for a relative directory, the directory itself for an absolute
   * one.
   */
  root?: string;
  /**
   * Opens files; tests inject faults here.
   *
   * @default {Deno.open}
   */
  open?: typeof Deno.open;
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Keeps each checkpoint in a JSON file, `<directory>/<key><suffix>`, written atomically: a temp
 * file of this process (`<file>.<pid>.tmp`, created exclusively) in the same directory, fsync,
 * rename over the old one, fsync of the directory. Characters of the key other than
 * `A-Z a-z 0-9 . _ -` are percent-encoded in the file name.
 *
 * {@link FileCheckpointStore.lock} takes the job's lock, `<file>.lock` (see `_lock_file.ts`);
 * while it is held, every save first checks that the lock is still this run's. No file is read or
 * written through a symbolic link (see {@link FileCheckpointStoreOptions.root}).
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
  readonly #root?: string;
  readonly #open: typeof Deno.open;
  readonly #locks = new Map<string, FileLock>();

  /**
   * Creates the store; nothing is read or written yet.
   *
   * @param directory The directory for the checkpoint files.
   * @param options The file-name suffix, key encoding, granted root and file opener.
   */
  constructor(directory: string, options: FileCheckpointStoreOptions = {}) {
    this.directory = directory;
    this.#suffix = options.suffix ?? ".checkpoint.json";
    this.#encode = options.encodeKeys ?? true;
    this.#root = options.root;
    this.#open = options.open ?? Deno.open;
  }

  /**
   * A store and key for one checkpoint file at exactly `path` (no suffix, no encoding): what a
   * CLI option such as `--checkpoint state/users.json` needs.
   *
   * @param path The checkpoint file.
   * @param options The granted root and file opener (suffix and encoding do not apply).
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
  static forFile(
    path: string,
    options: Pick<FileCheckpointStoreOptions, "root" | "open"> = {},
  ): { store: FileCheckpointStore; key: string } {
    const [dir, name] = splitPath(path);
    const store = new FileCheckpointStore(dir, { ...options, suffix: "", encodeKeys: false });
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

  #check(path: string, label: string): Promise<void> {
    return refuseSymlinks(path, { root: this.#root, label });
  }

  /** Checks the checkpoint's path for links, then creates its folder. */
  async #prepare(path: string): Promise<void> {
    await this.#check(path, "checkpoint");
    if (this.directory === "") return;
    try {
      await Deno.mkdir(this.directory, { recursive: true });
    } catch (error) {
      if (
        error instanceof Deno.errors.AlreadyExists || error instanceof Deno.errors.NotADirectory
      ) {
        throw new UsageError(
          `Cannot create the checkpoint folder '${this.directory}': a file is in the way; choose another checkpoint path`,
        );
      }
      throw fileFailure(error, "create the folder", this.directory);
    }
  }

  /**
   * Takes the job's lock: `<checkpoint file>.lock`, created atomically and held with the OS's
   * exclusive file lock until released (see `acquireFileLock`). Leftover temp files of this
   * checkpoint (from a run killed while saving) are removed once the lock is held.
   *
   * @param key The checkpoint's key.
   * @returns The held lock.
   * @throws {LockError} When a live run holds it, or a run on another host left it.
   * @throws {UsageError} When the lock file, a leftover temp file or a folder on their way is a
   * symbolic link.
   */
  async lock(key: string): Promise<CheckpointLock> {
    const path = this.pathFor(key);
    await this.#prepare(path);
    const lock = await acquireFileLock(`${path}.lock`, { root: this.#root });
    try {
      await this.#removeLeftoverTemps(path);
    } catch (error) {
      lock.releaseSync();
      throw error;
    }
    this.#locks.set(key, lock);
    return lock;
  }

  async #removeLeftoverTemps(path: string): Promise<void> {
    const [dir, name] = splitPath(path);
    const pattern = new RegExp(`^${escapeRegExp(name)}\\.(?:\\d+\\.)?tmp$`);
    for await (const entry of Deno.readDir(dir === "" ? "." : dir)) {
      if (!pattern.test(entry.name)) continue;
      const temp = joinPath(dir, entry.name);
      await this.#check(temp, "checkpoint temp file");
      await Deno.remove(temp).catch(() => {});
    }
  }

  /**
   * Reads a checkpoint file.
   *
   * @param key The checkpoint's key.
   * @returns The checkpoint, or `undefined` when the file does not exist.
   * @throws {CheckpointError} When the file is not a valid checkpoint.
   * @throws {UsageError} When the file or a folder on its way is a symbolic link.
   */
  async load(key: string): Promise<Checkpoint | undefined> {
    const text = await this.loadText(key);
    return text === undefined ? undefined : parseCheckpoint(text, this.pathFor(key));
  }

  /**
   * Reads a text document kept as `<directory>/<key><suffix>`, such as a sync's manifest.
   *
   * @param key The document's key.
   * @returns The text, or `undefined` when the file does not exist.
   * @throws {UsageError} When the file or a folder on its way is a symbolic link.
   */
  async loadText(key: string): Promise<string | undefined> {
    const path = this.pathFor(key);
    await this.#check(path, "checkpoint");
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw fileFailure(error, "read", path);
    }
  }

  /**
   * Writes a checkpoint file atomically (a temp file of this process, fsync, rename, directory
   * fsync), after checking that this run still holds the job's lock when it took one.
   *
   * @param key The checkpoint's key.
   * @param checkpoint The checkpoint.
   * @throws {LockError} When this store took the job's lock and it is no longer this run's.
   * @throws {UsageError} When the checkpoint, its temp file or a folder on their way is a
   * symbolic link.
   * @throws {StorageError} When the disk is full or a file is not writable (the message names it).
   */
  async save(key: string, checkpoint: Checkpoint): Promise<void> {
    await this.saveText(key, JSON.stringify(checkpoint, null, 2) + "\n");
  }

  /**
   * Writes a text document atomically, as {@link FileCheckpointStore.save} writes a checkpoint
   * (a temp file of this process, fsync, rename, directory fsync), after checking that this run
   * still holds the lock of `key` when it took it.
   *
   * @param key The document's key.
   * @param text The text.
   * @throws {LockError} When this store took the lock of `key` and it is no longer this run's.
   * @throws {UsageError} When the file, its temp file or a folder on their way is a symbolic link.
   * @throws {StorageError} When the disk is full or a file is not writable (the message names it).
   */
  async saveText(key: string, text: string): Promise<void> {
    const path = this.pathFor(key);
    const lock = this.#locks.get(key);
    if (lock?.held) await lock.verify();
    await this.#prepare(path);
    // This process's own temp name: two processes never write the same temp file, and a process
    // killed mid-save leaves one that the next run's lock removes.
    const temp = `${path}.${Deno.pid}.tmp`;
    const data = new TextEncoder().encode(text);
    let step: [string, string] = ["create", temp];
    try {
      {
        // createNew never follows a link: a leftover under this name is refused or replaced.
        using file = await this.#createTemp(temp);
        step = ["write", temp];
        await writeAll(file, data);
        await file.sync();
      }
      step = ["write", path];
      await Deno.rename(temp, path);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw fileFailure(error, ...step);
    }
    await syncDirectory(this.directory === "" ? "." : this.directory);
  }

  async #createTemp(temp: string): Promise<Deno.FsFile> {
    const create = () => this.#open(temp, { write: true, createNew: true });
    try {
      return await create();
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    await this.#check(temp, "checkpoint temp file");
    await Deno.remove(temp);
    return await create();
  }

  /**
   * Deletes a checkpoint file.
   *
   * @param key The checkpoint's key.
   * @throws {UsageError} When a folder on its way is a symbolic link.
   */
  async delete(key: string): Promise<void> {
    const path = this.pathFor(key);
    await this.#check(path, "checkpoint");
    try {
      await Deno.remove(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw fileFailure(error, "delete", path);
    }
  }
}
