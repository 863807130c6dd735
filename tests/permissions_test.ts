/**
 * The permission boundary: under the extract task's grants (deno.json's `extract` permission set:
 * the Genesys hosts, 127.0.0.1 and localhost; the credential variables; read `.`, write
 * `./output`) the CLI reaches the simulator on 127.0.0.1 and writes under `./output`, and nothing
 * else: a non-Genesys host, another loopback address or port family, a path outside `./output`,
 * a file outside `.` are each refused before anything is sent or written, with one line naming
 * the flag to add and exit code 2. The same refusals are checked once more through `deno run
 * -P=extract` itself, the task's exact permission set.
 */
import { startSimulator } from "../testing.ts";
import { absolute, CLI_PATH, CONFIG_PATH, ownLines, runCli } from "./chaos/cli.ts";
import { listFiles, tempDir } from "./chaos/files.ts";
import { assert } from "./_assert.ts";

const CREDENTIALS = {
  GENESYSCLOUD_OAUTHCLIENT_ID: "sim-client-id",
  GENESYSCLOUD_OAUTHCLIENT_SECRET: "sim-client-secret",
};

interface Boundary {
  /** What is out of bounds. */
  name: string;
  /** Arguments (`@sim` is the simulator's URL, `@port` its port). */
  args: string[];
  /** The flag the message must name. */
  flag: RegExp;
}

const BOUNDARIES: Boundary[] = [
  {
    name: "a non-Genesys host",
    args: ["users", "--region", "https://example.com"],
    flag: /--allow-net=example\.com/,
  },
  {
    name: "a Genesys look-alike host",
    args: ["users", "--region", "https://api.mypurecloud.ie.example.net"],
    flag: /--allow-net=api\.mypurecloud\.ie\.example\.net/,
  },
  {
    name: "another loopback address (127.0.0.2)",
    args: ["users", "--region", "http://127.0.0.2:@port"],
    flag: /--allow-net=127\.0\.0\.2:\d+/,
  },
  {
    name: "IPv6 loopback",
    args: ["users", "--region", "http://[::1]:@port"],
    flag: /--allow-net=\[::1\]:\d+/,
  },
  {
    name: "an output above the working directory",
    args: ["users", "--region", "@sim", "-o", "../escape.jsonl"],
    flag: /--allow-write=\.\./,
  },
  {
    name: "an absolute output outside",
    args: ["users", "--region", "@sim", "-o", "/tmp/genesys-escape.jsonl"],
    flag: /--allow-write=\/tmp/,
  },
  {
    name: "an output in the working directory but outside ./output",
    args: ["users", "--region", "@sim", "-o", "users.jsonl"],
    flag: /--allow-write=\./,
  },
  {
    name: "an output escaping ./output with '..'",
    args: ["users", "--region", "@sim", "-o", "output/../../escape.jsonl"],
    flag: /--allow-write=output\/\.\.\/\.\./,
  },
  {
    name: "a checkpoint outside ./output",
    args: ["users", "--region", "@sim", "-o", "output/u.jsonl", "--checkpoint", "/tmp/cp.json"],
    flag: /--allow-write=\/tmp/,
  },
  {
    name: "an env file outside the working directory",
    args: ["users", "--region", "@sim", "--env-file", "/etc/hostname"],
    flag: /--allow-read=\/etc\/hostname/,
  },
  {
    name: "a filter file outside the working directory",
    args: [
      "conversations",
      "--region",
      "@sim",
      "--interval",
      "2026-01-01/2026-01-02",
      "--filter-file",
      "/etc/hostname",
    ],
    flag: /--allow-read=\/etc\/hostname/,
  },
];

function expand(args: string[], url: string): string[] {
  const port = new URL(url).port;
  return args.map((a) => a === "@sim" ? url : a.replace("@port", port));
}

