/**
 * The `demo` command: starts the simulator in this process with 2-second tokens and injected
 * faults, extracts a week of conversations into a local folder through the same code path as
 * `conversations`, "crashes" half way and resumes, then proves nothing was lost or written twice.
 *
 * @module
 */

import type { GenesysClient } from "../../genesys_client.ts";
import { startSimulator } from "../../sim/server.ts";
import type { Simulator } from "../../sim/types.ts";
import type { CommandContext, Connection } from "../context.ts";
import { ExitCode } from "../exit.ts";
import { runExtraction } from "../extraction.ts";
import { readInteger } from "../extract_options.ts";
import { invocation } from "../invocation.ts";
import { requirePermissions } from "../permissions.ts";
import { conversationsPlan } from "./conversations.ts";
import { formatCount, formatDuration, formatRetries, retriesByLabel } from "../progress.ts";
import type { CommandSpec, ParsedCommand } from "../spec.ts";
import type { Command } from "./command.ts";

/** The `demo` command's spec. */
export const demoSpec: CommandSpec = {
  name: "demo",
  summary: "See it survive: a simulated org with expiring tokens, 429s, 503s and a crash",
  description: [
    "Starts the simulator in this process with 2-second tokens, a 429 (Retry-After 1 s) on every 9th API call, a 503 on every 13th, 100-250 ms latency and one token revocation. Then it extracts a week of conversations into <dir>/conversations.jsonl with the same code as the conversations command, stops half way as a crash would, runs again to resume from the checkpoint, and compares the output with the simulator's own list of ids. It takes 10 to 30 seconds and needs no credentials.",
    "Exit code 0 when every conversation arrived exactly once, 1 otherwise.",
  ],
  options: [
    {
      name: "dir",
      short: "d",
      type: "string",
      value: "<dir>",
      description: "Where the output and checkpoint go (replaced on each run).",
      default: "demo-output",
    },
    {
      name: "conversations",
      type: "string",
      value: "<n>",
      description: "Conversations in the simulated week, 100 to 20000.",
      default: "2000",
    },
    {
      name: "seed",
      type: "string",
      value: "<n>",
      description: "Seed of the simulated data and faults.",
      default: "7",
    },
    {
      name: "log-level",
      type: "string",
      value: "<level>",
      description: "debug shows every request, retry and token refresh.",
      default: "info",
    },
  ],
  examples: [
    { command: "demo", note: "Run it (deno task demo)" },
    { command: "demo --log-level debug", note: "Watch every request, retry and token request" },
  ],
};

const INTERVAL = "2026-01-01T00:00:00Z/2026-01-08T00:00:00Z";
const PAGE_SIZE = 50;

async function readIds(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((line) => line.trim() !== "").map((line) =>
    String((JSON.parse(line) as { conversationId?: unknown }).conversationId)
  );
}

