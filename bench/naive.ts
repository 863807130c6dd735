/**
 * The naive baseline the benchmarks compare against: a conversation details extraction written
 * the way community scripts do it. One token fetched at the start and never renewed; the
 * interval walked one UTC day at a time (the query allows at most 7 days); each day paged
 * sequentially with plain `fetch`; every conversation pushed into one array; the whole array
 * written as JSON lines at the end. No pacing, no backoff, no checkpoint, no deduplication.
 *
 * One concession, or it could not finish any rate-limited run: a 429 sleeps its `Retry-After`
 * (as the better scripts do) and asks again. Any other non-2xx status (a 401 after the token
 * expired, a 503) ends the run with an error, as in those scripts.
 *
 * @module
 */

const QUERY_PATH = "/api/v2/analytics/conversations/details/query";
const DAY_MS = 86_400_000;

/** What {@link naiveExtract} needs. */
export interface NaiveOptions {
  /** The API and login base URL (the simulator's). */
  baseUrl: string;
  /** OAuth client id. */
  clientId: string;
  /** OAuth client secret. */
  clientSecret: string;
  /** `start/end` in ISO-8601. */
  interval: string;
  /** Conversations per page (at most 100). */
  pageSize: number;
  /** Where the JSON lines go. */
  output: string;
}

/** What a naive run did. */
export interface NaiveResult {
  /** Conversations written (0 when the run failed before the end). */
  records: number;
  /** Conversations held in memory when it ended. */
  held: number;
  /** HTTP requests sent, token request included. */
  requests: number;
  /** 429 answers seen. */
  rateLimited: number;
  /** Why it failed, if it did. */
  error?: string;
}

/**
 * Runs the naive extraction.
 *
 * @param o Where to connect, what to read, where to write.
 * @returns Counts, and the error that ended it early, if any.
 */
export async function naiveExtract(o: NaiveOptions): Promise<NaiveResult> {
  let requests = 0;
  let rateLimited = 0;
  const conversations: unknown[] = [];
  try {
    requests++;
    const tokenResponse = await fetch(`${o.baseUrl}/oauth/token`, {
      method: "POST",
      headers: {
        Authorization: `Basic ${btoa(`${o.clientId}:${o.clientSecret}`)}`,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials",
    });
    const { access_token: token } = await tokenResponse.json();
    const [from, to] = o.interval.split("/").map((s) => Date.parse(s));
    for (let day = from; day < to; day += DAY_MS) {
      const interval = `${new Date(day).toISOString()}/${
        new Date(Math.min(day + DAY_MS, to)).toISOString()
      }`;
      for (let page = 1;; page++) {
        requests++;
        const response = await fetch(o.baseUrl + QUERY_PATH, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ interval, paging: { pageSize: o.pageSize, pageNumber: page } }),
        });
        if (response.status === 429) {
          rateLimited++;
          await response.body?.cancel();
          const seconds = Number(response.headers.get("retry-after") ?? "1");
          await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
          page--;
          continue;
        }
        if (!response.ok) {
          throw new Error(`${QUERY_PATH} answered ${response.status}: ${await response.text()}`);
        }
        const body = await response.json();
        const got = body.conversations ?? [];
        conversations.push(...got);
        if (got.length === 0 || page * o.pageSize >= body.totalHits) break;
      }
    }
  } catch (error) {
    return {
      records: 0,
      held: conversations.length,
      requests,
      rateLimited,
      error: error instanceof Error ? error.message.slice(0, 200) : String(error),
    };
  }
  // Written at the end, a thousand lines at a time (one string of it all would pass V8's limit).
  const file = await Deno.open(o.output, { write: true, create: true, truncate: true });
  try {
    const encoder = new TextEncoder();
    for (let i = 0; i < conversations.length; i += 1000) {
      const lines = conversations.slice(i, i + 1000).map((c) => JSON.stringify(c) + "\n");
      const bytes = encoder.encode(lines.join(""));
      for (let written = 0; written < bytes.length;) {
        written += await file.write(bytes.subarray(written));
      }
    }
  } finally {
    file.close();
  }
  return { records: conversations.length, held: conversations.length, requests, rateLimited };
}
