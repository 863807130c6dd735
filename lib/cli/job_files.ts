/**
 * The files of a job before its run starts: the output's folder (created, and refused when it,
 * the output or its `.partial` is a symbolic link below the granted root), the job's lock
 * (taken before any file of the job is read or written), the checkpoint, and whether the output
 * may be replaced (`--force`, or `--restart` when the checkpoint covers the output).
 *
 * @module
 */

import type { Checkpoint } from "../extract/checkpoint.ts";
import type { CheckpointLock } from "../extract/lock.ts";
import type { FileCheckpointStore } from "../extract/checkpoint_file.ts";
import { CheckpointError, UsageError } from "../errors.ts";
import { fileFailure, refuseSymlinks } from "../extract/_safe_files.ts";
import { dirname, writeRoot } from "./permissions.ts";

/** What {@link openJobFiles} needs to know of the command's settings. */
export interface JobFileSettings {
  /** The output path, or `-` for stdout. */
  output: string;
  /** `--restart`. */
  restart: boolean;
  /** `--force`. */
  force: boolean;
}

/** The job's files, ready for the run. */
export interface JobFiles {
  /** The job's lock (none without a checkpoint); release it when the run ends. */
  lock?: CheckpointLock;
  /** The checkpoint as stored (also for `--restart`; a corrupt one then counts as none). */
  loaded?: Checkpoint;
  /** Whether the sink may replace an existing output. */
  overwrite: boolean;
  /** The granted folder the output stays within (see `writeRoot`), for a file output. */
  outputRoot?: string;
}

/**
 * Whether something exists at `path` (a link counts; it is not followed).
 *
 * @param path Any path.
 * @returns True when `lstat` finds it.
 *
 * @example
 * ```ts
 * import { exists } from "./job_files.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(await exists("deno.json"), true);
 * ```
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the output's folder, and refuses, before anything is read or written, an output that is
 * a directory or lies under a file (the rename at the end would fail after all the work), or
 * that, its `.partial` or a folder on their way is a symbolic link below `root`.
 */
async function prepareOutput(output: string, example: string, root: string): Promise<void> {
  await refuseSymlinks(output, { root, label: "output" });
  await refuseSymlinks(`${output}.partial`, { root, label: "partial output" });
  const dir = dirname(output);
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists || error instanceof Deno.errors.NotADirectory) {
      throw new UsageError(
        `Cannot create the folder '${dir}' for the output '${output}': a file is in the way; choose another output path`,
      );
    }
    throw fileFailure(error, "create the folder", dir);
  }
  const info = await Deno.stat(output).catch(() => undefined);
  if (info?.isDirectory) {
    throw new UsageError(
      `Output '${output}' is a directory: give a file name such as '${output}/${example}'`,
    );
  }
}

/**
 * Readies a job's files: checks and creates the output's folder, takes the job's lock (a second
 * run of the job stops here with a `LockError`, exit code 6), reads the checkpoint and decides
 * whether the output may be replaced. On any failure after the lock was taken, it is released.
 *
 * @param settings Output, `--restart` and `--force`.
 * @param checkpoint The checkpoint's store and key (none for stdout).
 * @param example A file name for the message about an output that is a folder.
 * @param onLocked Called as soon as the lock is held (the CLI releases it on a forced exit).
 * @returns The lock, the checkpoint, the permission to overwrite and the output's root.
 * @throws {LockError} When another run of the job holds its lock.
 * @throws {UsageError} For a symbolic link, an output that is a folder or under a file, or an
 * existing output that `--restart` may not replace.
 * @throws {CheckpointError} For a corrupt checkpoint (without `--restart`).
 *
 * @example
 * ```ts
 * import { openJobFiles } from "./job_files.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * // Standard output: no files, no lock.
 * const files = await openJobFiles({ output: "-", restart: false, force: false }, undefined, "x");
 * strictEqual(files.lock, undefined);
 * ```
 */
export async function openJobFiles(
  settings: JobFileSettings,
  checkpoint: { store: FileCheckpointStore; key: string } | undefined,
  example: string,
  onLocked: (lock: CheckpointLock) => void = () => {},
): Promise<JobFiles> {
  const toFile = settings.output !== "-";
  const outputRoot = toFile ? writeRoot(settings.output) : undefined;
  if (toFile) await prepareOutput(settings.output, example, outputRoot!);
  if (!checkpoint) return { overwrite: settings.force, outputRoot };
  const lock = await checkpoint.store.lock(checkpoint.key);
  onLocked(lock);
  try {
    let loaded: Checkpoint | undefined;
    try {
      loaded = await checkpoint.store.load(checkpoint.key);
    } catch (error) {
      if (!(settings.restart && error instanceof CheckpointError)) throw error;
    }
    // --restart replaces an output only when the checkpoint covers it (this job's checkpoint
    // names it); any other existing file still needs --force.
    const covered = loaded !== undefined && loaded.output === settings.output;
    const overwrite = settings.force || (settings.restart && covered);
    if (settings.restart && !overwrite && toFile && await exists(settings.output)) {
      throw new UsageError(
        `Output '${settings.output}' already exists and no checkpoint covers it, so --restart does not replace it; add --force to overwrite it, or choose another file`,
      );
    }
    return { lock, loaded, overwrite, outputRoot };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
