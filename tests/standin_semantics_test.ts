/**
 * The sources through the real client against the independent stand-in, on the API's real
 * semantics as genesys-api.md documents them (issue 11): repeated query parameters, listings that
 * only `nextUri` ends, capped listings, approximate `totalHits`, short pages, interval overlap.
 */
import { assert, assertEquals } from "./_assert.ts";
import { pageListing, type StandIn, standInClient } from "./_standin.ts";
import { listingSource, paginate } from "../lib/paginate.ts";

interface User {
  id: string;
  state: string;
}

const users = (n: number, state = "active"): User[] =>
  Array.from({ length: n }, (_, i) => ({ id: `u${String(i).padStart(5, "0")}`, state }));

const apiGets = (standIn: StandIn, path: string) =>
  standIn.apiRequests.filter((r) => r.method === "GET" && r.url.pathname === path);

// ---------------------------------------------------------------------------------------------
// Repeated query parameters

Deno.test("Stand-in listing: repeated query values (id=a&id=b) are all sent on every page, also onto a query-less nextUri", async () => {
  const { standIn, client } = standInClient();
  const all = users(30);
  standIn.on("GET", "/api/v2/users", (seen) => {
    const wanted = seen.url.searchParams.getAll("id");
    return pageListing(seen.url, all.filter((u) => wanted.includes(u.id)));
  });
  const wanted = ["u00001", "u00004", "u00007", "u00010", "u00020"];
  const pages = await Array.fromAsync(
    paginate<User>(client, "/api/v2/users", { pageSize: 2, query: { id: wanted } }),
  );
  assertEquals(pages.flatMap((p) => p.entities.map((u) => u.id)), wanted);
  const requests = apiGets(standIn, "/api/v2/users");
  assertEquals(requests.length, 3);
  for (const r of requests) assertEquals(r.url.searchParams.getAll("id"), wanted, r.url.href);
  const source = listingSource<User>(client, "/api/v2/users", { query: { id: wanted } });
  assertEquals(source.description, {
    endpoint: "GET /api/v2/users",
    pageSize: 100,
    query: { id: wanted },
  });
});

Deno.test("GenesysClient.request sends every value of a query list, replacing the path's own", async () => {
  const { standIn, client } = standInClient();
  standIn.on("GET", "/api/v2/users", () => Response.json({ entities: [] }));
  await client.request("GET", "/api/v2/users?expand=old&state=any", {
    query: { expand: ["skills", "locations"], pageSize: 5 },
  });
  const [request] = apiGets(standIn, "/api/v2/users");
  assertEquals(request.url.search, "?state=any&expand=skills&expand=locations&pageSize=5");
  assert(request.url.searchParams.getAll("expand").length === 2);
});
