/**
 * Unit tests of the CLI's pure parts: argument parsing, option specs, env files, exit codes,
 * resume commands, progress formatting and option checks.
 */
import { assert, assertEquals, assertThrows } from "../../tests/_assert.ts";
import { parseArgs } from "./args.ts";
import { parseCommand } from "./spec.ts";
import { suggest } from "../_suggest.ts";
import { parseDotenv, resolveCredentials } from "./env.ts";
import { errorLine, exitCodeFor } from "./exit.ts";
import { resumeArgs, resumeCommand, shellQuote } from "./resume.ts";
import {
  formatDuration,
  formatPacerWait,
  formatProgressLine,
  ProgressReporter,
} from "./progress.ts";
import { readExtractSettings } from "./extract_options.ts";
import { startRun } from "./run_client.ts";
import { resolveRegion } from "../client/region.ts";
import { Redactor } from "../redact.ts";
import { listenForStop, type StopSignal } from "./signals.ts";
import { fileNeeds, flagsFor, MissingPermissionError } from "./permissions.ts";
import { conversationsSpec } from "./commands/conversations.ts";
import { resolveInterval } from "./commands/conversations_query.ts";
import { joinQueries, parseListingPath, parseQueryOptions } from "./commands/listing.ts";
import {
  ApiError,
  AuthError,
  CheckpointError,
  DeadlineError,
  JobError,
  NetworkError,
  RateLimitError,
  UsageError,
} from "../errors.ts";

const parsed = (
  strings: Record<string, string> = {},
  flags: Record<string, boolean> = {},
) => ({ positionals: [], strings, lists: {}, flags });

Deno.test("parseArgs reads long, short, grouped and inline options like @std/cli", () => {
  const args = parseArgs(["-qo", "out.csv", "--page-size=50", "pos", "--", "--not-an-option"], {
    string: ["output", "page-size"],
    boolean: ["quiet"],
    alias: { o: "output", q: "quiet" },
  });
  assertEquals(args.output, "out.csv");
  assertEquals(args.o, "out.csv");
  assertEquals(args.quiet, true);
  assertEquals(args["page-size"], "50");
  assertEquals(args._, ["pos", "--not-an-option"]);
});

Deno.test("parseArgs refuses a string option whose value is missing or is another option", () => {
  const options = { string: ["output"], boolean: ["quiet"] };
  assertThrows(() => parseArgs(["--output"], options), UsageError, "needs a value");
  assertThrows(() => parseArgs(["--output", "--quiet"], options), UsageError, "needs a value");
  assertEquals(parseArgs(["--output", "-"], options).output, "-");
  assertThrows(() => parseArgs(["--quiet=yes"], options), UsageError, "takes no value");
});

Deno.test("parseArgs collects repeated options, negates and stops early", () => {
  const args = parseArgs(["--query", "a=1", "--query=b=2", "--no-color"], {
    collect: ["query"],
    boolean: ["color"],
    negatable: ["color"],
    default: { color: true },
  });
  assertEquals(args.query, ["a=1", "b=2"]);
  assertEquals(args.color, false);
  const early = parseArgs(["users", "--quiet"], { boolean: ["quiet"], stopEarly: true });
  assertEquals(early._, ["users", "--quiet"]);
});

Deno.test("parseCommand suggests the closest option for a typo", () => {
  const error = assertThrows(
    () => parseCommand(conversationsSpec, ["--intervall", "x"]),
    UsageError,
    "did you mean '--interval'?",
  );
  assert(!error.message.includes("\n"));
});

Deno.test("parseCommand refuses credential flags without repeating their value", () => {
  for (const arg of ["--client-secret=hunter2-secret", "--client-id", "--token=abc.def.ghi"]) {
    const error = assertThrows(
      () => parseCommand(conversationsSpec, [arg, "hunter2-secret"]),
      UsageError,
      "GENESYSCLOUD_OAUTHCLIENT_SECRET",
    );
    assert(!error.message.includes("hunter2"), error.message);
    assert(!error.message.includes("abc.def"), error.message);
  }
});

