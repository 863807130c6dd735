/**
 * File handling shared by the file sink, the file checkpoint store and its lock: no writing
 * through symbolic links (the path and every folder between the granted root and it are checked
 * with `lstat` before use), operating-system failures that name the file (a full disk, a file
 * that is not writable), and the small helpers both need (write everything, fsync a folder).
 *
 * Deno's `--allow-write=<folder>` does not resolve symbolic links: `output/link/x.jsonl` with
 * `output/link -> /elsewhere` is "inside" `output` for the permission check and still writes
 * elsewhere. The check here closes that door for links that exist before the file is used (a
 * leftover, a mistake, a planted link); it is not a defence against a process that swaps folders
 * while the run is writing.
 *
 * @module
 */
import { GenesysError, StorageError, UsageError } from "../errors.ts";

/**
 * The folder part of a path (`.` for a bare name, `/` for a file at the root).
 *
 * @param path A file path.
 * @returns Its folder.
 *
 * @example
 * ```ts
 * import { parentOf } from "./_safe_files.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(parentOf("output/users.jsonl"), "output");
 * strictEqual(parentOf("users.jsonl"), ".");
 * ```
 */
export function parentOf(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut < 0 ? "." : cut === 0 ? path.slice(0, 1) : path.slice(0, cut);
}

/** Options of {@link refuseSymlinks}. */
export interface SymlinkCheckOptions {
  /**
   * The folder the file must stay within, as granted (`output` for the `extract` task): it is
   * trusted, and every folder below it on the way to the file is checked. Default: the current
   * folder for a relative path (every component is checked), the file's own folder for an
   * absolute one (only the file is checked).
   */
  root?: string;
  /** What the file is, for the message: `output`, `checkpoint`, ... */
  label: string;
}

function trimSeparators(path: string): string {
  return path.length > 1 ? path.replace(/[\\/]+$/, "") : path;
}

/** The prefixes of `path` below `root`, shortest first, `path` itself last. */
function componentsBelow(path: string, root: string | undefined): string[] {
  const normalized = trimSeparators(path.replace(/[\\/]+/g, "/"));
  const base = root === undefined
    ? (normalized.startsWith("/") ? parentOf(normalized) : ".")
    : trimSeparators(root.replace(/[\\/]+/g, "/"));
  let rest: string;
  let prefix: string;
  if (base === "." && !normalized.startsWith("/")) {
    rest = normalized.replace(/^(\.\/)+/, "");
    prefix = "";
  } else if (normalized === base) {
    return [];
  } else if (normalized.startsWith(base === "/" ? "/" : `${base}/`)) {
    rest = normalized.slice(base === "/" ? 1 : base.length + 1);
    prefix = base === "/" ? "/" : `${base}/`;
  } else {
    // Not under the root as written: every component of the path is checked.
    rest = normalized.replace(/^\//, "");
    prefix = normalized.startsWith("/") ? "/" : "";
  }
  const parts = rest.split("/").filter((p) => p !== "" && p !== ".");
  const out: string[] = [];
  let current = prefix;
  for (const part of parts) {
    current = current === "" || current.endsWith("/") ? current + part : `${current}/${part}`;
    out.push(current);
  }
  return out;
}

/**
 * Refuses a path that is a symbolic link or lies under one, below the granted root: each folder
 * between `root` and `path`, and `path` itself, is checked with `lstat` (components that do not
 * exist yet end the check: they will be created as real folders and files).
 *
 * @param path The file about to be read or written.
 * @param options The granted root and what the file is.
 * @throws {UsageError} When a component is a symbolic link; the message names it, where it
 * leads when readable, and what to do.
 *
 * @example
 * ```ts
 * import { refuseSymlinks } from "./_safe_files.ts";
 *
 * // Checks output/2026/ and output/2026/users.jsonl (where they exist); output/ is trusted.
 * await refuseSymlinks("output/2026/users.jsonl", { root: "output", label: "output" });
 * ```
 */
export async function refuseSymlinks(path: string, options: SymlinkCheckOptions): Promise<void> {
  for (const component of componentsBelow(path, options.root)) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(component);
    } catch (error) {
      // Nothing further exists (or a file is in the way, which the caller reports as such).
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
        return;
      }
      throw error;
    }
    if (info.isSymlink) throw symlinkRefusal(component, path, options);
  }
}

function symlinkRefusal(link: string, path: string, options: SymlinkCheckOptions): UsageError {
  let target = "";
  try {
    target = ` to '${Deno.readLinkSync(link)}'`;
  } catch {
    // unreadable: the message goes without it
  }
  const leaf = trimSeparators(link) === trimSeparators(path);
  const where = options.root !== undefined && options.root !== "."
    ? `'${options.root}'`
    : /^[\\/]/.test(path) && options.root === undefined
    ? "its folder"
    : "the current folder";
  const what = leaf
    ? `The ${options.label} '${path}' is a symbolic link${target}`
    : `The folder '${link}' on the way to the ${options.label} '${path}' is a symbolic link${target}`;
  const fix = leaf
    ? "delete the link or choose another path"
    : "replace it with a real folder or choose another path";
  return new UsageError(
    `${what}: refusing to write through it, as it can lead outside ${where}; ${fix}`,
  );
}

