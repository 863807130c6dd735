/**
 * The request pipeline: route, latency, token endpoint or (auth → rate limit → injected error →
 * handler), body damage, common headers, counters.
 *
 * @module
 */
import { sleep } from "../retry/sleep.ts";
import type { TokenStore } from "./auth.ts";
import type { Dataset } from "./dataset.ts";
import type { FaultEngine } from "./faults.ts";
import { hostRole } from "./hosts.ts";
import type { IndexPages } from "./index_pages.ts";
import type { JobStore } from "./jobs.ts";
import { listing } from "./listings.ts";
import type { ResolvedOptions } from "./options.ts";
import { detailsQuery } from "./query.ts";
import type { MinuteWindow } from "./ratelimit.ts";
import {
  badRequest,
  errorReply,
  HttpError,
  missingPermission,
  type Reply,
  serverError,
  tooManyRequests,
} from "./reply.ts";
import { toResponse } from "./respond.ts";
import { matchRoute, type RouteMatch } from "./router.ts";
import type { Counters } from "./stats.ts";
import { tokenEndpoint } from "./token.ts";
import type { BodyFault, SimRoute } from "./fault_options.ts";

/** Everything a request needs. */
export interface SimContext {
  /** Resolved options. */
  o: ResolvedOptions;
  /** The data. */
  data: Dataset;
  /** Tokens. */
  tokens: TokenStore;
  /** Faults. */
  faults: FaultEngine;
  /** Counters. */
  counters: Counters;
  /** The old `inin-ratelimit-*` headers' window (sent with `rateLimitHeaders` only). */
  window: MinuteWindow;
  /** Jobs. */
  jobs: JobStore;
  /** The details query's pages over its index with duplicates. */
  pages: IndexPages;
  /** Aborted when the simulator closes (ends latency waits). */
  closing: AbortSignal;
  /** The next correlation id. */
  correlationId: () => string;
}

async function jsonBody(req: Request): Promise<unknown> {
  const text = await req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("The request body is not valid JSON");
  }
}

/** The permission each route needs, named by an injected 403. */
const PERMISSIONS: Record<SimRoute, string> = {
  token: "oauth:client:authorize",
  users: "directory:user:view",
  queues: "routing:queue:view",
  groups: "directory:group:view",
  skills: "routing:skill:view",
  wrapupcodes: "routing:wrapupCode:view",
  divisions: "authorization:division:view",
  "details.query": "analytics:conversationDetail:view",
  "jobs.submit": "analytics:conversationDetail:view",
  "jobs.status": "analytics:conversationDetail:view",
  "jobs.results": "analytics:conversationDetail:view",
  "jobs.delete": "analytics:conversationDetail:view",
  "jobs.availability": "analytics:conversationDetail:view",
};

function injected(ctx: SimContext, m: RouteMatch, cid: string): Reply | undefined {
  const rule = ctx.faults.error(m.route);
  if (!rule) return undefined;
  ctx.counters.fault(`error.${rule.status}`);
  if (rule.status === 429) return tooManyRequests(rule.retryAfterSeconds ?? 1, cid);
  if (rule.status === 403) return missingPermission(PERMISSIONS[m.route], cid);
  return serverError(rule.status, cid);
}

