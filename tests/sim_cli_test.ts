import { UsageError } from "../lib/errors.ts";
import { parseSimArgs } from "../lib/sim/args.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { simCall, simToken } from "./_sim_fetch.ts";

Deno.test("parseSimArgs maps data, credential and fault flags to simulator options", () => {
  assertEquals(
    parseSimArgs([
      "--port",
      "8123",
      "--seed=7",
      "--users",
      "10",
      "--conversations",
      "5000",
      "--start",
      "2026-02-01T00:00:00Z",
      "--client-id",
      "me",
      "--token-lifetime",
      "300",
      "--rate-limit",
      "5",
      "--burst",
      "10",
      "--error-rate",
      "0.1",
      "--error-status",
      "429",
      "--retry-after",
      "30",
      "--latency",
      "20",
      "--jitter",
      "5",
      "--revoke-after",
      "50",
    ]),
    {
      port: 8123,
      seed: 7,
      users: 10,
      conversations: 5000,
      start: "2026-02-01T00:00:00Z",
      clientId: "me",
      tokenLifetimeSeconds: 300,
      faults: {
        rateLimit: { requestsPerSecond: 5, burst: 10 },
        errors: [{ status: 429, probability: 0.1, retryAfterSeconds: 30 }],
        latency: [{ ms: 20, jitterMs: 5 }],
        revokeAfterRequests: 50,
      },
    },
  );
  assertEquals(parseSimArgs([]), { faults: {} });
  assertEquals(
    parseSimArgs([
      "--inactive-users=12000",
      "--deleted-users=3",
      "--inactive-user-limit=500",
      "--long-share=0.1",
      "--max-hours=6",
      "--duplicate-share=0",
      "--total-hits-error=-0.1",
      "--details-result-limit=2000",
      "--availability-lag=600",
      "--availability-date=2026-01-20T00:00:00Z",
      "--rate-limit-per-minute=300",
    ]),
    {
      inactiveUsers: 12000,
      deletedUsers: 3,
      inactiveUserLimit: 500,
      longConversationShare: 0.1,
      maxConversationHours: 6,
      duplicateShare: 0,
      totalHitsError: -0.1,
      detailsResultLimit: 2000,
      dataAvailabilityLagSeconds: 600,
      dataAvailabilityDate: "2026-01-20T00:00:00Z",
      faults: { rateLimit: { requestsPerMinute: 300 } },
    },
  );
  const { now, ...rest } = parseSimArgs(["--now", "2026-01-15T12:00:00Z"]);
  assertEquals(rest, { faults: {} });
  const read = now!();
  assert(read >= Date.parse("2026-01-15T12:00:00Z") && read < Date.parse("2026-01-15T12:01:00Z"));
  assertEquals(parseSimArgs(["--rate-limit", "5"]), {
    faults: { rateLimit: { requestsPerSecond: 5 } },
  });
});

Deno.test("parseSimArgs rejects unknown flags and bad values", () => {
  assertThrows(() => parseSimArgs(["--colour", "red"]), UsageError, "Unknown flag '--colour'");
  assertThrows(() => parseSimArgs(["--users", "many"]), UsageError, "needs a number");
  assertThrows(() => parseSimArgs(["--users"]), UsageError, "needs a value");
  assertThrows(() => parseSimArgs(["--now", "noon"]), UsageError, "'--now' needs an instant");
  assertThrows(
    () => parseSimArgs(["--rate-limit", "5", "--rate-limit-per-minute", "300"]),
    UsageError,
    "not both",
  );
});

Deno.test("deno task sim runs the CLI's sim command, which prints its URL and credentials and stops on SIGINT", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const [program, ...task] = config.tasks.sim.split(" ");
  assertEquals(task.slice(-2), ["cli.ts", "sim"]);
  const child = new Deno.Command(program, {
    args: [
      ...task,
      "--port",
      "0",
      "--users",
      "4",
      "--conversations",
      "20",
      "--client-id",
      "cli-id",
      "--client-secret",
      "cli-secret",
    ],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  try {
    for (let i = 0; i < 100 && !out.includes("Ctrl-C"); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    assert(url, `no URL in '${out}'`);
    assert(out.includes("cli-id") && out.includes("cli-secret"), out);
    const sim = { url, clientId: "cli-id", clientSecret: "cli-secret" };
    const users = await simCall(sim, await simToken(sim), "GET", "/api/v2/users");
    assertEquals(users.json.total, 4);
  } finally {
    child.kill("SIGINT");
  }
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  const status = await child.status;
  await child.stderr.cancel();
  assertEquals(status.code, 0);
  assert(out.includes("SIGINT: served 2 requests"), out);
});
