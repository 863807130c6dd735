/**
 * The `conversations` command: conversation details for an interval, through the details query
 * (default) or the asynchronous jobs API (`--jobs`), with filters inline or from a file.
 *
 * @module
 */

import {
  type ConversationDetailsJobOptions,
  conversationDetailsJobSource,
} from "../../analytics/details_job.ts";
import { conversationDetailsSource } from "../../analytics/conversation_details.ts";
import type { ConversationDetailsQuery } from "../../analytics/details_query.ts";
import { UsageError } from "../../errors.ts";
import { formatInstant, formatInterval, parseDuration } from "../../analytics/interval.ts";
import type { CommandContext } from "../context.ts";
import { ChunkProgress } from "../progress_estimate.ts";
import { type ExtractionPlan, runExtraction } from "../extraction.ts";
import { CONNECTION_OPTIONS, extractionOptions, LOG_OPTIONS } from "../options.ts";
import { readInteger } from "../extract_options.ts";
import type { PermissionNeed } from "../permissions.ts";
import type { CommandSpec, ParsedCommand } from "../spec.ts";
import { parseTableShape } from "../../analytics/table.ts";
import type { Command } from "./command.ts";
import { readFilter, resolveInterval } from "./conversations_query.ts";

const QUERY_PAGE = { default: 100, max: 100 };
const JOBS_PAGE = { default: 1000, max: 10_000 };

/** The `conversations` command's spec. */
export const conversationsSpec: CommandSpec = {
  name: "conversations",
  summary: "Extract conversation details for an interval",
  description: [
    "Reads POST /api/v2/analytics/conversations/details/query page by page, in chunks of the interval (1 day by default; at most 7 days without a filter, 31 with one), splitting a chunk further when it holds more than the API's 100,000-result paging limit. --jobs uses the asynchronous jobs API instead, for large or older intervals.",
    "Give the interval with --interval, --since/--until or --yesterday (all UTC). It means the conversations that started in [start, end): each is written once however the interval is chunked, split or resumed, and none that started outside it (the API also returns earlier ones that overlap; they are skipped). An interval that ends in the future is read up to now; running the same command later adds the rest. Filters come from --filter (inline JSON) or --filter-file: a JSON object with the request body's conversationFilters, segmentFilters, evaluationFilters, surveyFilters, resolutionFilters, order and orderBy (and, for --jobs, limit, startOfDayIntervalMatching and order 'unordered'). A file may also carry the interval.",
    "Resumes by default: after a crash, a deadline or Ctrl-C, run the same command again and it continues after the last saved page; the output is byte for byte what one clean run writes. The resume command printed on a stop pins a relative interval (--yesterday, --since 24h) to the one this run used.",
  ],
  options: [
    ...CONNECTION_OPTIONS,
    {
      name: "interval",
      short: "i",
      type: "string",
      value: "<start/end>",
      description:
        "ISO-8601 start/end, such as '2026-01-01T00:00:00Z/2026-01-08T00:00:00Z'; a date alone means midnight UTC, and either side may be a duration ('2026-01-01/P7D').",
    },
    {
      name: "since",
      type: "string",
      value: "<when>",
      description:
        "Start of the interval: an instant ('2026-01-01', '2026-01-01T06:00:00Z') or a duration ago ('24h', '7d').",
    },
    {
      name: "until",
      type: "string",
      value: "<when>",
      description: "End of the interval with --since: an instant or a duration ago.",
      default: "now",
    },
    {
      name: "yesterday",
      type: "boolean",
      description: "The previous UTC day, 00:00 to 00:00.",
    },
    {
      name: "jobs",
      type: "boolean",
      description:
        "Use the asynchronous jobs API (POST /api/v2/analytics/conversations/details/jobs): submit, wait for FULFILLED, read the results by cursor. A stopped run resumes the same job (or resubmits an expired one and skips what is saved).",
    },
    {
      name: "job-wait",
      type: "string",
      value: "<duration>",
      description:
        "With --jobs: the longest wait for the job to complete, such as '2h'; past it the run stops (exit 1) and running the same command again resumes waiting for the same job.",
      default: "30m",
    },
    {
      name: "availability",
      type: "string",
      value: "<check>",
      description:
        "With --jobs: what to do when the interval ends after the jobs' data availability date (GET .../jobs/availability; jobs see no data after it): refuse (exit 2, nothing submitted), warn (submit anyway, saying what may be missing) or ignore (do not ask).",
      default: "refuse",
    },
    {
      name: "filter",
      type: "string",
      value: "<json>",
      description:
        `Filters and order as inline JSON, such as '{"segmentFilters":[{"type":"and","predicates":[{"dimension":"mediaType","value":"voice"}]}]}'.`,
    },
    {
      name: "filter-file",
      type: "string",
      value: "<path>",
      description: "The same as --filter, read from a JSON file.",
    },
    {
      name: "chunk",
      type: "string",
      value: "<duration>",
      description:
        "Length of the interval pieces the details query reads one after another, such as '6h' or '7d' (not with --jobs).",
      default: "1d",
    },
    {
      name: "max-results",
      type: "string",
      value: "<n>",
      description:
        "The details query's paging limit (pageNumber × pageSize): a chunk whose first page reports more than 80 % of it is split in two. Genesys Cloud's is 100000; give a lower one only to match a simulator started with a lower --details-result-limit (not with --jobs).",
      default: "100000",
    },
    {
      name: "table",
      type: "string",
      value: "<shape>",
      description:
        "conversations (one row per conversation: queue, agents, wrap-up, ANI/DNIS, handle/talk/hold/ACW times), participants (one per participant), segments (one per segment) or raw (the records as the API gives them). Tables are flat rows in CSV, JSONL and JSON, with fixed columns (docs/tables.md). Default: conversations for CSV, raw for JSONL and JSON.",
    },
    {
      name: "resolve-names",
      type: "boolean",
      description:
        "Add name columns next to the user, queue and wrap-up code ids of a table. Reads the users, queues and wrap-up codes listings once per job (cached beside the checkpoint for resumes; needs directory:user:view, routing:queue:view, routing:wrapupCode:view).",
    },
    ...extractionOptions({
      pageSize: QUERY_PAGE.default,
      maxPageSize: QUERY_PAGE.max,
      pageSizeNote:
        "Conversations per request: 1 to 100 for the details query (default 100), 1 to 10000 for --jobs results (default 1000).",
      output: "output/conversations-<start>-<end>[-jobs].<format>",
    }).map((o) => o.name === "page-size" ? { ...o, default: undefined } : o),
    ...LOG_OPTIONS,
  ],
  examples: [
    {
      command: "conversations --yesterday --region eu-west-1",
      note: "Yesterday (UTC) into output/conversations-<interval>.jsonl",
    },
    {
      command:
        "conversations --interval 2026-01-01T00:00:00Z/2026-01-08T00:00:00Z -o output/week1.csv",
      note: "One week as CSV",
    },
    {
      command:
        `conversations --since 6h --filter '{"segmentFilters":[{"type":"and","predicates":[{"dimension":"mediaType","value":"voice"}]}]}'`,
      note: "The last 6 hours of voice conversations",
    },
    {
      command:
        "conversations --interval 2025-11-01/2025-12-01 --jobs --filter-file filters.json --deadline 2h",
      note:
        "A month through the jobs API, stopping cleanly after 2 hours (exit 4; run again to go on)",
    },
    {
      command:
        "conversations --interval 2026-01-01/2026-01-08 --table segments --resolve-names -o output/week1-segments.csv",
      note: "One row per segment, with user, queue and wrap-up code names",
    },
    {
      command:
        "conversations --interval 2026-01-01/2026-02-01 --jobs --job-wait 2h --availability warn",
      note:
        "Wait up to 2 hours for the job, and submit it even if the interval ends after the data availability date",
    },
    {
      command: "conversations --yesterday -o - | jq -r .conversationId",
      note: "Stream to stdout (no checkpoint)",
    },
  ],
};

