/**
 * Option specs shared by several commands, so every command spells and documents them alike.
 *
 * @module
 */

import type { OptionSpec } from "./spec.ts";

/** `--region`, `--env-file`: where to connect and where the credentials are. */
export const CONNECTION_OPTIONS: readonly OptionSpec[] = Object.freeze([
  {
    name: "region",
    short: "r",
    type: "string",
    value: "<name|url>",
    description:
      "Genesys Cloud region: an environment such as 'mypurecloud.ie', an AWS region such as 'eu-west-1', one of its URLs such as 'https://api.mypurecloud.ie' (token requests still go to its login host), or a base URL such as 'http://127.0.0.1:8787' (the simulator).",
    env: "GENESYSCLOUD_REGION",
  },
  {
    name: "env-file",
    type: "string",
    value: "<path>",
    description:
      "Read GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET and GENESYSCLOUD_REGION (or GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET) from this dotenv file; its values win over the environment. Credentials are never accepted as flags.",
  },
]);

/** `--rate`, `--rate-limit-budget`, `--timeout`: how requests are paced, retried and timed. */
export const REQUEST_OPTIONS: readonly OptionSpec[] = Object.freeze([
  {
    name: "rate",
    type: "string",
    value: "<n>",
    description:
      "Requests per minute to pace at from the first request (the token's limit, if you know it). Without it nothing is held back until the first 429; from then on requests are spaced at the limit the 429 names, else the rate the server accepted, else 300 per minute, and the rate adapts.",
  },
  {
    name: "rate-limit-budget",
    type: "string",
    value: "<duration>",
    description:
      "How long one request may keep meeting 429s (each waiting its Retry-After, up to --max-retry-after) before the run ends with exit code 1, progress saved. A storm of short 429s within it is ridden out.",
    default: "15m",
  },
  {
    name: "timeout",
    type: "string",
    value: "<duration>",
    description:
      "Per-attempt timeout of one request, the token request included (headers and whole body); a timed-out attempt is retried.",
    default: "60s (token request 30s)",
  },
]);

/** `--log-level`, `--log-format`, `--quiet`. */
export const LOG_OPTIONS: readonly OptionSpec[] = Object.freeze([
  {
    name: "log-level",
    type: "string",
    value: "<level>",
    description:
      "debug, info, warn or error. debug logs every request, retry and token refresh (never a token); warn and error also drop the start and summary lines.",
    default: "info",
  },
  {
    name: "log-format",
    type: "string",
    value: "<format>",
    description: "text, or json for one JSON object per line on stderr.",
    default: "text",
  },
  {
    name: "quiet",
    short: "q",
    type: "boolean",
    description:
      "No progress, no info logs, no summary on success; errors and the resume command are still printed. The exit code tells the outcome.",
  },
]);

/**
 * Output, checkpoint, paging and time options of every extraction command.
 *
 * @param defaults The page size default and maximum, and optionally the page size's own text and
 * the default output as shown in help.
 * @returns The option specs, in help order.
 *
 * @example
 * ```ts
 * import { extractionOptions } from "./options.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(extractionOptions({ pageSize: 100, maxPageSize: 500 }).some((o) => o.name === "deadline"));
 * ```
 */
export function extractionOptions(
  defaults: { pageSize: number; maxPageSize: number; pageSizeNote?: string; output?: string },
): OptionSpec[] {
  return [
    {
      name: "output",
      short: "o",
      type: "string",
      value: "<file|->",
      description:
        "Where records go; '-' writes to stdout. Written as '<file>.partial' and renamed when complete, so a finished file is never half-written.",
      default: defaults.output ?? "output/<command>.<format>",
    },
    {
      name: "format",
      short: "f",
      type: "string",
      value: "<format>",
      description:
        "jsonl (one record per line), csv or json (one array). Inferred from the output's extension (.jsonl, .ndjson, .csv, .json); jsonl for a name without one. Another extension (such as .xlsx) is refused unless --format says what to write.",
    },
    {
      name: "page-size",
      type: "string",
      value: "<n>",
      description: defaults.pageSizeNote ?? `Records per request, 1 to ${defaults.maxPageSize}.`,
      default: String(defaults.pageSize),
    },
    {
      name: "concurrency",
      type: "string",
      value: "<n>",
      description:
        "Most page requests in flight, 1 to 16; pages are always written in order, checkpoints stay exact. 1 fetches one page at a time; 2 or more fetch ahead while the current page is written: up to <n> at once for the details query (across days, and across a day's pages once its total is known) and for users and queues (once the page count is known); one page ahead for analytics jobs.",
      default: "2",
    },
    {
      name: "deadline",
      type: "string",
      value: "<duration>",
      description:
        "Stop cleanly after this long (such as '90m', '2h', '30s'): the checkpoint is saved and the exit code is 4; run the same command again to continue. No wait or retry goes past it.",
    },
    {
      name: "max-retry-after",
      type: "string",
      value: "<duration>",
      description:
        "The longest Retry-After to wait for at once (429, 502, 503, 504); an answer asking for longer ends the run with exit code 1, progress saved.",
      default: "180s",
    },
    ...REQUEST_OPTIONS,
    {
      name: "checkpoint",
      type: "string",
      value: "<path>",
      description:
        "Where resume state is kept. Not with '-o -': stdout cannot be rewound, so it has no checkpoint.",
      default: "<output>.checkpoint.json",
    },
    {
      name: "restart",
      type: "boolean",
      description:
        "Start over: ignore and replace an existing checkpoint and partial output, and an output file that checkpoint covers (any other existing output still needs --force). Without it, a run resumes when a checkpoint of the same job exists.",
    },
    {
      name: "force",
      type: "boolean",
      description:
        "Replace an existing output file that no checkpoint covers (such as one from a finished earlier run).",
    },
  ];
}