Deno.test("suggest returns nothing for an unrelated word", () => {
  assertEquals(suggest("conversatons", ["conversations", "users"]), "conversations");
  assertEquals(suggest("xyz", ["conversations", "users"]), undefined);
});

Deno.test("parseDotenv reads quotes, escapes, export and comments, and reports bad lines by number only", () => {
  const vars = parseDotenv(
    'A=1\nexport B = two words # note\nC="multi\\nline"\nD=\'$literal\'\nE="spans\nlines"\n',
  );
  assertEquals(vars, {
    A: "1",
    B: "two words",
    C: "multi\nline",
    D: "$literal",
    E: "spans\nlines",
  });
  const error = assertThrows(
    () => parseDotenv("GOOD=1\nthis-is-s3cret-without-key\n"),
    UsageError,
    "line 2",
  );
  assert(!error.message.includes("s3cret"));
  assertThrows(() => parseDotenv('X="open'), UsageError, "no closing");
});

Deno.test("resolveCredentials prefers the env file, then GENESYSCLOUD_* over GENESYS_*", () => {
  const env: Record<string, string> = {
    GENESYSCLOUD_OAUTHCLIENT_ID: "env-id",
    GENESYSCLOUD_OAUTHCLIENT_SECRET: "env-secret",
    GENESYS_CLIENT_ID: "short-id",
  };
  const fromEnv = resolveCredentials({ getEnv: (n) => env[n] });
  assertEquals([fromEnv.clientId, fromEnv.source], ["env-id", "environment"]);
  const fromFile = resolveCredentials({
    file: { GENESYS_CLIENT_ID: "file-id", GENESYS_CLIENT_SECRET: "file-secret" },
    filePath: "prod.env",
    getEnv: (n) => env[n],
  });
  assertEquals([fromFile.clientId, fromFile.clientSecret, fromFile.source], [
    "file-id",
    "file-secret",
    "env file 'prod.env'",
  ]);
  const error = assertThrows(
    () =>
      resolveCredentials({ getEnv: () => undefined, deniedEnv: ["GENESYSCLOUD_OAUTHCLIENT_ID"] }),
    AuthError,
    "--allow-env=GENESYSCLOUD_OAUTHCLIENT_ID",
  );
  assert(error.message.includes("--env-file"));
});

Deno.test("exitCodeFor maps every error class to its documented code", () => {
  const api = (status: number) => new ApiError({ status, method: "GET", path: "/api/v2/users" });
  assertEquals(exitCodeFor(new UsageError("x")), 2);
  assertEquals(exitCodeFor(new CheckpointError("x")), 2);
  assertEquals(exitCodeFor(new MissingPermissionError([])), 2);
  assertEquals(exitCodeFor(new Deno.errors.NotCapable("Requires net access")), 2);
  assertEquals(exitCodeFor(api(400)), 2);
  assertEquals(exitCodeFor(new AuthError("x")), 3);
  assertEquals(exitCodeFor(api(401)), 3);
  assertEquals(exitCodeFor(api(403)), 3);
  assertEquals(exitCodeFor(new DeadlineError("x")), 4);
  assertEquals(exitCodeFor(api(404)), 1);
  assertEquals(exitCodeFor(api(503)), 1);
  assertEquals(exitCodeFor(new RateLimitError("x", { retryAfterMs: 1 })), 1);
  assertEquals(exitCodeFor(new NetworkError("x")), 1);
  assertEquals(exitCodeFor(new JobError("x", { jobId: "j", state: "FAILED" })), 1);
  assertEquals(exitCodeFor(new TypeError("boom")), 1);
});

