/**
 * The lock of a job whose checkpoint is a file: `<checkpoint>.lock` beside it, created
 * atomically (`O_CREAT|O_EXCL`, so a link planted there is never followed), holding the run's
 * pid, host and start time, and locked with the operating system's exclusive file lock for as
 * long as the run goes. The operating system drops that lock when the process ends, however it
 * ends (SIGKILL, a crash, a power cut), so a lock file whose OS lock is free was left by a run
 * that is gone: the next run takes it over and says so. A lock left by another host is not taken
 * over (this host cannot see that host's processes); it names the host and what to delete.
 *
 * @module
 */
import {
  type CheckpointLock,
  describeOwner,
  lockHeld,
  type LockHolder,
  lockHolder,
  lockLost,
  lockOwner,
} from "./lock.ts";
import { LockError, type LockOwner } from "../errors.ts";
import { fileFailure, refuseSymlinks, samePath, writeAll } from "./_safe_files.ts";

/** Options of {@link acquireFileLock}. */
export interface FileLockOptions {
  /** The granted folder the lock file must stay within (see `refuseSymlinks`). */
  root?: string;
}

/** How often the lock file may change under us (released and created again) before giving up. */
const ATTEMPTS = 5;

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return lockOwner(JSON.parse(await Deno.readTextFile(path)));
  } catch {
    return undefined; // being written, damaged, or unreadable while locked (Windows)
  }
}

async function readAllText(file: Deno.FsFile): Promise<string> {
  await file.seek(0, Deno.SeekMode.Start);
  // A lock is a few hundred bytes: the first 4 KiB say all there is to say.
  const buffer = new Uint8Array(4096);
  let length = 0;
  while (length < buffer.length) {
    const n = await file.read(buffer.subarray(length));
    if (n === null) break;
    length += n;
  }
  return new TextDecoder().decode(buffer.subarray(0, length));
}

function otherHost(path: string, owner: LockOwner): LockError {
  return new LockError(
    `The lock '${path}' was left by ${
      describeOwner(owner)
    }, another host, and this host cannot tell whether that run still goes; if it has ended, delete '${path}' and run again`,
    { location: path, owner },
  );
}

