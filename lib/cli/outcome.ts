/**
 * What a finished extraction says besides its summary line: a result capped by a documented server
 * limit (exit code 5), counts that disagree with the server's own, an output that covers its
 * interval only up to now.
 *
 * @module
 */

import type { ExtractResult } from "../extract/extract.ts";
import { ExitCode, type ExitCodeValue } from "./exit.ts";
import { formatCount } from "./progress.ts";

/** The messages and exit code of a finished extraction. */
export interface Outcome {
  /** Warnings (printed even with `--quiet`). */
  warnings: string[];
  /** Notices for people (dropped with `--quiet`). */
  notices: string[];
  /** The exit code: 5 when capped, else 0. */
  code: ExitCodeValue;
}

/**
 * Works out what a complete extraction (or one found already complete) must still say.
 *
 * - Capped: a warning names the cap and what it means, and the exit code is 5.
 * - The server's `total` differs from the records that arrived (and no cap explains it): a
 *   warning says so.
 * - An open end (the interval was clamped to now): a notice says until when the output covers
 *   and that the same command run later extracts the rest.
 *
 * @param result The engine's result.
 * @param label What was extracted, plural: `users`.
 * @returns The warnings, notices and exit code.
 *
 * @example
 * ```ts
 * import { outcomeOf } from "./outcome.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const base = {
 *   status: "complete" as const, alreadyComplete: false, resumed: false, resumable: false,
 *   pages: 100, records: 10_000, bytes: 1, pagesThisRun: 100, recordsThisRun: 10_000,
 *   dropped: 0, jobKey: "k", elapsedMs: 1, output: "output/users.jsonl", total: 12_000,
 * };
 * const capped = outcomeOf({ ...base, capped: { limit: 10_000, description: "Inactive users stop at 10,000" } }, "users");
 * strictEqual(capped.code, 5);
 * strictEqual(capped.warnings.length, 1);
 * strictEqual(outcomeOf(base, "users").warnings[0].startsWith("The server reported 12,000 users"), true);
 * ```
 */
export function outcomeOf(result: ExtractResult, label: string): Outcome {
  const warnings: string[] = [];
  const notices: string[] = [];
  const output = result.output ?? "the output";
  if (result.capped) {
    const { limit, description } = result.capped;
    warnings.push(
      `Capped: ${description}. ${output} is finished with the ${
        formatCount(result.records)
      } ${label} read before the cap, so it is incomplete${
        result.total !== undefined ? ` (the server counts ${formatCount(result.total)})` : ""
      }; a rerun reads no more. Narrow the listing (such as --query divisionId=<id>) so each part stays under ${
        formatCount(limit)
      } (exit code 5)`,
    );
  } else if (result.total !== undefined && result.total !== result.records) {
    warnings.push(
      `The server reported ${formatCount(result.total)} ${label} but ${
        formatCount(result.records)
      } arrived: the data changed while it was read, or the server's count is off; every page the server gave was written`,
    );
  }
  if (result.openUntil !== undefined) {
    const later = result.checkpoint === undefined
      ? "Without a checkpoint (-o -) a later run starts over"
      : "Run the same command again later to add it";
    notices.push(
      `${output} holds the ${label} up to '${result.openUntil}': the rest of the interval has not happened yet. ${later}; the last ~48 hours can still change (docs/conversations.md)`,
    );
  }
  return { warnings, notices, code: result.capped ? ExitCode.CAPPED : ExitCode.OK };
}
