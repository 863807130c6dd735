/**
 * Secrets: every CLI command at debug level (text and JSON logs) with a recognisable client
 * secret, against the simulator behind a hostile proxy that records every token issued and, on
 * request, echoes the caller's credentials back in error bodies (a bearer token in 500s and in a
 * 401 loop, the Basic header and the decoded secret from the token endpoint). Neither the secret,
 * its Basic encoding, nor any token (exact strings, and the simulator's token pattern) may appear
 * in stdout, stderr, outputs, partial files or checkpoints — on success and on every error path.
 */
import { startSimulator } from "../testing.ts";
import type { SimFaults } from "../testing.ts";
import { absolute, cliCommand, runCli } from "./chaos/cli.ts";
import { findLeaks, type Needle, readTree, tempDir } from "./chaos/files.ts";
import { type ProxyPlan, startEchoProxy } from "./chaos/proxy.ts";
import { assert } from "./_assert.ts";

const CLIENT_ID = "canary-client-3f9b";
const SECRET = "CANARY-SECRET-7d41a9e0b3f2";
const WRONG_SECRET = "WRONG-CANARY-SECRET-c0ffee42";
/** Any simulator token, or 16+ characters of one. */
const TOKEN_PATTERN = /sim_[0-9a-f]{16}/;
const I = "2026-01-01T00:00:00Z/2026-01-03T00:00:00Z";
const P = "@proxy";

interface SecretRun {
  /** What it exercises. */
  name: string;
  /** The CLI's arguments (`@proxy` becomes the proxy's URL). */
  args: string[];
  /** Exit codes that are fine. */
  codes: number[];
  /** What the proxy does during the run. */
  plan?: ProxyPlan;
  /** Simulator faults during the run. */
  faults?: SimFaults;
  /** Environment instead of the good credentials. */
  env?: Record<string, string>;
  /** Files to create first (left out of the scan: they hold the secret on purpose). */
  files?: Record<string, string>;
  /** The proxy echo that must have fired (so the path really was taken). */
  mustFire?: keyof ProxyPlan;
}

const debug = ["--log-level", "debug"];
const json = ["--log-level", "debug", "--log-format", "json"];

const RUNS: SecretRun[] = [
  { name: "auth", args: ["auth", "--region", P, ...debug], codes: [0] },
  { name: "auth --json", args: ["auth", "--region", P, "--json", ...json], codes: [0] },
  {
    name: "users, tokens revoked every 3 requests",
    args: ["users", "--region", P, "-o", "output/users.jsonl", "--page-size", "10", ...debug],
    faults: { revokeAfterRequests: 3 },
    codes: [0],
  },
  {
    name: "queues as CSV, JSON logs",
    args: ["queues", "--region", P, "-o", "output/queues.csv", "--page-size", "2", ...json],
    codes: [0],
  },
  {
    name: "get a listing as JSON",
    args: ["get", "/api/v2/users", "--region", P, "-o", "output/get.json", ...debug],
    codes: [0],
  },
  {
    name: "users to stdout",
    args: ["users", "--region", P, "-o", "-", ...debug],
    codes: [0],
  },
  {
    name: "conversations, 500s echoing the bearer token",
    args: [
      "conversations",
      "--region",
      P,
      "--interval",
      I,
      "--page-size",
      "10",
      "-o",
      "output/c.jsonl",
      ...debug,
    ],
    plan: { echo500EveryNth: 4 },
    mustFire: "echo500EveryNth",
    codes: [0],
  },
  {
    name: "conversations --jobs, token endpoint 503 echoing the Basic header",
    args: [
      "conversations",
      "--region",
      P,
      "--interval",
      I,
      "--jobs",
      "-o",
      "output/j.csv",
      ...json,
    ],
    plan: { tokenEcho503: 1 },
    mustFire: "tokenEcho503",
    codes: [0],
  },
  {
    name: "credentials from an env file",
    args: ["users", "--region", P, "--env-file", "creds.env", "-o", "output/u2.jsonl", ...debug],
    env: {},
    files: {
      "creds.env":
        `GENESYSCLOUD_OAUTHCLIENT_ID=${CLIENT_ID}\nGENESYSCLOUD_OAUTHCLIENT_SECRET="${SECRET}"\n`,
    },
    codes: [0],
  },
  {
    name: "wrong secret, refused with the header and secret echoed",
    args: ["users", "--region", P, "-o", "output/w.jsonl", ...debug],
    env: { GENESYSCLOUD_OAUTHCLIENT_ID: CLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET: WRONG_SECRET },
    plan: { tokenEcho401: true },
    mustFire: "tokenEcho401",
    codes: [3],
  },
  {
    name: "wrong secret, auth command",
    args: ["auth", "--region", P, ...json],
    env: { GENESYSCLOUD_OAUTHCLIENT_ID: CLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET: WRONG_SECRET },
    plan: { tokenEcho401: true },
    mustFire: "tokenEcho401",
    codes: [3],
  },
  {
    name: "401 loop echoing the token",
    args: ["users", "--region", P, "-o", "output/l.jsonl", ...debug],
    plan: { echo401Always: true },
    mustFire: "echo401Always",
    codes: [3],
  },
  {
    name: "500s echoing the token until the deadline",
    args: ["queues", "--region", P, "-o", "output/d.jsonl", "--deadline", "2s", ...json],
    plan: { echo500EveryNth: 1 },
    mustFire: "echo500EveryNth",
    codes: [1, 4],
  },
  { name: "--help", args: ["--help"], codes: [0] },
  { name: "conversations --help", args: ["conversations", "--help"], codes: [0] },
  { name: "help --markdown", args: ["help", "--markdown"], codes: [0] },
];

