/**
 * The refusal of a checkpoint that belongs to another job, in the CLI's words: which argument
 * differs (`--page-size`, the interval, the region) and its value there and now.
 *
 * @module
 */

import type { Checkpoint } from "../extract/checkpoint.ts";
import { otherJobMessage } from "../extract/_job_key.ts";
import type { JsonValue } from "../types.ts";
import { CheckpointError } from "../errors.ts";

/** Job members as the CLI's options name them; the longest matching prefix wins. */
const ARGUMENT_NAMES: readonly (readonly [string, string])[] = [
  ["source.interval", "the interval"],
  ["source.body", "the filter"],
  ["source.chunk", "--chunk"],
  ["source.maxResults", "--max-results"],
  ["source.pageSize", "--page-size"],
  ["source.query", "--query"],
  ["source.endpoint", "the endpoint"],
  ["sink.format", "the output format"],
  ["sink.columns", "the CSV columns"],
  ["sink", "the output format"],
  ["identity.api", "the region"],
  ["recordType", "the record type"],
];

/**
 * Names a job member as the user gave it: `--page-size`, `the filter's 'order'`,
 * `--query state`.
 *
 * @param path The member, outermost first, such as `["source", "pageSize"]`.
 * @returns The name for a message.
 *
 * @example
 * ```ts
 * import { argumentName } from "./job_change.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(argumentName(["source", "pageSize"]), "--page-size");
 * strictEqual(argumentName(["source", "query", "state"]), "--query state");
 * strictEqual(argumentName(["source", "body", "order"]), "the filter's 'order'");
 * strictEqual(argumentName(["source", "maxResults"]), "--max-results");
 * strictEqual(argumentName(["source", "minChunk"]), "source.minChunk");
 * ```
 */
export function argumentName(path: readonly string[]): string {
  const dotted = path.join(".");
  const match =
    ARGUMENT_NAMES.filter(([prefix]) => dotted === prefix || dotted.startsWith(`${prefix}.`)).sort((
      a,
      b,
    ) => b[0].length - a[0].length)[0];
  if (!match) return dotted;
  const rest = path.slice(match[0].split(".").length);
  if (rest.length === 0) return match[1];
  if (match[1] === "--query") return `--query ${rest.join(".")}`;
  if (match[1] === "the filter") return `the filter's '${rest.join(".")}'`;
  return match[1];
}

/**
 * The error for a running checkpoint of another job, naming the differing argument as the CLI's
 * options do (see {@link argumentName}).
 *
 * @param location Where the checkpoint is.
 * @param previous The checkpoint.
 * @param job This run's job arguments (`extractJob`).
 * @returns The error (exit code 2).
 *
 * @example
 * ```ts
 * import { otherJobError } from "./job_change.ts";
 * import type { Checkpoint } from "../extract/checkpoint.ts";
 * import { match } from "node:assert/strict";
 *
 * const previous = { job: { source: { pageSize: 10 } } } as unknown as Checkpoint;
 * match(
 *   otherJobError("out/u.jsonl.checkpoint.json", previous, { source: { pageSize: 20 } }).message,
 *   /belongs to another job: --page-size was '10' there and is '20' now; run with the same/,
 * );
 * ```
 */
export function otherJobError(
  location: string,
  previous: Checkpoint,
  job: JsonValue,
): CheckpointError {
  return new CheckpointError(otherJobMessage(location, previous, job, argumentName));
}
