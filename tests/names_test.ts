/**
 * `--table` and `--resolve-names` end to end: the CLI against the simulator (its users, queues
 * and wrap-up codes listings), and the engine with a file sink, a file checkpoint and the name
 * cache, stopped and resumed deterministically.
 */
import {
  conversationDetailsSource,
  extract,
  FileCheckpointStore,
  FileSink,
  GenesysClient,
  paginateItems,
} from "../mod.ts";
import { emptyNameDirectory } from "../lib/analytics/mod.ts";
import { extractJobKey } from "../lib/extract/_job_key.ts";
import { nameCachePath, withNames } from "../lib/cli/names.ts";
import { startSimulator } from "../testing.ts";
import { listFiles, parseCsv } from "./chaos/files.ts";
import { cli, ROOT, simEnv, tempDir } from "./_cli.ts";
import { assert, assertEquals } from "./_assert.ts";

const INTERVAL = "2026-01-01T00:00:00Z/2026-01-03T00:00:00Z";
const SIM = {
  seed: 3,
  users: 250,
  queues: 7,
  conversations: 160,
  start: "2026-01-01T00:00:00Z",
  end: "2026-01-03T00:00:00Z",
};

async function namesOf(sim: { url: string; clientId: string; clientSecret: string }) {
  const client = new GenesysClient({
    region: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
  });
  const read = async (path: string) => {
    const out: Record<string, string> = {};
    for await (const e of paginateItems<{ id: string; name: string }>(client, path)) {
      out[e.id] = e.name;
    }
    return out;
  };
  return {
    users: await read("/api/v2/users"),
    queues: await read("/api/v2/routing/queues"),
    wrapUpCodes: await read("/api/v2/routing/wrapupcodes"),
  };
}

