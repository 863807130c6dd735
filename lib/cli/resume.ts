/**
 * The exact command that resumes a stopped run: the same arguments, without `--restart`, with a
 * relative time range (`--yesterday`, `--since 24h`) pinned to the interval this run used, and
 * prefixed the way the CLI was started (a `deno task`, a compiled binary, or `deno run` with the
 * permission flags it needs).
 *
 * @module
 */

/** The environment variable a `deno task` sets to say how it starts the CLI. */
export const INVOCATION_ENV = "GENESYS_BATCH_INVOCATION";

/** Options that describe the time range; replaced by `--interval` in the resume command. */
const RELATIVE_TIME_OPTIONS = new Set(["--since", "--until", "--yesterday", "--interval"]);
const RELATIVE_TIME_WITH_VALUE = new Set(["--since", "--until", "--interval"]);

/**
 * Quotes one argument for a POSIX shell when it needs it.
 *
 * @param arg The argument.
 * @returns The argument, single-quoted when it holds anything but safe characters.
 *
 * @example
 * ```ts
 * import { shellQuote } from "./resume.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(shellQuote("output/users.jsonl"), "output/users.jsonl");
 * strictEqual(shellQuote('{"a": 1}'), `'{"a": 1}'`);
 * strictEqual(shellQuote("it's"), `'it'\\''s'`);
 * ```
 */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Options of {@link resumeArgs}. */
export interface ResumeArgsOptions {
  /** The interval this run used (`start/end`), pinned in place of relative options. */
  interval?: string;
}

/**
 * The arguments that resume a run: `--restart` dropped, and, when `interval` is given, every
 * time-range option (`--interval`, `--since`, `--until`, `--yesterday`) replaced by one
 * `--interval <interval>`, so the resumed run asks for exactly the same records.
 *
 * @param args The original arguments (command first).
 * @param options The interval to pin.
 * @returns The arguments for the resume command.
 *
 * @example
 * ```ts
 * import { resumeArgs } from "./resume.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(
 *   resumeArgs(["conversations", "--yesterday", "--restart", "-o", "out/c.jsonl"], {
 *     interval: "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z",
 *   }),
 *   ["conversations", "-o", "out/c.jsonl", "--interval", "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z"],
 * );
 * ```
 */
export function resumeArgs(args: readonly string[], options: ResumeArgsOptions = {}): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    const name = arg.split("=")[0];
    if (name === "--restart") continue;
    if (options.interval !== undefined && RELATIVE_TIME_OPTIONS.has(name)) {
      if (RELATIVE_TIME_WITH_VALUE.has(name) && !arg.includes("=")) i++;
      continue;
    }
    out.push(arg);
  }
  if (options.interval !== undefined) out.push("--interval", options.interval);
  return out;
}

/** How the CLI was started, for {@link resumeCommand}. */
export interface Invocation {
  /** What a task said (`deno task extract`), from {@link INVOCATION_ENV}. */
  task?: string;
  /** True in a `deno compile` binary. */
  standalone: boolean;
  /** The binary's path (`Deno.execPath()`). */
  execPath: string;
  /** The main module's URL (`Deno.mainModule`). */
  mainModule: string;
  /** The current directory, to shorten a local main module's path (`Deno.cwd()`). */
  cwd?: string;
  /** The permission flags a `deno run` needs, such as `--allow-net=...`. */
  permissionFlags: readonly string[];
}

/**
 * The command line that resumes a run.
 *
 * @param args The resume arguments (see {@link resumeArgs}).
 * @param invocation How the CLI was started.
 * @returns One shell command line.
 *
 * @example
 * ```ts
 * import { resumeCommand } from "./resume.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(
 *   resumeCommand(["users", "-o", "output/users.csv"], {
 *     standalone: false,
 *     execPath: "/usr/bin/deno",
 *     mainModule: "file:///home/me/toolkit/cli.ts",
 *     cwd: "/home/me/toolkit",
 *     permissionFlags: ["--allow-net=api.mypurecloud.ie,login.mypurecloud.ie", "--allow-write=output"],
 *   }),
 *   "deno run --allow-net=api.mypurecloud.ie,login.mypurecloud.ie --allow-write=output cli.ts users -o output/users.csv",
 * );
 * ```
 */
export function resumeCommand(args: readonly string[], invocation: Invocation): string {
  const quoted = args.map(shellQuote);
  if (invocation.task) return [invocation.task, ...quoted].join(" ");
  if (invocation.standalone) return [shellQuote(invocation.execPath), ...quoted].join(" ");
  let main = invocation.mainModule;
  if (main.startsWith("file://")) {
    const path = decodeURIComponent(new URL(main).pathname);
    const cwd = invocation.cwd?.replace(/\/+$/, "");
    main = cwd && path.startsWith(cwd + "/") ? path.slice(cwd.length + 1) : path;
  }
  return ["deno", "run", ...invocation.permissionFlags.map(shellQuote), shellQuote(main), ...quoted]
    .join(" ");
}
