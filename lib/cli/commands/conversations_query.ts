/**
 * What a `conversations` command asks the API for: the interval (`--interval`, `--since`/`--until`,
 * `--yesterday`, or the filter's own) and the filter (`--filter`, `--filter-file`).
 *
 * @module
 */

import {
  DAY_MS,
  formatInstant,
  formatInterval,
  type Interval,
  parseDuration,
  parseInstant,
  parseInterval,
} from "../../analytics/interval.ts";
import type { ParsedCommand } from "../spec.ts";
import { UsageError } from "../../errors.ts";
import { requirePermissions } from "../permissions.ts";

/**
 * Works out the interval from `--interval`, `--since`/`--until` or `--yesterday` (exactly one
 * way), or from the filter file's `interval`.
 *
 * @param parsed The parsed command.
 * @param fromFilter The filter's `interval`, if it had one.
 * @param now The current time, epoch ms.
 * @returns The interval, whole seconds.
 * @throws {UsageError} When none or several ways are given, a value is malformed, or the interval
 * starts in the future.
 *
 * @example
 * ```ts
 * import { resolveInterval } from "./conversations_query.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const parsed = { positionals: [], strings: {}, lists: {}, flags: { yesterday: true } };
 * const interval = resolveInterval(parsed, undefined, Date.parse("2026-03-10T08:30:00Z"));
 * strictEqual(new Date(interval.start).toISOString(), "2026-03-09T00:00:00.000Z");
 * strictEqual(new Date(interval.end).toISOString(), "2026-03-10T00:00:00.000Z");
 * ```
 */
export function resolveInterval(
  parsed: ParsedCommand,
  fromFilter: string | undefined,
  now: number,
): Interval {
  const s = parsed.strings;
  const ways = [
    s.interval !== undefined ? "--interval" : undefined,
    s.since !== undefined ? "--since" : undefined,
    parsed.flags.yesterday ? "--yesterday" : undefined,
  ].filter((w): w is string => w !== undefined);
  if (ways.length > 1) {
    throw new UsageError(`Give the interval one way: ${ways.join(" and ")} were both given`);
  }
  if (s.until !== undefined && s.since === undefined) {
    throw new UsageError("Option '--until' needs '--since': write --since <when> --until <when>");
  }
  if (fromFilter !== undefined && ways.length > 0) {
    throw new UsageError(
      `The filter has an interval and ${ways[0]} was given too: remove one of them`,
    );
  }
  const second = Math.floor(now / 1000) * 1000;
  // A future interval would "succeed" with no records: refuse it, it is a typo.
  const started = (interval: Interval): Interval => {
    if (interval.start > second) {
      throw new UsageError(
        `Interval '${formatInterval(interval)}' starts in the future (now is '${
          formatInstant(second)
        }'): nothing can be extracted yet; give an interval that starts in the past`,
      );
    }
    return interval;
  };
  if (s.interval !== undefined) return started(parseInterval(s.interval));
  if (fromFilter !== undefined) return started(parseInterval(fromFilter));
  if (parsed.flags.yesterday) {
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    return { start: today - DAY_MS, end: today };
  }
  if (s.since !== undefined) {
    const when = (text: string, flag: string) => {
      if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return parseInstant(text);
      try {
        return second - parseDuration(text);
      } catch {
        throw new UsageError(
          `Option '${flag}' got '${text}': give an instant such as '2026-01-01T06:00:00Z' or a duration ago such as '24h'`,
        );
      }
    };
    const start = when(s.since, "--since");
    const end = s.until !== undefined ? when(s.until, "--until") : second;
    if (end <= start) {
      throw new UsageError(
        `Interval '${formatInstant(start)}/${
          formatInstant(end)
        }' is empty or reversed: --since must come before --until`,
      );
    }
    return { start, end };
  }
  throw new UsageError(
    "No interval: give --interval <start/end>, --since <when> or --yesterday (see 'conversations --help')",
  );
}

/**
 * Reads `--filter` or `--filter-file` into a details body (without `interval`).
 *
 * @param parsed The parsed command.
 * @returns The body fields and the interval it carried, if any.
 * @throws {UsageError} For both options at once, malformed JSON, or JSON that is not an object.
 *
 * @example
 * ```ts
 * import { readFilter } from "./conversations_query.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const parsed = { positionals: [], strings: { filter: '{"order":"desc"}' }, lists: {}, flags: {} };
 * deepStrictEqual(await readFilter(parsed), { body: { order: "desc" }, interval: undefined });
 * ```
 */
export async function readFilter(
  parsed: ParsedCommand,
): Promise<{ body: Record<string, unknown>; interval?: string }> {
  const inline = parsed.strings.filter;
  const file = parsed.strings["filter-file"];
  if (inline !== undefined && file !== undefined) {
    throw new UsageError("Give --filter or --filter-file, not both");
  }
  if (inline === undefined && file === undefined) return { body: {}, interval: undefined };
  let text: string;
  let where: string;
  if (file !== undefined) {
    requirePermissions([{ name: "read", target: file, why: "the filter file" }]);
    where = `Filter file '${file}'`;
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new UsageError(`${where} does not exist: check the --filter-file path`);
      }
      throw error;
    }
  } else {
    text = inline!;
    where = "Option '--filter'";
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // The parser's message quotes the text, which may hold anything (a secret pasted by
    // mistake): only where it failed is said, never what is there.
    const fix = file !== undefined
      ? "check the file with a JSON validator"
      : "quote it in single quotes";
    throw new UsageError(`${where} is not valid JSON${jsonErrorPlace(error, text)}: ${fix}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(
      `${where} must be a JSON object such as '{"conversationFilters":[...]}', not ${
        Array.isArray(value) ? "an array" : typeof value
      }`,
    );
  }
  const { interval, ...body } = value as Record<string, unknown>;
  if (interval !== undefined && typeof interval !== "string") {
    throw new UsageError(`${where}: 'interval' must be a string 'start/end'`);
  }
  return { body, interval: interval as string | undefined };
}

/**
 * Where `JSON.parse` failed, without quoting the text: ` at line 3, column 14`, ` (it is
 * empty)`, ` (it ends too early)`, or nothing when the parser did not say.
 */
function jsonErrorPlace(error: unknown, text: string): string {
  if (text.trim() === "") return " (it is empty)";
  const message = error instanceof Error ? error.message : "";
  const at = message.match(/at position (\d+)/);
  if (at) {
    const before = text.slice(0, Number(at[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    return ` at line ${line}, column ${column}`;
  }
  return /end of JSON input/i.test(message) ? " (it ends too early)" : "";
}
