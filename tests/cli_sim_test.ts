/**
 * `sim` on a port you can come back to: a restart serves the same URL, credentials and data (a
 * port it cannot use is in cli_usage_test.ts). Subprocesses listen on a free port found first,
 * never on the default 8787, so parallel runs on one machine do not collide.
 */
import { simSpec } from "../lib/cli/commands/sim.ts";
import { assert, assertEquals } from "./_assert.ts";
import { cliCommand } from "./_cli.ts";
import { simCall, simToken } from "./_sim_fetch.ts";

/** A port nothing listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts `sim` with `args`, reads stdout until it is ready, returns its banner; stops on SIGINT. */
async function startSim(args: string[]): Promise<{ banner: string; stop: () => Promise<string> }> {
  const child = cliCommand(["sim", ...args], { flags: ["--allow-net=127.0.0.1"] }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  for (let i = 0; i < 100 && !banner.includes("Ctrl-C"); i++) {
    const { value, done } = await reader.read();
    if (done) break;
    banner += value;
  }
  return {
    banner,
    stop: async () => {
      child.kill("SIGINT");
      let rest = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest += value;
      }
      const status = await child.status;
      const err = await new Response(child.stderr).text();
      assertEquals(status.code, 0, err);
      return rest;
    },
  };
}

Deno.test("sim listens on a documented fixed port by default; --port 0 still picks a free one", () => {
  const port = simSpec.options.find((o) => o.name === "port");
  assertEquals(port?.default, "8787");
  assert(port?.description.includes("0 picks a free one"));
  assert(simSpec.description?.some((p) => p.includes("same URL (port 8787 by default)")));
});

Deno.test("sim restarted on the same port serves the same URL, credentials and data", async () => {
  const port = freePort();
  const banners: string[] = [];
  const users: unknown[] = [];
  for (let run = 0; run < 2; run++) {
    const sim = await startSim(["--port", String(port), "--users", "3", "--conversations", "10"]);
    try {
      banners.push(sim.banner);
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(sim.banner)?.[1];
      assertEquals(url, `http://127.0.0.1:${port}`, sim.banner);
      const target = { url: url!, clientId: "sim-client-id", clientSecret: "sim-client-secret" };
      users.push((await simCall(target, await simToken(target), "GET", "/api/v2/users")).json);
    } finally {
      await sim.stop();
    }
  }
  assertEquals(banners[0], banners[1]);
  assertEquals(users[0], users[1]);
  assert(banners[0].includes("export GENESYSCLOUD_OAUTHCLIENT_ID=sim-client-id"), banners[0]);
  assert(banners[0].includes("deno task -q extract users"), banners[0]);
});

Deno.test("sim --now, --inactive-users, --total-hits-error and --details-result-limit shape what it serves", async () => {
  const sim = await startSim([
    "--port",
    String(freePort()),
    "--users",
    "20",
    "--inactive-users",
    "7",
    "--conversations",
    "200",
    "--start",
    "2026-01-01T00:00:00Z",
    "--end",
    "2026-01-03T00:00:00Z",
    "--now",
    "2026-01-02T00:00:00Z",
    "--total-hits-error",
    "-0.5",
    "--duplicate-share",
    "0",
    "--details-result-limit",
    "40",
  ]);
  try {
    assert(sim.banner.includes("20 users (and 7 inactive)"), sim.banner);
    assert(sim.banner.includes("clock: now is 2026-01-02T00:0"), sim.banner);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(sim.banner)![1];
    const target = { url, clientId: "sim-client-id", clientSecret: "sim-client-secret" };
    const auth = await simToken(target);
    const inactive = await simCall(target, auth, "GET", "/api/v2/users?state=inactive");
    assertEquals(inactive.json.total, 7);
    const query = (pageNumber: number) =>
      simCall(target, auth, "POST", "/api/v2/analytics/conversations/details/query", {
        interval: "2026-01-01T00:00:00Z/2026-01-03T00:00:00Z",
        paging: { pageSize: 20, pageNumber },
      });
    // 100 conversations started before now (none after it exist yet), reported half.
    assertEquals((await query(1)).json.totalHits, 50);
    assertEquals((await query(3)).status, 400);
  } finally {
    await sim.stop();
  }
});