async function routeReply(
  ctx: SimContext,
  m: RouteMatch,
  req: Request,
  url: URL,
  cid: string,
): Promise<Reply> {
  if (m.route === "token") {
    const fault = injected(ctx, m, cid);
    if (fault) return fault;
    const form = new URLSearchParams(await req.text());
    return tokenEndpoint(
      ctx.tokens,
      {
        clientId: ctx.o.clientId,
        clientSecret: ctx.o.clientSecret,
        invalidClientStatus: ctx.o.invalidClientStatus,
        lifetimeSeconds: ctx.faults.tokenLifetimeSeconds ?? ctx.o.tokenLifetimeSeconds,
      },
      req.headers.get("authorization"),
      form,
    );
  }
  if (ctx.faults.revokeTokens(m.route)) {
    ctx.tokens.revokeAll(); // this request's token included: it gets the 401
    ctx.counters.fault("tokens.revoked");
  }
  const denied = ctx.tokens.authorize(
    req.headers.get("authorization"),
    ctx.faults.revokeAfterRequests,
  );
  if (denied) {
    ctx.counters.live.unauthorized++;
    return errorReply(denied, cid);
  }
  const waitMs = ctx.faults.rateLimit(m.route);
  if (waitMs > 0) {
    ctx.counters.live.rateLimited++;
    return tooManyRequests(waitMs / 1000, cid, ctx.faults.rateLimitInfo);
  }
  const fault = injected(ctx, m, cid);
  if (fault) return fault;
  switch (m.route) {
    case "users":
    case "queues":
    case "groups":
    case "skills":
    case "wrapupcodes":
    case "divisions":
      return listing(m.route, url, ctx.data, ctx.o);
    case "details.query":
      return detailsQuery(ctx.data, await jsonBody(req), {
        asOfMs: ctx.o.now(),
        pages: ctx.pages,
        totalHitsError: ctx.o.totalHitsError,
        resultLimit: ctx.o.detailsResultLimit,
      });
    case "jobs.submit": {
      const reply = ctx.jobs.submit(await jsonBody(req));
      ctx.counters.live.jobsSubmitted++;
      return reply;
    }
    case "jobs.status":
      return ctx.jobs.status(m.jobId!);
    case "jobs.results":
      return ctx.jobs.results(m.jobId!, url);
    case "jobs.delete":
      return ctx.jobs.remove(m.jobId!);
    case "jobs.availability":
      return ctx.jobs.availability();
  }
}

/**
 * Handles one request.
 *
 * @param ctx The simulator's state.
 * @param req The request.
 * @param forwarded The real Genesys host it was addressed to, when sent through
 *   `Simulator.fetch` (a login host serves only the token endpoint, an API host all but it).
 * @returns The response.
 *
 * @example
 * ```ts
 * import { startSimulator } from "./server.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using sim = await startSimulator({ conversations: 10 });
 * const res = await fetch(`${sim.url}/nowhere`);
 * await res.body?.cancel();
 * strictEqual(res.status, 404);
 * ```
 */
export async function handleRequest(
  ctx: SimContext,
  req: Request,
  forwarded: string | null = null,
): Promise<Response> {
  const cid = ctx.correlationId();
  const url = new URL(req.url);
  let m = matchRoute(req.method, url.pathname);
  const role = forwarded ? hostRole(forwarded) : undefined;
  if (m && role && (role === "login") !== (m.route === "token")) m = undefined;
  const headers: Record<string, string> = { "ININ-Correlation-Id": cid };
  if (ctx.o.rateLimitHeaders) {
    const rate = ctx.window.hit();
    headers["inin-ratelimit-count"] = String(rate.count);
    headers["inin-ratelimit-allowed"] = String(
      ctx.faults.allowedPerMinute ?? ctx.o.rateLimitAllowed,
    );
    headers["inin-ratelimit-reset"] = String(rate.resetSeconds);
  }
  let reply: Reply;
  let damage: BodyFault["kind"] | undefined;
  if (!m) {
    await req.body?.cancel();
    const where = forwarded ? ` on '${forwarded}'` : "";
    reply = errorReply(
      new HttpError(404, "not.found", `No route for '${req.method} ${url.pathname}'${where}`),
      cid,
    );
  } else {
    const latency = ctx.faults.latency(m.route);
    if (latency && latency.ms > 0) {
      ctx.counters.fault(latency.spike ? "latency.spike" : "latency");
      await sleep(latency.ms, ctx.closing).catch(() => {}); // closing ends the wait early
    }
    try {
      reply = await routeReply(ctx, m, req, url, cid);
    } catch (error) {
      reply = error instanceof HttpError ? errorReply(error, cid) : errorReply(
        new HttpError(500, "internal.server.error", `Simulator error: ${String(error)}`),
        cid,
      );
    }
    if (reply.status < 300 && reply.json !== undefined) {
      damage = ctx.faults.body(m.route);
      if (damage) ctx.counters.fault(`body.${damage}`);
    }
  }
  const retryAfter = reply.headers?.["Retry-After"];
  if (retryAfter && ctx.o.rateLimitHeaders) headers["inin-ratelimit-reset"] = retryAfter;
  ctx.counters.response(m?.route ?? "unknown", reply.status);
  return toResponse(reply, headers, damage);
}
