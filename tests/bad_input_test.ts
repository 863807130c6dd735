/**
 * The bad input table: every option and environment variable of the CLI with wrong values, run
 * as a subprocess with the extract task's grants in an empty working directory, against a running
 * simulator (so a value that slips through would visibly run). Each must give one clear line on
 * stderr (`error: ...`, or one JSON object with `--log-format json`), exit 2 (3 for credentials),
 * no stack trace, nothing on stdout, and leave the directory as it was: no output, no `.partial`,
 * no checkpoint.
 */
import { startSimulator } from "../testing.ts";
import { absolute, ownLines, runCli } from "./chaos/cli.ts";
import { listFiles, tempDir } from "./chaos/files.ts";
import { assert } from "./_assert.ts";

/** One row of the table. `@sim` in an argument is replaced by the simulator's URL. */
interface BadInput {
  /** What is wrong. */
  name: string;
  /** The CLI's arguments. */
  args: string[];
  /** Expected exit code. */
  code: 2 | 3;
  /** The message must match. */
  message: RegExp;
  /** Environment (default: the simulator's credentials). */
  env?: Record<string, string>;
  /** Files to create first, by path relative to the working directory. */
  files?: Record<string, string>;
  /** Directories to create first. */
  dirs?: string[];
  /** A string that must not appear in the output (a value that could be a secret). */
  secret?: string;
  /**
   * Only the server's answer shows the value is wrong (refused credentials, data availability):
   * the run's one-line start notice may come before the error line.
   */
  late?: true;
}

const GOOD_ENV = {
  GENESYSCLOUD_OAUTHCLIENT_ID: "sim-client-id",
  GENESYSCLOUD_OAUTHCLIENT_SECRET: "sim-client-secret",
};
const SIM = "@sim";
const I = "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z";
const conv = (...rest: string[]) => ["conversations", "--region", SIM, "--interval", I, ...rest];
const users = (...rest: string[]) => ["users", "--region", SIM, ...rest];

