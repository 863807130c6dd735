/**
 * `--table` and `--resolve-names` for the CLI: the sink's table options, and the names of users,
 * queues and wrap-up codes read once per job and cached beside the checkpoint, so a resumed run
 * writes the same names as the rows already saved (byte-identical output) without reading the
 * listings again. A listing finished before a crash is not read again either.
 *
 * @module
 */

import type { ApiClient, JsonValue, PageSource, SourcePage } from "../types.ts";
import { ApiError, UsageError } from "../errors.ts";
import type { OutputFormat } from "../extract/format.ts";
import { emptyNameDirectory, NAME_KINDS, type NameDirectory } from "../analytics/names.ts";
import { fetchNames, NAME_LISTINGS } from "../analytics/names_fetch.ts";
import type { TableShape } from "../analytics/table.ts";

/** What the command line asked for: `--table` and `--resolve-names`. */
export interface TableRequest {
  /** `--table`, when given. */
  shape?: TableShape;
  /** `--resolve-names`. */
  resolveNames: boolean;
}

/** The sink options a {@link TableRequest} gives. */
export interface TableSinkOptions {
  /** The table shape. */
  table?: TableShape;
  /** An empty directory to fill before the first page, when names are resolved. */
  names?: NameDirectory;
}

/**
 * The sink options of `--table` and `--resolve-names` for an output format: the table as given
 * (the format's default otherwise: `conversations` for CSV, `raw` for JSON Lines and JSON) and an
 * empty name directory when names are asked for.
 *
 * @param request The options given.
 * @param format The output format.
 * @returns The sink options.
 * @throws {UsageError} For `--resolve-names` on raw records.
 *
 * @example
 * ```ts
 * import { tableSinkOptions } from "./names.ts";
 * import { deepStrictEqual, throws } from "node:assert/strict";
 *
 * deepStrictEqual(tableSinkOptions({ shape: "segments", resolveNames: false }, "jsonl"), { table: "segments" });
 * throws(() => tableSinkOptions({ resolveNames: true }, "jsonl"), /--table/);
 * ```
 */
export function tableSinkOptions(request: TableRequest, format: OutputFormat): TableSinkOptions {
  const table = request.shape ?? (format === "csv" ? "conversations" : "raw");
  if (!request.resolveNames) return { table };
  if (table === "raw") {
    throw new UsageError(
      `Option '--resolve-names' fills the name columns of a table, and ${
        request.shape ? "'--table raw'" : `${format} writes raw records by default`
      }: add --table conversations, participants or segments`,
    );
  }
  return { table, names: emptyNameDirectory() };
}

/**
 * Where the name cache of a checkpoint lives: beside it, `.json` replaced by `.names.json`.
 *
 * @param checkpoint The checkpoint file.
 * @returns The cache file.
 *
 * @example
 * ```ts
 * import { nameCachePath } from "./names.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(nameCachePath("output/c.csv.checkpoint.json"), "output/c.csv.checkpoint.names.json");
 * ```
 */
export function nameCachePath(checkpoint: string): string {
  return `${checkpoint.replace(/\.json$/i, "")}.names.json`;
}

const CACHE_VERSION = 1;

function isNameMap(value: unknown): value is Record<string, string> {
  return value !== null && typeof value === "object" && !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === "string");
}

/** The listings a cache of this job holds; an unreadable cache or another job's holds none. */
async function readCache(path: string, jobKey: string): Promise<Partial<NameDirectory>> {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch {
    return {}; // missing, or torn by a crash while it was written: read the listings again
  }
  if (value?.version !== CACHE_VERSION || value.jobKey !== jobKey) return {};
  const out: Partial<NameDirectory> = {};
  for (const kind of NAME_KINDS) if (isNameMap(value[kind])) out[kind] = value[kind];
  return out;
}

async function writeCache(path: string, jobKey: string, names: Partial<NameDirectory>) {
  const data = new TextEncoder().encode(
    JSON.stringify({ version: CACHE_VERSION, jobKey, ...names }) + "\n",
  );
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  let written = 0;
  while (written < data.length) written += await file.write(data.subarray(written));
  await file.sync();
}

/** A 403 of a listing says which option needs it and how to do without. */
function refused(error: unknown): unknown {
  if (!(error instanceof ApiError) || error.status !== 403) return error;
  return new ApiError({
    ...error,
    serverMessage: `${
      error.serverMessage ?? "permission denied"
    }; --resolve-names reads this listing: grant the permission or drop --resolve-names`,
  }, { cause: error });
}

