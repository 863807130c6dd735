/**
 * Running the CLI as a subprocess the way users do: `deno run` with the permission flags of the
 * `extract` task (read from `deno.json`, paths taken relative to the working directory the test
 * chooses), credentials only in the environment, and a clean environment otherwise.
 *
 * @module
 */

/** Absolute path of `cli.ts`. */
export const CLI_PATH: string = new URL("../../cli.ts", import.meta.url).pathname;
/** Absolute path of `deno.json`. */
export const CONFIG_PATH: string = new URL("../../deno.json", import.meta.url).pathname;

/** A permission set of `deno.json`. */
export interface PermissionSet {
  /** Hosts (`net`). */
  net?: string[] | boolean;
  /** Variables (`env`). */
  env?: string[] | boolean;
  /** Readable paths (`read`). */
  read?: string[] | boolean;
  /** Writable paths (`write`). */
  write?: string[] | boolean;
  /** Programs (`run`). */
  run?: string[] | boolean;
}

/**
 * Reads a permission set from `deno.json`.
 *
 * @param name The set's name, such as `extract`.
 * @returns The set.
 * @throws {Error} When there is no such set.
 */
export async function permissionSet(name: string): Promise<PermissionSet> {
  const config = JSON.parse(await Deno.readTextFile(CONFIG_PATH));
  const set = config.permissions?.[name];
  if (!set) throw new Error(`deno.json has no permission set '${name}'`);
  return set;
}

/**
 * The `--allow-*` flags of a permission set, with relative paths resolved against `cwd` (a task
 * runs in the project directory; a test runs the CLI in a temp directory with the same grants).
 *
 * @param set The permission set.
 * @param cwd The working directory relative paths mean.
 * @returns The flags.
 */
export function grantFlags(set: PermissionSet, cwd: string): string[] {
  const flags: string[] = [];
  const abs = (p: string) => p.startsWith("/") ? p : `${cwd}/${p}`.replace(/\/\.$/, "");
  for (const kind of ["net", "env", "read", "write", "run"] as const) {
    const value = set[kind];
    if (value === true) flags.push(`--allow-${kind}`);
    else if (Array.isArray(value) && value.length > 0) {
      const items = kind === "read" || kind === "write" ? value.map(abs) : value;
      flags.push(`--allow-${kind}=${items.join(",")}`);
    }
  }
  return flags;
}

/** How to run the CLI. */
export interface CliOptions {
  /** The working directory (absolute). */
  cwd: string;
  /** Environment variables (the rest of the environment is cleared, except what Deno needs). */
  env?: Record<string, string>;
  /** Permission flags (default: the `extract` task's, relative to `cwd`). */
  flags?: string[];
  /** The `cli.ts` to run (default this checkout's; another checkout's for before/after figures). */
  cli?: string;
}

/** What a finished CLI run gave. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** The signal that ended it, if any. */
  signal: string | null;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const name of ["HOME", "PATH", "DENO_DIR", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * The `deno run` command for the CLI.
 *
 * @param args The CLI's arguments.
 * @param options Working directory, environment and flags.
 * @returns The command, with piped stdout and stderr.
 */
export async function cliCommand(args: string[], options: CliOptions): Promise<Deno.Command> {
  const flags = options.flags ?? grantFlags(await permissionSet("extract"), options.cwd);
  return new Deno.Command("deno", {
    args: [
      "run",
      "--no-config",
      "--no-lock",
      "--no-prompt",
      ...flags,
      options.cli ?? CLI_PATH,
      ...args,
    ],
    cwd: options.cwd,
    env: baseEnv(options.env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/**
 * Runs the CLI to the end.
 *
 * @param args The CLI's arguments.
 * @param options Working directory, environment and flags.
 * @returns Exit code, signal, stdout and stderr.
 */
export async function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  const out = await (await cliCommand(args, options)).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    signal: out.signal,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

/**
 * Lines of stderr that are the CLI's own (Deno's experimental-feature warnings dropped).
 *
 * @param stderr The text.
 * @returns Non-empty lines.
 */
export function ownLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.trim() !== "" && !/^Warning\b/.test(l));
}

/**
 * An absolute path for a path relative to the repository root.
 *
 * @param path A relative path such as `.test-tmp/x`.
 * @returns The absolute path.
 */
export function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}