Deno.test("errorLine is one line, and a permission error names the flag", () => {
  const line = errorLine(
    new Deno.errors.NotCapable(
      'Requires write access to "out/x.jsonl", run again with the --allow-write flag',
    ),
  );
  assertEquals(
    line,
    'error: Missing permission: requires write access to "out/x.jsonl": run again with --allow-write=out/x.jsonl',
  );
  assertEquals(errorLine(new Error("a\nb")), "error: Unexpected Error: a b");
  assert(
    errorLine(new Deno.errors.BrokenPipe("Broken pipe (os error 32)")).includes("closed early"),
  );
});

Deno.test("resumeArgs drops --restart and pins relative intervals in every spelling", () => {
  const interval = "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z";
  assertEquals(
    resumeArgs(["conversations", "--since=24h", "--until", "1h", "--restart", "-q"], { interval }),
    ["conversations", "-q", "--interval", interval],
  );
  assertEquals(resumeArgs(["users", "--restart", "-o", "x.csv"]), ["users", "-o", "x.csv"]);
});

Deno.test("resumeCommand prefers the task, then the binary, then deno run with flags", () => {
  const base = {
    standalone: false,
    execPath: "/opt/genesys-batch",
    mainModule: "http://127.0.0.1:8000/cli.ts",
    permissionFlags: ["--allow-net=127.0.0.1:9"],
  };
  assertEquals(
    resumeCommand(["users"], { ...base, task: "deno task extract" }),
    "deno task extract users",
  );
  assertEquals(resumeCommand(["users"], { ...base, standalone: true }), "/opt/genesys-batch users");
  assertEquals(
    resumeCommand(["get", "/api/v2/groups", "--query", "a b"], base),
    "deno run --allow-net=127.0.0.1:9 http://127.0.0.1:8000/cli.ts get /api/v2/groups --query 'a b'",
  );
  assertEquals(shellQuote(""), "''");
});

Deno.test("formatProgressLine shows totals, rate, ETA, refreshes, retries and waits", () => {
  const line = formatProgressLine({
    label: "users",
    records: 250,
    recordsThisRun: 150,
    pages: 3,
    total: 400,
    elapsedMs: 3000,
    tokenRefreshes: 2,
    retries: { "429": 1, "5xx": 2 },
    waiting: "429, retrying in 1.0s",
  });
  assertEquals(
    line,
    "users 250/400 (62%) · 3 pages · 50/s · ETA 3.0s · 429, retrying in 1.0s · 2 token refreshes · 3 retries (429: 1, 5xx: 2)",
  );
  assertEquals(formatDuration(59_400), "59s");
});

Deno.test("ProgressReporter redraws one terminal line, cut to the width, and clears it", () => {
  let out = "";
  const reporter = new ProgressReporter({
    snapshot: () => ({
      label: "conversations",
      records: 1,
      recordsThisRun: 1,
      pages: 1,
      elapsedMs: 1,
      tokenRefreshes: 0,
      retries: {},
    }),
    write: (text) => out += text,
    log: () => {
      throw new Error("no log lines on a terminal");
    },
    isTerminal: true,
    columns: 30,
  });
  reporter.flush();
  reporter.stop();
  assertEquals(out, "\r\x1b[2Kconversations 1 · 1 page · 1…\r\x1b[2K");
  const quiet = new ProgressReporter({
    snapshot: () => {
      throw new Error("quiet reads nothing");
    },
    write: () => {},
    log: () => {},
    isTerminal: false,
    quiet: true,
  });
  quiet.start();
  quiet.flush();
  quiet.stop();
});

