/**
 * The examples against the simulator: the Deno Deploy cron handler called directly with an
 * in-memory KV (a run cut short by its deadline, the next run finishing the day, a third doing
 * nothing), and the counting script run from a URL.
 */
import { assert, assertEquals } from "./_assert.ts";
import { startSimulator } from "../testing.ts";
import { extractYesterday, readDay } from "../examples/deploy_cron.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("deploy_cron extractYesterday stops at its deadline, resumes from KV in the next run, then does nothing", async () => {
  await using sim = await startSimulator({
    conversations: 4000,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-05T00:00:00Z",
    tokenLifetimeSeconds: 1,
    faults: {
      latency: [{ ms: 120 }],
      errors: [{ status: 503, everyNth: 6 }],
    },
  });
  const kv = await Deno.openKv(":memory:");
  const offset = Date.parse("2026-01-03T01:10:00Z") - Date.now();
  const lines: string[] = [];
  const options = {
    kv,
    now: () => Date.now() + offset,
    env: (name: string) =>
      ({
        GENESYSCLOUD_REGION: sim.url,
        GENESYSCLOUD_OAUTHCLIENT_ID: sim.clientId,
        GENESYSCLOUD_OAUTHCLIENT_SECRET: sim.clientSecret,
      })[name],
    log: (line: string) => lines.push(line),
  };
  try {
    const first = await extractYesterday({ ...options, deadlineMs: 400 });
    assertEquals([first.day, first.status], ["2026-01-02", "stopped"]);
    assert(first.records < 1000, String(first.records));

    sim.setFaults({ latency: null });
    const second = await extractYesterday({ ...options, deadlineMs: 20_000 });
    assertEquals(second.status, "complete");
    const expected = sim.conversationIds("2026-01-02T00:00:00Z/2026-01-03T00:00:00Z");
    assertEquals(second.records, expected.length);
    assertEquals(second.recordsThisRun, expected.length - first.records);
    const stored = [];
    for await (const record of readDay(kv, "2026-01-02")) {
      stored.push((record as { conversationId: string }).conversationId);
    }
    assertEquals(stored, expected);

    const third = await extractYesterday({ ...options, deadlineMs: 20_000 });
    assertEquals([third.status, third.alreadyComplete, third.recordsThisRun], [
      "complete",
      true,
      0,
    ]);
    assertEquals(lines.length, 3);
    assert(sim.stats.faults["error.503"] > 0, JSON.stringify(sim.stats.faults));
  } finally {
    kv.close();
  }
});

Deno.test("conversation_counts runs from a URL and counts the day's conversations", async () => {
  await using sim = await startSimulator({
    conversations: 500,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-06T00:00:00Z",
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    try {
      const body = await Deno.readFile(`${ROOT}${path.slice(1)}`);
      return new Response(body, { headers: { "content-type": "application/typescript" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  await Deno.mkdir(`${ROOT}.test-tmp`, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: `${ROOT}.test-tmp`, prefix: "examples_" });
  try {
    const output = await new Deno.Command("deno", {
      args: [
        "run",
        "--no-config",
        "--no-prompt",
        "--allow-net=127.0.0.1",
        "--allow-env=GENESYSCLOUD_REGION,GENESYSCLOUD_OAUTHCLIENT_ID,GENESYSCLOUD_OAUTHCLIENT_SECRET",
        `http://127.0.0.1:${server.addr.port}/examples/conversation_counts.ts`,
        "2026-01-02",
      ],
      env: {
        NO_COLOR: "1",
        HOME: Deno.env.get("HOME") ?? "/tmp",
        DENO_DIR: `${dir}/deno-dir`,
        GENESYSCLOUD_REGION: sim.url,
        GENESYSCLOUD_OAUTHCLIENT_ID: sim.clientId,
        GENESYSCLOUD_OAUTHCLIENT_SECRET: sim.clientSecret,
      },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
    const expected = sim.conversationIds("2026-01-02T00:00:00Z/2026-01-03T00:00:00Z").length;
    assert(stdout.startsWith(`${expected} conversations in 2026-01-02/P1D\n`), stdout);
    const byDirection = stdout.match(/by direction: (.+)/)?.[1] ?? "";
    const sum = [...byDirection.matchAll(/ (\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
    assertEquals(sum, expected);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deploy_cron registers its job under a name and schedule Deno.cron accepts", async () => {
  // Deno.cron needs --unstable-cron, so a child registers the job the way the example's main does
  // (then aborts it): Deno.cron throws for a name with ':' or an apostrophe.
  const module = new URL("../examples/deploy_cron.ts", import.meta.url).href;
  const code = `import { CRON_NAME, SCHEDULE } from ${JSON.stringify(module)};
const stop = new AbortController();
Deno.cron(CRON_NAME, SCHEDULE, { signal: stop.signal }, () => {});
stop.abort();`;
  const output = await new Deno.Command("deno", {
    args: ["eval", "--unstable-cron", "--unstable-kv", code],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
});
