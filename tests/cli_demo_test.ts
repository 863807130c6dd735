/**
 * `demo`, the README's first command, end to end as a subprocess with the demo task's kind of
 * permissions (loopback network, reads and writes of its folder only): token refreshes, a
 * revocation, 429s and 503s happen, the run is "crashed" and resumed, and nothing is lost.
 */
import { assert, assertEquals } from "./_assert.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("CLI demo survives expiring tokens, a revocation, 429s, 503s and a crash with nothing lost", async () => {
  await Deno.mkdir(`${ROOT}.test-tmp`, { recursive: true });
  const abs = await Deno.makeTempDir({ dir: `${ROOT}.test-tmp`, prefix: "cli_demo_" });
  const dir = abs.slice(ROOT.length);
  try {
    const output = await new Deno.Command("deno", {
      args: [
        "run",
        "--no-prompt",
        "--allow-net=127.0.0.1",
        `--allow-read=${dir}`,
        `--allow-write=${dir}`,
        "cli.ts",
        "demo",
        "--dir",
        `${dir}/out`,
        "--conversations",
        "400",
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assertEquals(output.code, 0, stderr);
    assert(
      stderr.includes(
        "OK: 400 of 400 conversations, 0 missing, 0 duplicated, in order (checked against the simulator's own list)",
      ),
      stderr,
    );
    assert(
      /Resuming from .*checkpoint\.json: \d+ conversations already saved/.test(stderr),
      stderr,
    );
    const retries = stderr.match(/retries +(\d+) retries \((.+)\)/);
    assert(retries !== null, stderr);
    for (const cause of ["401", "429", "5xx"]) assert(retries![2].includes(`${cause}: `), cause);
    const tokens = Number(stderr.match(/tokens +(\d+) token requests/)?.[1]);
    assert(tokens >= 3, `only ${tokens} token requests`);
    const lines = (await Deno.readTextFile(`${abs}/out/conversations.jsonl`)).trim().split("\n");
    assertEquals(lines.length, 400);
  } finally {
    await Deno.remove(abs, { recursive: true });
  }
});