function compact(instant: number): string {
  return formatInstant(instant).replace(/[-:]/g, "").replace(/\.\d+/, "");
}

/**
 * Builds the extraction plan of `conversations` from its options: reads the filter, works out the
 * interval and picks the details query or jobs source. Everything is checked here, before any
 * file is touched.
 *
 * @param parsed The parsed command.
 * @param now The current time, epoch ms (for `--yesterday` and `--since 24h`).
 * @returns The plan for {@link runExtraction}.
 * @throws {UsageError} For a bad interval, filter or option combination.
 *
 * @example
 * ```ts
 * import { conversationsPlan } from "./conversations.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const plan = await conversationsPlan({
 *   positionals: [],
 *   strings: { interval: "2026-01-01/2026-01-02" },
 *   lists: {},
 *   flags: {},
 * });
 * strictEqual(plan.defaultName, "conversations-20260101T000000Z-20260102T000000Z");
 * strictEqual(plan.interval, "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z");
 * ```
 */
export async function conversationsPlan(
  parsed: ParsedCommand,
  now: number = Date.now(),
): Promise<ExtractionPlan> {
  const jobs = parsed.flags.jobs === true;
  for (const flag of ["chunk", "max-results"]) {
    if (jobs && parsed.strings[flag] !== undefined) {
      throw new UsageError(`Option '--${flag}' applies to the details query only, not to --jobs`);
    }
  }
  const maxResults = readInteger(
    parsed.strings["max-results"] ?? "100000",
    "--max-results",
    1,
    100_000,
  );
  const pageSize = Number(parsed.strings["page-size"] ?? QUERY_PAGE.default);
  if (maxResults < pageSize) {
    throw new UsageError(
      `Option '--max-results' (${maxResults}) must be at least the page size (${pageSize}): raise it or lower --page-size`,
    );
  }
  const jobOptions = readJobOptions(parsed, jobs);
  const filter = await readFilter(parsed);
  const interval = resolveInterval(parsed, filter.interval, now);
  const intervalText = formatInterval(interval);
  const chunk = parsed.strings.chunk;
  const chunkMs = parseDuration(chunk ?? "1d");
  const query = { ...filter.body, interval: intervalText } as ConversationDetailsQuery;
  const table = parsed.strings.table;
  const needs: PermissionNeed[] = parsed.strings["filter-file"] !== undefined
    ? [{ name: "read", target: parsed.strings["filter-file"], why: "the filter file" }]
    : [];
  // The details query tells its size chunk by chunk; the jobs API only at the end.
  const chunks = jobs
    ? undefined
    : new ChunkProgress(intervalText, chunkMs, query.order === "desc");
  return {
    label: "conversations",
    defaultName: `conversations-${compact(interval.start)}-${compact(interval.end)}${
      jobs ? "-jobs" : ""
    }`,
    pageSize: jobs ? JOBS_PAGE : QUERY_PAGE,
    interval: intervalText,
    needs,
    table: {
      shape: table !== undefined ? parseTableShape(table) : undefined,
      resolveNames: parsed.flags["resolve-names"] === true,
    },
    progress: chunks ? () => chunks.current() : undefined,
    source: (client, settings) => {
      if (interval.end > Date.now()) {
        settings.reporter.say(
          `The interval ends in the future ('${
            formatInstant(interval.end)
          }'): it is read up to now, and running the same command later adds the rest`,
        );
      }
      return jobs
        ? conversationDetailsJobSource(client, query, {
          ...jobOptions,
          pageSize: settings.pageSize,
          prefetch: settings.prefetch,
          deadline: settings.deadline,
          onWarning: (message) => settings.reporter.warn(message),
          onJob: settings.onJob,
        })
        : conversationDetailsSource(client, query, {
          pageSize: settings.pageSize,
          chunk: chunk ?? "1d",
          maxResults,
          prefetch: settings.prefetch,
          concurrency: settings.concurrency,
          deadline: settings.deadline,
          // A page that read nothing (an open end with nothing new) belongs to no chunk.
          onPage: (page) => {
            if (page.interval !== "") chunks?.page(page.interval, page.totalHits);
          },
        });
    },
  };
}

