/**
 * Permission checks before a command starts: every grant it will need is queried (never
 * prompted for), and what is missing becomes one line naming the flags to add.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import type { ResolvedRegion } from "../client/region.ts";

/** A permission a command needs, and why. */
export interface PermissionNeed {
  /** The permission: `net`, `read`, `write`, `env` or `run`. */
  name: "net" | "read" | "write" | "env" | "run";
  /** The host (`api.mypurecloud.ie`, `127.0.0.1:8080`), path, variable name or program. */
  target: string;
  /** What it is for, such as `the output file 'out/users.jsonl'`. */
  why: string;
}

/** A command lacks a grant. The CLI maps it to exit code 2. */
export class MissingPermissionError extends UsageError {
  /** What is missing. */
  readonly missing: readonly PermissionNeed[];

  /**
   * Creates the error; the message names the flags to add.
   *
   * @param missing The needs that are not granted.
   * @param hint What else to say, such as what a task grants.
   */
  constructor(missing: readonly PermissionNeed[], hint?: string) {
    super(missingMessage(missing) + (hint ? `; ${hint}` : ""));
    this.missing = missing;
  }
}

/**
 * The directory part of a path (`.` for a bare file name).
 *
 * @param path A file path.
 * @returns Its directory.
 *
 * @example
 * ```ts
 * import { dirname } from "./permissions.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(dirname("output/users.jsonl"), "output");
 * strictEqual(dirname("users.jsonl"), ".");
 * strictEqual(dirname("/users.jsonl"), "/");
 * ```
 */
export function dirname(path: string): string {
  const normalized = path.replace(/[\\/]+$/, "");
  const index = Math.max(normalized.lastIndexOf("/"), normalized.lastIndexOf("\\"));
  if (index === -1) return ".";
  if (index === 0) return normalized[0];
  return normalized.slice(0, index);
}

/**
 * The `--allow-*` flags that grant `needs`, grouped by permission.
 *
 * @param needs The permissions.
 * @returns Flags such as `--allow-net=api.mypurecloud.ie,login.mypurecloud.ie`.
 *
 * @example
 * ```ts
 * import { flagsFor } from "./permissions.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(flagsFor([
 *   { name: "net", target: "api.mypurecloud.ie", why: "the API" },
 *   { name: "net", target: "login.mypurecloud.ie", why: "tokens" },
 *   { name: "write", target: "output", why: "the output" },
 * ]), ["--allow-net=api.mypurecloud.ie,login.mypurecloud.ie", "--allow-write=output"]);
 * ```
 */
export function flagsFor(needs: readonly PermissionNeed[]): string[] {
  const byName = new Map<string, string[]>();
  for (const need of needs) {
    const list = byName.get(need.name) ?? [];
    if (!list.includes(need.target)) list.push(need.target);
    byName.set(need.name, list);
  }
  return [...byName].map(([name, targets]) => `--allow-${name}=${targets.join(",")}`);
}

function missingMessage(missing: readonly PermissionNeed[]): string {
  const what = missing.map((need) => `${need.name} '${need.target}' (${need.why})`).join(", ");
  return `Missing permission${missing.length > 1 ? "s" : ""}: ${what}: run again with ${
    flagsFor(missing).join(" ")
  }`;
}

/**
 * Network permissions for a region: its API and login hosts (with the port of a base URL).
 *
 * @param region The resolved region.
 * @returns The needs, one per distinct host.
 *
 * @example
 * ```ts
 * import { regionNeeds } from "./permissions.ts";
 * import { resolveRegion } from "../client/region.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(regionNeeds(resolveRegion("eu-west-1")).map((n) => n.target), [
 *   "api.mypurecloud.ie",
 *   "login.mypurecloud.ie",
 * ]);
 * ```
 */
export function regionNeeds(region: ResolvedRegion): PermissionNeed[] {
  const api = new URL(region.apiBaseUrl).host;
  const login = new URL(region.loginBaseUrl).host;
  const needs: PermissionNeed[] = [{
    name: "net",
    target: api,
    why: `the API of '${region.name}'`,
  }];
  if (login !== api) {
    needs.push({ name: "net", target: login, why: `tokens from '${region.name}'` });
  }
  return needs;
}