function statusCounts(sim: Simulator): string {
  return Object.entries(sim.stats.byStatus).sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status}×${n}`).join(", ");
}

async function run(parsed: ParsedCommand, ctx: CommandContext): Promise<number> {
  const dir = (parsed.strings.dir ?? "demo-output").replace(/[\\/]+$/, "") || ".";
  const count = readInteger(parsed.strings.conversations ?? "2000", "--conversations", 100, 20_000);
  const seed = readInteger(parsed.strings.seed ?? "7", "--seed", 0, 2 ** 31);
  const logLevel = parsed.strings["log-level"] ?? "info";
  const output = `${dir}/conversations.jsonl`;
  const task = invocation([]).task;
  requirePermissions(
    [
      { name: "net", target: "127.0.0.1", why: "the in-process simulator" },
      { name: "read", target: dir, why: "the demo output" },
      { name: "write", target: dir, why: "the demo output" },
    ],
    // Flags cannot be added to a task: say which task (or folder) works instead.
    task
      ? `'${task}' writes under ./output only: run 'deno task demo', or pass --dir output/demo`
      : undefined,
  );
  const say = (text: string) => ctx.io.stderr(`${text}\n`);
  const started = Date.now();
  await using sim = await startSimulator({
    seed,
    conversations: count,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-08T00:00:00Z",
    tokenLifetimeSeconds: 2,
    faults: {
      errors: [
        { status: 429, everyNth: 9, retryAfterSeconds: 1 },
        { status: 503, everyNth: 13 },
      ],
      latency: [{ ms: 100, jitterMs: 150 }],
    },
  });
  say(
    [
      "Genesys Cloud batch toolkit demo: a simulated org that fights back",
      `  simulator  ${sim.url}: ${formatCount(count)} conversations in ${INTERVAL}`,
      "  faults     tokens live 2 s · 429 (Retry-After 1 s) on every 9th API call · 503 on every 13th · 100-250 ms latency · one token revoked mid-run",
      "",
    ].join("\n"),
  );
  await Deno.mkdir(dir, { recursive: true });
  const port = new URL(sim.url).host;
  const connection: Connection = {
    region: { name: sim.url, env: port, apiBaseUrl: sim.url, loginBaseUrl: sim.url },
    credentials: { clientId: sim.clientId, clientSecret: sim.clientSecret, source: "simulator" },
    regionSource: "the demo",
    needs: [{ name: "net", target: port, why: "the simulator" }],
  };
  const clients: GenesysClient[] = [];
  const options = (restart: boolean): ParsedCommand => ({
    positionals: [],
    strings: {
      output,
      interval: INTERVAL,
      "page-size": String(PAGE_SIZE),
      "log-level": logLevel,
    },
    lists: {},
    flags: { restart, force: restart },
  });
  const totalPages = Math.ceil(count / PAGE_SIZE);
  const crashAfter = Math.max(2, Math.floor(totalPages / 2));
  // The revocation is driven, not timed: every live token is revoked as run 1's third API
  // request (one of the first pages, done before the crash) reaches the simulator, so that
  // request carries a revoked token and is answered 401 however fast the 2-second tokens renew.
  const revokeAt = Math.min(3, crashAfter);
  let apiRequests = 0;
  const fetchThrough: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (new URL(url).pathname !== "/oauth/token" && ++apiRequests === revokeAt) {
      sim.revokeTokens();
    }
    return fetch(input, init);
  };

  say(
    `Run 1: extracting into ${output}; it will be stopped after page ${crashAfter}, as a crash would`,
  );
  const crash = new AbortController();
  const first = await runExtraction(options(true), await conversationsPlan(options(true)), ctx, {
    connection,
    onClient: (c) => clients.push(c),
    fetch: fetchThrough,
    signal: crash.signal,
    quietStop: true,
    onProgress: (p) => {
      if (p.pages >= crashAfter) crash.abort();
    },
  });
  if (first !== ExitCode.INTERRUPTED && first !== ExitCode.OK) return first;
  say(`\nRun 2: the same command again resumes from the checkpoint`);
  const second = await runExtraction(options(false), await conversationsPlan(options(false)), ctx, {
    connection,
    onClient: (c) => clients.push(c),
  });
  if (second !== ExitCode.OK) return second;

  const expected = sim.conversationIds(INTERVAL);
  const got = await readIds(output);
  const seen = new Set<string>();
  let duplicated = 0;
  for (const id of got) {
    if (seen.has(id)) duplicated++;
    seen.add(id);
  }
  const expectedSet = new Set(expected);
  const missing = expected.filter((id) => !seen.has(id)).length;
  const unexpected = [...seen].filter((id) => !expectedSet.has(id)).length;
  const inOrder = missing === 0 && duplicated === 0 && unexpected === 0 &&
    got.every((id, i) => id === expected[i]);
  const tokenRequests = clients.reduce((sum, c) => sum + c.stats.tokenRequests, 0);
  const requests = clients.reduce((sum, c) => sum + c.stats.requests, 0);
  const retries: Record<string, number> = {};
  for (const client of clients) {
    for (const [label, n] of Object.entries(retriesByLabel(client.stats))) {
      retries[label] = (retries[label] ?? 0) + n;
    }
  }
  const stats = sim.stats;
  const size = (await Deno.stat(output)).size;
  const ok = missing === 0 && duplicated === 0 && unexpected === 0;
  say(
    [
      "",
      "What happened:",
      `  output          ${formatCount(got.length)} conversations in ${output} (${
        formatCount(Math.round(size / 1024))
      } KB)`,
      `  tokens          ${tokenRequests} token requests (${clients.length} runs; 2 s lifetime, renewed early; ${stats.tokensRevoked} revoked, ${stats.unauthorized} API call${
        stats.unauthorized === 1 ? "" : "s"
      } answered 401 and retried with a fresh token)`,
      `  retries         ${formatRetries(retries)}`,
      `  requests        ${formatCount(requests)} API requests; the simulator answered ${
        statusCounts(sim)
      } (token endpoint included)`,
      `  crash + resume  run 1 stopped after ${crashAfter} pages; run 2 continued from its checkpoint`,
      "",
      `${ok ? "OK" : "FAILED"}: ${formatCount(seen.size - unexpected)} of ${
        formatCount(expected.length)
      } conversations, ${missing} missing, ${duplicated} duplicated${
        unexpected > 0 ? `, ${unexpected} unexpected` : ""
      }${inOrder ? ", in order" : ""} (checked against the simulator's own list)`,
      `Took ${
        formatDuration(Date.now() - started)
      }. Next: 'deno task extract conversations --help', or point it at your org (README: "Against a real org").`,
    ].join("\n") + "\n",
  );
  return ok ? ExitCode.OK : ExitCode.FAILED;
}

/** `demo`: the simulator with faults, an extraction, a crash, a resume and a check. */
export const demoCommand: Command = { spec: demoSpec, run };
