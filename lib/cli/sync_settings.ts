/**
 * The options of `sync`, read and checked before anything is sent or written: what is synced,
 * the folder, the days (`--since`, `--until`, `--settle`, `--provisional`), how days are read
 * (`--via`, the job settings), the format and table shape, a listing's query, and the paging and
 * time options every command shares.
 *
 * @module
 */

import type { ConversationDetailsJobOptions } from "../analytics/details_job.ts";
import type { ConversationDetailsQuery } from "../analytics/details_query.ts";
import { UsageError } from "../errors.ts";
import { type OutputFormat, parseOutputFormat } from "../extract/format.ts";
import { DAY_MS, parseDuration, parseInstant } from "../analytics/interval.ts";
import { DEFAULT_SETTLE } from "../extract/sync_plan.ts";
import type { SyncViaOption } from "../extract/sync_via.ts";
import { parseTableShape, type TableShape } from "../analytics/table.ts";
import { readInteger, readRunSettings, type RunSettings } from "./extract_options.ts";
import type { ParsedCommand } from "./spec.ts";
import { readJobOptions } from "./commands/conversations.ts";
import { parseQueryOptions } from "./commands/listing.ts";

/** What `sync` keeps: conversation days, or daily snapshots of a listing. */
export const SYNC_KINDS = {
  conversations: undefined,
  users: "/api/v2/users",
  queues: "/api/v2/routing/queues",
} as const;

/** What `sync` keeps. */
export type SyncKind = keyof typeof SYNC_KINDS;

/** The checked options of `sync`. */
export interface SyncSettings extends RunSettings {
  /** What is synced. */
  what: SyncKind;
  /** The folder. */
  dir: string;
  /** Every day's format. */
  outputFormat: OutputFormat;
  /** `--force`. */
  force: boolean;
  /** Conversations: the first day (epoch ms). */
  since?: number;
  /** Conversations: the first day not synced (epoch ms). */
  until?: number;
  /** Conversations: `--settle` in ms. */
  settleMs: number;
  /** Conversations: `--settle` as given (or its default). */
  settleText: string;
  /** Conversations: `--provisional`. */
  provisional: boolean;
  /** Conversations: `--via`. */
  via: SyncViaOption;
  /** Conversations: the filters and order. */
  filter: Omit<ConversationDetailsQuery, "interval">;
  /** Conversations: `--table`. */
  table?: TableShape;
  /** Conversations: results per job page. */
  jobPageSize: number;
  /** Conversations: `--job-wait` and how messages name it. */
  jobOptions: Pick<ConversationDetailsJobOptions, "maxWait" | "hints">;
  /** Listings: `--query`. */
  query: Record<string, string | string[]>;
}

/** Options of `sync conversations` only. */
export const CONVERSATION_ONLY: readonly string[] = [
  "since",
  "until",
  "settle",
  "provisional",
  "via",
  "filter",
  "filter-file",
  "table",
  "job-page-size",
  "job-wait",
];

/**
 * Reads a day option: a UTC day (`2026-01-01`, or an instant at 00:00 UTC) or a number of days
 * ago (`30d`, `1w`: the UTC day that long before now).
 *
 * @param text The value.
 * @param flag The option, for messages.
 * @param now The current time, epoch ms.
 * @returns The day's start, epoch ms.
 * @throws {UsageError} When it is neither.
 *
 * @example
 * ```ts
 * import { readSyncDay } from "./sync_settings.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const now = Date.parse("2026-03-10T08:30:00Z");
 * strictEqual(readSyncDay("30d", "--since", now), Date.UTC(2026, 1, 8));
 * strictEqual(readSyncDay("2026-01-01", "--since", now), Date.UTC(2026, 0, 1));
 * ```
 */