/** Options of {@link resolveNames}. */
export interface ResolveNamesOptions {
  /** The client: the listings count against the same token and rate budget. */
  client: ApiClient;
  /** The directory to fill (the sink's). */
  names: NameDirectory;
  /** The cache file; none for standard output. */
  cache?: string;
  /** The job the cache belongs to: another job's cache is ignored. */
  jobKey: string;
  /** Ignore the cache (`--restart`). */
  restart: boolean;
  /** An absolute deadline for every request, epoch ms. */
  deadline?: number;
  /** Aborts the request in flight. */
  signal?: AbortSignal;
  /** Called before a listing is read from the API, with its path. */
  onRead?: (listing: string) => void;
}

/**
 * Fills `names` with every listing: from the job's cache where it has the listing, otherwise
 * walked once through the API and added to the cache at once (written and fsynced before the
 * next listing, and so before the first row). The cache is a plain file rewritten whole: one torn
 * by a crash is unreadable and simply ignored.
 *
 * @param options Client, directory, cache, job key, deadline, signal.
 * @returns How many listings were read from the API (0 when the cache had all three).
 * @throws {ApiError} When a listing answers an error (such as 403 for a missing permission).
 *
 * @example
 * ```ts
 * import { resolveNames } from "./names.ts";
 * import { emptyNameDirectory } from "../analytics/names.ts";
 * import type { ApiClient, JsonValue } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: () => Promise.resolve({ entities: [{ id: "x", name: "X" }], pageCount: 1 }),
 * } as unknown as ApiClient;
 * const names = emptyNameDirectory();
 * strictEqual(await resolveNames({ client, names, jobKey: "k", restart: false }), 3);
 * strictEqual(names.queues.x, "X");
 * ```
 */
export async function resolveNames(options: ResolveNamesOptions): Promise<number> {
  const { cache, jobKey } = options;
  const cached = cache !== undefined && !options.restart ? await readCache(cache, jobKey) : {};
  let read = 0;
  for (const kind of NAME_KINDS) {
    let map = cached[kind];
    if (map === undefined) {
      options.onRead?.(NAME_LISTINGS[kind]);
      map = await fetchNames(options.client, kind, {
        deadline: options.deadline,
        signal: options.signal,
      }).catch((error) => {
        throw refused(error);
      });
      read++;
      cached[kind] = map;
      if (cache !== undefined) await writeCache(cache, jobKey, cached);
    }
    Object.assign(options.names[kind], map);
  }
  return read;
}

/**
 * Deletes a name cache (once its job is complete, nothing will read it again).
 *
 * @param path The cache file.
 *
 * @example
 * ```ts
 * import { removeNameCache } from "./names.ts";
 *
 * await removeNameCache(".test-tmp/no-such-job.names.json"); // nothing to delete: no error
 * ```
 */
export async function removeNameCache(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** Options of {@link withNames}: those of {@link resolveNames} but the signal (the engine's). */
export interface WithNamesOptions extends Omit<ResolveNamesOptions, "signal"> {
  /** Called when a resumed job had to read listings again (its cache was gone). */
  onStale?: () => void;
}

/**
 * Wraps a source so that the names are resolved when its pages are first asked for: after the
 * engine has checked the checkpoint and opened the output (so a refused run reads nothing), with
 * the engine's stop signal, and not at all for a job that is already complete. The description
 * and record type stay the source's, so the job key is unchanged.
 *
 * @param source The source of conversation records.
 * @param options How to resolve the names.
 * @returns The wrapped source.
 *
 * @example
 * ```ts
 * import { withNames } from "./names.ts";
 * import { emptyNameDirectory } from "../analytics/names.ts";
 * import type { ApiClient } from "../types.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const client = {
 *   request: () => Promise.resolve({ entities: [{ id: "q1", name: "Billing" }], pageCount: 1 }),
 * } as unknown as ApiClient;
 * const names = emptyNameDirectory();
 * const source = withNames({
 *   description: "demo",
 *   recordType: "conversation",
 *   async *pages() {
 *     yield { records: [names.queues.q1], position: 1 };
 *   },
 * }, { client, names, jobKey: "k", restart: false });
 * for await (const page of source.pages()) strictEqual(page.records[0], "Billing");
 * ```
 */
export function withNames<T>(source: PageSource<T>, options: WithNamesOptions): PageSource<T> {
  return {
    description: source.description,
    recordType: source.recordType,
    async *pages(resumeFrom?: JsonValue, signal?: AbortSignal): AsyncGenerator<SourcePage<T>> {
      const read = await resolveNames({ ...options, signal });
      if (read > 0 && resumeFrom !== undefined) options.onStale?.();
      yield* source.pages(resumeFrom, signal);
    },
  };
}
