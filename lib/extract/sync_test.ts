/**
 * `syncDays` without a server: how a day's reader is chosen and built. The end-to-end sync
 * suites (simulator, CLI) are in `tests/`.
 */
import { syncDays } from "./sync.ts";
import { planSyncDays } from "./sync_plan.ts";
import { MemoryCheckpointStore } from "./checkpoint_memory.ts";
import { MemorySyncOutput } from "./sync_output.ts";
import type { ApiClient, RequestOptions } from "../types.ts";
import type { ConversationDetailsQuery } from "../analytics/details_query.ts";
import { assertEquals } from "../../tests/_assert.ts";

/** A details query with one conversation at 10:00 on every day; it counts its requests. */
function oneADay(): ApiClient & { paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    request: (_method: string, path: string, options?: RequestOptions) => {
      paths.push(path);
      const body = options?.body as { interval: string; paging: { pageNumber: number } };
      const day = body.interval.slice(0, 10);
      const conversation = { conversationId: `c-${day}`, conversationStart: `${day}T10:00:00Z` };
      return Promise.resolve(
        body.paging.pageNumber === 1
          ? { totalHits: 1, conversations: [conversation] }
          : { totalHits: 1 },
      );
    },
  } as unknown as ApiClient & { paths: string[] };
}

Deno.test("syncDays via 'query' takes the details query's own fields (aggregations) for final and provisional days", async () => {
  const client = oneADay();
  const output = new MemorySyncOutput();
  const result = await syncDays({
    client,
    store: new MemoryCheckpointStore(),
    output,
    since: "2026-01-01",
    via: "query",
    provisional: true,
    query: {
      aggregations: [{ type: "termFrequency", dimension: "mediaType" }],
    } as Omit<ConversationDetailsQuery, "interval" | "paging">,
    clock: { now: () => Date.parse("2026-01-05T12:00:00Z") },
  });
  assertEquals(result.status, "complete");
  assertEquals(Object.keys(result.manifest.days), ["2026-01-01", "2026-01-02"]);
  assertEquals(Object.keys(result.manifest.provisional), [
    "2026-01-03",
    "2026-01-04",
    "2026-01-05",
  ]);
  assertEquals(
    [...new Set(client.paths)],
    ["/api/v2/analytics/conversations/details/query"],
  );
});

Deno.test("syncDays writes the days of the plan it is given, though midnight UTC has passed since", async () => {
  const range = { since: "2026-01-01", settle: 0 };
  const plan = planSyncDays({ ...range, clock: { now: () => Date.parse("2026-01-03T23:59:00Z") } });
  assertEquals(plan.final, ["2026-01-01", "2026-01-02"]);
  const result = await syncDays({
    ...range,
    plan,
    client: oneADay(),
    store: new MemoryCheckpointStore(),
    output: new MemorySyncOutput(),
    via: "query",
    clock: { now: () => Date.parse("2026-01-04T00:01:00Z") },
  });
  assertEquals(result.status, "complete");
  assertEquals(Object.keys(result.manifest.days), ["2026-01-01", "2026-01-02"]);
});
