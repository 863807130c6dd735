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
  /** Ends the run early: see {@link outputUnless}. */
  stop?: () => string | undefined;
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

/**
 * The simulator's credentials, as the CLI reads them from the environment.
 *
 * @param sim The simulator (or anything with its client id and secret).
 * @returns The two variables.
 */
export function credentials(
  sim: { clientId: string; clientSecret: string },
): Record<string, string> {
  return {
    GENESYSCLOUD_OAUTHCLIENT_ID: sim.clientId,
    GENESYSCLOUD_OAUTHCLIENT_SECRET: sim.clientSecret,
  };
}

/**
 * The process environment a CLI run sees: only what deno itself needs, plus `vars`.
 *
 * @param vars Variables for the run.
 * @returns The environment.
 */
export function childEnv(vars: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const name of ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...vars };
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
    env: childEnv(options.env),
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
  const out = await outputUnless((await cliCommand(args, options)).spawn(), options.stop);
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    signal: out.signal,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

/**
 * Waits for a child to end, unless `stop` names a reason first (asked every 20 ms while it runs):
 * then the child is killed with SIGKILL and the reason becomes the last line of its stderr. A test
 * that sees at once what must never happen (the server asked the same thing again after a 400)
 * fails then, not after the CLI's real backoff. The check is of what the server saw, not of time.
 *
 * @param child The spawned child, stdout and stderr piped.
 * @param stop Says why to stop, or nothing to let it run.
 * @returns The child's output (exit code 137 and signal `SIGKILL` when stopped).
 */
export async function outputUnless(
  child: Deno.ChildProcess,
  stop?: () => string | undefined,
): Promise<Deno.CommandOutput> {
  const output = child.output();
  if (!stop) return await output;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reason: string | undefined;
  try {
    while (reason === undefined) {
      const tick = new Promise<undefined>((r) => timer = setTimeout(() => r(undefined), 20));
      const ended = await Promise.race([output, tick]);
      clearTimeout(timer);
      reason = stop();
      if (ended) break;
    }
  } finally {
    clearTimeout(timer);
  }
  if (reason !== undefined) {
    try {
      child.kill("SIGKILL");
    } catch {
      // it exited first
    }
  }
  const out = await output;
  if (reason === undefined) return out;
  const stderr = new TextEncoder().encode(`${new TextDecoder().decode(out.stderr)}${reason}\n`);
  return { ...out, stderr };
}

/**
 * A `stop` for {@link outputUnless} for a run with `--deadline`: it names the reason once the run
 * is still going `marginMs` after its deadline, counted from now. The margin is generous (a run
 * ends well within a second of its deadline, and starts in a few even on a loaded machine), so
 * only a deadline that is not kept trips it, and that at once instead of after real backoff.
 *
 * @param deadlineMs The run's `--deadline`, ms.
 * @param marginMs How long past it to wait, ms (default 30 s).
 * @returns The `stop` function.
 */
export function pastDeadline(deadlineMs: number, marginMs = 30_000): () => string | undefined {
  const limit = Date.now() + deadlineMs + marginMs;
  return () =>
    Date.now() > limit
      ? `still running ${marginMs / 1000} s after its ${deadlineMs / 1000} s --deadline`
      : undefined;
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
