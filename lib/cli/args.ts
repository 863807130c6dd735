/**
 * Command-line argument parsing, with the option names of `@std/cli`'s `parseArgs` (`string`,
 * `boolean`, `alias`, `default`, `collect`, `negatable`, `stopEarly`, `unknown`, `--`), written
 * for this toolkit: positionals stay strings, and a string option never swallows the next flag.
 *
 * @module
 */

import { UsageError } from "../errors.ts";

/** Options of {@link parseArgs}, named like `@std/cli`'s. */
export interface ParseOptions {
  /** Options that take a value (`--output file`, `--output=file`, `-o file`). */
  string?: readonly string[];
  /** Options that take no value (`--quiet`, `-q`). */
  boolean?: readonly string[];
  /** Other names of an option: `{ o: "output" }` (either direction works). */
  alias?: Readonly<Record<string, string | readonly string[]>>;
  /** Values used when an option is absent. */
  default?: Readonly<Record<string, string | boolean | string[]>>;
  /** String options that may repeat; their value is an array. */
  collect?: readonly string[];
  /** Boolean options that also accept `--no-<name>` (value `false`). */
  negatable?: readonly string[];
  /** Stop parsing options at the first positional; the rest are positionals. */
  stopEarly?: boolean;
  /** Put the arguments after `--` in `args["--"]` instead of `args._`. */
  "--"?: boolean;
  /**
   * Called for an option that is in neither `string` nor `boolean` (nor an alias); return
   * `false` to drop it. When absent, unknown options are kept as strings or `true`.
   */
  unknown?: (arg: string, key?: string, value?: unknown) => unknown;
}

/** What {@link parseArgs} returns: options by their long name, positionals in `_`. */
export interface Args {
  /** Positional arguments, in order. */
  _: string[];
  /** Arguments after `--`, when the `--` option asked for them. */
  "--"?: string[];
  /** Option values by name: `string`, `boolean` or, for collected options, `string[]`. */
  [key: string]: string | boolean | string[] | undefined;
}

function aliasMap(
  alias: Readonly<Record<string, string | readonly string[]>> = {},
): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    if (!map.has(a)) map.set(a, []);
    if (!map.get(a)!.includes(b)) map.get(a)!.push(b);
  };
  for (const [key, value] of Object.entries(alias)) {
    for (const other of typeof value === "string" ? [value] : value) {
      link(key, other);
      link(other, key);
    }
  }
  return map;
}

/**
 * Parses command-line arguments.
 *
 * Long options are `--name value` or `--name=value`; short ones `-o value`, `-ovalue` or grouped
 * booleans `-qv`. A string option given without a value (at the end, or followed by another
 * option) throws, so `--output --quiet` never writes to a file called `--quiet`. `-` alone is a
 * value or a positional (it means stdout). Every name of an aliased option gets the value.
 *
 * @param args The arguments, such as `Deno.args`.
 * @param options Which options take values, aliases, defaults and the rest.
 * @returns The options by name and the positionals in `_`.
 * @throws {UsageError} When a string option has no value, or a boolean option is given one.
 *
 * @example Parse a command line
 * ```ts
 * import { parseArgs } from "./args.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const args = parseArgs(["users", "-o", "-", "--page-size=100", "--quiet"], {
 *   string: ["output", "page-size"],
 *   boolean: ["quiet"],
 *   alias: { o: "output" },
 * });
 * deepStrictEqual(args._, ["users"]);
 * strictEqual(args.output, "-");
 * strictEqual(args["page-size"], "100");
 * strictEqual(args.quiet, true);
 * ```
 */
export function parseArgs(args: readonly string[], options: ParseOptions = {}): Args {
  const aliases = aliasMap(options.alias);
  const names = (name: string): string[] => [name, ...(aliases.get(name) ?? [])];
  const inSet = (list: readonly string[] | undefined, name: string) =>
    names(name).some((n) => list?.includes(n) ?? false);
  const isString = (name: string) => inSet(options.string, name) || inSet(options.collect, name);
  const isBoolean = (name: string) => inSet(options.boolean, name);
  const isCollect = (name: string) => inSet(options.collect, name);
  const isNegatable = (name: string) => inSet(options.negatable, name);
  const known = (name: string) => isString(name) || isBoolean(name);

  const result: Args = { _: [] };
  for (const [key, value] of Object.entries(options.default ?? {})) {
    for (const n of names(key)) result[n] = Array.isArray(value) ? [...value] : value;
  }
  const defaulted = new Set(Object.keys(options.default ?? {}).flatMap(names));

  const set = (name: string, value: string | boolean) => {
    for (const n of names(name)) {
      if (isCollect(name) && typeof value === "string") {
        const current = result[n];
        const list = Array.isArray(current) && !defaulted.has(n) ? current : [];
        result[n] = [...list, value];
      } else {
        result[n] = value;
      }
      defaulted.delete(n);
    }
  };
  const flag = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);
  const looksLikeOption = (arg: string | undefined) =>
    arg !== undefined && arg !== "-" && arg.startsWith("-") && !/^-\d/.test(arg);

  const handle = (arg: string, name: string, inline: string | undefined, next?: string) => {
    // Returns how many extra arguments were consumed.
    if (!known(name)) {
      if (name.startsWith("no-") && isNegatable(name.slice(3)) && inline === undefined) {
        set(name.slice(3), false);
        return 0;
      }
      const value = inline ?? true;
      if (options.unknown && options.unknown(arg, name, value) === false) return 0;
      set(name, value);
      return 0;
    }
    if (isBoolean(name)) {
      if (inline === undefined) {
        set(name, true);
        return 0;
      }
      if (inline === "true" || inline === "false") {
        set(name, inline === "true");
        return 0;
      }
      throw new UsageError(`Option '${flag(name)}' takes no value: write '${flag(name)}' alone`);
    }
    if (inline !== undefined) {
      set(name, inline);
      return 0;
    }
    if (next === undefined || looksLikeOption(next)) {
      throw new UsageError(
        `Option '${flag(name)}' needs a value: write '${flag(name)} <value>' or '${
          flag(name)
        }=<value>'`,
      );
    }
    set(name, next);
    return 1;
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      const rest = args.slice(i + 1);
      if (options["--"]) result["--"] = rest;
      else result._.push(...rest);
      break;
    }
    if (arg.startsWith("--") && arg.length > 2) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const inline = eq === -1 ? undefined : arg.slice(eq + 1);
      i += handle(arg, name, inline, args[i + 1]);
      continue;
    }
    if (looksLikeOption(arg)) {
      const letters = arg.slice(1);
      for (let j = 0; j < letters.length; j++) {
        const name = letters[j];
        const rest = letters.slice(j + 1);
        if (isString(name) && rest !== "") {
          set(name, rest.startsWith("=") ? rest.slice(1) : rest);
          break;
        }
        if (rest === "") {
          i += handle(arg, name, undefined, args[i + 1]);
        } else {
          handle(arg, name, undefined);
        }
      }
      continue;
    }
    result._.push(arg);
    if (options.stopEarly) {
      const rest = args.slice(i + 1);
      const dashes = rest.indexOf("--");
      if (dashes !== -1 && options["--"]) {
        result._.push(...rest.slice(0, dashes));
        result["--"] = rest.slice(dashes + 1);
      } else {
        result._.push(...rest);
      }
      break;
    }
  }
  return result;
}
