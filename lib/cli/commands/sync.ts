/**
 * The `sync` command: `sync conversations` keeps a folder of one file per UTC day, each written
 * once when the day is settled; `sync users` and `sync queues` keep one dated snapshot per day.
 * This file holds the spec; `../sync_settings.ts` reads the options, `../sync_run.ts` runs it.
 *
 * @module
 */

import type { ConversationDetailsQuery } from "../../analytics/details_query.ts";
import { UsageError } from "../../errors.ts";
import { DEFAULT_SETTLE } from "../../extract/sync_plan.ts";
import type { CommandContext } from "../context.ts";
import { CONNECTION_OPTIONS, extractionOptions, LOG_OPTIONS } from "../options.ts";
import { runSync } from "../sync_run.ts";
import { readSyncSettings } from "../sync_settings.ts";
import type { CommandSpec, OptionSpec, ParsedCommand } from "../spec.ts";
import type { Command } from "./command.ts";
import { readFilter } from "./conversations_query.ts";

const shared = Object.fromEntries(
  extractionOptions({ pageSize: 100, maxPageSize: 500 }).map((o) => [o.name, o]),
);

function option(name: string, changes: Partial<OptionSpec> = {}): OptionSpec {
  return { ...shared[name], ...changes };
}

/** The `sync` command's spec. */
export const syncSpec: CommandSpec = {
  name: "sync",
  summary: "Keep a folder of one file per UTC day, up to date, for scheduled runs",
  description: [
    "sync conversations writes one file per UTC day from --since, <dir>/YYYY-MM-DD.<format>, holding exactly the conversations that started that day, once the day is settled: when it ended --settle (48h) ago, the API's data of it no longer changes. Each day's file appears (renamed from .partial) only when it is complete, and <dir>/manifest.json then lists it (records, bytes, SHA-256, when, via query or jobs): the manifest is the single truth about which days are final. A day in the manifest is never read again.",
    "Run the same command as often as you like (cron): it writes only the days that are missing, resumes a day a stopped run started where it stopped, and a second run while one is going stops at once (exit 6). --provisional also writes the days not settled yet, up to now, into <dir>/provisional/, replaced on every run. --via auto (default) reads each day with the details query or a details job, whichever costs fewer requests for its size (docs/sync.md).",
    "sync users and sync queues write at most one snapshot per UTC day, <dir>/users-YYYY-MM-DD.<format>, listed in the same kind of manifest. Each kind needs its own folder.",
  ],
  positionals: [{
    name: "what",
    description: "conversations, users or queues",
    required: true,
  }],
  options: [
    ...CONNECTION_OPTIONS,
    {
      name: "dir",
      type: "string",
      value: "<folder>",
      description:
        "The sync's folder: the days, manifest.json and the checkpoints of unfinished days. Under the extract task it must be inside output/.",
    },
    {
      name: "since",
      type: "string",
      value: "<day>",
      description:
        "sync conversations: the first UTC day, such as '2026-01-01', or days ago, such as '30d' (a rolling window).",
    },
    {
      name: "until",
      type: "string",
      value: "<day>",
      description:
        "sync conversations: the first day not synced. Days that are not settled yet are not written as final (see --provisional).",
      default: "the day after the last settled day",
    },
    {
      name: "settle",
      type: "string",
      value: "<duration>",
      description:
        "sync conversations: how long after its end a day is final. Genesys Cloud reprocesses the last ~48 hours and adds late segments, so a shorter wait may freeze data that still changes.",
      default: DEFAULT_SETTLE,
    },
    {
      name: "provisional",
      type: "boolean",
      description:
        "sync conversations: also write the days that are not settled yet, today up to now included, into <dir>/provisional/ (replaced on every run, removed once the day is final). Always through the details query.",
    },
    {
      name: "via",
      type: "string",
      value: "<way>",
      description:
        "sync conversations: query (the details query), jobs (a details job per day) or auto: per day, the one that costs fewer requests, from the day's size (the totalHits of a one-record query page). A day a stopped run started goes on the way it started.",
      default: "auto",
    },
    {
      name: "filter",
      type: "string",
      value: "<json>",
      description:
        "sync conversations: filters and order as inline JSON, as for conversations (no interval: each day is its own).",
    },
    {
      name: "filter-file",
      type: "string",
      value: "<path>",
      description: "sync conversations: the same as --filter, read from a JSON file.",
    },
    {
      name: "table",
      type: "string",
      value: "<shape>",
      description:
        "sync conversations: conversations, participants, segments or raw, as for conversations (docs/tables.md). Default: conversations for CSV, raw for JSONL and JSON.",
    },
    option("format", {
      description:
        "jsonl (one record per line), csv or json (one array): the format of every day's file.",
      default: "jsonl",
    }),
    option("page-size", {
      description:
        "Records per request: 1 to 100 for the details query (default 100), 1 to 500 for users and queues (default 100).",
      default: undefined,
    }),
    {
      name: "job-page-size",
      type: "string",
      value: "<n>",
      description: "sync conversations: conversations per details job results page, 1 to 10000.",
      default: "1000",
    },
    {
      name: "job-wait",
      type: "string",
      value: "<duration>",
      description:
        "sync conversations: the longest wait for a details job to complete; past it the run stops (exit 1) and the next run resumes waiting for the same job.",
      default: "30m",
    },
    {
      name: "query",
      type: "string",
      value: "<key=value>",
      collect: true,
      description:
        "sync users|queues: an extra query parameter for every page request, such as 'state=any'; repeat it for several values of one key.",
    },
    option("concurrency"),
    option("deadline", {
      description:
        "Stop cleanly after this long (such as '50m'): finished days stay final, the day in progress is saved, and the exit code is 4; the next run continues.",
    }),
    option("max-retry-after"),
    option("rate"),
    option("rate-limit-budget"),
    option("timeout"),
    option("force", {
      description:
        "Replace a day's file that exists although the manifest does not list it and no checkpoint covers it (left by something else).",
    }),
    ...LOG_OPTIONS,
  ],
  examples: [
    {
      command: "sync conversations --since 2026-01-01 --dir output/conversations",
      note:
        "Every settled day since 1 January, one file each; run it again (nightly) to add new days",
    },
    {
      command:
        "sync conversations --since 30d --dir output/week --provisional --deadline 50m --quiet",
      note:
        "A rolling 30 days for an hourly cron, with today and the last two days as provisional files",
    },
    {
      command:
        "sync conversations --since 2026-01-01 --dir output/voice -f csv --table participants --via jobs --filter-file voice.json",
      note: "Voice conversations as participant rows in CSV, each day through a details job",
    },
    {
      command: "sync users --dir output/users --query state=any",
      note: "One snapshot of every user per day: output/users/users-YYYY-MM-DD.jsonl",
    },
  ],
};

async function run(parsed: ParsedCommand, ctx: CommandContext): Promise<number> {
  const settings = readSyncSettings(parsed, Date.now());
  if (settings.what === "conversations") {
    const filter = await readFilter(parsed);
    if (filter.interval !== undefined) {
      throw new UsageError(
        "The filter has an interval, but a sync sets each day's own: remove 'interval' from it",
      );
    }
    settings.filter = filter.body as Omit<ConversationDetailsQuery, "interval">;
  }
  return await runSync(parsed, settings, ctx);
}

/** `sync conversations|users|queues`: incremental, day by day, for scheduled runs. */
export const syncCommand: Command = { spec: syncSpec, run };
