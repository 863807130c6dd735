/**
 * The CLI's dispatcher: finds the command, parses its options, prints help or the version, runs
 * it and turns any error into one line and an exit code (never a stack trace).
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { Redactor } from "../redact.ts";
import { authCommand } from "./commands/auth.ts";
import type { Command } from "./commands/command.ts";
import { conversationsCommand } from "./commands/conversations.ts";
import { demoCommand } from "./commands/demo.ts";
import { getCommand, queuesCommand, usersCommand } from "./commands/listing.ts";
import { simCommand } from "./commands/sim.ts";
import { syncCommand } from "./commands/sync.ts";
import { type CliIo, processIo } from "./context.ts";
import { errorLine, ExitCode, exitCodeFor } from "./exit.ts";
import { commandHelp, HELP_SPEC, mainHelp, markdownReference } from "./help.ts";
import { resolvePathOptions, userCwd } from "./paths.ts";
import { parseCommand } from "./spec.ts";
import { suggest } from "../_suggest.ts";

/** The toolkit's version (kept equal to `deno.json` by a test). */
export const VERSION = "0.1.0";

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = Object.freeze([
  conversationsCommand,
  syncCommand,
  usersCommand,
  queuesCommand,
  getCommand,
  authCommand,
  simCommand,
  demoCommand,
]);

function jsonErrors(args: readonly string[]): boolean {
  const i = args.findIndex((a) => a === "--log-format" || a.startsWith("--log-format="));
  if (i === -1) return false;
  const value = args[i].includes("=") ? args[i].split("=")[1] : args[i + 1];
  return value?.toLowerCase() === "json";
}

/**
 * Runs the CLI with `args` and returns the exit code; it never throws and never exits the
 * process (the caller does, with the code).
 *
 * @param args The arguments, such as `Deno.args`.
 * @param io Where text goes (default: the process's stdout and stderr).
 * @returns The exit code: 0 done, 1 failed, 2 usage, 3 authentication, 4 deadline, 6 another
 * run of the job holds its lock, 130 interrupted.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let out = "";
 * const io = { stdout: (t: string) => out += t, stderr: () => {}, stderrIsTerminal: false };
 * strictEqual(await main(["--version"], io), 0);
 * strictEqual(out, "genesys-batch 0.1.0\n");
 * strictEqual(await main(["users", "--page-size", "0"], io), 2);
 * ```
 */
export async function main(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  // One redactor for the whole invocation: the command registers the client secret, the client
  // every token; this last-resort printer uses it too.
  const redactor = new Redactor();
  try {
    return await dispatch(args, io, redactor);
  } catch (error) {
    const code = exitCodeFor(error);
    const line = errorLine(error, redactor);
    if (jsonErrors(args)) {
      io.stderr(
        JSON.stringify({
          time: new Date().toISOString(),
          level: "error",
          msg: line.replace(/^error: /, ""),
          exitCode: code,
        }) + "\n",
      );
    } else {
      io.stderr(`${line}\n`);
    }
    return code;
  }
}

async function dispatch(
  args: readonly string[],
  io: CliIo,
  redactor: Redactor,
): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined) {
    io.stderr(mainHelp(COMMANDS.map((c) => c.spec), VERSION));
    return ExitCode.USAGE;
  }
  if (first === "--help" || first === "-h") {
    io.stdout(mainHelp(COMMANDS.map((c) => c.spec), VERSION));
    return ExitCode.OK;
  }
  if (first === "--version" || first === "-V" || first === "version") {
    io.stdout(`genesys-batch ${VERSION}\n`);
    return ExitCode.OK;
  }
  if (first === "help") return help(rest, io);
  const command = COMMANDS.find((c) => c.spec.name === first);
  if (!command) {
    const names = COMMANDS.map((c) => c.spec.name);
    if (first.startsWith("-")) {
      throw new UsageError(
        `Give a command before options, such as 'conversations ${first}': commands are ${
          names.join(", ")
        }`,
      );
    }
    const hint = suggest(first, names);
    throw new UsageError(
      hint
        ? `Unknown command '${first}': did you mean '${hint}'?`
        : `Unknown command '${first}': use one of ${names.join(", ")} (see --help)`,
    );
  }
  const parsed = parseCommand(command.spec, rest);
  if (parsed.flags.help) {
    io.stdout(commandHelp(command.spec));
    return ExitCode.OK;
  }
  resolvePathOptions(parsed, userCwd(), Deno.cwd());
  return await command.run(parsed, { io, argv: args, redactor });
}

function help(rest: readonly string[], io: CliIo): number {
  const names = rest.filter((a) => !a.startsWith("-"));
  const flags = rest.filter((a) => a.startsWith("-"));
  if (flags.includes("--help") || flags.includes("-h") || names[0] === "help") {
    io.stdout(commandHelp(HELP_SPEC));
    return ExitCode.OK;
  }
  const unknownFlag = flags.find((a) => a !== "--markdown");
  if (unknownFlag) {
    throw new UsageError(`Unknown option '${unknownFlag}' for 'help': use --markdown or --help`);
  }
  if (names.length > 1) {
    throw new UsageError(
      `Command 'help' takes one command name, got ${names.map((n) => `'${n}'`).join(" ")}`,
    );
  }
  const specs = COMMANDS.map((c) => c.spec);
  if (flags.includes("--markdown")) {
    if (names.length > 0) {
      throw new UsageError("Option '--markdown' prints every command: drop the command name");
    }
    io.stdout(markdownReference(specs));
    return ExitCode.OK;
  }
  if (names.length === 0) {
    io.stdout(mainHelp(specs, VERSION));
    return ExitCode.OK;
  }
  const command = COMMANDS.find((c) => c.spec.name === names[0]);
  if (!command) {
    const hint = suggest(names[0], [...specs.map((s) => s.name), "help"]);
    throw new UsageError(
      `Unknown command '${names[0]}': ${
        hint ? `did you mean '${hint}'?` : `use one of ${specs.map((s) => s.name).join(", ")}`
      }`,
    );
  }
  io.stdout(commandHelp(command.spec));
  return ExitCode.OK;
}