const TABLE: BadInput[] = [
  // commands and flags
  { name: "unknown command", args: ["fetch-all"], code: 2, message: /Unknown command 'fetch-all'/ },
  { name: "misspelt command", args: ["user"], code: 2, message: /did you mean 'users'/ },
  {
    name: "option before the command",
    args: ["--region", SIM, "users"],
    code: 2,
    message: /command before options/,
  },
  {
    name: "unknown flag",
    args: users("--pagesize", "10"),
    code: 2,
    message: /Unknown option '--pagesize'.*'--page-size'/,
  },
  { name: "unknown short flag", args: users("-z"), code: 2, message: /Unknown option '-z'/ },
  {
    name: "rate that is not a number",
    args: users("--rate", "fast"),
    code: 2,
    message: /'--rate' must be a number of requests per minute above 0, such as '300', got 'fast'/,
  },
  { name: "rate of zero", args: users("--rate", "0"), code: 2, message: /'--rate' must be/ },
  {
    name: "rate-limit budget that is no duration",
    args: users("--rate-limit-budget", "soon"),
    code: 2,
    message: /soon/,
  },
  { name: "timeout of zero", args: users("--timeout", "0s"), code: 2, message: /'--timeout'/ },
  {
    name: "missing flag value at the end",
    args: users("--output"),
    code: 2,
    message: /'--output' needs a value/,
  },
  {
    name: "flag value missing before a flag",
    args: users("--page-size", "--quiet"),
    code: 2,
    message: /--page-size/,
  },
  {
    name: "extra argument",
    args: users("extra"),
    code: 2,
    message: /takes no arguments, got 'extra'/,
  },
  {
    name: "credential as a flag",
    args: users("--client-secret", "hunter2-flag-value"),
    code: 2,
    message: /credentials come only from the environment/,
    secret: "hunter2-flag-value",
  },
  {
    name: "token as a flag",
    args: users("--token=tok-flag-value"),
    code: 2,
    message: /environment/,
    secret: "tok-flag-value",
  },
  {
    name: "help for an unknown command",
    args: ["help", "nope"],
    code: 2,
    message: /Unknown command 'nope'/,
  },
  // region
  {
    name: "unknown region",
    args: ["users", "--region", "nowhere-9"],
    code: 2,
    message: /Unknown region 'nowhere-9'/,
  },
  {
    name: "malformed base URL",
    args: ["users", "--region", "https://"],
    code: 2,
    message: /not a valid URL/,
  },
  {
    name: "plain http off loopback",
    args: ["users", "--region", "http://example.com"],
    code: 2,
    message: /must use https/,
  },
  {
    name: "base URL with a path",
    args: ["users", "--region", "https://api.mypurecloud.ie/api/v2"],
    code: 2,
    message: /origin only/,
  },
  {
    name: "unknown GENESYSCLOUD_REGION",
    args: ["users"],
    env: { GENESYSCLOUD_REGION: "mars-1" },
    code: 2,
    message: /Unknown region 'mars-1'/,
  },
  {
    name: "empty GENESYSCLOUD_REGION",
    args: ["users"],
    env: { ...GOOD_ENV, GENESYSCLOUD_REGION: "" },
    code: 2,
    message: /No region/,
  },
  { name: "no region anywhere", args: ["users"], code: 2, message: /No region/ },
  // interval
  {
    name: "malformed interval",
    args: ["conversations", "--region", SIM, "--interval", "2026-13-01/2026-01-02"],
    code: 2,
    message: /2026-13-01/,
  },
  {
    name: "interval without an end",
    args: ["conversations", "--region", SIM, "--interval", "2026-01-01"],
    code: 2,
    message: /interval/i,
  },
  {
    name: "reversed interval",
    args: ["conversations", "--region", SIM, "--interval", "2026-01-05/2026-01-01"],
    code: 2,
    message: /reversed/,
  },
  {
    name: "empty interval",
    args: ["conversations", "--region", SIM, "--interval", "2026-01-01/2026-01-01"],
    code: 2,
    message: /empty/,
  },
  {
    name: "future interval",
    args: ["conversations", "--region", SIM, "--interval", "2999-01-01/2999-01-02"],
    code: 2,
    message: /future/,
  },
  {
    name: "--since in the future",
    args: ["conversations", "--region", SIM, "--since", "2999-01-01"],
    code: 2,
    message: /future|reversed/,
  },
  { name: "chunk over the 7-day limit", args: conv("--chunk", "8d"), code: 2, message: /7-day/ },
  {
    name: "chunk over the 31-day limit",
    args: conv(
      "--chunk",
      "32d",
      "--filter",
      '{"segmentFilters":[{"type":"and","predicates":[{"dimension":"mediaType","value":"voice"}]}]}',
    ),
    code: 2,
    message: /31/,
  },
  {
    name: "jobs interval past data availability",
    args: ["conversations", "--region", SIM, "--jobs", "--interval", "2026-01-01/2026-03-01"],
    code: 2,
    message: /data availability/,
    late: true,
  },
  {
    name: "no interval",
    args: ["conversations", "--region", SIM],
    code: 2,
    message: /No interval/,
  },
  { name: "interval given two ways", args: conv("--yesterday"), code: 2, message: /one way/ },
  {
    name: "--until without --since",
    args: ["conversations", "--region", SIM, "--until", "2026-01-02"],
    code: 2,
    message: /'--until' needs '--since'/,
  },
  {
    name: "malformed --since",
    args: ["conversations", "--region", SIM, "--since", "yesterday-ish"],
    code: 2,
    message: /--since/,
  },
  {
    name: "--chunk with --jobs",
    args: conv("--jobs", "--chunk", "1d"),
    code: 2,
    message: /--chunk/,
  },
  { name: "malformed --chunk", args: conv("--chunk", "soon"), code: 2, message: /soon/ },
  {
    name: "--max-results with --jobs",
    args: conv("--jobs", "--max-results", "1000"),
    code: 2,
    message: /'--max-results' applies to the details query only/,
  },
  { name: "--max-results 0", args: conv("--max-results", "0"), code: 2, message: /between 1 and/ },
  {
    name: "--max-results below the page size",
    args: conv("--max-results", "50"),
    code: 2,
    message: /'--max-results' \(50\) must be at least the page size \(100\)/,
  },
  // filters
  {
    name: "invalid JSON filter file",
    args: conv("--filter-file", "filter.json"),
    files: { "filter.json": '{"segmentFilters": [' },
    code: 2,
    message: /not valid JSON/,
  },
  {
    name: "missing filter file",
    args: conv("--filter-file", "nope.json"),
    code: 2,
    message: /does not exist/,
  },
  {
    name: "filter file holding an array",
    args: conv("--filter-file", "filter.json"),
    files: { "filter.json": "[]" },
    code: 2,
    message: /JSON object/,
  },
  {
    name: "invalid inline filter",
    args: conv("--filter", "{"),
    code: 2,
    message: /not valid JSON/,
  },
  {
    name: "--filter and --filter-file",
    args: conv("--filter", "{}", "--filter-file", "filter.json"),
    files: { "filter.json": "{}" },
    code: 2,
    message: /not both/,
  },
  {
    name: "aggregate field in a details filter",
    args: conv("--filter", '{"groupBy":["queueId"]}'),
    code: 2,
    message: /belongs to/,
  },
  {
    name: "filter interval and --interval",
    args: conv("--filter", `{"interval":"${I}"}`),
    code: 2,
    message: /remove one/,
  },
  // output
  {
    name: "unknown format",
    args: users("--format", "xml"),
    code: 2,
    message: /Unknown format 'xml'/,
  },
  {
    name: "format contradicting the extension",
    args: users("-o", "output/u.csv", "--format", "json"),
    code: 2,
    message: /contradicts/,
  },
  { name: "empty output path", args: users("-o", ""), code: 2, message: /empty/ },
  {
    name: "output path ending in a slash",
    args: users("-o", "output/"),
    code: 2,
    message: /is a directory/,
  },
  {
    name: "output that is a directory",
    args: users("-o", "output/sub"),
    dirs: ["output/sub"],
    code: 2,
    message: /director/,
  },
  {
    name: "output under a file (unwritable)",
    args: users("-o", "output/afile/u.jsonl"),
    files: { "output/afile": "x" },
    code: 2,
    message: /afile/,
  },
  {
    name: "--checkpoint with stdout",
    args: users("-o", "-", "--checkpoint", "output/cp.json"),
    code: 2,
    message: /stdout cannot be rewound/,
  },
  {
    name: "--checkpoint ending in a slash",
    args: users("--checkpoint", "output/"),
    code: 2,
    message: /must be a file path/,
  },
  // numbers and durations
  {
    name: "page size 0",
    args: users("--page-size", "0"),
    code: 2,
    message: /between 1 and 500, got '0'/,
  },
  {
    name: "page size over the maximum",
    args: users("--page-size", "501"),
    code: 2,
    message: /between 1 and 500/,
  },
  {
    name: "fractional page size",
    args: users("--page-size", "1.5"),
    code: 2,
    message: /whole number/,
  },
  { name: "negative page size", args: users("--page-size=-1"), code: 2, message: /whole number/ },
  {
    name: "details query page size over 100",
    args: conv("--page-size", "101"),
    code: 2,
    message: /between 1 and 100/,
  },
  {
    name: "jobs page size over 10000",
    args: conv("--jobs", "--page-size", "10001"),
    code: 2,
    message: /10000/,
  },
  {
    name: "non-numeric concurrency",
    args: users("--concurrency", "many"),
    code: 2,
    message: /'--concurrency'.*'many'/,
  },
  { name: "concurrency 0", args: users("--concurrency", "0"), code: 2, message: /--concurrency/ },
  {
    name: "concurrency 17",
    args: users("--concurrency", "17"),
    code: 2,
    message: /between 1 and 16/,
  },
  { name: "deadline without a unit", args: users("--deadline", "soon"), code: 2, message: /soon/ },
  { name: "zero deadline", args: users("--deadline", "0s"), code: 2, message: /deadline|0s/i },
  { name: "negative deadline", args: users("--deadline=-5m"), code: 2, message: /-5m/ },
  // logging
  {
    name: "unknown log level",
    args: users("--log-level", "verbose"),
    code: 2,
    message: /Unknown log level 'verbose'/,
  },
  {
    name: "unknown log format",
    args: users("--log-format", "xml"),
    code: 2,
    message: /Unknown log format 'xml'/,
  },
  // listings
  { name: "get without a path", args: ["get", "--region", SIM], code: 2, message: /needs <path>/ },
  {
    name: "get with a full URL",
    args: ["get", "https://evil.example/api/v2/users", "--region", SIM],
    code: 2,
    message: /as a path/,
  },
  {
    name: "get outside /api/v2",
    args: ["get", "/oauth/token", "--region", SIM],
    code: 2,
    message: /not an API listing/,
  },
  {
    name: "get with '..'",
    args: ["get", "/api/v2/users/../../x", "--region", SIM],
    code: 2,
    message: /'\.\.'|not an API listing/,
  },
  {
    name: "--query without '='",
    args: users("--query", "novalue"),
    code: 2,
    message: /not key=value/,
  },
  {
    name: "--query setting pageSize",
    args: users("--query", "pageSize=5"),
    code: 2,
    message: /managed/,
  },
  // environment and credentials
  {
    name: "missing env file",
    args: users("--env-file", "prod.env"),
    code: 2,
    message: /does not exist/,
  },
  {
    name: "env file that is a directory",
    args: users("--env-file", "envdir"),
    dirs: ["envdir"],
    code: 2,
    message: /is a directory/,
  },
  {
    name: "malformed env file",
    args: users("--env-file", "bad.env"),
    files: { "bad.env": "GENESYSCLOUD_OAUTHCLIENT_ID=abc\nthis-is-s3cret-line-value\n" },
    code: 2,
    message: /line 2/,
    secret: "s3cret-line-value",
  },
  {
    name: "env file with an unclosed quote",
    args: users("--env-file", "bad.env"),
    files: { "bad.env": 'GENESYSCLOUD_OAUTHCLIENT_SECRET="quoted-s3cret\n' },
    code: 2,
    message: /closing/,
    secret: "quoted-s3cret",
  },
  { name: "missing credentials", args: users(), env: {}, code: 3, message: /No credentials/ },
  {
    name: "missing client secret",
    args: users(),
    env: { GENESYSCLOUD_OAUTHCLIENT_ID: "sim-client-id" },
    code: 3,
    message: /GENESYSCLOUD_OAUTHCLIENT_SECRET/,
  },
  {
    name: "empty client secret",
    args: users(),
    env: { GENESYSCLOUD_OAUTHCLIENT_ID: "sim-client-id", GENESYSCLOUD_OAUTHCLIENT_SECRET: "" },
    code: 3,
    message: /GENESYSCLOUD_OAUTHCLIENT_SECRET/,
  },
  {
    name: "wrong client secret",
    args: users(),
    env: {
      GENESYSCLOUD_OAUTHCLIENT_ID: "sim-client-id",
      GENESYSCLOUD_OAUTHCLIENT_SECRET: "wrong-s3cret-value",
    },
    code: 3,
    message: /invalid_client|credentials/,
    late: true,
    secret: "wrong-s3cret-value",
  },
  {
    name: "wrong secret in the short variable names",
    args: users(),
    env: { GENESYS_CLIENT_ID: "sim-client-id", GENESYS_CLIENT_SECRET: "wrong-short-s3cret" },
    code: 3,
    message: /invalid_client|credentials/,
    secret: "wrong-short-s3cret",
    late: true,
  },
  {
    name: "only the short client id variable",
    args: users(),
    env: { GENESYS_CLIENT_ID: "sim-client-id" },
    code: 3,
    message: /GENESYSCLOUD_OAUTHCLIENT_SECRET/,
  },
  {
    name: "wrong secret, details query",
    args: conv(),
    env: {
      GENESYSCLOUD_OAUTHCLIENT_ID: "sim-client-id",
      GENESYSCLOUD_OAUTHCLIENT_SECRET: "wrong-s3cret-value",
    },
    code: 3,
    message: /invalid_client|credentials/,
    late: true,
    secret: "wrong-s3cret-value",
  },
  {
    name: "wrong secret, auth command",
    args: ["auth", "--region", SIM],
    env: {
      GENESYSCLOUD_OAUTHCLIENT_ID: "sim-client-id",
      GENESYSCLOUD_OAUTHCLIENT_SECRET: "wrong-s3cret-value",
    },
    code: 3,
    message: /invalid_client|credentials/,
    secret: "wrong-s3cret-value",
  },
];

