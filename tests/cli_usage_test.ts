/**
 * Bad input and missing permissions: one clear line, the right exit code, no stack trace, and
 * nothing written. Usage errors run the CLI in-process (fast); the permission boundary runs it as
 * a subprocess with exactly the `extract` task's permission set.
 */
import { assert, assertEquals } from "./_assert.ts";
import { main } from "../cli.ts";
import { REGIONS } from "../lib/client/region.ts";
import { startSimulator } from "../testing.ts";
import { cli, ROOT, simEnv, tempDir } from "./_cli.ts";

async function inProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, {
    stdout: (t) => out += t,
    stderr: (t) => err += t,
    stderrIsTerminal: false,
  });
  return { code, out, err };
}

Deno.test("CLI bad input exits 2 with one error line, no stack trace and nothing written", async () => {
  const dir = await tempDir("cli_usage");
  try {
    await Deno.writeTextFile(
      `${ROOT}${dir}/creds.env`,
      "GENESYSCLOUD_REGION=http://127.0.0.1:9\nGENESYSCLOUD_OAUTHCLIENT_ID=id\nGENESYSCLOUD_OAUTHCLIENT_SECRET=secret-value\n",
    );
    await Deno.writeTextFile(`${ROOT}${dir}/bad.env`, "GENESYSCLOUD_REGION=x\nnot a line\n");
    const out = `${dir}/out/x.jsonl`;
    const env = ["--env-file", `${dir}/creds.env`];
    const cases: [string[], string][] = [
      [["users", "-o", out, "--page-size", "0", ...env], "--page-size"],
      [["users", "-o", out, "--format", "xml", ...env], "Unknown format 'xml'"],
      [["users", "-o", `${dir}/out/x.csv`, "--format", "json", ...env], "contradicts"],
      [["users", "-o", out, "--deadline", "soon", ...env], "Duration 'soon'"],
      [["users", "-o", out, "--max-retry-after", "later", ...env], "Duration 'later'"],
      [["users", "-o", out, "--concurrency", "99", ...env], "--concurrency"],
      [["users", "-o", out, "--region", "mars-1", ...env], "Unknown region 'mars-1'"],
      [["users", "-o", out, "--outptu", "x"], "did you mean '--output'"],
      [["users", "extra", "-o", out], "takes no arguments"],
      [["users", "-o", "-", "--checkpoint", `${dir}/c.json`, ...env], "stdout"],
      [["users", "-o", out, "--query", "pageSize=5", ...env], "managed"],
      [["users", "-o", out, "--env-file", `${dir}/bad.env`], "line 2"],
      [["users", "-o", out, "--log-level", "chatty"], "log level"],
      [["conversations", "-o", out, ...env], "No interval"],
      [["conversations", "--interval", "2026-01-02/2026-01-01", "-o", out, ...env], "reversed"],
      [["conversations", "--yesterday", "--since", "1h", "-o", out, ...env], "one way"],
      [["conversations", "--since", "1h", "--filter", "{bad", "-o", out, ...env], "not valid JSON"],
      [["conversations", "--since", "1h", "--filter", "[1]", "-o", out, ...env], "JSON object"],
      [
        [
          "conversations",
          "--since",
          "1h",
          "--filter",
          '{"groupBy":["queueId"]}',
          "-o",
          out,
          ...env,
        ],
        "groupBy",
      ],
      [["conversations", "--since", "1h", "--jobs", "--chunk", "1d", "-o", out, ...env], "--chunk"],
      [
        ["conversations", "--since", "1h", "--filter-file", `${dir}/none.json`, "-o", out, ...env],
        "does not exist",
      ],
      [["get", "https://api.mypurecloud.ie/api/v2/users", "-o", out, ...env], "--region"],
      [["get", "-o", out], "needs <path>"],
      [["frobnicate"], "Unknown command 'frobnicate'"],
      [["conversatons"], "did you mean 'conversations'"],
      [["--page-size", "5"], "Give a command before options"],
      [["help", "nope"], "Unknown command 'nope'"],
      [["help", "users", "queues"], "takes one command name"],
      [
        ["users", "-o", `${dir}/out/x.xlsx`, ...env],
        "ends in '.xlsx', which is not an output format: end the name in .jsonl, .ndjson, .csv or .json",
      ],
      [["sim", "--port", "99999"], "Option '--port' must be a whole number between 0 and 65535"],
      [["sim", "--port", "http"], "Option '--port' must be a whole number"],
    ];
    for (const [args, fragment] of cases) {
      const run = await inProcess(args);
      const label = args.join(" ");
      assertEquals(run.code, 2, `${label}: ${run.err}`);
      const lines = run.err.trimEnd().split("\n");
      assertEquals(lines.length, 1, `${label}: ${run.err}`);
      assert(lines[0].startsWith("error: "), `${label}: ${run.err}`);
      assert(lines[0].includes(fragment), `${label}: expected '${fragment}' in ${run.err}`);
      assert(!run.err.includes("secret-value"), label);
    }
    const left = [];
    for await (const entry of Deno.readDir(`${ROOT}${dir}`)) left.push(entry.name);
    assertEquals(left.sort(), ["bad.env", "creds.env"]);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI without a command prints the help to stderr and exits 2; help (of help too) and --version exit 0", async () => {
  const none = await inProcess([]);
  assertEquals([none.code, none.out], [2, ""]);
  assert(none.err.includes("Commands:"));
  const help = await inProcess(["--help"]);
  assertEquals(help.code, 0);
  assert(help.out.includes("Exit codes:"));
  // The docs run the task quietly: without -q, deno adds its own "Task extract ..." line.
  assert(help.out.includes("'deno task -q extract <command>'"), help.out);
  assert(!help.out.includes("'deno task extract"), help.out);
  const commandHelp = await inProcess(["help", "users"]);
  assertEquals(commandHelp.code, 0);
  assert(commandHelp.out.startsWith("genesys-batch users:"));
  for (const args of [["help", "--help"], ["help", "-h"], ["help", "help"]]) {
    const about = await inProcess(args);
    assertEquals([about.code, about.err], [0, ""], args.join(" "));
    assert(about.out.startsWith("genesys-batch help: "), about.out);
    assert(about.out.includes("--markdown"), about.out);
  }
  const version = await inProcess(["-V"]);
  assertEquals(version.code, 0);
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assertEquals(version.out, `genesys-batch ${config.version}\n`);
});

Deno.test("CLI refuses --client-secret in a subprocess, without echoing it", async () => {
  const run = await cli(["users", "--client-secret", "hunter2-very-secret"], {
    flags: ["--allow-env"],
  });
  assertEquals(run.code, 2);
  assert(run.stderr.includes("credentials come only from the environment"), run.stderr);
  assert(run.stderr.includes("--env-file"), run.stderr);
  assert(!run.stderr.includes("hunter2"), run.stderr);
});

Deno.test("CLI under the extract task's permissions names the flag to add for writes outside ./output", async () => {
  const env = {
    GENESYSCLOUD_REGION: "http://127.0.0.1:9",
    GENESYSCLOUD_OAUTHCLIENT_ID: "id",
    GENESYSCLOUD_OAUTHCLIENT_SECRET: "secret",
    GENESYS_BATCH_INVOCATION: "deno task extract",
  };
  const run = await cli(["users", "-o", ".test-tmp/elsewhere/u.jsonl"], {
    flags: ["-P=extract"],
    env,
  });
  assertEquals(run.code, 2, run.stderr);
  assert(run.stderr.includes("--allow-write=.test-tmp/elsewhere"), run.stderr);
  assert(
    run.stderr.includes("'deno task extract' reads under . and writes under ./output"),
    run.stderr,
  );
  assertEquals(run.stderr.trim().split("\n").length, 1, run.stderr);
  let created = true;
  try {
    await Deno.stat(`${ROOT}.test-tmp/elsewhere`);
  } catch {
    created = false;
  }
  assertEquals(created, false);
});

Deno.test("CLI checks network and environment grants before sending anything", async () => {
  const credentials = {
    GENESYSCLOUD_OAUTHCLIENT_ID: "id",
    GENESYSCLOUD_OAUTHCLIENT_SECRET: "secret",
  };
  const never = ["-o", ".test-tmp/never/u.jsonl"];
  const net = await cli(["users", "--region", "eu-west-1", ...never], {
    flags: ["--allow-env", "--allow-read=.", "--allow-write=.test-tmp"],
    env: credentials,
  });
  assertEquals(net.code, 2, net.stderr);
  assert(net.stderr.includes("--allow-net=api.mypurecloud.ie,login.mypurecloud.ie"), net.stderr);
  const env = await cli(["users", "--region", "http://127.0.0.1:9", ...never], {
    flags: ["--allow-net=127.0.0.1", "--allow-read=.", "--allow-write=.test-tmp"],
    env: credentials,
  });
  assertEquals(env.code, 3, env.stderr);
  assert(env.stderr.includes("--allow-env=GENESYSCLOUD_OAUTHCLIENT_ID"), env.stderr);
  const region = await cli(["auth"], { flags: ["--allow-net=127.0.0.1"] });
  assertEquals(region.code, 2, region.stderr);
  assert(region.stderr.includes("--allow-env=GENESYSCLOUD_REGION"), region.stderr);
});

Deno.test("The extract and demo permission sets grant every region's hosts and nothing beyond them", async () => {
  const dir = await tempDir("cli_usage");
  try {
    const hosts = REGIONS.flatMap((r) => [`api.${r.env}`, `login.${r.env}`]);
    const script = `
const hosts = ${JSON.stringify(hosts)};
const q = (d) => Deno.permissions.querySync(d).state;
const result = {
  regions: hosts.filter((host) => q({ name: "net", host }) !== "granted"),
  others: ["example.com", "api.mypurecloud.com.evil.io", "pure.cloud.evil.io"].filter((host) => q({ name: "net", host }) === "granted"),
  loopback: q({ name: "net", host: "127.0.0.1:8787" }),
  env: ["GENESYSCLOUD_OAUTHCLIENT_ID", "GENESYSCLOUD_OAUTHCLIENT_SECRET", "GENESYSCLOUD_REGION", "GENESYS_CLIENT_ID", "GENESYS_CLIENT_SECRET"].map((variable) => q({ name: "env", variable })),
  home: q({ name: "env", variable: "HOME" }),
  writeOutput: q({ name: "write", path: "output/x.jsonl" }),
  writeElsewhere: q({ name: "write", path: ".test-tmp/x" }),
  read: q({ name: "read", path: "README.md" }),
  run: q({ name: "run", command: "deno" }),
  runOther: q({ name: "run", command: "sh" }),
  sys: q({ name: "sys", kind: "hostname" }),
  ffi: q({ name: "ffi" }),
};
console.log(JSON.stringify(result));
`;
    await Deno.writeTextFile(`${ROOT}${dir}/probe.js`, script);
    const probe = async (set: string) => {
      const output = await new Deno.Command("deno", {
        args: ["run", "--no-prompt", `-P=${set}`, `${dir}/probe.js`],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
      return JSON.parse(new TextDecoder().decode(output.stdout));
    };
    const extract = await probe("extract");
    assertEquals(extract.regions, [], "hosts the extract task cannot reach");
    assertEquals(extract.others, []);
    assertEquals(extract.loopback, "granted");
    assertEquals(extract.env, ["granted", "granted", "granted", "granted", "granted"]);
    assertEquals(
      [extract.home, extract.writeOutput, extract.writeElsewhere, extract.read],
      ["prompt", "granted", "prompt", "granted"],
    );
    assertEquals([extract.run, extract.sys, extract.ffi], ["prompt", "prompt", "prompt"]);
    const demo = await probe("demo");
    assertEquals(demo.regions.length, hosts.length);
    // The demo runs the CLI as a child process (to kill run 1 with SIGKILL): deno, nothing else.
    assertEquals(
      [demo.loopback, demo.writeOutput, demo.run, demo.runOther],
      ["granted", "prompt", "granted", "prompt"],
    );

    const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
    for (const task of ["extract", "check-auth", "demo", "compile"]) {
      const line: string = config.tasks[task];
      assert(line.includes("cli.ts"), task);
      assert(!/(^|\s)(-A|--allow-all|--allow-run|--allow-ffi|--allow-sys)\b/.test(line), line);
    }
    for (const set of ["extract", "demo"]) {
      const keys = Object.keys(config.permissions[set]);
      assert(!keys.some((k) => ["all", "ffi", "sys"].includes(k)), `${set}: ${keys}`);
    }
    assertEquals(config.permissions.extract.run, undefined);
    assertEquals(config.permissions.demo.run, ["deno"]);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI resolves relative paths against INIT_CWD, where a task was typed, and asks for that folder's grants", async () => {
  await using sim = await startSimulator({ users: 3, conversations: 0 });
  const dir = await tempDir("cli_usage");
  try {
    await Deno.mkdir(`${ROOT}${dir}/sub`);
    // What `cd <dir>/sub && deno task -q extract ...` gives the CLI: the project as the working
    // directory, the user's folder in INIT_CWD.
    const env = { ...simEnv(sim), INIT_CWD: `${ROOT}${dir}/sub` };
    const flags = [
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-read=.",
      `--allow-write=${dir}/sub`,
    ];
    const quiet = await cli(["users", "-o", "users.csv", "--quiet"], { env, flags });
    assertEquals([quiet.code, quiet.stderr, quiet.stdout], [0, "", ""]);
    const rows = (await Deno.readTextFile(`${ROOT}${dir}/sub/users.csv`)).trim().split("\n");
    assertEquals(rows.length, 4);
    const denied = await cli(["users", "-o", "../elsewhere/u.csv"], { env, flags });
    assertEquals(denied.code, 2, denied.stderr);
    assertEquals(
      denied.stderr.trim(),
      `error: Missing permission: write '${dir}/elsewhere' (the output '${dir}/elsewhere/u.csv'): run again with --allow-write=${dir}/elsewhere`,
    );
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("sim on a port in use exits 2 with one line that says how to pick another", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const run = await inProcess(["sim", "--port", String(port)]);
  assertEquals([run.code, run.out], [2, ""], run.err);
  assertEquals(
    run.err,
    `error: Port ${port} on 127.0.0.1 is already in use: stop the other program, or pass another --port (0 picks a free one)\n`,
  );
});