Deno.test("Under the extract task's grants the CLI reaches the simulator and writes under ./output", async () => {
  await using sim = await startSimulator({ users: 30, conversations: 20 });
  const root = await tempDir("perm-ok");
  try {
    const cwd = absolute(root);
    const result = await runCli(["users", "--region", sim.url, "-o", "output/users.jsonl"], {
      cwd,
      env: CREDENTIALS,
    });
    assert(result.code === 0, `exit ${result.code}: ${result.stderr}`);
    assert((await listFiles(cwd)).includes("output/users.jsonl"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test(`Under the extract task's grants ${BOUNDARIES.length} out-of-bounds targets are refused before anything is sent or written`, async () => {
  await using sim = await startSimulator({ users: 30, conversations: 20 });
  const root = await tempDir("perm");
  const problems: string[] = [];
  try {
    for (const [i, b] of BOUNDARIES.entries()) {
      const cwd = absolute(`${root}/case-${i}`);
      await Deno.mkdir(cwd);
      const requests = sim.stats.requests;
      const result = await runCli(expand(b.args, sim.url), { cwd, env: CREDENTIALS });
      const lines = ownLines(result.stderr);
      const why = `${b.name}: ${lines.join(" / ")}`;
      if (result.code !== 2) problems.push(`exit ${result.code} for ${why}`);
      if (lines.length !== 1 || !/^error: Missing permission/.test(lines[0])) {
        problems.push(`not one 'Missing permission' line for ${why}`);
      }
      if (!b.flag.test(lines[0] ?? "")) problems.push(`flag ${b.flag} not named for ${why}`);
      if (sim.stats.requests !== requests) problems.push(`requests were sent for ${why}`);
      const files = await listFiles(cwd);
      if (files.length) problems.push(`files written (${files.join(", ")}) for ${why}`);
    }
    for (const path of ["/tmp/genesys-escape.jsonl", "/tmp/cp.json", `${root}/escape.jsonl`]) {
      const there = await Deno.stat(path).then(() => true, () => false);
      if (there) problems.push(`'${path}' exists`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  assert(problems.length === 0, problems.join("\n"));
});

Deno.test("deno run -P=extract (the task's own permission set) refuses a foreign host and a write outside ./output", async () => {
  await using sim = await startSimulator({ users: 30, conversations: 20 });
  const root = await tempDir("perm-task");
  try {
    const cwd = absolute(root);
    for (
      const [args, flag, hint] of [
        [["users", "--region", "https://example.com"], /--allow-net=example\.com/, undefined],
        [
          ["users", "--region", sim.url, "-o", "/tmp/genesys-escape.jsonl"],
          /--allow-write=\/tmp/,
          /'deno task extract' reads under \. and writes under \.\/output/,
        ],
        // Flags cannot be added to a task, so these say what works under it instead.
        [
          ["users", "--region", sim.url, "--env-file", "/etc/hostname"],
          /--allow-read=\/etc\/hostname/,
          /'deno task extract' reads under \. only: keep the env file in the project folder/,
        ],
        [["demo"], /--allow-write=demo-output --allow-run=deno/, /run 'deno task demo'/],
      ] as const
    ) {
      const command = new Deno.Command("deno", {
        args: ["run", "--config", CONFIG_PATH, "-P=extract", "--no-prompt", CLI_PATH, ...args],
        cwd,
        clearEnv: true,
        env: {
          ...CREDENTIALS,
          GENESYS_BATCH_INVOCATION: "deno task extract",
          NO_COLOR: "1",
          HOME: Deno.env.get("HOME") ?? "",
          PATH: Deno.env.get("PATH") ?? "",
          ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
        },
        stdout: "piped",
        stderr: "piped",
      });
      const requests = sim.stats.requests;
      const out = await command.output();
      const lines = ownLines(new TextDecoder().decode(out.stderr));
      assert(out.code === 2, `exit ${out.code}: ${lines.join(" / ")}`);
      assert(lines.length === 1 && flag.test(lines[0]), lines.join(" / "));
      if (hint) assert(hint.test(lines[0]), lines[0]);
      assert(sim.stats.requests === requests, "a request was sent");
      assert((await listFiles(cwd)).length === 0, "a file was written");
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