export function readSyncDay(text: string, flag: string, now: number): number {
  const hint = `give a UTC day such as '2026-01-01', or days ago such as '30d'`;
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const ms = parseInstant(text);
    if (ms % DAY_MS !== 0) {
      throw new UsageError(`Option '${flag}' is '${text}', not the start of a UTC day: ${hint}`);
    }
    return ms;
  }
  let ago: number;
  try {
    ago = parseDuration(text);
  } catch {
    throw new UsageError(`Option '${flag}' is '${text}': ${hint}`);
  }
  return Math.floor((now - ago) / DAY_MS) * DAY_MS;
}

/**
 * Reads and checks the options of `sync <what>`, before anything is sent or written.
 *
 * @param parsed The parsed command.
 * @param now The current time, epoch ms (for days given as days ago).
 * @returns The settings.
 * @throws {UsageError} For an unknown kind, a missing `--dir` or `--since`, an option of another
 * kind, or a bad value.
 *
 * @example
 * ```ts
 * import { readSyncSettings } from "./sync_settings.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * const parsed = {
 *   positionals: ["conversations"],
 *   strings: { dir: "output/c", since: "2026-01-01", via: "jobs" },
 *   lists: { query: [] },
 *   flags: {},
 * };
 * strictEqual(readSyncSettings(parsed, Date.now()).via, "jobs");
 * throws(
 *   () => readSyncSettings({ ...parsed, positionals: ["users"] }, Date.now()),
 *   /Option '--since' applies to 'sync conversations' only/,
 * );
 * ```
 */
export function readSyncSettings(parsed: ParsedCommand, now: number): SyncSettings {
  const what = parsed.positionals[0];
  if (!(what in SYNC_KINDS)) {
    throw new UsageError(
      `'sync' keeps conversations, users or queues, not '${what}': write such as 'sync conversations --since 2026-01-01 --dir output/conversations'`,
    );
  }
  const kind = what as SyncKind;
  const s = parsed.strings;
  const conversations = kind === "conversations";
  const given = (name: string) =>
    s[name] !== undefined || parsed.flags[name] === true || (parsed.lists[name]?.length ?? 0) > 0;
  const misplaced = conversations
    ? (given("query") ? "query" : undefined)
    : CONVERSATION_ONLY.find(given);
  if (misplaced) {
    throw new UsageError(
      `Option '--${misplaced}' applies to 'sync ${
        conversations ? "users' and 'sync queues" : "conversations"
      }' only`,
    );
  }
  const dir = s.dir?.trim().replace(/(.)[\\/]+$/, "$1");
  if (!dir) {
    throw new UsageError(
      `Option '--dir' is needed: the sync's folder, such as 'output/${kind}'`,
    );
  }
  const run = readRunSettings(parsed, {
    pageSize: 100,
    maxPageSize: conversations ? 100 : 500,
  });
  const via = (s.via ?? "auto").toLowerCase();
  if (!["query", "jobs", "auto"].includes(via)) {
    throw new UsageError(`Option '--via' is '${s.via}': use query, jobs or auto`);
  }
  if (conversations && s.since === undefined) {
    throw new UsageError(
      "Option '--since' is needed: the first UTC day, such as '2026-01-01', or days ago, such as '30d'",
    );
  }
  const settleMs = parseDuration(s.settle ?? DEFAULT_SETTLE);
  return {
    ...run,
    what: kind,
    dir,
    outputFormat: s.format !== undefined ? parseOutputFormat(s.format) : "jsonl",
    force: parsed.flags.force === true,
    ...(s.since !== undefined ? { since: readSyncDay(s.since, "--since", now) } : {}),
    ...(s.until !== undefined ? { until: readSyncDay(s.until, "--until", now) } : {}),
    settleMs,
    settleText: s.settle ?? DEFAULT_SETTLE,
    provisional: parsed.flags.provisional === true,
    via: via as SyncViaOption,
    filter: {},
    ...(s.table !== undefined ? { table: parseTableShape(s.table) } : {}),
    jobPageSize: s["job-page-size"] === undefined
      ? 1000
      : readInteger(s["job-page-size"], "--job-page-size", 1, 10_000),
    jobOptions: conversations ? readJobOptions(parsed, true) : {},
    query: conversations ? {} : parseQueryOptions(parsed.lists.query ?? []),
  };
}
