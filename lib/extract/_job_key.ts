/**
 * What identifies an extraction job: its arguments (source description, record type, sink
 * identity, caller identity) and their SHA-256 key, and the messages that say how two jobs differ.
 *
 * @module
 */

import { type Checkpoint, CHECKPOINT_VERSION } from "./checkpoint.ts";
import type { ExtractOptions } from "./extract_types.ts";
import type { JsonValue } from "../types.ts";

function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(",")}}`;
}

/**
 * Hashes a job's arguments into a job key: SHA-256 (hex) of their canonical JSON (object keys
 * sorted, `undefined` members dropped), so equal arguments give equal keys whatever their order.
 *
 * @param parts What identifies the job: the source's description, the sink's identity, the region.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import { computeJobKey } from "./_job_key.ts";
 * import { strictEqual, notStrictEqual } from "node:assert/strict";
 *
 * const a = await computeJobKey({ region: "mypurecloud.ie", path: "/api/v2/users" });
 * strictEqual(a, await computeJobKey({ path: "/api/v2/users", region: "mypurecloud.ie" }));
 * notStrictEqual(a, await computeJobKey({ path: "/api/v2/users", region: "mypurecloud.de" }));
 * strictEqual(a.length, 64);
 * ```
 */
export async function computeJobKey(parts: JsonValue): Promise<string> {
  const data = new TextEncoder().encode(canonical(parts));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Where two jobs' arguments differ (see {@link jobDifference}). */
export interface JobDifference {
  /** The member that differs, outermost first, such as `["source", "interval"]`. */
  path: string[];
  /** Its value in the earlier job (`undefined` when it had none). */
  was?: JsonValue;
  /** Its value in this job (`undefined` when it has none). */
  now?: JsonValue;
}

function isRecord(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Finds the first member in which two jobs' arguments differ, descending into objects (in sorted
 * key order) and comparing anything else, arrays included, as a whole.
 *
 * @param was The earlier job's arguments (a checkpoint's {@link Checkpoint.job}).
 * @param now This job's arguments.
 * @param path Where `was` and `now` sit (for the recursion).
 * @returns The difference, or `undefined` when the two are equal.
 *
 * @example
 * ```ts
 * import { jobDifference } from "./_job_key.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(
 *   jobDifference({ source: { pageSize: 10, path: "/users" } }, { source: { path: "/users", pageSize: 20 } }),
 *   { path: ["source", "pageSize"], was: 10, now: 20 },
 * );
 * strictEqual(jobDifference({ a: [1, 2] }, { a: [1, 2] }), undefined);
 * ```
 */
export function jobDifference(
  was: JsonValue | undefined,
  now: JsonValue | undefined,
  path: string[] = [],
): JobDifference | undefined {
  if (canonical(was) === canonical(now)) return undefined;
  if (isRecord(was) && isRecord(now)) {
    const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].sort();
    for (const key of keys) {
      const found = jobDifference(was[key], now[key], [...path, key]);
      if (found) return found;
    }
  }
  return { path, was, now };
}

/**
 * A job argument's value for a message: a string in quotes, anything else as quoted JSON, cut
 * to 100 characters; `(none)` when absent.
 *
 * @param value The value.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { quoteJobValue } from "./_job_key.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(quoteJobValue("2026-01-01T00:00:00Z/P1D"), "'2026-01-01T00:00:00Z/P1D'");
 * strictEqual(quoteJobValue({ format: "csv" }), `'{"format":"csv"}'`);
 * strictEqual(quoteJobValue(undefined), "(none)");
 * ```
 */
export function quoteJobValue(value: JsonValue | undefined): string {
  if (value === undefined) return "(none)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `'${text.length > 100 ? `${text.slice(0, 99)}…` : text}'`;
}

/**
 * Why a running checkpoint of another job is refused: which argument differs and its two values
 * (when the checkpoint keeps its {@link Checkpoint.job}), and how to go on.
 *
 * @param location Where the checkpoint is.
 * @param previous The refused checkpoint.
 * @param job This run's arguments.
 * @param name How to name a differing member for the reader (default `its a.b`).
 * @returns The message.
 *
 * @example
 * ```ts
 * import { otherJobMessage } from "./_job_key.ts";
 * import type { Checkpoint } from "./checkpoint.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const previous = { job: { source: { pageSize: 10 } } } as unknown as Checkpoint;
 * strictEqual(
 *   otherJobMessage("memory:users", previous, { source: { pageSize: 20 } }),
 *   "Checkpoint 'memory:users' belongs to another job: its source.pageSize was '10' there and is '20' now; run with the same arguments to resume it, or use --restart or delete it to start over",
 * );
 * ```
 */
export function otherJobMessage(
  location: string,
  previous: Checkpoint,
  job: JsonValue,
  name: (path: readonly string[]) => string = (path) => `its ${path.join(".")}`,
): string {
  const difference = previous.job !== undefined ? jobDifference(previous.job, job) : undefined;
  const what = difference
    ? `: ${name(difference.path)} was ${quoteJobValue(difference.was)} there and is ${
      quoteJobValue(difference.now)
    } now`
    : " (its region, query, options or output format differ)";
  return `Checkpoint '${location}' belongs to another job${what}; run with the same arguments to resume it, or use --restart or delete it to start over`;
}

/**
 * Computes the job key of an extraction: SHA-256 of the source's description and record type,
 * the sink's identity and the caller's identity. A checkpoint with another key is refused.
 *
 * @param options The source, the sink and the identity.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import { extractJobKey } from "./_job_key.ts";
 * import { MemorySink } from "./sink_memory.ts";
 * import { notStrictEqual } from "node:assert/strict";
 *
 * const source = { description: { path: "/api/v2/users" }, recordType: "user", pages: async function* () {} };
 * const csv = await extractJobKey({ source, sink: new MemorySink({ format: "csv" }) });
 * const jsonl = await extractJobKey({ source, sink: new MemorySink({ format: "jsonl" }) });
 * notStrictEqual(csv, jsonl);
 * ```
 */
export function extractJobKey(
  options: Pick<ExtractOptions, "source" | "sink" | "identity">,
): Promise<string> {
  return computeJobKey(extractJob(options));
}

/**
 * The arguments that identify an extraction, as {@link extractJobKey} hashes them and a
 * checkpoint keeps them (`Checkpoint.job`): the checkpoint format version, the source's
 * description and record type, the sink's identity and the caller's identity.
 *
 * @param options The source, the sink and the identity.
 * @returns The arguments, as JSON.
 *
 * @example
 * ```ts
 * import { extractJob } from "./_job_key.ts";
 * import { MemorySink } from "./sink_memory.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const source = { description: { path: "/api/v2/users" }, recordType: "user", pages: async function* () {} };
 * deepStrictEqual(extractJob({ source, sink: new MemorySink({ format: "csv" }) }), {
 *   checkpointVersion: 2,
 *   source: { path: "/api/v2/users" },
 *   recordType: "user",
 *   sink: { format: "csv" },
 *   identity: null,
 * });
 * ```
 */
export function extractJob(
  options: Pick<ExtractOptions, "source" | "sink" | "identity">,
): JsonValue {
  return {
    checkpointVersion: CHECKPOINT_VERSION,
    source: options.source.description,
    recordType: options.source.recordType,
    sink: options.sink.identity,
    identity: options.identity ?? null,
  };
}
