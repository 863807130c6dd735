/**
 * Running the CLI as a subprocess from the repository root, for the CLI's end-to-end tests:
 * `deno run --no-prompt <flags> cli.ts ...`, a clean environment and temp folders under
 * `.test-tmp/`.
 */
import { childEnv, credentials, outputUnless } from "./chaos/cli.ts";

/** The repository root, with a trailing slash. */
export const ROOT: string = new URL("..", import.meta.url).pathname;

/** The credential and region variables the CLI reads. */
export const CREDENTIAL_ENV: readonly string[] = [
  "GENESYSCLOUD_OAUTHCLIENT_ID",
  "GENESYSCLOUD_OAUTHCLIENT_SECRET",
  "GENESYSCLOUD_REGION",
  "GENESYS_CLIENT_ID",
  "GENESYS_CLIENT_SECRET",
];

/**
 * Flags like the extract task's permission set, on loopback: the simulator's network, the CLI's
 * variables, reads of `.` and writes of `write` only.
 */
export function taskFlags(write = ".test-tmp"): string[] {
  return [
    "--allow-net=127.0.0.1",
    `--allow-env=${[...CREDENTIAL_ENV, "GENESYS_BATCH_INVOCATION"].join(",")}`,
    "--allow-read=.",
    `--allow-write=${write}`,
  ];
}

/** How to run the CLI: its environment (beyond {@link childEnv}) and permission flags. */
export interface CliOptions {
  /** Variables for the run. */
  env?: Record<string, string>;
  /** Where {@link taskFlags} allow writes (default `.test-tmp`). */
  write?: string;
  /** Permission flags instead of {@link taskFlags}. */
  flags?: string[];
  /** Ends the run early: see {@link outputUnless}. */
  stop?: () => string | undefined;
}

/** `deno run --no-prompt <flags> cli.ts ...args` from the repository root, stdout and stderr piped. */
export function cliCommand(args: string[], options: CliOptions = {}): Deno.Command {
  return new Deno.Command("deno", {
    args: ["run", "--no-prompt", ...(options.flags ?? taskFlags(options.write)), "cli.ts", ...args],
    cwd: ROOT,
    env: childEnv(options.env),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  });
}

/** A finished CLI run. */
export interface CliRun {
  /** The exit code. */
  code: number;
  /** What it wrote to stdout. */
  stdout: string;
  /** What it wrote to stderr. */
  stderr: string;
}

/** Decodes a finished run, dropping deno's own experimental-feature warnings. */
export function cliRun(output: Deno.CommandOutput): CliRun {
  const decode = (b: Uint8Array) =>
    new TextDecoder().decode(b).split("\n").filter((l) => !l.includes("experimental feature"))
      .join("\n");
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** Runs the CLI to the end (see {@link cliCommand}). */
export async function cli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return cliRun(await outputUnless(cliCommand(args, options).spawn(), options.stop));
}

/** Creates a temp folder under `.test-tmp/` and returns its path relative to {@link ROOT}. */
export { tempDir } from "./chaos/files.ts";

/** The variables that point the CLI at a simulator with its credentials. */
export function simEnv(
  sim: { url: string; clientId: string; clientSecret: string },
): Record<string, string> {
  return { GENESYSCLOUD_REGION: sim.url, ...credentials(sim) };
}
