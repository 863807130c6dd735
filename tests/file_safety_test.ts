/**
 * The CLI under the `extract` task's grants (writes in `./output` only) never writes through a
 * symbolic link: a linked folder, output, `.partial`, checkpoint, checkpoint temp or lock file
 * inside `output/` is refused with one line naming the link, and nothing outside `output/`
 * changes. `--restart` replaces only an output its checkpoint covers; any other file needs
 * `--force`.
 */
import { startSimulator } from "../testing.ts";
import { absolute, credentials, runCli } from "./chaos/cli.ts";
import { listFiles, tempDir } from "./chaos/files.ts";
import { makeSymlinks } from "./_symlink.ts";
import { assert, assertEquals } from "./_assert.ts";

const VICTIM = "victim.txt";
const KEEP = "not the toolkit's to write\n";

interface LinkCase {
  name: string;
  /** The link inside the run's folder, and where it points (relative to the link's folder). */
  link: [string, string];
  /** Extra CLI arguments (the output is `output/users.jsonl` unless they say otherwise). */
  args?: string[];
  /** The start of the error line. */
  error: string;
}

const CASES: LinkCase[] = [
  {
    name: "a folder on the way to the output",
    link: ["output/lnk", "../elsewhere"],
    args: ["-o", "output/lnk/users.jsonl"],
    error:
      "error: The folder 'output/lnk' on the way to the output 'output/lnk/users.jsonl' is a symbolic link to '../elsewhere': refusing to write through it, as it can lead outside 'output'; replace it with a real folder or choose another path",
  },
  {
    name: "the output",
    link: ["output/users.jsonl", `../elsewhere/${VICTIM}`],
    error: "error: The output 'output/users.jsonl' is a symbolic link to '../elsewhere/victim.txt'",
  },
  {
    name: "the .partial file",
    link: ["output/users.jsonl.partial", `../elsewhere/${VICTIM}`],
    error: "error: The partial output 'output/users.jsonl.partial' is a symbolic link",
  },
  {
    name: "the checkpoint",
    link: ["output/users.jsonl.checkpoint.json", `../elsewhere/${VICTIM}`],
    error: "error: The checkpoint 'output/users.jsonl.checkpoint.json' is a symbolic link",
  },
  {
    name: "a checkpoint temp file",
    link: ["output/users.jsonl.checkpoint.json.4242.tmp", `../elsewhere/${VICTIM}`],
    error:
      "error: The checkpoint temp file 'output/users.jsonl.checkpoint.json.4242.tmp' is a symbolic link",
  },
  {
    name: "the lock file",
    link: ["output/users.jsonl.checkpoint.json.lock", `../elsewhere/${VICTIM}`],
    error: "error: The lock file 'output/users.jsonl.checkpoint.json.lock' is a symbolic link",
  },
  {
    name: "a folder on the way to --checkpoint",
    link: ["output/state", "../elsewhere"],
    args: ["--checkpoint", "output/state/users.json"],
    error:
      "error: The folder 'output/state' on the way to the checkpoint 'output/state/users.json' is a symbolic link to '../elsewhere'",
  },
];

Deno.test(`CLI refuses a symbolic link inside output/ and writes nothing outside it (${CASES.length} cases)`, async () => {
  await using sim = await startSimulator({ users: 30, seed: 41, rateLimitAllowed: 1_000_000 });
  const env = credentials(sim);
  const root = absolute(await tempDir("file-safety"));
  const failures: string[] = [];
  try {
    for (const [i, c] of CASES.entries()) {
      const dir = `${root}/case-${i}`;
      await Deno.mkdir(`${dir}/output`, { recursive: true });
      await Deno.mkdir(`${dir}/elsewhere`);
      await Deno.writeTextFile(`${dir}/elsewhere/${VICTIM}`, KEEP);
      await makeSymlinks([[c.link[1], `${dir}/${c.link[0]}`]]);
      const args = ["users", "--region", sim.url, "--page-size", "10", ...(c.args ?? [])];
      if (!args.includes("-o")) args.push("-o", "output/users.jsonl");
      const requestsBefore = sim.stats.requests;
      const result = await runCli(args, { cwd: dir, env });
      const lines = result.stderr.trim().split("\n");
      if (result.code !== 2) failures.push(`${c.name}: exit ${result.code}: ${result.stderr}`);
      if (!lines[0].startsWith(c.error) || lines.length !== 1) {
        failures.push(`${c.name}: stderr was: ${result.stderr}`);
      }
      if (sim.stats.requests !== requestsBefore) failures.push(`${c.name}: the run sent requests`);
      const outside = await listFiles(`${dir}/elsewhere`);
      const kept = await Deno.readTextFile(`${dir}/elsewhere/${VICTIM}`);
      if (outside.join() !== VICTIM || kept !== KEEP) {
        failures.push(`${c.name}: something was written outside output/: ${outside}`);
      }
      const leftovers: string[] = [];
      for await (const entry of Deno.readDir(`${dir}/output`)) {
        if (`output/${entry.name}` !== c.link[0]) leftovers.push(entry.name);
      }
      if (leftovers.length) failures.push(`${c.name}: left in output/: ${leftovers}`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  assert(failures.length === 0, failures.join("\n"));
});

Deno.test("CLI --restart replaces an output its checkpoint covers, and any other existing file only with --force", async () => {
  await using sim = await startSimulator({ users: 30, seed: 42, rateLimitAllowed: 1_000_000 });
  const env = credentials(sim);
  const dir = absolute(await tempDir("file-safety"));
  const args = ["users", "--region", sim.url, "-o", "output/users.jsonl"];
  const output = `${dir}/output/users.jsonl`;
  try {
    await Deno.mkdir(`${dir}/output`);
    await Deno.writeTextFile(output, KEEP);
    const refused = await runCli([...args, "--restart"], { cwd: dir, env });
    assertEquals(refused.code, 2, refused.stderr);
    assertEquals(
      refused.stderr.trim(),
      "error: Output 'output/users.jsonl' already exists and no checkpoint covers it, so --restart does not replace it; add --force to overwrite it, or choose another file",
    );
    assertEquals(await Deno.readTextFile(output), KEEP);
    assertEquals(await listFiles(`${dir}/output`), ["users.jsonl"]);

    const forced = await runCli([...args, "--restart", "--force"], { cwd: dir, env });
    assertEquals(forced.code, 0, forced.stderr);
    const first = await Deno.readTextFile(output);
    assertEquals(first.trim().split("\n").length, 30);

    // Now the checkpoint covers the output: --restart alone extracts it again.
    const again = await runCli([...args, "--restart"], { cwd: dir, env });
    assertEquals(again.code, 0, again.stderr);
    assert(again.stderr.includes("Done: 30 users"), again.stderr);
    assertEquals(await Deno.readTextFile(output), first);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
