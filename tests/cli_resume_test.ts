/**
 * Stopping and resuming the CLI as a subprocess against a simulator: SIGINT (exit 130) and the
 * deadline (exit 4) save the checkpoint and print the exact resume command; running that command
 * finishes the job with nothing lost or repeated; a checkpoint of other arguments is refused
 * (exit 2).
 */
import { assert, assertEquals } from "./_assert.ts";
import { startSimulator } from "../testing.ts";
import { cli, cliCommand, cliRun, ROOT, simEnv, tempDir } from "./_cli.ts";
import { childEnv } from "./chaos/cli.ts";
import { untilWhileRunning } from "./_gated_proxy.ts";

/** Splits a POSIX shell command line (plain words and single quotes, as `shellQuote` writes). */
function shellSplit(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end);
      i = end;
      started = true;
    } else if (c === "\\") {
      word += line[++i];
      started = true;
    } else if (c === " ") {
      if (started) words.push(word);
      word = "";
      started = false;
    } else {
      word += c;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}

function resumeLine(stderr: string): string {
  const match = stderr.match(/Resume with:\n {2}(.+)\n/);
  assert(match !== null, `no resume command in:\n${stderr}`);
  return match![1];
}

/** Waits while `child` runs until `path` exists (failing with the run's stderr if it ends first). */
async function waitForFile(child: Deno.ChildProcess, path: string): Promise<void> {
  const exists = () => Deno.stat(path).then(() => true, () => false);
  await untilWhileRunning(child, exists, `${path} to appear`);
}

async function conversationIds(path: string): Promise<string[]> {
  return (await Deno.readTextFile(path)).trim().split("\n").map((l) =>
    JSON.parse(l).conversationId
  );
}

