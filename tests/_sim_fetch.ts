/**
 * Plain `fetch` against the simulator, for the simulator's own tests: a token by client
 * credentials, then API calls with it.
 */

/** What the helpers need of a simulator. */
export interface SimEndpoint {
  /** Its base URL. */
  url: string;
  /** The client id it accepts. */
  clientId: string;
  /** The client secret it accepts. */
  clientSecret: string;
}

// deno-lint-ignore no-explicit-any
export type Json = Record<string, any>;

/** One answer of the simulator, its body read. */
export interface SimReply {
  /** The HTTP status. */
  status: number;
  /** The response headers. */
  headers: Headers;
  /** The body as sent. */
  text: string;
  /** The body parsed (`undefined` when empty). */
  json: Json;
}

/** Gets an access token from the simulator's token endpoint with its own credentials. */
export async function simToken(sim: SimEndpoint): Promise<string> {
  const res = await fetch(`${sim.url}/oauth/token`, {
    method: "POST",
    headers: { Authorization: `Basic ${btoa(`${sim.clientId}:${sim.clientSecret}`)}` },
    body: new URLSearchParams({ grant_type: "client_credentials" }),
  });
  return (await res.json()).access_token;
}

/**
 * Calls the simulator with a bearer token (none when `auth` is undefined) and reads the answer.
 * A string body is sent as it is, anything else as JSON.
 */
export async function simCall(
  sim: SimEndpoint,
  auth: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<SimReply> {
  const headers: Record<string, string> = {};
  if (auth !== undefined) headers.Authorization = `Bearer ${auth}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(sim.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: text ? JSON.parse(text) : undefined,
  };
}

/** What following a listing's `nextUri` gave: every page read, and the status that ended it. */
export interface SimWalk {
  /** The 200 pages, in order. */
  pages: Json[];
  /** Their entities, in order. */
  entities: Json[];
  /** 200 when the last page had no `nextUri`, else the status that stopped the walk. */
  status: number;
  /** The error body of that status, if any. */
  error?: Json;
}

/** Follows `nextUri` from `first` (at most `limit` requests). */
export async function simWalk(
  sim: SimEndpoint,
  auth: string,
  first: string,
  limit = 500,
): Promise<SimWalk> {
  const walk: SimWalk = { pages: [], entities: [], status: 200 };
  let next: string | undefined = first;
  for (let n = 0; next && n < limit; n++) {
    const { status, json } = await simCall(sim, auth, "GET", next);
    if (status !== 200) return { ...walk, status, error: json };
    walk.pages.push(json);
    walk.entities.push(...json.entities);
    next = json.nextUri;
  }
  return walk;
}