/**
 * Read and write permissions for an output file and its checkpoint: both directories are needed
 * because files are written as `<file>.partial` and renamed, and resuming reads what is there.
 *
 * @param output The output path (`-` for stdout needs nothing).
 * @param checkpoint The checkpoint path, when it is a file.
 * @returns The needs.
 *
 * @example
 * ```ts
 * import { fileNeeds } from "./permissions.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(fileNeeds("out/users.jsonl", "out/users.jsonl.checkpoint.json").map((n) => `${n.name} ${n.target}`), [
 *   "read out",
 *   "write out",
 * ]);
 * ```
 */
export function fileNeeds(output: string, checkpoint?: string): PermissionNeed[] {
  const needs: PermissionNeed[] = [];
  const add = (path: string, label: string) => {
    const dir = dirname(path);
    for (const name of ["read", "write"] as const) {
      if (!needs.some((n) => n.name === name && n.target === dir)) {
        needs.push({ name, target: dir, why: `${label} '${path}'` });
      }
    }
  };
  if (output !== "-") add(output, "the output");
  if (checkpoint !== undefined) add(checkpoint, "the checkpoint");
  return needs;
}

function writeGranted(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "write", path }).state === "granted";
  } catch {
    return false;
  }
}

/**
 * The granted folder a file is written under: the shortest prefix of its path that write
 * permission covers (`output` for the `extract` task). Files and folders below it are checked for
 * symbolic links; the root itself is the user's choice and is trusted. With write access to
 * everything, the root is the current folder for a relative path and the file's own folder for
 * an absolute one (so a system's own links, such as `/tmp` on macOS, are not refused).
 *
 * @param path The file (relative or absolute).
 * @returns The root, in the same form as `path`.
 *
 * @example
 * ```ts
 * import { writeRoot } from "./permissions.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * // Under `deno task test`, writes are granted in .test-tmp only.
 * strictEqual(writeRoot(".test-tmp/run/out.jsonl"), ".test-tmp");
 * ```
 */
export function writeRoot(path: string): string {
  const absolute = /^[\\/]/.test(path);
  const parts = path.split(/[\\/]+/).filter((p) => p !== "" && p !== ".");
  if (absolute) {
    if (writeGranted("/")) return dirname(path);
    let prefix = "";
    for (const part of parts.slice(0, -1)) {
      prefix += `/${part}`;
      if (writeGranted(prefix)) return prefix;
    }
    return dirname(path);
  }
  if (writeGranted(".")) return ".";
  let prefix = "";
  for (const part of parts.slice(0, -1)) {
    prefix = prefix === "" ? part : `${prefix}/${part}`;
    if (writeGranted(prefix)) return prefix;
  }
  return dirname(path);
}

/**
 * Which of `needs` are not granted (queried without prompting).
 *
 * @param needs The permissions to check.
 * @returns The missing ones, in order.
 *
 * @example
 * ```ts
 * import { missingPermissions } from "./permissions.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(Array.isArray(missingPermissions([{ name: "env", target: "HOME", why: "a test" }])));
 * ```
 */
export function missingPermissions(needs: readonly PermissionNeed[]): PermissionNeed[] {
  return needs.filter((need) => {
    const descriptor: Deno.PermissionDescriptor = need.name === "net"
      ? { name: "net", host: need.target }
      : need.name === "env"
      ? { name: "env", variable: need.target }
      : need.name === "run"
      ? { name: "run", command: need.target }
      : { name: need.name, path: need.target };
    try {
      return Deno.permissions.querySync(descriptor).state !== "granted";
    } catch {
      return true;
    }
  });
}

/**
 * Throws when any of `needs` is not granted, naming every missing flag in one line.
 *
 * @param needs The permissions the command will use.
 * @param hint What else to say when something is missing.
 * @throws {MissingPermissionError} When something is missing.
 *
 * @example
 * ```ts
 * import { requirePermissions } from "./permissions.ts";
 *
 * requirePermissions([]); // nothing needed, nothing thrown
 * ```
 */
export function requirePermissions(needs: readonly PermissionNeed[], hint?: string): void {
  const missing = missingPermissions(needs);
  if (missing.length > 0) throw new MissingPermissionError(missing, hint);
}
