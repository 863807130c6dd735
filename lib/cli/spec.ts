/**
 * Declarative command specs: one description of each command's options feeds the parser, the
 * `--help` text and the CLI reference (docs/cli-reference.md), so they cannot drift apart.
 *
 * @module
 */

import { suggest } from "../_suggest.ts";
import { UsageError } from "../errors.ts";
import { type Args, parseArgs } from "./args.ts";

/** One option of a command. */
export interface OptionSpec {
  /** The long name, without dashes: `page-size`. */
  name: string;
  /** A one-letter alias: `o` for `-o`. */
  short?: string;
  /** `string` takes a value; `boolean` does not. */
  type: "string" | "boolean";
  /** How the value is shown in help: `<file>`. */
  value?: string;
  /** What it does, one or two sentences. */
  description: string;
  /** The default, as shown in help. */
  default?: string;
  /** The environment variable that can give the value instead. */
  env?: string;
  /** The option may repeat; its value is a list. */
  collect?: boolean;
}

/** A positional argument of a command. */
export interface PositionalSpec {
  /** Its name in the usage line: `path`. */
  name: string;
  /** What it is. */
  description: string;
  /** Whether it must be given. */
  required: boolean;
}

/** An example command line with a note. */
export interface ExampleSpec {
  /** The command line (after the program name). */
  command: string;
  /** What it does. */
  note: string;
}

/** One command: its name, what it does, its options and examples. */
export interface CommandSpec {
  /** The command name: `conversations`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Longer description paragraphs. */
  description?: string[];
  /** Positional arguments. */
  positionals?: PositionalSpec[];
  /** Options, in help order. */
  options: OptionSpec[];
  /** Examples, shown in help. */
  examples: ExampleSpec[];
}

/** Option values by long name, positionals in `_`. */
export interface ParsedCommand {
  /** Positionals after the command name. */
  positionals: string[];
  /** String option values (absent when not given). */
  strings: Record<string, string | undefined>;
  /** Collected option values (empty when not given). */
  lists: Record<string, string[]>;
  /** Boolean flags (false when not given). */
  flags: Record<string, boolean>;
}

/** Flags people try for credentials; refused with where credentials go. */
const CREDENTIAL_FLAGS = new Set([
  "client-id",
  "client-secret",
  "clientid",
  "clientsecret",
  "secret",
  "token",
  "access-token",
  "password",
  "oauth-client-id",
  "oauth-client-secret",
]);

/**
 * The message for a refused credential flag: where credentials go instead. It never repeats the
 * flag's value.
 *
 * @param flag The flag as written, such as `--client-secret`.
 * @returns The one-line message.
 *
 * @example
 * ```ts
 * import { credentialFlagMessage } from "./spec.ts";
 * import { match } from "node:assert/strict";
 *
 * match(credentialFlagMessage("--client-secret"), /--env-file/);
 * ```
 */
export function credentialFlagMessage(flag: string): string {
  return `Option '${flag}' is not accepted: credentials come only from the environment ` +
    `(GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET) or an env file given with ` +
    `--env-file, so they stay out of shell history and process lists`;
}

/**
 * Parses the arguments after the command name against the command's spec.
 *
 * Unknown options fail with a suggestion; credential flags (`--client-secret`, `--token`, ...)
 * fail with where credentials go, without repeating the value; extra or missing positionals
 * fail. `-h`/`--help` is always accepted.
 *
 * @param spec The command.
 * @param args The arguments after the command name.
 * @returns The option values and positionals.
 * @throws {UsageError} For anything the spec does not allow.
 *
 * @example
 * ```ts
 * import { parseCommand } from "./spec.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * const spec = {
 *   name: "users",
 *   summary: "Extract users",
 *   options: [{ name: "output", short: "o", type: "string" as const, description: "Where" }],
 *   examples: [],
 * };
 * strictEqual(parseCommand(spec, ["-o", "users.csv"]).strings.output, "users.csv");
 * throws(() => parseCommand(spec, ["--outptu", "x"]), /did you mean '--output'/);
 * throws(() => parseCommand(spec, ["--client-secret=s3cr3t"]), /environment/);
 * ```
 */
export function parseCommand(spec: CommandSpec, args: readonly string[]): ParsedCommand {
  const options = [
    ...spec.options,
    { name: "help", short: "h", type: "boolean", description: "" } satisfies OptionSpec,
  ];
  const alias: Record<string, string> = {};
  for (const option of options) if (option.short) alias[option.short] = option.name;
  const longNames = options.map((o) => o.name);
  const parsed: Args = parseArgs(args, {
    string: options.filter((o) => o.type === "string" && !o.collect).map((o) => o.name),
    collect: options.filter((o) => o.collect).map((o) => o.name),
    boolean: options.filter((o) => o.type === "boolean").map((o) => o.name),
    alias,
    unknown: (arg, key) => {
      const name = key ?? arg;
      const shown = arg.split("=")[0];
      if (CREDENTIAL_FLAGS.has(name.toLowerCase())) {
        throw new UsageError(credentialFlagMessage(`--${name}`));
      }
      const hint = name.length > 1 ? suggest(name, longNames) : undefined;
      const where = `'${spec.name}'`;
      throw new UsageError(
        hint
          ? `Unknown option '${shown}' for ${where}: did you mean '--${hint}'?`
          : `Unknown option '${shown}' for ${where}: see '${spec.name} --help' for its options`,
      );
    },
  });
  const flags: Record<string, boolean> = {};
  const strings: Record<string, string | undefined> = {};
  const lists: Record<string, string[]> = {};
  for (const option of options) {
    const value = parsed[option.name];
    if (option.type === "boolean") flags[option.name] = value === true;
    else if (option.collect) lists[option.name] = Array.isArray(value) ? value : [];
    else strings[option.name] = typeof value === "string" ? value : undefined;
  }
  if (flags.help) return { positionals: parsed._, strings, lists, flags };
  const positionals = parsed._;
  const allowed = spec.positionals ?? [];
  if (positionals.length > allowed.length) {
    const extra = positionals[allowed.length];
    throw new UsageError(
      allowed.length === 0
        ? `'${spec.name}' takes no arguments, got '${extra}': options start with '--'`
        : `Too many arguments for '${spec.name}': unexpected '${extra}'`,
    );
  }
  const missing = allowed.slice(positionals.length).find((p) => p.required);
  if (missing) {
    throw new UsageError(
      `'${spec.name}' needs <${missing.name}> (${missing.description}): see '${spec.name} --help'`,
    );
  }
  return { positionals, strings, lists, flags };
}
