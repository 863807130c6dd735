/**
 * `demo`, the README's first command, end to end as a subprocess with the demo task's kind of
 * permissions (loopback network, reads and writes of its folder only): token refreshes, a
 * revocation, 429s and 503s happen, the run is "crashed" and resumed, and nothing is lost.
 */
import { assert, assertEquals } from "./_assert.ts";
import { cli, ROOT, tempDir } from "./_cli.ts";

Deno.test("CLI demo survives expiring tokens, a revocation, 429s, 503s and a crash with nothing lost", async () => {
  const dir = await tempDir("cli_demo_");
  try {
    const { code, stderr } = await cli(["demo", "--dir", `${dir}/out`, "--conversations", "400"], {
      flags: ["--allow-net=127.0.0.1", `--allow-read=${dir}`, `--allow-write=${dir}`],
    });
    assertEquals(code, 0, stderr);
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
    const lines = (await Deno.readTextFile(`${ROOT}${dir}/out/conversations.jsonl`)).trim().split(
      "\n",
    );
    assertEquals(lines.length, 400);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});
