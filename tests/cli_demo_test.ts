/**
 * `demo`, the README's first command, end to end as a subprocess with the demo task's kind of
 * permissions (loopback network, its folder, running deno): run 1 is a child process killed with
 * SIGKILL, run 2 resumes it, token refreshes, a revocation, 429s and 503s happen, nothing is lost,
 * and the simulator's counts in the summary add up.
 */
import { assert, assertEquals } from "./_assert.ts";
import { cli, ROOT, tempDir } from "./_cli.ts";

/** `200×42, 401×2` → { 200: 42, 401: 2 }. */
function answers(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [, status, n] of (text ?? "").matchAll(/(\d{3})×([\d,]+)/g)) {
    out[status] = Number(n.replaceAll(",", ""));
  }
  return out;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

Deno.test("CLI demo kills run 1 with SIGKILL, resumes in run 2 with nothing lost, and its counts add up", async () => {
  const dir = await tempDir("cli_demo");
  try {
    const { code, stderr } = await cli(["demo", "--dir", `${dir}/out`, "--conversations", "400"], {
      flags: [
        "--allow-net=127.0.0.1",
        `--allow-read=${dir}`,
        `--allow-write=${dir}`,
        "--allow-run=deno",
      ],
    });
    assertEquals(code, 0, stderr);
    assert(
      stderr.includes(
        "OK: 400 of 400 conversations, 0 missing, 0 duplicated, in order (checked against the simulator's own list)",
      ),
      stderr,
    );
    const killed =
      /Run 1 killed with SIGKILL: the checkpoint holds ([\d,]+) conversations \((\d+) pages\)/
        .exec(stderr);
    assert(killed, stderr);
    const savedPages = Number(killed[2]);
    const done = /Done \(resumed; [\d,]+ this run\): 400 conversations \((\d+) pages\)/.exec(
      stderr,
    );
    assert(done, stderr);
    const pages = Number(done[1]);
    assert(savedPages >= 2 && savedPages < pages, `killed after ${savedPages} of ${pages} pages`);
    // Run 2 is the CLI itself, resuming what run 1's checkpoint holds.
    assert(
      stderr.includes(`Resuming from ${dir}/out/conversations.jsonl.checkpoint.json: ${killed[1]}`),
      stderr,
    );
    assert(stderr.includes(`run 2 went on from page ${savedPages + 1}`), stderr);
    // The commands it suggests next are the quiet task's, as the docs write them.
    assert(
      /Next: 'deno task -q sim' .*'deno task -q extract conversations --help'/.test(stderr),
      stderr,
    );
    assert(!stderr.includes("'deno task extract"), stderr);

    const requests = /requests +(\d+): (\d+) token requests \+ (\d+) API requests/.exec(stderr);
    assert(requests, stderr);
    const [all, tokens, api] = requests.slice(1).map(Number);
    assertEquals(tokens + api, all);
    const tokenAnswers = answers(/token answers +(.*)/.exec(stderr)?.[1]);
    const apiAnswers = answers(/API answers +(.*)/.exec(stderr)?.[1]);
    assertEquals(total(tokenAnswers), tokens, stderr);
    assertEquals(total(apiAnswers), api, stderr);
    assert(tokens >= 3, `only ${tokens} token requests`);
    for (const status of ["401", "429", "503"]) assert(apiAnswers[status] > 0, status);
    // Every page was answered, some twice: run 1 had fetched them ahead but not saved them.
    assert(apiAnswers["200"] >= pages, stderr);

    const lines = (await Deno.readTextFile(`${ROOT}${dir}/out/conversations.jsonl`)).trim().split(
      "\n",
    );
    assertEquals(lines.length, 400);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});