const FIXES: Record<string, string> = {
  ENOSPC: "free some space, then run the same command again to resume",
  EDQUOT: "the disk quota is used up: free some space, then run the same command again to resume",
  EACCES: "check that the file and its folder are writable by this user",
  EPERM: "check that the file and its folder are writable by this user",
  EROFS: "the file system is read-only: choose a writable folder",
  EIO: "the disk reported an error: check it, then run the same command again to resume",
};

/**
 * Turns an operating-system failure on a file into a {@link StorageError} that names the file
 * and the fix (a full disk, a file that is not writable). Toolkit errors, Deno's permission
 * errors (`NotCapable`: the CLI names the flag to add) and anything that is not an `Error` pass
 * through unchanged.
 *
 * @param error What the file operation threw.
 * @param action What was being done, such as `write` or `create`.
 * @param path The file.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import { fileFailure } from "./_safe_files.ts";
 * import { StorageError } from "../errors.ts";
 * import { ok, match } from "node:assert/strict";
 *
 * const full = Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
 * const error = fileFailure(full, "write", "out/users.jsonl.partial");
 * ok(error instanceof StorageError);
 * match(error.message, /^Cannot write 'out\/users.jsonl.partial': no space left on device/);
 * ```
 */
export function fileFailure(error: unknown, action: string, path: string): unknown {
  if (
    !(error instanceof Error) || error instanceof GenesysError ||
    error instanceof Deno.errors.NotCapable
  ) {
    return error;
  }
  const code = (error as { code?: unknown }).code;
  const osCode = typeof code === "string"
    ? code
    : error instanceof Deno.errors.PermissionDenied
    ? "EACCES"
    : undefined;
  // Deno appends the operation and path ("...: open 'x'"); the message names the file itself.
  const reason = error.message.replace(/: \w+ '[^']*'( -> '[^']*')?$/, "");
  const said = reason.charAt(0).toLowerCase() + reason.slice(1);
  const fix = osCode !== undefined ? FIXES[osCode] : undefined;
  return new StorageError(`Cannot ${action} '${path}': ${said}${fix ? `; ${fix}` : ""}`, {
    path,
    code: osCode,
  }, { cause: error });
}

/**
 * Whether `path` still names the file that `info` (from the open handle's `stat()`) describes:
 * not deleted, not replaced, not a symbolic link. Where the platform has no inode numbers only
 * the link check applies.
 *
 * @param info The open file's `stat()`.
 * @param path The path it was opened by.
 * @returns True when the path leads to that same file without a link.
 *
 * @example
 * ```ts
 * import { samePath } from "./_safe_files.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * using file = await Deno.open("deno.json");
 * strictEqual(samePath(await file.stat(), "deno.json"), true);
 * strictEqual(samePath(await file.stat(), "no-such-file.json"), false);
 * ```
 */
export function samePath(info: Deno.FileInfo, path: string): boolean {
  let now: Deno.FileInfo;
  try {
    now = Deno.lstatSync(path);
  } catch {
    return false;
  }
  if (now.isSymlink) return false;
  return info.ino === null || now.ino === null || (info.ino === now.ino && info.dev === now.dev);
}

/**
 * Writes all of `data` (a single `write` may write less).
 *
 * @param file The open file.
 * @param data The bytes.
 *
 * @example
 * ```ts
 * import { writeAll } from "./_safe_files.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * // A writer that takes at most 2 bytes per call.
 * let text = "";
 * const slow = {
 *   write(p: Uint8Array): Promise<number> {
 *     const n = Math.min(2, p.length);
 *     text += new TextDecoder().decode(p.subarray(0, n));
 *     return Promise.resolve(n);
 *   },
 * };
 * await writeAll(slow, new TextEncoder().encode("hello"));
 * strictEqual(text, "hello");
 * ```
 */
export async function writeAll(
  file: { write(p: Uint8Array): Promise<number> },
  data: Uint8Array,
): Promise<void> {
  let written = 0;
  while (written < data.length) written += await file.write(data.subarray(written));
}

/**
 * Makes a rename or a new file in `dir` durable (fsync of the folder) on POSIX; best effort
 * (folders cannot be opened this way on Windows).
 *
 * @param dir The folder.
 *
 * @example
 * ```ts
 * import { syncDirectory } from "./_safe_files.ts";
 *
 * await syncDirectory(".");
 * ```
 */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    using handle = await Deno.open(dir, { read: true });
    await handle.sync();
  } catch {
    // best effort
  }
}
