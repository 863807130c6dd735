/**
 * Secrets: every CLI command at debug level (text and JSON logs) with a recognisable client
 * secret, against the simulator behind a hostile proxy that hands out tokens with URL-special
 * characters, records every one and, on request, echoes the caller's credentials back in error
 * bodies (a bearer token in 500s and in a 401 loop, JSON-escaped, URL-encoded, in base64, after a
 * long message, in a `nextUri`; the Basic header and the decoded secret from the token endpoint),
 * plus filter and env files that do not parse and hold the secret. Neither the secret, its Basic
 * encoding, nor any token (exact strings, their URL, JSON and base64 encodings, and the
 * simulator's token pattern) may appear in stdout, stderr, outputs, partial files or checkpoints
 * — on success and on every error path. Then every error class, and the errors the client builds
 * from such answers, through `Deno.inspect`, `JSON.stringify`, `String` and their stack.
 */
import { type SimFaults, startSimulator } from "../testing.ts";
import { absolute, cliCommand, pastDeadline, runCli } from "./chaos/cli.ts";
import { findLeaks, type Needle, readTree, tempDir } from "./chaos/files.ts";
import { type ProxyPlan, startEchoProxy } from "./chaos/proxy.ts";
import { assert, assertEquals } from "./_assert.ts";

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
  /** Fragments that must not appear in stdout or stderr (a parser quotes only a few characters). */
  fragments?: string[];
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
  {
    name: "users, 500s echoing the token JSON-escaped, URL-encoded and in base64",
    args: ["users", "--region", P, "-o", "output/e.jsonl", "--page-size", "5", ...debug],
    plan: { echoEncodedEveryNth: 3 },
    mustFire: "echoEncodedEveryNth",
    codes: [0],
  },
  {
    name: "users, JSON logs, 500s echoing the token in three encodings",
    args: ["users", "--region", P, "-o", "output/e2.jsonl", "--page-size", "5", ...json],
    plan: { echoEncodedEveryNth: 2 },
    mustFire: "echoEncodedEveryNth",
    codes: [0],
  },
  {
    name: "a 400 quoting the token after 470 characters (cut at 500)",
    args: ["users", "--region", P, "-o", "output/cut.jsonl", ...debug],
    plan: { echoLong400: true },
    mustFire: "echoLong400",
    codes: [2],
  },
  {
    name: "users, every nextUri carrying the token (followed)",
    args: ["users", "--region", P, "-o", "output/n.jsonl", "--page-size", "10", ...debug],
    plan: { tokenInNextUri: "same" },
    mustFire: "tokenInNextUri",
    codes: [0],
  },
  {
    name: "queues, a nextUri carrying the token to another path (refused, quoted)",
    args: ["queues", "--region", P, "-o", "output/q.jsonl", "--page-size", "2", ...json],
    plan: { tokenInNextUri: "foreign" },
    mustFire: "tokenInNextUri",
    codes: [1],
  },
  {
    name: "a filter file that is not JSON, holding the secret",
    args: [
      "conversations",
      "--region",
      P,
      "--interval",
      I,
      "--filter-file",
      "filter.json",
      "-o",
      "output/f.jsonl",
      ...debug,
    ],
    // The credentials file given as the filter by mistake: JSON.parse quotes its first characters.
    files: { "filter.json": `${SECRET}\n` },
    fragments: [SECRET.slice(0, 8)],
    codes: [2],
  },
  {
    name: "an env file that does not parse, holding the secret",
    args: ["users", "--region", P, "--env-file", "bad.env", "-o", "output/b.jsonl", ...json],
    env: {},
    files: {
      "bad.env":
        `GENESYSCLOUD_OAUTHCLIENT_ID=${CLIENT_ID}\nGENESYSCLOUD_OAUTHCLIENT_SECRET="${SECRET}\n${SECRET} = ${SECRET}\n`,
    },
    fragments: [SECRET.slice(0, 8)],
    codes: [2],
  },
  { name: "--help", args: ["--help"], codes: [0] },
  { name: "conversations --help", args: ["conversations", "--help"], codes: [0] },
  { name: "help --markdown", args: ["help", "--markdown"], codes: [0] },
];