Deno.test("CLI --resolve-names reads each listing once and writes the names next to the ids", async () => {
  await using sim = await startSimulator(SIM);
  const expected = await namesOf(sim);
  const dir = await tempDir("names");
  const env = simEnv(sim);
  const args = ["conversations", "--interval", INTERVAL, "--resolve-names", "-o", `${dir}/c.csv`];
  try {
    sim.resetStats();
    const run = await cli(args, { env });
    assertEquals(run.code, 0, run.stderr);
    // One walk of each listing (100 per page): 250 users, 7 queues, the wrap-up codes.
    assertEquals(sim.stats.byRoute.users, 3);
    assertEquals(sim.stats.byRoute.queues, 1);
    assertEquals(sim.stats.byRoute.wrapupcodes, 1);

    const text = await Deno.readTextFile(`${ROOT}${dir}/c.csv`);
    const [header, ...rows] = parseCsv(text);
    assertEquals(rows.length, sim.conversationIds(INTERVAL).length);
    for (const [id, names] of [["queueId", "queueName"], ["userIds", "userNames"]]) {
      assertEquals(header.indexOf(names), header.indexOf(id) + 1);
    }
    const col = (row: string[], name: string) => row[header.indexOf(name)];
    const list = (row: string[], name: string) => col(row, name).split(";").filter(Boolean);
    let named = 0;
    for (const row of rows) {
      assertEquals(col(row, "queueName"), expected.queues[col(row, "queueId")] ?? "");
      assertEquals(
        col(row, "userNames"),
        list(row, "userIds").map((id) => expected.users[id]).join(";"),
      );
      const wrapUps = list(row, "wrapUpCodes").map((id) => expected.wrapUpCodes[id]);
      // Names are cells like any text: a leading '=' gets the formula guard.
      assertEquals(
        col(row, "wrapUpCodeNames"),
        wrapUps.join(";").replace(/^=/, "'="),
      );
      if (wrapUps.length > 0) named++;
    }
    assert(named > 20, `${named} rows with wrap-up names`);
    assert(text.includes('"Wrong number, no follow-up'), "a name with a comma, quoted");
    // The cache is gone with the job complete; a second run reads nothing at all.
    assertEquals(await listFiles(`${ROOT}${dir}`), ["c.csv", "c.csv.checkpoint.json"]);
    sim.resetStats();
    const again = await cli(args, { env });
    assertEquals(again.code, 0, again.stderr);
    assert(again.stderr.includes("Nothing to do"), again.stderr);
    assertEquals([sim.stats.byRoute.users, sim.stats.byRoute.wrapupcodes], [undefined, undefined]);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI refuses --resolve-names on raw records and an unknown --table, touching nothing", async () => {
  await using sim = await startSimulator(SIM);
  const dir = await tempDir("names");
  const base = ["conversations", "--interval", INTERVAL];
  try {
    const raw = await cli([...base, "--resolve-names", "-o", `${dir}/c.jsonl`], {
      env: simEnv(sim),
    });
    assertEquals(raw.code, 2, raw.stderr);
    assert(raw.stderr.includes("add --table conversations, participants or segments"), raw.stderr);
    const bad = await cli([...base, "--table", "calls", "-o", `${dir}/c.csv`], {
      env: simEnv(sim),
    });
    assertEquals(bad.code, 2, bad.stderr);
    assert(bad.stderr.includes("Unknown table 'calls'"), bad.stderr);
    assertEquals(await listFiles(`${ROOT}${dir}`), []);
    assertEquals(sim.stats.requests, 0);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI --resolve-names without the wrap-up codes permission fails before any output; the next run reads only that listing", async () => {
  await using sim = await startSimulator(SIM);
  const codes = (await namesOf(sim)).wrapUpCodes;
  const dir = await tempDir("names");
  const env = simEnv(sim);
  const args = [
    "conversations",
    "--interval",
    INTERVAL,
    "--table",
    "segments",
    "--resolve-names",
    "-o",
    `${dir}/s.jsonl`,
  ];
  try {
    sim.setFaults({ errors: [{ route: "wrapupcodes", status: 403 }] });
    sim.resetStats();
    const denied = await cli(args, { env });
    assertEquals(denied.code, 3, denied.stderr);
    assert(denied.stderr.includes("routing:wrapupCode:view"), denied.stderr);
    assertEquals(sim.stats.byRoute["details.query"], undefined);
    // No output, no checkpoint: only the users and queues already read, for the next run.
    assertEquals(await listFiles(`${ROOT}${dir}`), ["s.jsonl.checkpoint.names.json"]);

    assertEquals(sim.stats.byRoute.wrapupcodes, 1);
    sim.clearFaults();
    sim.resetStats();
    const run = await cli(args, { env });
    assertEquals(run.code, 0, run.stderr);
    assertEquals([sim.stats.byRoute.users, sim.stats.byRoute.queues], [undefined, undefined]);
    assertEquals(sim.stats.byRoute.wrapupcodes, 1);
    const lines = (await Deno.readTextFile(`${ROOT}${dir}/s.jsonl`)).trim().split("\n");
    const wrapups = lines.map((l) => JSON.parse(l)).filter((r) => r.wrapUpCode !== null);
    assert(wrapups.length > 0);
    for (const r of wrapups) assertEquals(r.wrapUpCodeName, codes[r.wrapUpCode]);
    assertEquals(await listFiles(`${ROOT}${dir}`), ["s.jsonl", "s.jsonl.checkpoint.json"]);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("a stopped job with names resumes from its name cache, reading no listing again, to the bytes of a clean run", async () => {
  await using sim = await startSimulator(SIM);
  const codes = (await namesOf(sim)).wrapUpCodes;
  const dir = await tempDir("names");
  const client = new GenesysClient({
    region: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
  });
  const run = async (sub: string, stopAtPage?: number) => {
    const output = `${ROOT}${dir}/${sub}/p.csv`;
    await Deno.mkdir(`${ROOT}${dir}/${sub}`, { recursive: true });
    const names = emptyNameDirectory();
    const sink = new FileSink(output, { format: "csv", table: "participants", names });
    const source = conversationDetailsSource(client, { interval: INTERVAL }, { pageSize: 20 });
    const checkpoint = FileCheckpointStore.forFile(`${output}.checkpoint.json`);
    const jobKey = await extractJobKey({ source, sink });
    const controller = new AbortController();
    const cache = nameCachePath(`${output}.checkpoint.json`);
    const result = await extract({
      source: withNames(source, { client, names, cache, jobKey, restart: false }),
      sink,
      checkpoint,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.pages === stopAtPage) controller.abort();
      },
    });
    return { result, output, cache };
  };
  try {
    const clean = await run("clean");
    assertEquals(clean.result.status, "complete");

    sim.resetStats();
    const first = await run("resumed", 2);
    assertEquals([first.result.status, first.result.pages], ["stopped", 2]);
    const cached = JSON.parse(await Deno.readTextFile(first.cache));
    assertEquals(Object.keys(cached).sort(), [
      "jobKey",
      "queues",
      "users",
      "version",
      "wrapUpCodes",
    ]);
    assertEquals(cached.wrapUpCodes, codes);
    assertEquals([sim.stats.byRoute.users, sim.stats.byRoute.queues], [3, 1]);

    sim.resetStats();
    const second = await run("resumed");
    assertEquals([second.result.status, second.result.resumed], ["complete", true]);
    assertEquals(
      [sim.stats.byRoute.users, sim.stats.byRoute.queues, sim.stats.byRoute.wrapupcodes],
      [undefined, undefined, undefined],
    );
    assertEquals(await Deno.readFile(second.output), await Deno.readFile(clean.output));
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});
