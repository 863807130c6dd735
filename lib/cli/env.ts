/**
 * Credentials and region from the environment or an env file. Credentials never come from flags;
 * values never appear in messages (a bad line is reported by its number and key only).
 *
 * @module
 */

import { AuthError, UsageError } from "../errors.ts";

/** The environment variables the CLI reads, in the order it prefers them. */
export const ENV_VARS: {
  readonly clientId: readonly string[];
  readonly clientSecret: readonly string[];
  readonly region: readonly string[];
} = Object.freeze(
  {
    clientId: ["GENESYSCLOUD_OAUTHCLIENT_ID", "GENESYS_CLIENT_ID"],
    clientSecret: ["GENESYSCLOUD_OAUTHCLIENT_SECRET", "GENESYS_CLIENT_SECRET"],
    region: ["GENESYSCLOUD_REGION"],
  } as const,
);

/** Every variable name in {@link ENV_VARS}. */
export const CREDENTIAL_ENV_NAMES: readonly string[] = Object.freeze([
  ...ENV_VARS.clientId,
  ...ENV_VARS.clientSecret,
  ...ENV_VARS.region,
]);

/**
 * Parses the text of a dotenv file: `KEY=value` lines, optional `export ` prefix, `#` comments,
 * blank lines, single-quoted values (literal), double-quoted values (`\n`, `\t`, `\"`, `\\`
 * escapes; may span lines) and unquoted values (trimmed; ` #` starts a comment).
 *
 * @param text The file's content.
 * @param source The file name, for messages.
 * @returns The variables, in file order (a later line wins).
 * @throws {UsageError} For a line that is not `KEY=value` or an unclosed quote; the message gives
 * the line number and never the value.
 *
 * @example
 * ```ts
 * import { parseDotenv } from "./env.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const vars = parseDotenv([
 *   "# Genesys Cloud, EU",
 *   "export GENESYSCLOUD_REGION=mypurecloud.ie",
 *   "GENESYSCLOUD_OAUTHCLIENT_ID='abc'",
 *   'GENESYSCLOUD_OAUTHCLIENT_SECRET="s#3" # comment',
 * ].join("\n"));
 * deepStrictEqual(vars, {
 *   GENESYSCLOUD_REGION: "mypurecloud.ie",
 *   GENESYSCLOUD_OAUTHCLIENT_ID: "abc",
 *   GENESYSCLOUD_OAUTHCLIENT_SECRET: "s#3",
 * });
 * ```
 */
export function parseDotenv(text: string, source = "env file"): Record<string, string> {
  const vars: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = line.match(/^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/);
    if (!match) {
      throw new UsageError(
        `${source} line ${lineNumber} is not KEY=value: fix or comment out that line`,
      );
    }
    const [, key, rest] = match;
    const quote = rest[0];
    if (quote === "'" || quote === '"') {
      let body = rest.slice(1);
      let end = findClosingQuote(body, quote);
      while (end === -1 && quote === '"' && i + 1 < lines.length) {
        body += "\n" + lines[++i];
        end = findClosingQuote(body, quote);
      }
      if (end === -1) {
        throw new UsageError(
          `${source} line ${lineNumber}: the value of '${key}' has no closing ${quote}`,
        );
      }
      const after = body.slice(end + 1).trim();
      if (after !== "" && !after.startsWith("#")) {
        throw new UsageError(
          `${source} line ${lineNumber}: unexpected text after the quoted value of '${key}'`,
        );
      }
      const raw = body.slice(0, end);
      vars[key] = quote === '"' ? unescape(raw) : raw;
    } else {
      vars[key] = rest.replace(/\s+#.*$/, "").trim();
    }
  }
  return vars;
}

function findClosingQuote(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (quote === '"' && body[i] === "\\") {
      i++;
      continue;
    }
    if (body[i] === quote) return i;
  }
  return -1;
}

function unescape(raw: string): string {
  return raw.replace(
    /\\([nrt"\\])/g,
    (_, c: string) => c === "n" ? "\n" : c === "r" ? "\r" : c === "t" ? "\t" : c,
  );
}

/**
 * Reads and parses an env file.
 *
 * @param path The file.
 * @param readTextFile How to read it (defaults to `Deno.readTextFile`).
 * @returns The variables.
 * @throws {UsageError} When the file does not exist, is a directory or is malformed. Permission
 * errors pass through (the CLI turns them into the flag to add).
 *
 * @example
 * ```ts
 * import { readEnvFile } from "./env.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const vars = await readEnvFile("prod.env", () => Promise.resolve("GENESYSCLOUD_REGION=eu-west-1"));
 * strictEqual(vars.GENESYSCLOUD_REGION, "eu-west-1");
 * ```
 */
export async function readEnvFile(
  path: string,
  readTextFile: (path: string) => Promise<string> = Deno.readTextFile,
): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(`Env file '${path}' does not exist: check the --env-file path`);
    }
    if (error instanceof Deno.errors.IsADirectory) {
      throw new UsageError(`Env file '${path}' is a directory: give the path of a file`);
    }
    throw error;
  }
  return parseDotenv(text, `Env file '${path}'`);
}

