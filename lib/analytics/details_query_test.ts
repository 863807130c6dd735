import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import { checkDetailsQuery, type ConversationDetailsQuery } from "./details_query.ts";
import { UsageError } from "../errors.ts";

Deno.test("checkDetailsQuery names the endpoint that misplaced fields belong to", () => {
  const interval = "2026-01-01/2026-01-02";
  const cases: [Record<string, unknown>, string][] = [
    [
      { interval, groupBy: ["queueId"] },
      "'groupBy' belongs to POST /api/v2/analytics/conversations/aggregates/query, not the details query",
    ],
    [
      { interval, metrics: ["nOffered"] },
      "'metrics' belongs to POST /api/v2/analytics/conversations/aggregates/query",
    ],
    [{ interval, granularity: "PT30M" }, "'granularity' belongs to"],
    [{ interval, views: [] }, "'views' belongs to"],
    [{ interval, filter: {} }, "use 'conversationFilters' or 'segmentFilters'"],
    [
      { interval, types: ["voice"] },
      "'types' is not a field of POST /api/v2/analytics/conversations/details/query",
    ],
    [{ interval, entity: "x" }, "'entity' is not a field of"],
    [
      { interval, limit: 5 },
      "'limit' belongs to POST /api/v2/analytics/conversations/details/jobs",
    ],
    [{}, "needs an 'interval'"],
    [{ interval: "2026-01-02/2026-01-01" }, "reversed"],
    [{ interval: "2026-01-01" }, "is not 'start/end'"],
    [{ interval, order: "up" }, "'order' is 'up'"],
    [{ interval, orderBy: "queueId" }, "'orderBy' is 'queueId'"],
    [{ interval, segmentFilters: {} }, "'segmentFilters' must be an array"],
    [{ interval, paging: { pageSize: 500 } }, "'paging.pageSize' is '500'"],
    [{ interval, paging: { size: 5 } }, "'paging.size' is not a field"],
  ];
  for (const [body, message] of cases) {
    const error = assertThrows(
      () => checkDetailsQuery(body as unknown as ConversationDetailsQuery, "query"),
      UsageError,
      message,
    );
    assertEquals(/\n|\.$/.test(error.message), false, error.message);
  }
  assertThrows(
    () => checkDetailsQuery({ interval, paging: { pageSize: 5 } }, "jobs"),
    UsageError,
    "'paging' belongs to POST /api/v2/analytics/conversations/details/query, not a details job",
  );
  assertThrows(
    () => checkDetailsQuery({ interval, aggregations: [] }, "jobs"),
    UsageError,
    "'aggregations' belongs to",
  );
  assertThrows(
    () =>
      checkDetailsQuery({ interval, groupBy: [] } as unknown as ConversationDetailsQuery, "jobs"),
    UsageError,
    "not a details job",
  );
  const ok = checkDetailsQuery({ interval, startOfDayIntervalMatching: true, limit: 10 }, "jobs");
  assertEquals(ok.body, { limit: 10, startOfDayIntervalMatching: true });
});
