/**
 * Real Genesys Cloud host names for routing tests: which host of which environment a request
 * was addressed to, and a `fetch` that sends requests for those hosts to the simulator. Each of
 * the 18 environments (`REGIONS` in `../client/region.ts`) has an API host `api.<env>` and a login
 * host `login.<env>`.
 *
 * @module
 */
import { REGIONS } from "../client/region.ts";

const ENVIRONMENTS = new Set(REGIONS.map((r) => r.env));

/**
 * The header carrying the host a request sent through {@link simFetch} was addressed to.
 *
 * @example
 * ```ts
 * import { FORWARDED_HOST } from "./hosts.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(new Headers({ [FORWARDED_HOST]: "api.mypurecloud.ie" }).get("x-forwarded-host"), "api.mypurecloud.ie");
 * ```
 */
export const FORWARDED_HOST = "X-Forwarded-Host";

/**
 * What a host name is: the API or login host of a Genesys Cloud environment, or neither.
 *
 * @param host A host name (a port, if any, makes it neither).
 * @returns `api`, `login` or `undefined`.
 *
 * @example
 * ```ts
 * import { hostRole } from "./hosts.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(hostRole("login.mypurecloud.ie"), "login");
 * strictEqual(hostRole("api.example.com"), undefined);
 * ```
 */
export function hostRole(host: string): "api" | "login" | undefined {
  const dot = host.indexOf(".");
  const role = host.slice(0, dot);
  if ((role !== "api" && role !== "login") || !ENVIRONMENTS.has(host.slice(dot + 1))) {
    return undefined;
  }
  return role;
}

/**
 * A `fetch` that sends `https://` requests for a Genesys Cloud host to `simUrl` (same path and
 * query, the original host in {@link FORWARDED_HOST}) and requests for `simUrl` unchanged.
 *
 * @param simUrl The simulator's base URL.
 * @returns The `fetch`.
 * @throws {TypeError} (from the returned function) for any other host, as a failed DNS lookup
 *   would.
 *
 * @example
 * ```ts
 * import { simFetch } from "./hosts.ts";
 * import { rejects } from "node:assert/strict";
 *
 * const fetch = simFetch("http://127.0.0.1:1");
 * await rejects(fetch("https://api.example.com/"), TypeError);
 * ```
 */
export function simFetch(
  simUrl: string,
): (input: Request | URL | string, init?: RequestInit) => Promise<Response> {
  const origin = new URL(simUrl).origin;
  return async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (url.origin === origin) return fetch(req);
    if (url.protocol !== "https:" || url.port !== "" || !hostRole(url.hostname)) {
      throw new TypeError(
        `Simulator fetch: '${url.host}' is neither a Genesys Cloud host (https://api.<env> or https://login.<env>) nor the simulator at ${origin}`,
      );
    }
    const headers = new Headers(req.headers);
    headers.set(FORWARDED_HOST, url.hostname);
    const body = req.method === "GET" || req.method === "HEAD"
      ? undefined
      : await req.arrayBuffer();
    return fetch(`${origin}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body,
      signal: req.signal,
      redirect: "manual",
    });
  };
}
