/**
 * Reading a duration option given as milliseconds or as a duration such as `6h`.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { parseDuration } from "./interval.ts";

/**
 * Reads a duration option: milliseconds, or a duration such as `6h` (see `parseDuration`). It
 * must be positive.
 *
 * @param name The option's name, for the message.
 * @param value Milliseconds or a duration.
 * @param example A duration the message suggests, such as `1d`.
 * @returns Milliseconds.
 * @throws {UsageError} When the value is not a positive duration.
 *
 * @example
 * ```ts
 * import { durationOption } from "./_duration_option.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * strictEqual(durationOption("chunk", "6h", "1d"), 21_600_000);
 * throws(() => durationOption("chunk", 0, "1d"), /'chunk' is '0'/);
 * ```
 */
export function durationOption(name: string, value: string | number, example: string): number {
  const ms = typeof value === "number" ? value : parseDuration(value);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(
      `Option '${name}' is '${value}': it must be a positive duration such as '${example}'`,
    );
  }
  return ms;
}