/** A secret as it is, URL-encoded, JSON-escaped character by character and in base64. */
function encodedNeedles(label: string, value: string): Needle[] {
  const escaped = [...value].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return [
    { label, value },
    { label: `${label} URL-encoded`, value: encodeURIComponent(value) },
    { label: `${label} JSON-escaped`, value: escaped.join("") },
    { label: `${label} in base64`, value: btoa(value) },
  ];
}

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
      const deadline = run.args.indexOf("--deadline");
      const late = deadline === -1
        ? undefined
        : pastDeadline(parseInt(run.args[deadline + 1]) * 1000);
      const result = await runCli(run.args.map((a) => a === P ? proxy.url : a), {
        cwd: dir,
        env: run.env ?? {
          GENESYSCLOUD_OAUTHCLIENT_ID: CLIENT_ID,
          GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
        },
        // A 400 is answered once: asked again, the run would wait out real backoff.
        stop: () =>
          run.plan?.echoLong400 && (proxy.fired.echoLong400 ?? 0) > firedBefore + 1
            ? "the 400 was asked again: a 400 is not retried"
            : late?.(),
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
        ...proxy.tokens.flatMap((t, k) => encodedNeedles(`token #${k + 1}`, t)),
      ];
      const fragments = (run.fragments ?? []).map((f, k) => ({
        label: `fragment #${k + 1} of a file`,
        value: f,
      }));
      const leaks = [
        ...findLeaks(
          { stdout: result.stdout, stderr: result.stderr, ...files },
          needles,
          [TOKEN_PATTERN],
        ),
        ...findLeaks({ stdout: result.stdout, stderr: result.stderr }, fragments),
      ];
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

const TOKEN = "tok_9f8e7d6c5b4a+x/y=";
const ID = "client-for-errors";
const CLIENT_SECRET = "Err0r-Class-Secret-77f1";

/** The secret and the token as they may travel: raw, URL-encoded, JSON-escaped, base64. */
function forms(): Needle[] {
  return [
    ...encodedNeedles("the token", TOKEN),
    ...encodedNeedles("the client secret", CLIENT_SECRET),
    { label: "the Basic credentials", value: btoa(`${ID}:${CLIENT_SECRET}`) },
  ];
}

/** Every way an error can be shown, for the leak search. */
function shown(label: string, error: Error): Record<string, string> {
  return {
    [`${label} message`]: error.message,
    [`${label} String()`]: String(error),
    [`${label} stack`]: error.stack ?? "",
    [`${label} Deno.inspect`]: Deno.inspect(error, { depth: 10 }),
    [`${label} JSON.stringify`]: JSON.stringify(error),
  };
}

Deno.test("Every error class keeps the secret and tokens out of its message, fields, body, cause, JSON and inspect forms", async () => {
  const { Redactor } = await import("../lib/redact.ts");
  const errors = await import("../lib/errors.ts");
  const { MissingPermissionError } = await import("../lib/cli/permissions.ts");
  const redactor = new Redactor();
  redactor.addBasic(ID, CLIENT_SECRET);
  redactor.add(TOKEN);
  const leak = `token ${TOKEN} (${encodeURIComponent(TOKEN)}, ${btoa(TOKEN)}) secret ${
    encodeURIComponent(CLIENT_SECRET)
  } basic ${btoa(`${ID}:${CLIENT_SECRET}`)}`;
  const cause = new TypeError(`fetch failed for /api/v2/users?cursor=${TOKEN}`);
  const options = { redactor, cause };
  const built: Record<string, Error> = {
    GenesysError: new errors.GenesysError(leak, options),
    UsageError: new errors.UsageError(leak, options),
    ApiError: new errors.ApiError({
      status: 400,
      code: `bad.${TOKEN}`,
      serverMessage: leak,
      contextId: TOKEN,
      correlationId: TOKEN,
      method: "GET",
      path: `/api/v2/users?cursor=${encodeURIComponent(TOKEN)}`,
      body: { message: leak, nested: [{ echo: TOKEN }], access_token: "anything" },
    }, options),
    AuthError: new errors.AuthError(leak, { code: TOKEN, correlationId: TOKEN }, options),
    RateLimitError: new errors.RateLimitError(leak, {
      retryAfterMs: 1000,
      request: `GET /x?c=${TOKEN}`,
      serverMessage: leak,
      code: TOKEN,
      correlationId: TOKEN,
    }, options),
    DeadlineError: new errors.DeadlineError(leak, { ...options, request: `GET /x?c=${TOKEN}` }),
    NetworkError: new errors.NetworkError(leak, { ...options, request: `GET /x?c=${TOKEN}` }),
    CheckpointError: new errors.CheckpointError(leak, options),
    JobError: new errors.JobError(leak, { jobId: "job-1", state: "FAILED" }, options),
    LockError: new errors.LockError(leak, { location: "x.lock" }, options),
    StorageError: new errors.StorageError(leak, { path: "out/x.jsonl" }, options),
  };
  const texts: Record<string, string> = {};
  for (const [name, error] of Object.entries(built)) Object.assign(texts, shown(name, error));
  // MissingPermissionError (a UsageError) has no redactor option: patterns only.
  Object.assign(
    texts,
    shown(
      "MissingPermissionError",
      new MissingPermissionError([{ name: "env", target: "X", why: `Bearer ${TOKEN}` }]),
    ),
  );
  const leaks = findLeaks(texts, forms());
  assert(leaks.length === 0, leaks.join("\n"));
  // The classes' own details survive.
  const api = built.ApiError as InstanceType<typeof errors.ApiError>;
  assert(api.message.startsWith("GET /api/v2/users?cursor=[redacted] answered 400"), api.message);
  assert(Deno.inspect(api).includes("status: 400"), Deno.inspect(api));
  assert(Deno.inspect(api).includes("Caused by TypeError: fetch failed"), Deno.inspect(api));
  assertEquals(JSON.parse(JSON.stringify(api)).body.access_token, "[redacted]");
});

Deno.test("GenesysClient's errors from a server that echoes the token (JSON-escaped, URL-encoded, base64, cut at 500, in the path) hold no token", async () => {
  const { GenesysClient } = await import("../lib/client/genesys_client.ts");
  let grants = 0;
  const answers: ((token: string) => Response)[] = [
    (t) =>
      new Response(
        `{"message":"refused ${
          [...t].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")
        }","code":"bad.request"}`,
        { status: 400 },
      ),
    (t) =>
      Response.json({ message: `refused ${encodeURIComponent(t)} / ${btoa(t)}` }, { status: 404 }),
    (t) => Response.json({ message: `${"y".repeat(480)} ${t}`, echo: t }, { status: 422 }),
    (t) => new Response(`<html>gateway saw Authorization: Bearer ${t}</html>`, { status: 409 }),
  ];
  const texts: Record<string, string> = {};
  for (const [i, answer] of answers.entries()) {
    const client = new GenesysClient({
      region: "http://127.0.0.1:9",
      clientId: ID,
      clientSecret: CLIENT_SECRET,
      pacing: false,
      // No real backoff: were any of these statuses retried, the test would not wait it out.
      clock: { sleep: () => Promise.resolve() },
      fetch: (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (url.pathname === "/oauth/token") {
          grants++;
          return Promise.resolve(Response.json({ access_token: TOKEN, expires_in: 300 }));
        }
        const auth = new Headers(init?.headers).get("authorization") ?? "";
        return Promise.resolve(answer(auth.replace(/^Bearer /, "")));
      },
    });
    // The path carries the token too, as a nextUri might.
    const error = await client.request("GET", `/api/v2/users?cursor=${TOKEN}`).then(
      () => undefined,
      (e: Error) => e,
    );
    assert(error instanceof Error, `answer ${i} did not fail`);
    Object.assign(texts, shown(`answer ${i}: ${error.name}`, error));
  }
  assert(grants >= answers.length);
  const leaks = findLeaks(texts, forms(), [/tok_9f8e7d/]);
  assert(leaks.length === 0, leaks.join("\n"));
});
