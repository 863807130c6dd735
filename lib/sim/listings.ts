/**
 * Page-number listings: users, queues, groups, routing skills, wrap-up codes and divisions, with
 * the filters the real endpoints take (list parameters repeated or comma-separated), `nextUri`
 * and the other URIs carrying the request's filters, and the 400 past 10,000 inactive users.
 *
 * @module
 */
import type { Dataset } from "./dataset.ts";
import type { UserState } from "./directory.ts";
import {
  divisionRecord,
  groupRecord,
  skillRecord,
  userExpansions,
  wrapUpCodeRecord,
} from "./org.ts";
import { checkPageSize, intParam } from "./params.ts";
import { badRequest, type Reply } from "./reply.ts";

/** The listing routes. */
export type ListingKind = "users" | "queues" | "groups" | "skills" | "wrapupcodes" | "divisions";

/**
 * The path of each listing.
 *
 * @example
 * ```ts
 * import { LISTING_PATHS } from "./listings.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(LISTING_PATHS.wrapupcodes, "/api/v2/routing/wrapupcodes");
 * ```
 */
export const LISTING_PATHS: Readonly<Record<ListingKind, string>> = {
  users: "/api/v2/users",
  queues: "/api/v2/routing/queues",
  groups: "/api/v2/groups",
  skills: "/api/v2/routing/skills",
  wrapupcodes: "/api/v2/routing/wrapupcodes",
  divisions: "/api/v2/authorization/divisions",
};

/** Limits of the listings. */
export interface ListingSettings {
  /** The largest accepted `pageSize`. */
  maxPageSize: number;
  /** `state=inactive` answers 400 for a page reaching past this many results. */
  inactiveUserLimit: number;
}

const USER_STATES = ["active", "inactive", "deleted", "any"];