Deno.test(`No secret or token reaches stdout, stderr, logs, outputs or checkpoints (${RUNS.length} runs)`, async () => {
  await using sim = await startSimulator({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    users: 40,
    queues: 6,
    conversations: 120,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-04T00:00:00Z",
    jobPolls: 0,
    rateLimitAllowed: 1_000_000,
  });
  await using proxy = startEchoProxy(sim);
  const root = await tempDir("secrets");
  const failures: string[] = [];
  try {
    for (const [i, run] of RUNS.entries()) {
      const dir = absolute(`${root}/run-${i}`);
      await Deno.mkdir(dir);
      for (const [path, text] of Object.entries(run.files ?? {})) {
        await Deno.writeTextFile(`${dir}/${path}`, text);
      }
      proxy.plan = run.plan ?? {};
      sim.clearFaults();
      if (run.faults) sim.setFaults(run.faults);
      const firedBefore = run.mustFire ? proxy.fired[run.mustFire] ?? 0 : 0;
      const result = await runCli(run.args.map((a) => a === P ? proxy.url : a), {
        cwd: dir,
        env: run.env ?? {
          GENESYSCLOUD_OAUTHCLIENT_ID: CLIENT_ID,
          GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
        },
      });
      if (!run.codes.includes(result.code)) {
        failures.push(
          `${run.name}: exit ${result.code}: ${result.stderr.trim().split("\n").at(-1)}`,
        );
      }
      if (run.mustFire && (proxy.fired[run.mustFire] ?? 0) === firedBefore) {
        failures.push(`${run.name}: the proxy's '${run.mustFire}' never fired`);
      }
      if (run.args.includes("debug") && result.stderr.trim() === "") {
        failures.push(`${run.name}: nothing logged at debug level`);
      }
      const files = await readTree(dir);
      for (const path of Object.keys(run.files ?? {})) delete files[`${dir}/${path}`];
      const needles: Needle[] = [
        { label: "the client secret", value: SECRET },
        { label: "the wrong client secret", value: WRONG_SECRET },
        { label: "the Basic credentials", value: btoa(`${CLIENT_ID}:${SECRET}`) },
        { label: "the wrong Basic credentials", value: btoa(`${CLIENT_ID}:${WRONG_SECRET}`) },
        ...proxy.tokens.map((t, k) => ({ label: `token #${k + 1}`, value: t })),
      ];
      const leaks = findLeaks(
        { stdout: result.stdout, stderr: result.stderr, ...files },
        needles,
        [TOKEN_PATTERN],
      );
      for (const leak of leaks) failures.push(`${run.name}: ${leak.replace(dir, "<dir>")}`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  console.log(
    `\n${RUNS.length} runs, ${proxy.tokens.length} tokens issued and searched for, echoes fired: ${
      JSON.stringify(proxy.fired)
    }`,
  );
  assert(proxy.tokens.length >= 5, `only ${proxy.tokens.length} tokens were issued`);
  assert(failures.length === 0, failures.join("\n"));
});

Deno.test("No token reaches the output of the demo and sim commands (their own simulators)", async () => {
  const root = await tempDir("secrets-demo");
  try {
    const dir = absolute(root);
    const demo = await runCli(
      ["demo", "--dir", "demo-output", "--conversations", "200", "--log-level", "debug"],
      {
        cwd: dir,
        flags: [
          "--allow-net=127.0.0.1",
          `--allow-read=${dir}`,
          `--allow-write=${dir}`,
          "--allow-run=deno",
        ],
      },
    );
    assert(demo.code === 0, `demo exit ${demo.code}: ${demo.stderr.slice(-300)}`);
    const child = (await cliCommand(["sim", "--port", "0"], {
      cwd: dir,
      flags: ["--allow-net=127.0.0.1"],
    })).spawn();
    const reader = child.stdout.getReader();
    let text = "";
    for (let i = 0; i < 50 && !text.includes("http://127.0.0.1:"); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    child.kill("SIGINT");
    reader.releaseLock();
    const rest = await child.output();
    const simText = text + new TextDecoder().decode(rest.stdout) +
      new TextDecoder().decode(rest.stderr);
    assert(text.includes("http://127.0.0.1:"), `sim did not start: ${simText.slice(0, 300)}`);
    const leaks = findLeaks(
      {
        "demo stdout": demo.stdout,
        "demo stderr": demo.stderr,
        sim: simText,
        ...await readTree(dir),
      },
      [],
      [TOKEN_PATTERN],
    );
    assert(leaks.length === 0, leaks.join("\n"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