Deno.test("readExtractSettings infers the format and refuses contradictions and stdout checkpoints", () => {
  const d = { defaultName: "users", pageSize: 100, maxPageSize: 500 };
  const s = readExtractSettings(parsed(), d);
  assertEquals([s.output, s.outputFormat, s.checkpoint, s.pageSize], [
    "output/users.jsonl",
    "jsonl",
    "output/users.jsonl.checkpoint.json",
    100,
  ]);
  assertEquals(readExtractSettings(parsed({ format: "csv" }), d).output, "output/users.csv");
  assertEquals(readExtractSettings(parsed({ output: "-" }), d).checkpoint, undefined);
  assertThrows(
    () => readExtractSettings(parsed({ output: "u.csv", format: "json" }), d),
    UsageError,
    "contradicts",
  );
  assertThrows(
    () => readExtractSettings(parsed({ output: "-", checkpoint: "c.json" }), d),
    UsageError,
    "stdout",
  );
  assertThrows(
    () => readExtractSettings(parsed({ "page-size": "501" }), d),
    UsageError,
    "1 and 500",
  );
  assertThrows(() => readExtractSettings(parsed({ concurrency: "0" }), d), UsageError, "1 and 16");
  assertThrows(() => readExtractSettings(parsed({ deadline: "soon" }), d), UsageError, "Duration");
  assertEquals(readExtractSettings(parsed({ deadline: "3s" }), d).deadlineMs, 3_000);
  assertEquals(readExtractSettings(parsed({ deadline: "90m" }), d).deadlineMs, 5_400_000);
  assertThrows(
    () => readExtractSettings(parsed({ "log-level": "loud" }), d),
    UsageError,
    "log level",
  );
});

Deno.test("resolveInterval accepts exactly one way to give the interval", () => {
  const now = Date.parse("2026-03-10T08:30:15.500Z");
  const iso = (i: { start: number; end: number }) =>
    `${new Date(i.start).toISOString()}/${new Date(i.end).toISOString()}`;
  assertEquals(
    iso(resolveInterval(parsed({ since: "24h" }), undefined, now)),
    "2026-03-09T08:30:15.000Z/2026-03-10T08:30:15.000Z",
  );
  assertEquals(
    iso(
      resolveInterval(
        parsed({ since: "2026-03-01", until: "2026-03-02T12:00:00Z" }),
        undefined,
        now,
      ),
    ),
    "2026-03-01T00:00:00.000Z/2026-03-02T12:00:00.000Z",
  );
  assertEquals(
    iso(resolveInterval(parsed({}), "2026-01-01/P1D", now)),
    "2026-01-01T00:00:00.000Z/2026-01-02T00:00:00.000Z",
  );
  assertThrows(() => resolveInterval(parsed({}), undefined, now), UsageError, "No interval");
  assertThrows(
    () => resolveInterval(parsed({ since: "1h" }, { yesterday: true }), undefined, now),
    UsageError,
    "one way",
  );
  assertThrows(
    () => resolveInterval(parsed({ until: "1h" }), undefined, now),
    UsageError,
    "--since",
  );
  assertThrows(
    () => resolveInterval(parsed({ interval: "2026-01-01/P1D" }), "2026-01-01/P1D", now),
    UsageError,
    "remove one",
  );
  assertThrows(
    () => resolveInterval(parsed({ since: "1h", until: "2h" }), undefined, now),
    UsageError,
    "reversed",
  );
});

Deno.test("parseListingPath and parseQueryOptions keep paging managed and hosts out", () => {
  assertEquals(parseListingPath("api/v2/routing/skills/"), {
    path: "/api/v2/routing/skills",
    query: {},
  });
  assertThrows(
    () => parseListingPath("https://api.mypurecloud.ie/api/v2/users"),
    UsageError,
    "--region",
  );
  assertThrows(() => parseListingPath("/api/v1/users"), UsageError, "not an API listing");
  assertThrows(() => parseListingPath("/api/v2/users?pageSize=5"), UsageError, "--page-size");
  assertThrows(() => parseListingPath("/api/v2/../secret"), UsageError);
  assertEquals(parseQueryOptions(["expand=a=b"]), { expand: "a=b" });
  assertThrows(() => parseQueryOptions(["state"]), UsageError, "key=value");
  assertThrows(() => parseQueryOptions(["pageNumber=3"]), UsageError, "managed");
});

Deno.test("parseListingPath and parseQueryOptions keep every value of a repeated key, in order", () => {
  assertEquals(parseListingPath("/api/v2/users?id=a&state=any&id=b").query, {
    id: ["a", "b"],
    state: "any",
  });
  assertEquals(parseQueryOptions(["expand=skills", "state=any", "expand=locations"]), {
    expand: ["skills", "locations"],
    state: "any",
  });
  assertEquals(joinQueries({ id: ["a", "b"] }, { id: "c", state: "any" }), {
    id: ["a", "b", "c"],
    state: "any",
  });
});