/** `--availability` values and the library's names for them. */
const AVAILABILITY = { refuse: "fail", warn: "warn", ignore: "off" } as const;

/**
 * Reads `--job-wait` and `--availability` (only with `--jobs`) into the jobs source's options,
 * with messages that name these flags.
 *
 * @param parsed The parsed command.
 * @param jobs Whether `--jobs` was given.
 * @returns The options for the jobs source.
 * @throws {UsageError} For a flag without `--jobs` or a bad value.
 *
 * @example
 * ```ts
 * import { readJobOptions } from "./conversations.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const parsed = { positionals: [], strings: { "job-wait": "2h", availability: "warn" }, lists: {}, flags: {} };
 * const options = readJobOptions(parsed, true);
 * strictEqual(options.maxWait, 7_200_000);
 * strictEqual(options.checkAvailability, "warn");
 * ```
 */
export function readJobOptions(
  parsed: ParsedCommand,
  jobs: boolean,
): Pick<ConversationDetailsJobOptions, "maxWait" | "checkAvailability" | "hints"> {
  const wait = parsed.strings["job-wait"];
  const check = parsed.strings.availability;
  if (!jobs) {
    const flag = wait !== undefined
      ? "--job-wait"
      : check !== undefined
      ? "--availability"
      : undefined;
    if (flag) {
      throw new UsageError(`Option '${flag}' applies to --jobs only: add --jobs or drop it`);
    }
    return {};
  }
  const options: Pick<ConversationDetailsJobOptions, "maxWait" | "checkAvailability" | "hints"> = {
    hints: { allowUnavailable: "--availability warn", maxWait: "--job-wait" },
  };
  if (wait !== undefined) {
    const ms = parseDuration(wait);
    if (!(ms > 0)) {
      throw new UsageError(
        `Option '--job-wait' must be longer than zero, such as '2h'; got '${wait}'`,
      );
    }
    options.maxWait = ms;
  }
  if (check !== undefined) {
    const mode = AVAILABILITY[check.toLowerCase() as keyof typeof AVAILABILITY];
    if (mode === undefined) {
      throw new UsageError(`Option '--availability' is '${check}': use refuse, warn or ignore`);
    }
    options.checkAvailability = mode;
  }
  return options;
}

async function run(parsed: ParsedCommand, ctx: CommandContext): Promise<number> {
  return await runExtraction(parsed, await conversationsPlan(parsed), ctx);
}

/** `conversations`: conversation details for an interval. */
export const conversationsCommand: Command = { spec: conversationsSpec, run };
