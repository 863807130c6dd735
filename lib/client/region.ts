/**
 * Genesys Cloud regions: from an environment name (`mypurecloud.ie`), an AWS region name
 * (`eu-west-1` or `eu_west_1`) or an explicit base URL to the API and login origins.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { suggest } from "../_suggest.ts";

/** One Genesys Cloud environment: its AWS region name and its domain. */
export interface RegionInfo {
  /** The AWS region name, such as `eu-west-1`. */
  readonly awsRegion: string;
  /** The environment domain, such as `mypurecloud.ie`. */
  readonly env: string;
}

/** The 18 Genesys Cloud environments, by AWS region name. */
export const REGIONS: readonly RegionInfo[] = Object.freeze([
  { awsRegion: "us-east-1", env: "mypurecloud.com" },
  { awsRegion: "us-east-2", env: "use2.us-gov-pure.cloud" },
  { awsRegion: "us-west-2", env: "usw2.pure.cloud" },
  { awsRegion: "ca-central-1", env: "cac1.pure.cloud" },
  { awsRegion: "sa-east-1", env: "sae1.pure.cloud" },
  { awsRegion: "mx-central-1", env: "mxc1.pure.cloud" },
  { awsRegion: "eu-west-1", env: "mypurecloud.ie" },
  { awsRegion: "eu-west-2", env: "euw2.pure.cloud" },
  { awsRegion: "eu-central-1", env: "mypurecloud.de" },
  { awsRegion: "eu-central-2", env: "euc2.pure.cloud" },
  { awsRegion: "eusc-de-east-1", env: "edee1.eusc-pure.cloud" },
  { awsRegion: "me-central-1", env: "mec1.pure.cloud" },
  { awsRegion: "ap-south-1", env: "aps1.pure.cloud" },
  { awsRegion: "ap-southeast-1", env: "apse1.pure.cloud" },
  { awsRegion: "ap-southeast-2", env: "mypurecloud.com.au" },
  { awsRegion: "ap-northeast-1", env: "mypurecloud.jp" },
  { awsRegion: "ap-northeast-2", env: "apne2.pure.cloud" },
  { awsRegion: "ap-northeast-3", env: "apne3.pure.cloud" },
].map((r) => Object.freeze(r)));

/** Where to send API calls and token requests for one region or base URL. */
export interface ResolvedRegion {
  /** What the user named, as given (trimmed). */
  readonly name: string;
  /** The environment domain, or the host of an explicit base URL. */
  readonly env: string;
  /** The API origin, such as `https://api.mypurecloud.ie`, without a trailing slash. */
  readonly apiBaseUrl: string;
  /** The login origin, such as `https://login.mypurecloud.ie`, without a trailing slash. */
  readonly loginBaseUrl: string;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** True when `hostname` is a loopback host (`127.0.0.1`, `localhost`, `::1`, `127.x.y.z`). */
function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function validNames(): string {
  return REGIONS.map((r) => `${r.env} (${r.awsRegion})`).join(", ");
}

/**
 * Resolves a region name or an explicit base URL to the API and login origins.
 *
 * Accepts an environment name (`mypurecloud.ie`, also written `api.mypurecloud.ie` or
 * `login.mypurecloud.ie`), an AWS region name (`eu-west-1`, `eu_west_1`, any case) or an
 * `https://` URL. A URL of a known environment (`https://api.<env>`, `https://login.<env>` or
 * `https://<env>`, without a port or path) resolves to that region: API calls go to `api.<env>`
 * and token requests to `login.<env>`, as with its name. Any other URL is a base URL that serves
 * both API and login; loopback hosts may use `http://` (that is how the simulator is reached)
 * and always stay as given.
 *
 * @param nameOrUrl The region, environment or base URL.
 * @returns The resolved origins.
 * @throws {UsageError} For an empty or unknown name (the message lists the valid ones), or a
 * base URL that is malformed, not https (outside loopback) or carries a path, query or credentials.
 *
 * @example Resolve an AWS region name
 * ```ts
 * import { resolveRegion } from "./region.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const region = resolveRegion("eu_west_1");
 * strictEqual(region.apiBaseUrl, "https://api.mypurecloud.ie");
 * strictEqual(region.loginBaseUrl, "https://login.mypurecloud.ie");
 * ```
 *
 * @example A URL of a known environment sends token requests to its login host
 * ```ts
 * import { resolveRegion } from "./region.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const region = resolveRegion("https://api.mypurecloud.ie");
 * strictEqual(region.env, "mypurecloud.ie");
 * strictEqual(region.loginBaseUrl, "https://login.mypurecloud.ie");
 * ```
 *
 * @example Use the simulator's loopback URL for both API and login
 * ```ts
 * import { resolveRegion } from "./region.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const region = resolveRegion("http://127.0.0.1:8080");
 * strictEqual(region.apiBaseUrl, "http://127.0.0.1:8080");
 * strictEqual(region.loginBaseUrl, "http://127.0.0.1:8080");
 * ```
 */
export function resolveRegion(nameOrUrl: string): ResolvedRegion {
  const name = String(nameOrUrl ?? "").trim();
  if (name === "") {
    throw new UsageError(
      `Region is empty: give an environment such as 'mypurecloud.ie' or an AWS region such as 'eu-west-1'`,
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name)) return resolveBaseUrl(name);
  const lower = name.toLowerCase().replace(/_/g, "-");
  const bare = lower.replace(/^(api|login)\./, "");
  const found = REGIONS.find((r) => r.env === bare || r.awsRegion === lower);
  if (!found) {
    const hint = suggest(bare, REGIONS.flatMap((r) => [r.awsRegion, r.env]));
    const guess = hint ? ` (did you mean '${hint}'?)` : "";
    throw new UsageError(
      `Unknown region '${name}'${guess}: use one of ${validNames()}, or a base URL`,
    );
  }
  return regionOf(name, found);
}

function resolveBaseUrl(raw: string): ResolvedRegion {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`Base URL '${raw}' is not a valid URL: write it like 'https://host:port'`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`Base URL '${raw}' must use https`);
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw new UsageError(
      `Base URL '${raw}' must use https: plain http is allowed only for loopback hosts such as 127.0.0.1`,
    );
  }
  if (url.username || url.password) {
    throw new UsageError(
      `Base URL '${url.origin}' must not carry credentials: pass them through the environment`,
    );
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    throw new UsageError(
      `Base URL '${raw}' must be an origin only (scheme, host, port): drop the path '${url.pathname}${url.search}'`,
    );
  }
  const known = url.protocol === "https:" && url.port === ""
    ? knownEnvironment(url.hostname)
    : undefined;
  if (known) return regionOf(raw, known);
  return { name: raw, env: url.host, apiBaseUrl: url.origin, loginBaseUrl: url.origin };
}

/** The environment a host name belongs to: `<env>`, `api.<env>` or `login.<env>` of a known one. */
function knownEnvironment(hostname: string): RegionInfo | undefined {
  const bare = hostname.toLowerCase().replace(/\.$/, "").replace(/^(api|login)\./, "");
  return REGIONS.find((r) => r.env === bare);
}

function regionOf(name: string, found: RegionInfo): ResolvedRegion {
  return {
    name,
    env: found.env,
    apiBaseUrl: `https://api.${found.env}`,
    loginBaseUrl: `https://login.${found.env}`,
  };
}
