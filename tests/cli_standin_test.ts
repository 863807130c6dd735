/**
 * The CLI as a subprocess against the independent stand-in served over loopback, on the real
 * API's semantics (issue 11): repeated query parameters, capped listings, listings that only
 * `nextUri` ends.
 */
import { assert, assertEquals } from "./_assert.ts";
import { pageListing, serveStandIn, StandIn } from "./_standin.ts";
import { cli, ROOT, tempDir } from "./_cli.ts";

interface User {
  id: string;
  state: string;
}

const users = (n: number, state = "active"): User[] =>
  Array.from({ length: n }, (_, i) => ({ id: `u${String(i).padStart(5, "0")}`, state }));

/** A stand-in with `route` installed, served over loopback; the CLI's environment for it. */
async function served(
  install: (standIn: StandIn) => void,
  run: (ctx: { standIn: StandIn; env: Record<string, string>; dir: string }) => Promise<void>,
): Promise<void> {
  const standIn = new StandIn();
  install(standIn);
  const server = serveStandIn(standIn);
  const dir = await tempDir("cli_standin_");
  const env = {
    GENESYSCLOUD_REGION: server.base,
    GENESYSCLOUD_OAUTHCLIENT_ID: standIn.clientId,
    GENESYSCLOUD_OAUTHCLIENT_SECRET: standIn.clientSecret,
  };
  try {
    await run({ standIn, env, dir });
  } finally {
    await server.shutdown();
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
}

const lines = async (path: string): Promise<Record<string, unknown>[]> =>
  (await Deno.readTextFile(`${ROOT}${path}`)).trim().split("\n").filter(Boolean).map((l) =>
    JSON.parse(l)
  );

Deno.test("CLI get and users send every value of a repeated query key (path and --query)", async () => {
  const all = users(20);
  await served((standIn) => {
    standIn.on("GET", "/api/v2/users", (seen) => {
      const wanted = seen.url.searchParams.getAll("id");
      return pageListing(seen.url, all.filter((u) => wanted.includes(u.id)));
    });
  }, async ({ standIn, env, dir }) => {
    const out = `${dir}/ids.jsonl`;
    const run = await cli(
      ["get", "/api/v2/users?id=u00002&id=u00005", "--query", "id=u00009", "-o", out],
      { env },
    );
    assertEquals(run.code, 0, run.stderr);
    assertEquals((await lines(out)).map((u) => u.id), ["u00002", "u00005", "u00009"]);
    const expand = await cli(
      ["users", "--query", "expand=skills", "--query", "expand=locations", "-o", `${dir}/u.jsonl`],
      { env },
    );
    assertEquals(expand.code, 0, expand.stderr);
    const last = standIn.apiRequests.at(-1)!;
    assertEquals(last.url.searchParams.getAll("expand"), ["skills", "locations"]);
    assert(standIn.apiRequests.length >= 2);
  });
});