interface Observed {
  name: string;
  problems: string[];
}

async function check(row: BadInput, simUrl: string, root: string): Promise<Observed> {
  const dir = absolute(`${root}/${row.name.replace(/[^a-z0-9]+/gi, "-")}`);
  await Deno.mkdir(dir);
  for (const d of row.dirs ?? []) await Deno.mkdir(`${dir}/${d}`, { recursive: true });
  for (const [path, text] of Object.entries(row.files ?? {})) {
    const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    if (parent) await Deno.mkdir(`${dir}/${parent}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${path}`, text);
  }
  const before = await listFiles(dir);
  const args = row.args.map((a) => a === SIM ? simUrl : a);
  const result = await runCli(args, { cwd: dir, env: row.env ?? GOOD_ENV });
  const all = ownLines(result.stderr);
  const lines = row.late && /^Extracting /.test(all[0] ?? "") ? all.slice(1) : all;
  const problems: string[] = [];
  if (result.code !== row.code) problems.push(`exit ${result.code}, expected ${row.code}`);
  if (lines.length !== 1) problems.push(`${lines.length} stderr lines`);
  if (!/^error: \S/.test(lines[0] ?? "")) problems.push("stderr does not start with 'error: '");
  if (!row.message.test(lines.join("\n"))) problems.push(`message does not match ${row.message}`);
  if (/^\s+at |\bat file:\/\/|Stack backtrace/m.test(result.stderr)) problems.push("stack trace");
  if (/Unexpected \w+Error|Unexpected \w+:/.test(result.stderr)) {
    problems.push("'Unexpected' error");
  }
  if (result.stdout !== "") problems.push("stdout is not empty");
  if (row.secret && (result.stderr + result.stdout).includes(row.secret)) {
    problems.push("a secret value was echoed");
  }
  const after = await listFiles(dir);
  const created = after.filter((f) => !before.includes(f));
  if (created.length) problems.push(`created ${created.join(", ")}`);
  if (problems.length) problems.push(`stderr: ${all.join(" / ")}`);
  return { name: row.name, problems };
}

