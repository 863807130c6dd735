/**
 * `deno run --allow-net=127.0.0.1 bench/sim_throughput.ts`: how fast the simulator serves, so a
 * change to it can be checked for speed. Two figures, client and simulator in this one process
 * (as a test suite runs them):
 * - users listing, `pageSize=1`, 64 requests in parallel for 5 s: requests per second;
 * - details query, `pageSize=100`, one client paging a one-day interval of 1,000,000
 *   conversations from page 1 on for 5 s: pages per second.
 *
 * Each figure also gives the process's CPU time per request (client and simulator together),
 * which a busy machine disturbs less than the rate.
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { startSimulator } from "../testing.ts";

const SECONDS = 5;

async function token(sim: { url: string; clientId: string; clientSecret: string }) {
  const res = await fetch(`${sim.url}/oauth/token`, {
    method: "POST",
    headers: { Authorization: `Basic ${btoa(`${sim.clientId}:${sim.clientSecret}`)}` },
    body: new URLSearchParams({ grant_type: "client_credentials" }),
  });
  return (await res.json()).access_token as string;
}

/** A rate and the CPU microseconds spent per request. */
interface Figure {
  perSecond: number;
  cpuMicros: number;
}

function figure(count: number, began: number, cpu: ReturnType<typeof cpuUsage>): Figure {
  const used = cpuUsage(cpu);
  return {
    perSecond: count / ((performance.now() - began) / 1000),
    cpuMicros: (used.user + used.system) / count,
  };
}

async function usersPerSecond(): Promise<Figure> {
  await using sim = await startSimulator({ users: 1000, conversations: 10 });
  const headers = { Authorization: `Bearer ${await token(sim)}` };
  const until = performance.now() + SECONDS * 1000;
  let done = 0;
  const began = performance.now();
  const cpu = cpuUsage();
  await Promise.all(Array.from({ length: 64 }, async (_, w) => {
    for (let n = w; performance.now() < until; n += 64) {
      const res = await fetch(`${sim.url}/api/v2/users?pageSize=1&pageNumber=${(n % 1000) + 1}`, {
        headers,
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`users answered ${res.status}`);
      done++;
    }
  }));
  return figure(done, began, cpu);
}

async function detailsPagesPerSecond(): Promise<Figure> {
  await using sim = await startSimulator({ conversations: 1_000_000 });
  const headers = {
    Authorization: `Bearer ${await token(sim)}`,
    "Content-Type": "application/json",
  };
  const interval = "2026-01-10T00:00:00Z/2026-01-11T00:00:00Z";
  const until = performance.now() + SECONDS * 1000;
  let pages = 0;
  const began = performance.now();
  const cpu = cpuUsage();
  for (let page = 1; performance.now() < until; page++) {
    const res = await fetch(`${sim.url}/api/v2/analytics/conversations/details/query`, {
      method: "POST",
      headers,
      body: JSON.stringify({ interval, paging: { pageSize: 100, pageNumber: page } }),
    });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`details answered ${res.status}`);
    if (!body.conversations) page = 0;
    pages++;
  }
  return figure(pages, began, cpu);
}

const show = (what: string, unit: string, f: Figure) =>
  console.log(
    `${what}: ${Math.round(f.perSecond)} ${unit}/s, ${Math.round(f.cpuMicros)} µs CPU per request`,
  );
show("users pageSize=1, 64 parallel", "req", await usersPerSecond());
show("details pageSize=100, 1 client", "pages", await detailsPagesPerSecond());