/** Where credentials were found. */
export interface Credentials {
  /** The OAuth client id. */
  clientId: string;
  /** The OAuth client secret. Never print it. */
  clientSecret: string;
  /** The region from `GENESYSCLOUD_REGION`, when set. */
  region?: string;
  /** Where the client id and secret came from: `env file 'x'` or `environment`. */
  source: string;
}

/** Options of {@link resolveCredentials}. */
export interface ResolveCredentialsOptions {
  /** Variables from `--env-file`, which win over the process environment. */
  file?: Record<string, string>;
  /** The env file's path, for messages. */
  filePath?: string;
  /** Reads a process environment variable; `undefined` when unset or not permitted. */
  getEnv: (name: string) => string | undefined;
  /** Names that could not be read for lack of `--allow-env`, for the message. */
  deniedEnv?: readonly string[];
}

function pick(
  names: readonly string[],
  file: Record<string, string> | undefined,
  getEnv: (name: string) => string | undefined,
): { value?: string; fromFile: boolean } {
  for (const name of names) {
    const value = file?.[name];
    if (value !== undefined && value !== "") return { value, fromFile: true };
  }
  for (const name of names) {
    const value = getEnv(name);
    if (value !== undefined && value !== "") return { value, fromFile: false };
  }
  return { fromFile: false };
}

/**
 * Finds the client id, secret and region: the env file first (when given), then the process
 * environment; `GENESYSCLOUD_*` names before the short `GENESYS_*` ones.
 *
 * @param options The env file's variables and how to read the environment.
 * @returns The credentials and where they came from.
 * @throws {AuthError} When the id or the secret is missing; the message names the variables, the
 * `--env-file` option and, when reading them was not permitted, the `--allow-env` flag to add.
 *
 * @example
 * ```ts
 * import { resolveCredentials } from "./env.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const env: Record<string, string> = { GENESYS_CLIENT_ID: "id", GENESYS_CLIENT_SECRET: "secret" };
 * const credentials = resolveCredentials({
 *   file: { GENESYSCLOUD_REGION: "eu-west-1" },
 *   getEnv: (name) => env[name],
 * });
 * strictEqual(credentials.clientId, "id");
 * strictEqual(credentials.region, "eu-west-1");
 * strictEqual(credentials.source, "environment");
 * ```
 */
export function resolveCredentials(options: ResolveCredentialsOptions): Credentials {
  const { file, getEnv } = options;
  const id = pick(ENV_VARS.clientId, file, getEnv);
  const secret = pick(ENV_VARS.clientSecret, file, getEnv);
  const region = pick(ENV_VARS.region, file, getEnv);
  if (id.value === undefined || secret.value === undefined) {
    const missing = [
      id.value === undefined ? ENV_VARS.clientId[0] : undefined,
      secret.value === undefined ? ENV_VARS.clientSecret[0] : undefined,
    ].filter(Boolean).join(" and ");
    const denied = options.deniedEnv ?? [];
    const hint = denied.length > 0
      ? `; reading the environment was not permitted: add --allow-env=${denied.join(",")}`
      : "";
    const where = options.filePath
      ? `the environment or in env file '${options.filePath}'`
      : "the environment or in an env file passed with --env-file";
    throw new AuthError(`No credentials: set ${missing} in ${where}${hint}`);
  }
  const fileLabel = `env file '${options.filePath ?? "?"}'`;
  const source = id.fromFile && secret.fromFile
    ? fileLabel
    : !id.fromFile && !secret.fromFile
    ? "environment"
    : `${fileLabel} and environment`;
  return { clientId: id.value, clientSecret: secret.value, region: region.value, source };
}

/**
 * Reads one environment variable when permitted, without prompting.
 *
 * @param name The variable.
 * @returns Its value, or `undefined` when unset or not permitted (check with
 * {@link envPermitted}).
 *
 * @example
 * ```ts
 * import { readEnv } from "./env.ts";
 * import { ok } from "node:assert/strict";
 *
 * const value = readEnv("GENESYSCLOUD_REGION");
 * ok(value === undefined || typeof value === "string");
 * ```
 */
export function readEnv(name: string): string | undefined {
  if (!envPermitted(name)) return undefined;
  return Deno.env.get(name);
}

/**
 * Whether reading an environment variable is permitted (never prompts).
 *
 * @param name The variable.
 * @returns `true` when granted.
 *
 * @example
 * ```ts
 * import { envPermitted } from "./env.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(typeof envPermitted("HOME"), "boolean");
 * ```
 */
export function envPermitted(name: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted";
  } catch {
    return false;
  }
}