Deno.test("CLI on SIGINT saves the checkpoint, prints the exact resume command and exits 130; that command finishes the job", async () => {
  await using sim = await startSimulator({
    conversations: 400,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-11T00:00:00Z",
    tokenLifetimeSeconds: 1,
    faults: { latency: [{ ms: 120 }] },
  });
  const dir = await tempDir("cli_resume");
  const env = simEnv(sim);
  const output = `${dir}/c.jsonl`;
  try {
    const child = cliCommand(
      [
        "conversations",
        "--since",
        "2026-01-02",
        "--until",
        "2026-01-06",
        "--page-size",
        "10",
        "-o",
        output,
        "--restart",
      ],
      { env, write: dir },
    ).spawn();
    await waitForFile(child, `${ROOT}${output}.checkpoint.json`);
    child.kill("SIGINT");
    const stopped = cliRun(await child.output());
    const stderr = stopped.stderr;
    assertEquals(stopped.code, 130, stderr);
    assert(stderr.includes("SIGINT received: stopping after the current page"), stderr);
    assert(/Interrupted by SIGINT: \d+ conversations saved \(\d+ pages?\)/.test(stderr), stderr);
    const checkpoint = JSON.parse(await Deno.readTextFile(`${ROOT}${output}.checkpoint.json`));
    assertEquals(checkpoint.status, "running");
    const saved = await conversationIds(`${ROOT}${output}.partial`);
    assertEquals(saved.length, checkpoint.records);

    const resume = shellSplit(resumeLine(stderr));
    assertEquals(resume.slice(0, 2), ["deno", "run"]);
    const cliAt = resume.indexOf("cli.ts");
    assertEquals(resume.slice(cliAt), [
      "cli.ts",
      "conversations",
      "--page-size",
      "10",
      "-o",
      output,
      "--interval",
      "2026-01-02T00:00:00Z/2026-01-06T00:00:00Z",
    ]);
    assert(resume.includes(`--allow-write=${dir}`), resume.join(" "));

    sim.setFaults({ latency: null });
    const finished = cliRun(
      await new Deno.Command("deno", {
        args: resume.slice(1),
        cwd: ROOT,
        env: childEnv(env),
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output(),
    );
    const finishedErr = finished.stderr;
    assertEquals(finished.code, 0, finishedErr);
    assert(finishedErr.includes(`Resuming from ${output}.checkpoint.json`), finishedErr);
    const ids = await conversationIds(`${ROOT}${output}`);
    assertEquals(ids, sim.conversationIds("2026-01-02T00:00:00Z/2026-01-06T00:00:00Z"));
    assertEquals(ids.slice(0, saved.length), saved);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI at the deadline exits 4 with the task's resume command; other arguments are refused with exit 2", async () => {
  await using sim = await startSimulator({
    conversations: 300,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-04T00:00:00Z",
    faults: { latency: [{ ms: 150 }] },
  });
  const dir = await tempDir("cli_resume");
  const env = { ...simEnv(sim), GENESYS_BATCH_INVOCATION: "deno task extract" };
  const output = `${dir}/c.csv`;
  const args = [
    "conversations",
    "--interval",
    "2026-01-01T00:00:00Z/2026-01-04T00:00:00Z",
    "--page-size",
    "10",
    "-o",
    output,
  ];
  try {
    const first = await cli([...args, "--deadline", "1s"], { env, write: dir });
    const stderr = first.stderr;
    assertEquals(first.code, 4, stderr);
    assert(/Deadline of 1s reached: \d+ (of 300 )?conversations saved/.test(stderr), stderr);
    assert(!stderr.includes("error:"), stderr);
    assertEquals(
      resumeLine(stderr),
      `deno task extract conversations --page-size 10 -o ${output} --deadline 1s --interval 2026-01-01T00:00:00Z/2026-01-04T00:00:00Z`,
    );
    const checkpoint = JSON.parse(await Deno.readTextFile(`${ROOT}${output}.checkpoint.json`));
    assert(checkpoint.records > 0 && checkpoint.records < 300, String(checkpoint.records));

    const other = await cli([...args.slice(0, -3), "20", "-o", output], { env, write: dir });
    assertEquals(other.code, 2, other.stderr);
    assert(
      other.stderr.includes("belongs to another job: --page-size was '10' there and is '20' now"),
      other.stderr,
    );
    assert(other.stderr.includes("--restart"));
    const limit = await cli([...args, "--max-results", "500"], { env, write: dir });
    assertEquals(limit.code, 2, limit.stderr);
    assert(
      limit.stderr.includes("--max-results was '100000' there and is '500' now"),
      limit.stderr,
    );

    sim.setFaults({ latency: null });
    const rest = await cli(args, { env, write: dir });
    assertEquals(rest.code, 0, rest.stderr);
    const rows = (await Deno.readTextFile(`${ROOT}${output}`)).trim().split("\n");
    const header = rows[0].split(",");
    const idColumn = header.indexOf("conversationId");
    assert(idColumn >= 0, rows[0]);
    assertEquals(
      rows.slice(1).map((r) => r.split(",")[idColumn]),
      sim.conversationIds("2026-01-01T00:00:00Z/2026-01-04T00:00:00Z"),
    );
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});

Deno.test("CLI stops on SIGTERM too, saving the checkpoint and printing the resume command", async () => {
  await using sim = await startSimulator({
    users: 400,
    conversations: 10,
    faults: { latency: [{ route: "users", ms: 150 }] },
  });
  const dir = await tempDir("cli_resume");
  const env = simEnv(sim);
  try {
    const term = cliCommand(["users", "--page-size", "10", "-o", `${dir}/a.jsonl`], {
      env,
      write: dir,
    }).spawn();
    await waitForFile(term, `${ROOT}${dir}/a.jsonl.checkpoint.json`);
    term.kill("SIGTERM");
    const termed = cliRun(await term.output());
    const termErr = termed.stderr;
    assertEquals(termed.code, 130, termErr);
    assert(termErr.includes("Interrupted by SIGTERM"), termErr);
    assert(resumeLine(termErr).includes(`users --page-size 10 -o ${dir}/a.jsonl`));
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});