/** A list parameter: every value of a repeated key, comma-separated values split. */
function listParam(url: URL, name: string): string[] {
  const values = url.searchParams.getAll(name);
  if (values.length === 0) return values;
  return values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

/**
 * A `name` filter: case-insensitive, `*` matches any run of characters; `prefix` (skills:
 * "results that start with this value") matches names that start with it.
 */
function nameMatcher(url: URL, prefix: boolean): ((name: string) => boolean) | undefined {
  const raw = url.searchParams.get("name");
  if (raw === null || raw === "") return undefined;
  const pattern = `${raw.toLowerCase()}${prefix ? "*" : ""}`.split("*").map((p) =>
    p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")
  );
  const re = new RegExp(`^${pattern.join(".*")}$`);
  return (name) => re.test(name.toLowerCase());
}

/** What a listing pages over: a candidate index range, an optional filter, the records. */
interface Source {
  range: [number, number];
  keep?: (i: number) => boolean;
  build: (i: number) => Record<string, unknown>;
}

function all(
  ...tests: (((i: number) => boolean) | undefined)[]
): ((i: number) => boolean) | undefined {
  const live = tests.filter((t) => t !== undefined);
  return live.length === 0 ? undefined : (i) => live.every((t) => t(i));
}

function inList(values: string[], of: (i: number) => string): ((i: number) => boolean) | undefined {
  if (values.length === 0) return undefined;
  const set = new Set(values);
  return (i) => set.has(of(i));
}

function named(
  url: URL,
  of: (i: number) => string,
  prefix = false,
): ((i: number) => boolean) | undefined {
  const match = nameMatcher(url, prefix);
  return match && ((i) => match(of(i)));
}

function source(kind: ListingKind, url: URL, dataset: Dataset, state: string): Source {
  const dir = dataset.directory;
  const ids = (list: string[]) => inList(listParam(url, "id"), (i) => list[i]);
  switch (kind) {
    case "users": {
      const expand = listParam(url, "expand");
      return {
        range: dir.usersIn(state as UserState | "any"),
        keep: ids(dir.userIds),
        build: (i) =>
          expand.length === 0 ? dir.user(i) : { ...dir.user(i), ...userExpansions(dir, i, expand) },
      };
    }
    case "queues":
      return {
        range: [0, dir.queueIds.length],
        keep: all(
          ids(dir.queueIds),
          inList(listParam(url, "divisionId"), (q) => dir.divisions[dir.queueDivision(q)].id),
          named(url, (q) => dir.queueName(q)),
        ),
        build: (q) => dir.queue(q),
      };
    case "groups":
      return {
        range: [0, dir.groupIds.length],
        keep: ids(dir.groupIds),
        build: (i) => groupRecord(dir, i),
      };
    case "skills":
      return {
        range: [0, dir.skillIds.length],
        keep: all(ids(dir.skillIds), named(url, (i) => String(skillRecord(dir, i).name), true)),
        build: (i) => skillRecord(dir, i),
      };
    case "wrapupcodes":
      return {
        range: [0, dir.wrapUpCodeIds.length],
        keep: named(url, (i) => String(wrapUpCodeRecord(dir, i).name)),
        build: (i) => wrapUpCodeRecord(dir, i),
      };
    case "divisions":
      return {
        range: [0, dir.divisions.length],
        keep: all(ids(dir.divisions.map((d) => d.id)), named(url, (i) => dir.divisions[i].name)),
        build: (i) => divisionRecord(dir, i),
      };
  }
}

/**
 * Answers a listing page with every field a real listing has and relative URIs that keep the
 * request's other parameters.
 *
 * @param kind Which listing.
 * @param url The request URL (`pageSize`, default 25; `pageNumber`, default 1; filters).
 * @param dataset The data.
 * @param settings Page size and inactive-user limits.
 * @returns The reply.
 * @throws {HttpError} 400 for a bad or too large `pageSize`, a bad `pageNumber` or `state`, or a
 *   page of inactive users past the limit.
 *
 * @example
 * ```ts
 * import { listing } from "./listings.ts";
 * import { Dataset } from "./dataset.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const data = new Dataset({ seed: 1, users: 30, queues: 1, conversations: 1, startMs: 0, endMs: 1e9 });
 * const settings = { maxPageSize: 500, inactiveUserLimit: 10_000 };
 * const page = listing("users", new URL("http://x/api/v2/users"), data, settings).json as { nextUri: string };
 * strictEqual(page.nextUri, "/api/v2/users?pageSize=25&pageNumber=2");
 * ```
 */
export function listing(
  kind: ListingKind,
  url: URL,
  dataset: Dataset,
  settings: ListingSettings,
): Reply {
  const pageSize = intParam(url, "pageSize", 25);
  const pageNumber = intParam(url, "pageNumber", 1);
  checkPageSize(pageSize, settings.maxPageSize);
  const state = kind === "users" ? (url.searchParams.get("state") || "active") : "";
  if (kind === "users" && !USER_STATES.includes(state)) {
    throw badRequest(
      `Query parameter 'state' must be one of ${USER_STATES.join(", ")}, got '${state}'`,
      "state",
    );
  }
  if (state === "inactive" && pageNumber * pageSize > settings.inactiveUserLimit) {
    throw badRequest(
      `Paging inactive users may not exceed ${settings.inactiveUserLimit} results: pageNumber * pageSize is ${
        pageNumber * pageSize
      }`,
      "pageNumber",
    );
  }
  const { range: [lo, hi], keep, build } = source(kind, url, dataset, state);
  let total = hi - lo;
  let at = (k: number) => lo + k;
  if (keep) {
    const picked: number[] = [];
    for (let i = lo; i < hi; i++) if (keep(i)) picked.push(i);
    total = picked.length;
    at = (k) => picked[k];
  }
  let tail = "";
  for (const [k, v] of url.searchParams) {
    if (k !== "pageSize" && k !== "pageNumber") {
      tail += `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
    }
  }
  const uri = (n: number) => `${LISTING_PATHS[kind]}?pageSize=${pageSize}&pageNumber=${n}${tail}`;
  const pageCount = Math.ceil(total / pageSize);
  const entities: unknown[] = [];
  const from = (pageNumber - 1) * pageSize;
  for (let k = from; k < Math.min(total, from + pageSize); k++) entities.push(build(at(k)));
  const body: Record<string, unknown> = {
    entities,
    pageSize,
    pageNumber,
    total,
    firstUri: uri(1),
    selfUri: uri(pageNumber),
  };
  if (pageNumber < pageCount) body.nextUri = uri(pageNumber + 1);
  if (pageNumber > 1) body.previousUri = uri(pageNumber - 1);
  body.lastUri = uri(Math.max(pageCount, 1));
  body.pageCount = pageCount;
  return { status: 200, json: body };
}
