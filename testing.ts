/**
 * A Genesys Cloud simulator for developing and testing batch jobs offline: a real HTTP server on
 * 127.0.0.1 with the token endpoint, the users, queues, groups, skills, wrap-up codes and
 * divisions listings, the analytics conversation details query and jobs API, deterministic data
 * from a seed, and injectable faults (token expiry and revocation, rate limits with
 * `Retry-After`, 429/5xx, latency, truncated or malformed bodies, dropped connections).
 *
 * By default it behaves as the real API is documented to (`docs/simulator.md` lists each
 * behaviour with its source): the details query's UTC-day index and overlap rule, long and
 * still-live conversations at the simulator's "now", an approximate `totalHits` and pages
 * shortened by server-side dedupe, jobs with overlap matching and a lagging
 * `dataAvailabilityDate`, users with a `state` and the 400 past 10,000 inactive users, and
 * {@link Simulator.fetch} for requests addressed to the real host names.
 *
 * @example Page every user with plain fetch, under an injected 503 on every third request
 * ```ts
 * import { startSimulator } from "./testing.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * await using sim = await startSimulator({
 *   users: 60,
 *   conversations: 100,
 *   faults: { errors: [{ route: "users", status: 503, everyNth: 3 }] },
 * });
 * const tokenRes = await fetch(`${sim.url}/oauth/token`, {
 *   method: "POST",
 *   headers: { Authorization: `Basic ${btoa(`${sim.clientId}:${sim.clientSecret}`)}` },
 *   body: new URLSearchParams({ grant_type: "client_credentials" }),
 * });
 * const { access_token } = await tokenRes.json();
 *
 * const ids: string[] = [];
 * let next: string | undefined = "/api/v2/users?pageSize=25&pageNumber=1";
 * for (let attempt = 0; next && attempt < 20; attempt++) {
 *   const res: Response = await fetch(sim.url + next, {
 *     headers: { Authorization: `Bearer ${access_token}` },
 *   });
 *   const page: { entities: { id: string }[]; nextUri?: string } = await res.json();
 *   if (res.status === 503) continue; // a real client backs off and retries
 *   ids.push(...page.entities.map((u) => u.id));
 *   next = page.nextUri;
 * }
 * deepStrictEqual(ids, sim.ids.users);
 * deepStrictEqual(sim.stats.byRouteStatus.users, { "200": 3, "503": 1 });
 * ```
 *
 * @module
 */
export * from "./lib/sim/mod.ts";
