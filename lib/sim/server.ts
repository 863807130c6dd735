/**
 * {@link startSimulator}: a Genesys Cloud simulator on real loopback HTTP.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { TokenStore } from "./auth.ts";
import { parseDetailsBody } from "./body.ts";
import { Dataset, type Selection } from "./dataset.ts";
import { FaultEngine } from "./faults.ts";
import { handleRequest, type SimContext } from "./handler.ts";
import { FORWARDED_HOST, simFetch } from "./hosts.ts";
import { IndexPages } from "./index_pages.ts";
import { JobStore } from "./jobs.ts";
import { resolveOptions } from "./options.ts";
import { MinuteWindow } from "./ratelimit.ts";
import { HttpError } from "./reply.ts";
import { SimulatedDisconnect } from "./respond.ts";
import { Stream, uuidOf } from "./rng.ts";
import { Counters } from "./stats.ts";
import type { SimFaults } from "./fault_options.ts";
import type { ConversationQuery, Simulator, SimulatorIds, SimulatorOptions } from "./types.ts";

const iso = (ms: number) => new Date(ms).toISOString();

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof HttpError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Starts a Genesys Cloud simulator on `http://127.0.0.1:<port>`: the token endpoint, the users,
 * queues, groups, skills, wrap-up codes and divisions listings, the analytics details query and
 * jobs API, with seeded data and injectable faults, modelling the real API's documented behaviour
 * by default (`docs/simulator.md`). API and login share the one origin; {@link Simulator.fetch}
 * also takes the real host names.
 *
 * @param options Data sizes, seed, credentials, limits, faults (all optional).
 * @returns The running simulator; close it with `close()` or `await using`.
 * @throws {UsageError} For an invalid option or fault.
 *
 * @example Get a token and list users
 * ```ts
 * import { startSimulator } from "./server.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using sim = await startSimulator({ users: 3, conversations: 10 });
 * const tokenRes = await fetch(`${sim.url}/oauth/token`, {
 *   method: "POST",
 *   headers: {
 *     Authorization: `Basic ${btoa(`${sim.clientId}:${sim.clientSecret}`)}`,
 *     "Content-Type": "application/x-www-form-urlencoded",
 *   },
 *   body: "grant_type=client_credentials",
 * });
 * const { access_token } = await tokenRes.json();
 * const res = await fetch(`${sim.url}/api/v2/users`, {
 *   headers: { Authorization: `Bearer ${access_token}` },
 * });
 * const page = await res.json();
 * strictEqual(page.total, 3);
 * strictEqual(page.entities[0].id, sim.ids.users[0]);
 * ```
 */
export function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const o = resolveOptions(options);
  const data = new Dataset(o);
  const tokens = new TokenStore(o.seed, o.now);
  const faults = new FaultEngine(o.seed, o.now, options.faults);
  const counters = new Counters();
  const closing = new AbortController();
  let requestNo = 0;
  const availability = () => o.availabilityMs ?? o.now() - o.availabilityLagMs;
  const jobs = new JobStore(data, {
    polls: o.jobPolls,
    expirySeconds: o.jobExpirySeconds,
    availability,
    pageSize: o.jobResultsPageSize,
    maxPageSize: o.maxJobResultsPageSize,
    now: o.now,
    failJob: () => {
      const fails = faults.failJob();
      if (fails) counters.fault("job.failed");
      return fails;
    },
  });
  const ctx: SimContext = {
    o,
    data,
    tokens,
    faults,
    counters,
    window: new MinuteWindow(o.now),
    jobs,
    pages: new IndexPages(o.seed, o.duplicateShare),
    closing: closing.signal,
    correlationId: () => uuidOf(o.seed, Stream.correlation, requestNo++),
  };
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: o.port,
    onListen() {},
    onError(error) {
      if (!(error instanceof SimulatedDisconnect)) console.error("Simulator error:", error);
      return new Response(null, { status: 500 });
    },
  }, async (req) => {
    const forwarded = req.headers.get(FORWARDED_HOST);
    counters.begin(forwarded ?? req.headers.get("host") ?? "");
    try {
      return await handleRequest(ctx, req, forwarded);
    } finally {
      counters.end();
    }
  });
  const ids = (selection: Selection) => {
    const out: string[] = new Array(selection.total);
    for (let k = 0; k < selection.total; k++) {
      out[k] = uuidOf(o.seed, Stream.conversationId, selection.at(k));
    }
    return out;
  };
  const whole = `${iso(o.startMs)}/${iso(o.endMs)}`;
  const select = (interval: string, query: ConversationQuery, mode: "start" | "day") =>
    usage(() => {
      const { startOfDayIntervalMatching: _s, limit: _l, ...rest } = query;
      const spec = parseDetailsBody(data, { ...rest, interval }, "query", false).spec;
      return ids(data.select({ ...spec, mode, asOfMs: o.now() }));
    });
  const dir = data.directory;
  const frozen = (list: string[]) => Object.freeze([...list]);
  const usersIn = (state: "active" | "inactive" | "deleted") =>
    frozen(dir.userIds.slice(...dir.usersIn(state)));
  const directoryIds: SimulatorIds = Object.freeze({
    users: usersIn("active"),
    inactiveUsers: usersIn("inactive"),
    deletedUsers: usersIn("deleted"),
    queues: frozen(dir.queueIds),
    groups: frozen(dir.groupIds),
    skills: frozen(dir.skillIds),
    wrapUpCodes: frozen(dir.wrapUpCodeIds),
    divisions: frozen(dir.divisions.map((d) => d.id)),
  });
  let closed: Promise<void> | undefined;
  const close = () => {
    if (!closed) {
      closing.abort();
      closed = server.shutdown();
    }
    return closed;
  };
  const url = `http://127.0.0.1:${server.addr.port}`;
  const sim: Simulator = {
    url,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    seed: o.seed,
    start: iso(o.startMs),
    end: iso(o.endMs),
    get dataAvailabilityDate() {
      return iso(availability());
    },
    conversationCount: o.conversations,
    ids: directoryIds,
    fetch: simFetch(url),
    get stats() {
      return counters.snapshot(tokens.issued, tokens.revoked);
    },
    get faults(): SimFaults {
      return faults.current;
    },
    setFaults: (f) => faults.set(f),
    clearFaults: () => faults.clear(),
    revokeTokens: () => tokens.revokeAll(),
    resetStats: () => {
      counters.reset();
      tokens.resetCounters();
    },
    conversationIds: (interval = whole, query: ConversationQuery = {}) =>
      select(interval, query, "start"),
    detailsQueryIds: (interval = whole, query: ConversationQuery = {}) =>
      select(interval, query, "day"),
    jobConversationIds: (body: ConversationQuery = {}) =>
      usage(() => ids(jobs.selectionFor({ interval: whole, ...body }))),
    close,
    [Symbol.asyncDispose]: close,
  };
  return Promise.resolve(sim);
}
