/**
 * The page-number listing commands: `users`, `queues` and `get <path>` for any other listing.
 *
 * @module
 */

import { UsageError } from "../../errors.ts";
import { listingSource } from "../../paginate/listing_source.ts";
import { queryOf } from "../../_query.ts";
import type { CommandContext } from "../context.ts";
import { type ExtractionPlan, runExtraction } from "../extraction.ts";
import { CONNECTION_OPTIONS, extractionOptions, LOG_OPTIONS } from "../options.ts";
import type { CommandSpec, OptionSpec, ParsedCommand } from "../spec.ts";
import type { Command } from "./command.ts";

const PAGE_SIZE = { default: 100, max: 500 };

const QUERY_OPTION: OptionSpec = {
  name: "query",
  type: "string",
  value: "<key=value>",
  collect: true,
  description:
    "An extra query parameter for every page request, such as 'state=any' or 'expand=skills'; repeat it for several values of one key ('--query id=a --query id=b' sends both). pageSize and pageNumber are managed.",
};

const resumeNote =
  "Resumes by default: after a crash, a deadline or Ctrl-C, run the same command again and it continues after the last saved page.";

/** Query parameters of a listing command: a value, or the values of a repeated key in order. */
export type ListingQuery = Record<string, string | string[]>;

/**
 * Parses `--query key=value` options; a key given several times keeps every value, in order.
 *
 * @param items The values given.
 * @returns The query parameters.
 * @throws {UsageError} For an item without `=`, or one that sets the managed paging parameters.
 *
 * @example
 * ```ts
 * import { parseQueryOptions } from "./listing.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(parseQueryOptions(["state=any", "expand=skills", "expand=locations"]), {
 *   state: "any",
 *   expand: ["skills", "locations"],
 * });
 * ```
 */
export function parseQueryOptions(items: readonly string[]): ListingQuery {
  const params = new URLSearchParams();
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`Query '${item}' is not key=value: write it like --query state=any`);
    }
    const key = item.slice(0, eq);
    if (key === "pageSize" || key === "pageNumber") {
      throw new UsageError(
        `Query '${key}' is managed: use --page-size instead of --query ${key}=...`,
      );
    }
    params.append(key, item.slice(eq + 1));
  }
  return queryOf(params);
}

/**
 * Joins two listing queries: the values of a key in both are kept, `first`'s before `second`'s.
 *
 * @param first The path's own query.
 * @param second The `--query` options.
 * @returns Every parameter of both.
 *
 * @example
 * ```ts
 * import { joinQueries } from "./listing.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(joinQueries({ id: "a", state: "any" }, { id: "b" }), { id: ["a", "b"], state: "any" });
 * ```
 */
export function joinQueries(first: ListingQuery, second: ListingQuery): ListingQuery {
  const params = new URLSearchParams();
  for (const query of [first, second]) {
    for (const [key, value] of Object.entries(query)) {
      for (const one of Array.isArray(value) ? value : [value]) params.append(key, one);
    }
  }
  return queryOf(params);
}

function listingSpec(
  name: string,
  summary: string,
  description: string[],
  examples: CommandSpec["examples"],
  output: string,
  positional?: boolean,
): CommandSpec {
  return {
    name,
    summary,
    description: [...description, resumeNote],
    positionals: positional
      ? [{
        name: "path",
        description: "A page-number listing path such as '/api/v2/groups' (query allowed)",
        required: true,
      }]
      : undefined,
    options: [
      ...CONNECTION_OPTIONS,
      ...extractionOptions({ pageSize: PAGE_SIZE.default, maxPageSize: PAGE_SIZE.max, output }),
      QUERY_OPTION,
      ...LOG_OPTIONS,
    ],
    examples,
  };
}

function listingPlan(
  label: string,
  defaultName: string,
  path: string,
  query: ListingQuery,
): ExtractionPlan {
  return {
    label,
    defaultName,
    pageSize: PAGE_SIZE,
    source: (client, settings) =>
      listingSource(client, path, {
        pageSize: settings.pageSize,
        query,
        prefetch: settings.prefetch,
        concurrency: settings.concurrency,
        deadline: settings.deadline,
      }),
  };
}

/**
 * Checks a listing path given to `get` and splits off its query (a repeated key keeps every
 * value, in order).
 *
 * @param raw The path as given.
 * @returns The path and its query parameters.
 * @throws {UsageError} For a full URL, a path outside `/api/v2/`, or `..`.
 *
 * @example
 * ```ts
 * import { parseListingPath } from "./listing.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(parseListingPath("/api/v2/groups?sortOrder=asc"), {
 *   path: "/api/v2/groups",
 *   query: { sortOrder: "asc" },
 * });
 * ```
 */
