/**
 * The shape of a CLI command: its spec (options, help) and what it does.
 *
 * @module
 */

import type { CommandContext } from "../context.ts";
import type { CommandSpec, ParsedCommand } from "../spec.ts";

/** A CLI command. */
export interface Command {
  /** Name, options, help text and examples. */
  spec: CommandSpec;
  /**
   * Runs the command.
   *
   * @param parsed The parsed options and positionals.
   * @param ctx Output channels and the original arguments.
   * @returns The exit code.
   */
  run(parsed: ParsedCommand, ctx: CommandContext): Promise<number>;
}