Deno.test("fileNeeds and flagsFor ask for the output and checkpoint directories once each", () => {
  const needs = fileNeeds("out/a.jsonl", "state/a.json");
  assertEquals(flagsFor(needs), ["--allow-read=out,state", "--allow-write=out,state"]);
  assertEquals(fileNeeds("-"), []);
});

Deno.test("listenForStop stops on the first signal, forces on the second and removes its listeners", () => {
  const listeners = new Map<string, () => void>();
  const events: string[] = [];
  const remove = listenForStop({
    onStop: (signal) => events.push(`stop ${signal}`),
    onForce: (signal) => events.push(`force ${signal}`),
    addListener: (signal: StopSignal, listener) => listeners.set(signal, listener),
    removeListener: (signal: StopSignal) => listeners.delete(signal),
  });
  assertEquals([...listeners.keys()], ["SIGINT", "SIGTERM"]);
  listeners.get("SIGTERM")!();
  listeners.get("SIGINT")!();
  assertEquals(events, ["stop SIGTERM", "force SIGINT"]);
  remove();
  remove();
  assertEquals(listeners.size, 0);
});

Deno.test("formatPacerWait shows a rate-limit wait only while requests are held", () => {
  const pacer = {
    spacing: false,
    ratePerSecond: 5,
    startRatePerMinute: 300,
    limits: [],
    acquired: 6,
    waits: 1,
    waitedMs: 0,
    rateLimited: 0,
    slowdowns: 0,
    queued: 1,
    inFlight: 0,
    pausedUntil: 10_000,
  };
  // A 429 paused everyone: the wait and who waits.
  assertEquals(
    formatPacerWait(pacer, 8_000),
    "rate limit, waiting 2.0s (server asked, 1 request queued)",
  );
  assertEquals(
    formatPacerWait({ ...pacer, queued: 3 }, 0),
    "rate limit, waiting 10s (server asked, 3 requests queued)",
  );
  assertEquals(formatPacerWait(pacer, 10_000), undefined); // the pause is over
  assertEquals(formatPacerWait({ ...pacer, pausedUntil: undefined }, 0), undefined);
  assertEquals(formatPacerWait({ ...pacer, queued: 0 }, 0), undefined); // nobody waits
  assertEquals(formatPacerWait(undefined, 0), undefined); // pacing off
  assertEquals(
    formatProgressLine({
      label: "users",
      records: 50,
      recordsThisRun: 50,
      pages: 5,
      elapsedMs: 5_000,
      tokenRefreshes: 0,
      retries: {},
      waiting: formatPacerWait(pacer, 0),
    }),
    "users 50 · 5 pages · 10/s · rate limit, waiting 10s (server asked, 1 request queued) · 0 token refreshes · 0 retries",
  );
});

Deno.test("startRun ends the run --deadline after it starts, to the millisecond", async () => {
  const connection = {
    region: resolveRegion("http://127.0.0.1:9"),
    credentials: { clientId: "id", clientSecret: "secret", source: "the environment" },
    regionSource: "--region",
    needs: [],
  };
  const settings = {
    level: "error" as const,
    format: "text" as const,
    quiet: true,
    rateLimitBudgetMs: 1000,
    pageSize: 100,
    concurrency: 1,
    maxRetryAfterMs: 1000,
    deadlineMs: 3_000,
  };
  const io = { stdout: () => {}, stderr: () => {}, stderrIsTerminal: false };
  const parsed = { positionals: [], strings: {}, lists: {}, flags: {} };
  const started = await startRun(parsed, settings, { io, argv: [], redactor: new Redactor() }, {
    connection,
  });
  assertEquals(started.deadlineAt! - started.startedAt, 3_000);
});
