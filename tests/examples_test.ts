/**
 * The examples against the simulator: the Deno Deploy cron handler called directly with an
 * in-memory KV (a run cut short by its deadline, the next run finishing the settled days, a third
 * sending no analytics request), and the counting script run from a URL.
 */
import { assert, assertEquals } from "./_assert.ts";
import { ROOT, tempDir } from "./_cli.ts";
import { startSimulator } from "../testing.ts";
import { readDay, SYNC_PREFIX, syncConversations } from "../examples/deploy_cron.ts";
import { KvCheckpointStore, readSyncManifest } from "../mod.ts";

Deno.test("deploy_cron syncs 3 settled days into KV, stops at its deadline, resumes in the next run, then sends no analytics request", async () => {
  // 01:10 on 6 January: with 48 hours to settle, 1 to 3 January are final.
  const offset = Date.parse("2026-01-06T01:10:00Z") - Date.now();
  const now = () => Date.now() + offset;
  await using sim = await startSimulator({
    conversations: 2400,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-07T00:00:00Z",
    tokenLifetimeSeconds: 1,
    jobPolls: 0,
    now,
    faults: {
      latency: [{ ms: 120 }],
      errors: [{ status: 503, everyNth: 6 }],
    },
  });
  const kv = await Deno.openKv(":memory:");
  const lines: string[] = [];
  const options = {
    kv,
    clock: { now },
    env: (name: string) =>
      ({
        GENESYSCLOUD_REGION: sim.url,
        GENESYSCLOUD_OAUTHCLIENT_ID: sim.clientId,
        GENESYSCLOUD_OAUTHCLIENT_SECRET: sim.clientSecret,
        SYNC_SINCE: "2026-01-01",
      })[name],
    log: (line: string) => lines.push(line),
  };
  const days = ["2026-01-01", "2026-01-02", "2026-01-03"];
  const analytics = () =>
    Object.entries(sim.stats.byRoute)
      .filter(([route]) => route.startsWith("details.") || route.startsWith("jobs."))
      .reduce((sum, [, n]) => sum + n, 0);
  try {
    const first = await syncConversations({ ...options, deadlineMs: 1500 });
    assertEquals(first.status, "stopped");
    assert(first.written.length < 3, first.written.join());

    sim.setFaults({ latency: null });
    const second = await syncConversations({ ...options, deadlineMs: 30_000 });
    assertEquals(second.status, "complete");
    assertEquals([...first.written, ...second.written], days);
    for (const day of days) {
      const stored = [];
      for await (const record of readDay(kv, day)) {
        stored.push((record as { conversationId: string }).conversationId);
      }
      const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
      assertEquals(stored, sim.conversationIds(`${day}T00:00:00Z/${next}T00:00:00Z`), day);
    }
    const manifest = await readSyncManifest({
      store: new KvCheckpointStore(kv, SYNC_PREFIX),
      key: "manifest",
    });
    assertEquals(Object.keys(manifest?.days ?? {}), days);

    const sent = analytics();
    const third = await syncConversations({ ...options, deadlineMs: 30_000 });
    assertEquals([third.status, third.written, third.present], ["complete", [], 3]);
    assertEquals(analytics(), sent, "the third run sent analytics requests");
    assert(sim.stats.faults["error.503"] > 0, JSON.stringify(sim.stats.faults));
    assert(lines.some((l) => l.startsWith("stopped")), lines.join("\n"));
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
  const dir = `${ROOT}${await tempDir("examples")}`;
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
