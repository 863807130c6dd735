/**
 * The CLI as a subprocess against the independent stand-in served over loopback, on the real
 * API's semantics (issue 11): repeated query parameters, capped listings, listings that only
 * `nextUri` ends.
 */
import { assert, assertEquals } from "./_assert.ts";
import { pageListing, serveStandIn, StandIn, type StandInUser, usersRoute } from "./_standin.ts";
import { cli, ROOT, tempDir } from "./_cli.ts";

const users = (n: number): StandInUser[] =>
  Array.from({ length: n }, (_, i) => ({ id: `u${String(i).padStart(5, "0")}`, state: "active" }));

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

Deno.test("CLI users --query state=inactive past 10,000: the 10,000 read are in the finished file, a warning, exit 5; a rerun asks nothing and exits 5", async () => {
  const all: StandInUser[] = [
    ...users(300),
    ...Array.from(
      { length: 12_000 },
      (_, i) => ({ id: `i${String(i).padStart(5, "0")}`, state: "inactive" as const }),
    ),
  ];
  await served((standIn) => {
    standIn.on("GET", "/api/v2/users", usersRoute(all));
  }, async ({ standIn, env, dir }) => {
    const out = `${dir}/inactive.jsonl`;
    const args = ["users", "--query", "state=inactive", "--concurrency", "4", "-o", out];
    const first = await cli(args, { env });
    assertEquals(first.code, 5, first.stderr);
    const ids = (await lines(out)).map((u) => u.id);
    assertEquals(ids.length, 10_000);
    assertEquals(ids, all.filter((u) => u.state === "inactive").slice(0, 10_000).map((u) => u.id));
    assert(
      first.stderr.includes(
        "warning: Capped: GET /api/v2/users with state=inactive pages through at most 10,000 users",
      ),
      first.stderr,
    );
    assert(first.stderr.includes("exit code 5"), first.stderr);
    const checkpoint = JSON.parse(await Deno.readTextFile(`${ROOT}${out}.checkpoint.json`));
    assertEquals([checkpoint.status, checkpoint.capped.limit], ["complete", 10_000]);
    const asked = standIn.apiRequests.length;
    const rerun = await cli(args, { env });
    assertEquals(rerun.code, 5, rerun.stderr);
    assert(rerun.stderr.includes("already complete"), rerun.stderr);
    assert(rerun.stderr.includes("Capped"), rerun.stderr);
    assertEquals(standIn.apiRequests.length, asked, "the rerun asked the API again");
  });
});

Deno.test("CLI summary warns when the records that arrived differ from the server's total", async () => {
  await served((standIn) => {
    standIn.on("GET", "/api/v2/routing/queues", (seen) => {
      const response = pageListing(seen.url, users(30), {});
      return response.json().then((body) => Response.json({ ...body, total: 31 }));
    });
  }, async ({ env, dir }) => {
    const run = await cli(["queues", "--page-size", "10", "-o", `${dir}/q.jsonl`], { env });
    assertEquals(run.code, 0, run.stderr);
    assert(
      run.stderr.includes("warning: The server reported 31 queues but 30 arrived"),
      run.stderr,
    );
  });
});
