/**
 * What every command gets: where text goes, whether stderr is a terminal, the original
 * arguments; and the connection setup shared by the API commands (env file, region,
 * credentials, network permission).
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import type { Redactor } from "../redact.ts";
import { type ResolvedRegion, resolveRegion } from "../client/region.ts";
import {
  CREDENTIAL_ENV_NAMES,
  type Credentials,
  ENV_VARS,
  envPermitted,
  readEnv,
  readEnvFile,
  resolveCredentials,
} from "./env.ts";
import { type PermissionNeed, regionNeeds, requirePermissions } from "./permissions.ts";
import { invocation } from "./invocation.ts";
import { taskFolders, userCwd } from "./paths.ts";
import type { ParsedCommand } from "./spec.ts";
import type { RequestSettings } from "./extract_options.ts";
import type { ClientRetryPolicy, GenesysClientOptions } from "../client/client_options.ts";

/** Where a command writes and what it knows about its terminal. */
export interface CliIo {
  /** Writes text to stdout. */
  stdout: (text: string) => void;
  /** Writes text to stderr. */
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (an updating progress line instead of log lines). */
  stderrIsTerminal: boolean;
  /** The terminal width, when known. */
  columns?: number;
}

/** What a command runs with. */
export interface CommandContext {
  /** Output channels. */
  io: CliIo;
  /** Every argument the CLI got, the command name first (for the resume command). */
  argv: readonly string[];
  /**
   * The invocation's one redactor: commands register the client secret in it, the client every
   * token it is issued, and every message, log line and the last-resort error line go through it.
   */
  redactor: Redactor;
}

const encoder = new TextEncoder();

function writeAllSync(file: { writeSync(p: Uint8Array): number }, text: string): void {
  const data = encoder.encode(text);
  let written = 0;
  while (written < data.length) written += file.writeSync(data.subarray(written));
}

/**
 * The process's standard streams as {@link CliIo}.
 *
 * @returns Writers for stdout and stderr, and the terminal facts of stderr.
 *
 * @example
 * ```ts
 * import { processIo } from "./context.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(typeof processIo().stderrIsTerminal, "boolean");
 * ```
 */
export function processIo(): CliIo {
  const stderrIsTerminal = Deno.stderr.isTerminal();
  let columns: number | undefined;
  if (stderrIsTerminal) {
    try {
      columns = Deno.consoleSize().columns || undefined;
    } catch {
      columns = undefined;
    }
  }
  return {
    stdout: (text) => writeAllSync(Deno.stdout, text),
    stderr: (text) => writeAllSync(Deno.stderr, text),
    stderrIsTerminal,
    columns,
  };
}

/** Region, credentials and where they came from. */
export interface Connection {
  /** The resolved region. */
  region: ResolvedRegion;
  /** The credentials (never print the secret). */
  credentials: Credentials;
  /** Where the region came from: `--region`, `env file 'x'` or `GENESYSCLOUD_REGION`. */
  regionSource: string;
  /** Permissions this connection needs (the region's hosts, the env file, the variables). */
  needs: PermissionNeed[];
}

/**
 * Resolves `--env-file`, `--region` and the credentials, and checks the network permission for
 * the region's hosts, before anything is sent or written.
 *
 * @param parsed The command's parsed options (`region`, `env-file`).
 * @returns The connection.
 * @throws {UsageError} For a missing or unknown region or a bad env file.
 * @throws {AuthError} For missing credentials.
 * @throws {MissingPermissionError} When the region's hosts or the env file are not granted.
 *
 * @example
 * ```ts
 * import { resolveConnection } from "./context.ts";
 * import { rejects } from "node:assert/strict";
 *
 * await rejects(
 *   resolveConnection({ positionals: [], strings: { region: "nowhere-1" }, lists: {}, flags: {} }),
 *   /Unknown region 'nowhere-1'/,
 * );
 * ```
 */
export async function resolveConnection(parsed: ParsedCommand): Promise<Connection> {
  const needs: PermissionNeed[] = [];
  const envFile = parsed.strings["env-file"];
  let file: Record<string, string> | undefined;
  if (envFile !== undefined) {
    if (envFile === "") throw new UsageError("Option '--env-file' needs a file path");
    const need: PermissionNeed = { name: "read", target: envFile, why: "the env file" };
    const task = invocation([]).task;
    requirePermissions(
      [need],
      task
        ? `'${task}' reads under ${
          taskFolders(userCwd(), Deno.cwd()).read
        } only: keep the env file in the project folder, or use 'deno run' with this flag (README, Permissions)`
        : undefined,
    );
    needs.push(need);
    file = await readEnvFile(envFile);
  }
  let regionName = parsed.strings.region;
  let regionSource = "--region";
  if (regionName === undefined) {
    const fromFile = file?.[ENV_VARS.region[0]];
    if (fromFile) {
      regionName = fromFile;
      regionSource = `env file '${envFile}'`;
    } else {
      regionName = readEnv(ENV_VARS.region[0]);
      regionSource = ENV_VARS.region[0];
    }
  }
  if (regionName === undefined || regionName.trim() === "") {
    const denied = !envPermitted(ENV_VARS.region[0])
      ? `; reading GENESYSCLOUD_REGION was not permitted: add --allow-env=GENESYSCLOUD_REGION`
      : "";
    throw new UsageError(
      `No region: pass --region (such as 'mypurecloud.ie' or 'eu-west-1') or set GENESYSCLOUD_REGION${denied}`,
    );
  }
  const region = resolveRegion(regionName);
  const deniedEnv = CREDENTIAL_ENV_NAMES.filter((name) => !envPermitted(name));
  const credentials = resolveCredentials({
    file,
    filePath: envFile,
    getEnv: readEnv,
    deniedEnv: deniedEnv.filter((name) => !name.endsWith("REGION")),
  });
  const netNeeds = regionNeeds(region);
  requirePermissions(netNeeds);
  needs.push(...netNeeds);
  for (const name of CREDENTIAL_ENV_NAMES) {
    if (!deniedEnv.includes(name)) needs.push({ name: "env", target: name, why: "credentials" });
  }
  return { region, credentials, regionSource, needs };
}

/**
 * The client options `--rate`, `--rate-limit-budget` and `--timeout` set.
 *
 * @param settings The checked settings.
 * @param retry The command's own retry settings, to which `--rate-limit-budget` is added.
 * @returns Options for a `GenesysClient`: pacing from the first request at `--rate` when it
 * is given, the retry settings with the 429 budget, the per-attempt timeout (token requests
 * included).
 *
 * @example
 * ```ts
 * import { clientRequestOptions } from "./context.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(
 *   clientRequestOptions({ ratePerMinute: 600, rateLimitBudgetMs: 60_000 }, { maxAttempts: 3 }),
 *   { pacing: { rate: 600 }, retry: { maxAttempts: 3, rateLimitBudget: 60_000 } },
 * );
 * ```
 */
export function clientRequestOptions(
  settings: RequestSettings,
  retry: ClientRetryPolicy = {},
): Pick<GenesysClientOptions, "pacing" | "retry" | "timeoutMs"> {
  const options: Pick<GenesysClientOptions, "pacing" | "retry" | "timeoutMs"> = {
    retry: { ...retry, rateLimitBudget: settings.rateLimitBudgetMs },
  };
  if (settings.ratePerMinute !== undefined) options.pacing = { rate: settings.ratePerMinute };
  if (settings.timeoutMs !== undefined) options.timeoutMs = settings.timeoutMs;
  return options;
}
