/**
 * The CLI run straight from a URL, as users run it without cloning: the repository is served over
 * loopback HTTP and `deno run --no-config <url>/cli.ts` works with the task's permissions, reads
 * none of its own files at runtime, and prints a resume command that names the URL.
 */
import { assert, assertEquals } from "./_assert.ts";
import { startSimulator } from "../testing.ts";
import { CREDENTIAL_ENV, ROOT, simEnv, tempDir } from "./_cli.ts";

/** Serves the repository's files read-only on 127.0.0.1, recording every path asked for. */
function serveRepo(): { url: string; requested: string[]; server: Deno.HttpServer } {
  const requested: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    requested.push(path);
    if (path.includes("..") || path.startsWith("/.")) return new Response(null, { status: 404 });
    try {
      const body = await Deno.readFile(`${ROOT}${path.slice(1)}`);
      const type = path.endsWith(".ts") ? "application/typescript" : "application/octet-stream";
      return new Response(body, { headers: { "content-type": type } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, requested, server };
}

async function run(args: string[], env: Record<string, string>): Promise<{
  code: number;
  stderr: string;
}> {
  const output = await new Deno.Command("deno", {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", HOME: Deno.env.get("HOME") ?? "/tmp", ...env },
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

Deno.test("CLI runs from a URL with --no-config and resumes with the printed command", async () => {
  await using sim = await startSimulator({
    conversations: 200,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-03T00:00:00Z",
    faults: { latency: [{ ms: 150 }] },
  });
  const repo = serveRepo();
  const dir = await tempDir("cli_url");
  const env = {
    DENO_DIR: `${ROOT}${dir}/deno-dir`,
    ...simEnv(sim),
  };
  const flags = [
    "--no-config",
    "--no-prompt",
    "--allow-net=127.0.0.1",
    `--allow-env=${CREDENTIAL_ENV.join(",")}`,
    "--allow-read=.",
    `--allow-write=${dir}/out`,
  ];
  try {
    const users = await run(
      ["run", ...flags, `${repo.url}/cli.ts`, "users", "-o", `${dir}/out/users.jsonl`],
      env,
    );
    assertEquals(users.code, 0, users.stderr);
    const ids = (await Deno.readTextFile(`${ROOT}${dir}/out/users.jsonl`)).trim().split("\n")
      .map((l) => JSON.parse(l).id);
    assertEquals(ids, [...sim.ids.users]);
    assert(repo.requested.includes("/cli.ts"));
    assertEquals(repo.requested.filter((p) => !p.endsWith(".ts")), [], "non-module reads");

    const stopped = await run([
      "run",
      ...flags,
      `${repo.url}/cli.ts`,
      "conversations",
      "--interval",
      "2026-01-01T00:00:00Z/2026-01-03T00:00:00Z",
      "--page-size",
      "10",
      "--deadline",
      "800ms",
      "-o",
      `${dir}/out/c.jsonl`,
    ], env);
    assertEquals(stopped.code, 4, stopped.stderr);
    const line = stopped.stderr.match(/Resume with:\n {2}(.+)\n/)?.[1] ?? "";
    assert(line.startsWith("deno run --allow-net=127.0.0.1:"), line);
    assert(line.includes(` ${repo.url}/cli.ts conversations `), line);
    sim.setFaults({ latency: null });
    const words = line.split(" ");
    const resumed = await run(["run", "--no-config", ...words.slice(2)], env);
    assertEquals(resumed.code, 0, resumed.stderr);
    const conversations = (await Deno.readTextFile(`${ROOT}${dir}/out/c.jsonl`)).trim()
      .split("\n").map((l) => JSON.parse(l).conversationId);
    assertEquals(conversations, sim.conversationIds("2026-01-01T00:00:00Z/2026-01-03T00:00:00Z"));
  } finally {
    await repo.server.shutdown();
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});