export function parseListingPath(raw: string): { path: string; query: ListingQuery } {
  const text = raw.trim();
  if (/^[a-z]+:\/\//i.test(text)) {
    throw new UsageError(
      `Give '${text}' as a path such as '/api/v2/groups': the host comes from --region`,
    );
  }
  const withSlash = text.startsWith("/") ? text : `/${text}`;
  const url = new URL(withSlash, "http://path.invalid");
  if (!url.pathname.startsWith("/api/v2/") || url.pathname.length <= "/api/v2/".length) {
    throw new UsageError(
      `Path '${raw}' is not an API listing: write it like '/api/v2/groups' or '/api/v2/routing/skills'`,
    );
  }
  if (/(^|\/)\.\.?(\/|$)/.test(withSlash.split("?")[0])) {
    throw new UsageError(`Path '${raw}' must not contain '.' or '..' segments`);
  }
  const query = queryOf(url.searchParams);
  if ("pageSize" in query || "pageNumber" in query) {
    throw new UsageError(
      `Path '${raw}' sets pageSize or pageNumber: paging is managed; use --page-size instead`,
    );
  }
  return { path: url.pathname.replace(/\/+$/, ""), query };
}

/** `users`: every user, via `GET /api/v2/users`. */
export const usersCommand: Command = {
  spec: listingSpec(
    "users",
    "Extract users (GET /api/v2/users)",
    ["Reads every page of GET /api/v2/users into one file."],
    [
      { command: "users --region eu-west-1", note: "All users into output/users.jsonl" },
      {
        command: "users -o output/users.csv --query state=any",
        note: "Active, inactive and deleted users as CSV",
      },
      { command: "users -o - | jq -r .email", note: "Stream to stdout (no checkpoint)" },
    ],
    "output/users.<format>",
  ),
  run: (parsed: ParsedCommand, ctx: CommandContext) =>
    runExtraction(
      parsed,
      listingPlan("users", "users", "/api/v2/users", parseQueryOptions(parsed.lists.query)),
      ctx,
    ),
};

/** `queues`: every routing queue, via `GET /api/v2/routing/queues`. */
export const queuesCommand: Command = {
  spec: listingSpec(
    "queues",
    "Extract routing queues (GET /api/v2/routing/queues)",
    ["Reads every page of GET /api/v2/routing/queues into one file."],
    [
      { command: "queues --region mypurecloud.de", note: "All queues into output/queues.jsonl" },
      { command: "queues -o output/queues.csv", note: "As CSV, for a spreadsheet" },
    ],
    "output/queues.<format>",
  ),
  run: (parsed, ctx) =>
    runExtraction(
      parsed,
      listingPlan(
        "queues",
        "queues",
        "/api/v2/routing/queues",
        parseQueryOptions(parsed.lists.query),
      ),
      ctx,
    ),
};

/** `get <path>`: any page-number listing. */
export const getCommand: Command = {
  spec: listingSpec(
    "get",
    "Extract any page-number listing, such as /api/v2/groups",
    [
      "Reads every page of a listing that pages with pageSize and pageNumber and answers with entities (most Genesys Cloud listings). The records go to one file; the default name comes from the path.",
    ],
    [
      { command: "get /api/v2/groups", note: "All groups into output/groups.jsonl" },
      {
        command: "get /api/v2/routing/skills -o output/skills.csv",
        note: "All routing skills as CSV",
      },
      {
        command: "get /api/v2/routing/wrapupcodes --query sortBy=name --deadline 10m",
        note: "Wrap-up codes sorted by name, giving up cleanly after 10 minutes",
      },
    ],
    "output/<path without /api/v2/, dashed>.<format>",
    true,
  ),
  run: (parsed, ctx) => {
    const { path, query } = parseListingPath(parsed.positionals[0]);
    const name = path.replace(/^\/api\/v2\//, "").replace(/[^A-Za-z0-9]+/g, "-").replace(
      /^-|-$/g,
      "",
    );
    const label = path.split("/").filter(Boolean).at(-1) ?? "records";
    return runExtraction(
      parsed,
      listingPlan(label, name, path, joinQueries(query, parseQueryOptions(parsed.lists.query))),
      ctx,
    );
  },
};