/**
 * A lock file held by this process (see {@link acquireFileLock}).
 *
 * @example
 * ```ts
 * import { acquireFileLock } from "./_lock_file.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * await Deno.mkdir(".test-tmp", { recursive: true });
 * const dir = await Deno.makeTempDir({ dir: ".test-tmp" });
 * const lock = await acquireFileLock(`${dir}/job.lock`);
 * strictEqual(lock.held, true);
 * await lock.release();
 * strictEqual(lock.held, false);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FileLock implements CheckpointLock {
  /** The lock file. */
  readonly location: string;
  /** This run, as written in the file. */
  readonly holder: LockHolder;
  /** What the file said when this run took it over from a run that was gone. */
  readonly tookOver?: LockOwner;
  #file?: Deno.FsFile;
  readonly #info: Deno.FileInfo;

  /**
   * Wraps an acquired lock; use {@link acquireFileLock} to take one.
   *
   * @param location The lock file.
   * @param file The open, OS-locked file.
   * @param info Its identity (inode), to tell it from a file created later at the same path.
   * @param holder This run.
   * @param tookOver What a stale lock said, when one was taken over.
   */
  constructor(
    location: string,
    file: Deno.FsFile,
    info: Deno.FileInfo,
    holder: LockHolder,
    tookOver?: LockOwner,
  ) {
    this.location = location;
    this.#file = file;
    this.#info = info;
    this.holder = holder;
    this.tookOver = tookOver;
  }

  /** Whether this run still holds it (not released). */
  get held(): boolean {
    return this.#file !== undefined;
  }

  /**
   * Checks that the lock file is still this run's (not released, deleted or replaced).
   *
   * @throws {LockError} When it is not.
   */
  verify(): Promise<void> {
    if (this.#file && samePath(this.#info, this.location)) return Promise.resolve();
    return Promise.reject(lockLost(this.location));
  }

  /** Deletes the lock file and drops the OS lock; safe to call more than once. */
  releaseSync(): void {
    const file = this.#file;
    if (!file) return;
    this.#file = undefined;
    // Delete first, then close: a run that opened this file in between fails its OS lock, or
    // gets it only after the close and then finds the path gone and starts over.
    try {
      if (samePath(this.#info, this.location)) Deno.removeSync(this.location);
    } catch {
      // left behind: the next run finds its OS lock free and takes it over
    }
    try {
      file.close();
    } catch {
      // already closed
    }
  }

  /** Releases the lock (see {@link FileLock.releaseSync}). */
  release(): Promise<void> {
    this.releaseSync();
    return Promise.resolve();
  }

  /** Releases the lock. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

/**
 * Takes the lock file at `path` for this process: creates it atomically and locks it with the
 * OS's exclusive lock; when it exists and its OS lock is free (the run that made it is gone),
 * takes it over and records the old content in `tookOver`. The file then holds this run's pid,
 * host and start time as JSON.
 *
 * @param path The lock file, such as `output/users.jsonl.checkpoint.json.lock`.
 * @param options The granted root (the path and its folders below it must not be symbolic links).
 * @returns The held lock.
 * @throws {LockError} When a live run holds it, or it was left by a run on another host.
 * @throws {UsageError} When the path or a folder on its way is a symbolic link.
 * @throws {StorageError} When the file cannot be created or written (the message names it).
 *
 * @example
 * ```ts
 * import { acquireFileLock } from "./_lock_file.ts";
 * import { LockError } from "../errors.ts";
 * import { rejects, strictEqual } from "node:assert/strict";
 *
 * await Deno.mkdir(".test-tmp", { recursive: true });
 * const dir = await Deno.makeTempDir({ dir: ".test-tmp" });
 * await using first = await acquireFileLock(`${dir}/job.lock`);
 * strictEqual(first.holder.pid, Deno.pid);
 * await rejects(acquireFileLock(`${dir}/job.lock`), LockError);
 * await first.release();
 * await using second = await acquireFileLock(`${dir}/job.lock`);
 * strictEqual(second.tookOver, undefined);
 * await second.release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function acquireFileLock(
  path: string,
  options: FileLockOptions = {},
): Promise<FileLock> {
  const holder = lockHolder();
  const content = new TextEncoder().encode(JSON.stringify(holder) + "\n");
  const check = () => refuseSymlinks(path, { root: options.root, label: "lock file" });
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await check();
    let file: Deno.FsFile;
    let created = true;
    try {
      file = await Deno.open(path, { read: true, write: true, createNew: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) {
        throw fileFailure(error, "create the lock file", path);
      }
      created = false;
      try {
        await check(); // a link that exists now is refused before it is opened (and followed)
        file = await Deno.open(path, { read: true, write: true });
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) continue; // released meanwhile: create it
        throw fileFailure(error, "open the lock file", path);
      }
    }
    let kept = false;
    try {
      if (!(await file.tryLock(true))) throw lockHeld(path, await readOwner(path));
      const info = await file.stat();
      // Released (deleted) and maybe created again since it was opened: this file is not it.
      if (!samePath(info, path)) continue;
      const previous = created ? undefined : lockOwner(safeParse(await readAllText(file)));
      if (previous?.host && holder.host && previous.host !== holder.host) {
        throw otherHost(path, previous);
      }
      await file.truncate(0);
      await file.seek(0, Deno.SeekMode.Start);
      await writeAll(file, content);
      await file.sync();
      kept = true;
      const stale = previous && Object.keys(previous).length > 0 ? previous : undefined;
      return new FileLock(path, file, info, holder, stale);
    } catch (error) {
      throw fileFailure(error, "write the lock file", path);
    } finally {
      if (!kept) file.close();
    }
  }
  throw new LockError(
    `Cannot take the lock '${path}': it changed ${ATTEMPTS} times while this run took it (other runs are starting and ending); run again`,
    { location: path },
  );
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
