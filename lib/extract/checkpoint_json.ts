/**
 * Reading a checkpoint back: the JSON a store keeps, checked field by field.
 *
 * @module
 */

import { type Checkpoint, CHECKPOINT_VERSION } from "./checkpoint.ts";
import { CheckpointError } from "../errors.ts";

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks that `value` is a usable checkpoint and returns it typed.
 *
 * @param value A parsed checkpoint (from JSON or a KV entry).
 * @param location Where it was read from, for the error message.
 * @returns The checkpoint.
 * @throws {CheckpointError} When a field is missing or has the wrong type, or the version is not
 * {@link CHECKPOINT_VERSION} (version 1: written by an earlier version, which the message says);
 * the message names the location and how to start over.
 *
 * @example
 * ```ts
 * import { validateCheckpoint } from "./checkpoint_json.ts";
 * import { CheckpointError } from "../errors.ts";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => validateCheckpoint({ version: 99 }, "job.json"), CheckpointError);
 * ```
 */
export function validateCheckpoint(value: unknown, location: string): Checkpoint {
  const fail = (reason: string): never => {
    throw new CheckpointError(
      `Checkpoint '${location}' is corrupt: ${reason}; delete it or use --restart to start over`,
    );
  };
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail("it is not a JSON object");
  }
  const cp = value as Record<string, unknown>;
  if (cp.version === 1) {
    const fix = cp.status === "complete"
      ? "use --restart (or delete it) to extract again"
      : "finish it with the version that wrote it, or use --restart (or delete it) to start over";
    throw new CheckpointError(
      `Checkpoint '${location}' was written by an earlier version of this toolkit (checkpoint format 1), whose resume positions this version cannot continue exactly (conversations now belong to the window they started in); ${fix}`,
    );
  }
  if (cp.version !== CHECKPOINT_VERSION) {
    return fail(`version '${String(cp.version)}' is not '${CHECKPOINT_VERSION}'`);
  }
  if (typeof cp.jobKey !== "string" || !/^[0-9a-f]{64}$/.test(cp.jobKey)) {
    fail("'jobKey' is missing or malformed");
  }
  for (const field of ["recordType", "format", "createdAt", "updatedAt"]) {
    if (typeof cp[field] !== "string") fail(`'${field}' is missing or not a string`);
  }
  if (cp.output !== undefined && typeof cp.output !== "string") fail("'output' is not a string");
  if (!("position" in cp)) fail("'position' is missing");
  if (!("sinkState" in cp)) fail("'sinkState' is missing");
  for (const field of ["pages", "records", "bytes"]) {
    if (!isCount(cp[field])) fail(`'${field}' is missing or not a non-negative integer`);
  }
  if (cp.total !== undefined && !isCount(cp.total)) fail("'total' is not a non-negative integer");
  if (cp.dropped !== undefined && !isCount(cp.dropped)) {
    fail("'dropped' is not a non-negative integer");
  }
  if (cp.capped !== undefined) {
    const c = cp.capped as Record<string, unknown>;
    if (
      typeof c !== "object" || c === null || !isCount(c.limit) || typeof c.description !== "string"
    ) {
      fail("'capped' is not { limit, description }");
    }
  }
  if (cp.openEnd !== undefined) {
    const o = cp.openEnd as Record<string, unknown>;
    if (
      typeof o !== "object" || o === null || typeof o.until !== "string" || !isCount(o.bytes) ||
      !("sinkState" in o)
    ) {
      fail("'openEnd' is not { until, bytes, sinkState }");
    }
  }
  if (cp.status !== "running" && cp.status !== "complete") {
    fail(`'status' is '${String(cp.status)}', not 'running' or 'complete'`);
  }
  return cp as unknown as Checkpoint;
}

/**
 * Parses checkpoint JSON text and validates it (see {@link validateCheckpoint}).
 *
 * @param text The stored text.
 * @param location Where it was read from, for the error message.
 * @returns The checkpoint.
 * @throws {CheckpointError} When the text is not JSON or not a valid checkpoint.
 *
 * @example
 * ```ts
 * import { parseCheckpoint } from "./checkpoint_json.ts";
 * import { CheckpointError } from "../errors.ts";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => parseCheckpoint("{not json", "users.checkpoint.json"), CheckpointError);
 * ```
 */
export function parseCheckpoint(text: string, location: string): Checkpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CheckpointError(
      `Checkpoint '${location}' is corrupt: it is not valid JSON; delete it or use --restart to start over`,
    );
  }
  return validateCheckpoint(value, location);
}
