/**
 * Relative paths the user types are relative to where they typed the command. A `deno task` (and
 * an npm script) runs in the project folder and says where the user was in `INIT_CWD`; paths are
 * resolved against that folder, so `cd reports && deno task -q extract users -o users.csv` writes
 * `reports/users.csv`, and the permission check asks for that folder.
 *
 * @module
 */

import { envPermitted } from "./env.ts";
import type { ParsedCommand } from "./spec.ts";

/** The variable a task runner sets to the folder the command was typed in. */
export const INIT_CWD_ENV = "INIT_CWD";

/** Options whose values are file or folder paths. */
export const PATH_OPTIONS: readonly string[] = Object.freeze([
  "output",
  "checkpoint",
  "filter-file",
  "env-file",
  "dir",
]);

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(path);
}

/** `a/./b/../c` → `a/c`, with `/` separators; leading `..` of a relative path stay. */
function normalize(path: string): string {
  const root = /^([A-Za-z]:)?[\\/]/.exec(path)?.[0].replace("\\", "/") ?? "";
  const parts: string[] = [];
  for (const part of path.slice(root.length).split(/[\\/]+/)) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0 && parts.at(-1) !== "..") parts.pop();
    else if (part !== ".." || root === "") parts.push(part);
  }
  return root + parts.join("/") || ".";
}

/**
 * Resolves a path the user typed against the folder they typed it in.
 *
 * @param path The path as given.
 * @param userCwd The folder the user was in (`INIT_CWD`), when it is known.
 * @param cwd The process's folder (the project folder under a task).
 * @returns `path` unchanged when it is absolute, `-`, or the two folders are the same; otherwise
 * the resolved path, relative to `cwd` when it lies inside it, else absolute.
 *
 * @example
 * ```ts
 * import { resolveUserPath } from "./paths.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(resolveUserPath("users.csv", "/work/app/output", "/work/app"), "output/users.csv");
 * strictEqual(resolveUserPath("../a.csv", "/work/app/output", "/work/app"), "a.csv");
 * strictEqual(resolveUserPath("x.csv", "/home/me", "/work/app"), "/home/me/x.csv");
 * strictEqual(resolveUserPath("x.csv", "/work/app", "/work/app"), "x.csv");
 * strictEqual(resolveUserPath("/tmp/x.csv", "/home/me", "/work/app"), "/tmp/x.csv");
 * ```
 */
export function resolveUserPath(
  path: string,
  userCwd: string | undefined,
  cwd: string,
): string {
  if (userCwd === undefined || userCwd === "" || path === "-" || path === "") return path;
  if (isAbsolute(path)) return path;
  const here = normalize(cwd);
  const there = normalize(userCwd);
  if (here === there) return path;
  const resolved = normalize(`${there}/${path}`);
  const inside = here.endsWith("/") ? here : `${here}/`;
  const trailing = /[\\/]$/.test(path) ? "/" : "";
  const shown = resolved.startsWith(inside) ? resolved.slice(inside.length) : resolved;
  return shown + (shown.endsWith("/") ? "" : trailing);
}

/**
 * The folder the user typed the command in, when a task runner said so and reading it is
 * permitted, else `undefined` (paths are then relative to the process's folder, as usual).
 *
 * @returns The folder, or `undefined`.
 *
 * @example
 * ```ts
 * import { userCwd } from "./paths.ts";
 * import { ok } from "node:assert/strict";
 *
 * const folder = userCwd();
 * ok(folder === undefined || folder.length > 0);
 * ```
 */
export function userCwd(): string | undefined {
  if (!envPermitted(INIT_CWD_ENV)) return undefined;
  return Deno.env.get(INIT_CWD_ENV)?.trim() || undefined;
}

/**
 * Resolves every path option of a parsed command in place (see {@link resolveUserPath}), before
 * the command checks its permissions, so the checks ask for the folders actually used.
 *
 * @param parsed The parsed command; its `strings` are updated.
 * @param from The folder the user typed the command in ({@link userCwd}), if known.
 * @param cwd The process's folder (`Deno.cwd()`).
 *
 * @example
 * ```ts
 * import { resolvePathOptions } from "./paths.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const parsed = { positionals: [], strings: { output: "u.csv", region: "x" }, lists: {}, flags: {} };
 * resolvePathOptions(parsed, "/work/app/output", "/work/app");
 * strictEqual(parsed.strings.output, "output/u.csv");
 * strictEqual(parsed.strings.region, "x");
 * ```
 */
export function resolvePathOptions(
  parsed: ParsedCommand,
  from: string | undefined,
  cwd: string,
): void {
  for (const name of PATH_OPTIONS) {
    const value = parsed.strings[name];
    if (value !== undefined) parsed.strings[name] = resolveUserPath(value, from, cwd);
  }
}

/**
 * Where a task may read and write, for permission hints: `.` and `./output` when the user typed
 * the command in the project folder, the project folder by name when they typed it elsewhere
 * (relative paths then resolve against their folder, not the project's).
 *
 * @param from The folder the user typed the command in ({@link userCwd}), if known.
 * @param cwd The process's folder (`Deno.cwd()`).
 * @returns The two folders as a hint names them.
 *
 * @example
 * ```ts
 * import { taskFolders } from "./paths.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(taskFolders(undefined, "/work/app"), { read: ".", write: "./output" });
 * deepStrictEqual(taskFolders("/work/app/docs", "/work/app"), {
 *   read: "the project folder '/work/app'",
 *   write: "'/work/app/output'",
 * });
 * ```
 */
export function taskFolders(
  from: string | undefined,
  cwd: string,
): { read: string; write: string } {
  const here = normalize(cwd);
  if (from === undefined || normalize(from) === here) return { read: ".", write: "./output" };
  return { read: `the project folder '${here}'`, write: `'${here}/output'` };
}