Deno.test(`CLI bad input table: ${TABLE.length} wrong values each give one line, exit 2 or 3, nothing written`, async () => {
  // Jobs see data up to the end of January: the row that asks for February is refused.
  await using sim = await startSimulator({
    users: 30,
    conversations: 50,
    dataAvailabilityDate: "2026-01-31T00:00:00Z",
  });
  const root = await tempDir("bad-input");
  const observed: Observed[] = [];
  try {
    // Two at a time: the machine is shared.
    for (let i = 0; i < TABLE.length; i += 2) {
      observed.push(
        ...await Promise.all(TABLE.slice(i, i + 2).map((row) => check(row, sim.url, root))),
      );
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  const failed = observed.filter((o) => o.problems.length);
  console.log(
    `\n${TABLE.length - failed.length}/${TABLE.length} bad inputs rejected cleanly` +
      (failed.length
        ? `; failing:\n${failed.map((o) => `  ${o.name}: ${o.problems.join("; ")}`).join("\n")}`
        : ""),
  );
  assert(
    failed.length === 0,
    `${failed.length} bad input(s) not handled: ${failed.map((o) => o.name).join(", ")}`,
  );
});

Deno.test("CLI bad input with --log-format json gives one JSON error line and exit 2", async () => {
  const root = await tempDir("bad-json");
  try {
    const result = await runCli(["users", "--region", "nowhere-9", "--log-format", "json"], {
      cwd: absolute(root),
      env: GOOD_ENV,
    });
    const lines = ownLines(result.stderr);
    assert(result.code === 2, `exit ${result.code}`);
    assert(lines.length === 1, `${lines.length} lines`);
    const entry = JSON.parse(lines[0]);
    assert(entry.level === "error" && /Unknown region 'nowhere-9'/.test(entry.msg), lines[0]);
    assert(entry.exitCode === 2);
    assert((await listFiles(root)).length === 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
