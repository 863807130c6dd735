import { assert, assertEquals, assertRejects, assertThrows } from "../../tests/_assert.ts";
import { items, paginateItems } from "./items.ts";
import { listingSource } from "./listing_source.ts";
import { MAX_EMPTY_PAGES, paginate } from "./paginate.ts";
import { paginateCursor } from "./paginate_cursor.ts";
import type { JsonValue } from "../types.ts";
import { CheckpointError, GenesysError, UsageError } from "../errors.ts";
import { type Call, FakeClient } from "../../tests/_fake_client.ts";

/** A request that never answers until its signal aborts. */
function hang(call: Call): Promise<never> {
  return new Promise((_, reject) => {
    const signal = call.options.signal!;
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

const param = (path: string, name: string) =>
  new URL(path, "http://x").searchParams.get(name) ?? undefined;

/** A page-number listing of `count` users, with Genesys-style `nextUri`. */
function users(count: number, extra: (page: number) => Record<string, unknown> = () => ({})) {
  return ({ path }: Call) => {
    const size = Number(param(path, "pageSize"));
    const n = Number(param(path, "pageNumber"));
    const pageCount = Math.ceil(count / size);
    const entities = [];
    for (let i = (n - 1) * size; i < Math.min(n * size, count); i++) entities.push({ id: `u${i}` });
    return {
      entities,
      pageSize: size,
      pageNumber: n,
      total: count,
      pageCount,
      ...(n < pageCount ? { nextUri: `/api/v2/users?pageSize=${size}&pageNumber=${n + 1}` } : {}),
      ...extra(n),
    };
  };
}

const ids = (list: { id: string }[]) => list.map((u) => u.id);
const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `u${from + i}`);

Deno.test("paginate follows nextUri until the last page and sends pageSize, pageNumber and query", async () => {
  const client = new FakeClient(users(7));
  const seen: string[] = [];
  for await (
    const page of paginate<{ id: string }>(client, "/api/v2/users", {
      pageSize: 3,
      query: { state: "active", expand: undefined },
    })
  ) {
    seen.push(...ids(page.entities));
    assertEquals(page.total, 7);
  }
  assertEquals(seen, range(0, 7));
  // The fake's nextUri lacks `state`: it is carried onto the next pages (see standin_sources_test).
  assertEquals(client.calls.map((c) => c.path), [
    "/api/v2/users?state=active&pageSize=3&pageNumber=1",
    "/api/v2/users?state=active&pageSize=3&pageNumber=2",
    "/api/v2/users?state=active&pageSize=3&pageNumber=3",
  ]);
  assertEquals(client.calls.every((c) => c.method === "GET"), true);
});

Deno.test("paginate stops on a page without nextUri even when pageCount says more", async () => {
  const client = new FakeClient(users(10, () => ({ nextUri: undefined, pageCount: 5 })));
  const pages = await Array.fromAsync(paginate(client, "/api/v2/users", { pageSize: 2 }));
  assertEquals(pages.length, 1);
  assertEquals(pages[0].nextPageNumber, undefined);
  assertEquals(client.calls.length, 1);
});

Deno.test("paginate follows nextUri past a pageCount that is too low", async () => {
  const client = new FakeClient(
    users(10, (n) => ({
      nextUri: n < 5 ? `/api/v2/users?pageSize=2&pageNumber=${n + 1}` : undefined,
      pageCount: 2,
    })),
  );
  const pages = await Array.fromAsync(paginate(client, "/api/v2/users", { pageSize: 2 }));
  assertEquals(pages.map((p) => p.pageNumber), [1, 2, 3, 4, 5]);
  assertEquals(pages.flatMap((p) => ids(p.entities as { id: string }[])), range(0, 10));
  assertEquals(client.calls.length, 5);
});

Deno.test("paginate goes on after an empty page with a nextUri, yields it, and ends without one", async () => {
  // Page 2 is empty (filtered server-side, say) but the listing goes on.
  const client = new FakeClient(({ path }: Call) => {
    const n = Number(param(path, "pageNumber"));
    const entities = n === 2 ? [] : [{ id: `u${n}` }];
    return {
      entities,
      pageNumber: n,
      pageCount: 1,
      ...(n < 4 ? { nextUri: `/api/v2/users?pageSize=1&pageNumber=${n + 1}` } : {}),
    };
  });
  const pages = await Array.fromAsync(paginate(client, "/api/v2/users", { pageSize: 1 }));
  assertEquals(pages.map((p) => p.entities.length), [1, 0, 1, 1]);
  assertEquals(pages.map((p) => p.nextPageNumber), [2, 3, 4, undefined]);
  const none = new FakeClient(() => ({ total: 0 }));
  const only = await Array.fromAsync(paginate(none, "/api/v2/users"));
  assertEquals(only.map((p) => [p.entities, p.total]), [[[], 0]]);
});

Deno.test("paginate fails after MAX_EMPTY_PAGES empty pages in a row, each with a nextUri", async () => {
  const client = new FakeClient(({ path }: Call) => {
    const n = Number(param(path, "pageNumber"));
    return { entities: [], nextUri: `/api/v2/users?pageSize=2&pageNumber=${n + 1}` };
  });
  await assertRejects(
    () => Array.fromAsync(paginate(client, "/api/v2/users", { pageSize: 2 })),
    GenesysError,
    `${MAX_EMPTY_PAGES} empty pages in a row`,
  );
  assertEquals(client.calls.length, MAX_EMPTY_PAGES);
});

Deno.test("paginate refuses entities that are not objects", async () => {
  for (const entities of [["u1"], [{ id: "u1" }, null], [[1]], { id: "u1" }, "users"]) {
    const client = new FakeClient(() => ({ entities }));
    await assertRejects(
      () => Array.fromAsync(paginate(client, "/api/v2/users")),
      GenesysError,
      "entities that are not records",
    );
  }
});

Deno.test("paginate fails clearly when a nextUri repeats", async () => {
  const client = new FakeClient(
    users(10, () => ({ nextUri: "/api/v2/users?pageSize=2&pageNumber=2" })),
  );
  const error = await assertRejects(
    () => Array.fromAsync(paginate(client, "/api/v2/users", { pageSize: 2 })),
    GenesysError,
    "repeated nextUri '/api/v2/users?pageSize=2&pageNumber=2'",
  );
  assert.match(error.message, /followNextUri: false/);
  assertEquals(client.calls.length, 2);
});

Deno.test("paginate refuses a nextUri that leaves the listing's path family", async () => {
  const cases = [
    ["/api/v2/groups?pageNumber=2", "leaves '/api/v2/users'"],
    ["/login?x=1", "leaves '/api/v2/users'"],
    ["//evil.example/api/v2/users", "not a relative URI"],
    ["javascript:alert(1)", "not a relative URI"],
  ];
  for (const [nextUri, message] of cases) {
    const client = new FakeClient(users(10, () => ({ nextUri })));
    await assertRejects(
      () => Array.fromAsync(paginate(client, "/api/v2/users", { pageSize: 2 })),
      GenesysError,
      message,
    );
    assertEquals(client.calls.length, 1);
  }
});

Deno.test("paginate takes only the path of an absolute nextUri on the same family", async () => {
  const client = new FakeClient(
    users(4, (n) => ({
      nextUri: n < 2 ? `https://api.example.com/api/v2/users?pageSize=2&pageNumber=${n + 1}` : null,
    })),
  );
  const pages = await Array.fromAsync(paginate(client, "/api/v2/users", { pageSize: 2 }));
  assertEquals(pages.length, 2);
  assertEquals(client.calls[1].path, "/api/v2/users?pageSize=2&pageNumber=2");
});

Deno.test("paginate with followNextUri false pages by number until pageCount", async () => {
  const client = new FakeClient(users(5, () => ({ nextUri: "/somewhere/else" })));
  const pages = await Array.fromAsync(
    paginate(client, "/api/v2/users", { pageSize: 2, followNextUri: false, query: { a: 1 } }),
  );
  assertEquals(pages.flatMap((p) => ids(p.entities as { id: string }[])), range(0, 5));
  assertEquals(client.calls.map((c) => c.path), [
    "/api/v2/users?a=1&pageSize=2&pageNumber=1",
    "/api/v2/users?a=1&pageSize=2&pageNumber=2",
    "/api/v2/users?a=1&pageSize=2&pageNumber=3",
  ]);
});

Deno.test("paginate starts at pageNumber and reports the next page number", async () => {
  const client = new FakeClient(users(9));
  const pages = await Array.fromAsync(
    paginate(client, "/api/v2/users", { pageSize: 3, pageNumber: 2 }),
  );
  assertEquals(pages.map((p) => [p.pageNumber, p.nextPageNumber]), [[2, 3], [3, undefined]]);
});

Deno.test("paginate prefetches the next page and aborts it when the loop ends early", async () => {
  let release: (() => void) | undefined;
  const client = new FakeClient((call) => {
    if (param(call.path, "pageNumber") === "1") return users(10)(call);
    return hang(call);
  });
  for await (const page of paginate(client, "/api/v2/users", { pageSize: 2 })) {
    assertEquals(page.pageNumber, 1);
    // the second page is already in flight
    assertEquals(client.calls.length, 2);
    release = () => {};
    break;
  }
  assert.ok(release);
  assertEquals(client.calls.length, 2);
  const signal = client.calls[1].options.signal!;
  assertEquals(signal.aborted, true);
  assertEquals((signal.reason as DOMException).name, "AbortError");
});

Deno.test("paginate without prefetch sends no request beyond the pages consumed", async () => {
  const client = new FakeClient(users(10));
  for await (const _ of paginate(client, "/api/v2/users", { pageSize: 2, prefetch: false })) break;
  assertEquals(client.calls.length, 1);
  assertEquals(client.calls[0].options.signal!.aborted, false);
});

Deno.test("paginate rejects when the caller's signal aborts a request in flight", async () => {
  const controller = new AbortController();
  const client = new FakeClient((call) => {
    if (param(call.path, "pageNumber") === "1") return users(10)(call);
    return hang(call);
  });
  const seen: number[] = [];
  await assertRejects(async () => {
    for await (
      const page of paginate(client, "/api/v2/users", { pageSize: 2, signal: controller.signal })
    ) {
      seen.push(page.pageNumber);
      controller.abort(new DOMException("stop", "AbortError"));
    }
  }, DOMException);
  assertEquals(seen, [1]);
});

Deno.test("paginate passes deadline and timeoutMs to every request and checks its options", async () => {
  const client = new FakeClient(users(3));
  await Array.fromAsync(
    paginate(client, "/api/v2/users", { pageSize: 2, deadline: 123, timeoutMs: 456 }),
  );
  for (const call of client.calls) {
    assertEquals([call.options.deadline, call.options.timeoutMs], [123, 456]);
  }
  for (const options of [{ pageSize: 0 }, { pageNumber: 1.5 }, { maxPages: -1 }]) {
    await assertRejects(() => Array.fromAsync(paginate(client, "/x", options)), UsageError);
  }
});

Deno.test("paginate stops with an error past maxPages", async () => {
  const client = new FakeClient(users(10));
  await assertRejects(
    () => Array.fromAsync(paginate(client, "/api/v2/users", { pageSize: 2, maxPages: 3 })),
    GenesysError,
    "more than 3 pages",
  );
  assertEquals(client.calls.length, 3);
});

/** A cursor listing of `count` numbers, `size` per page, cursors `c<offset>`. */
function cursorListing(count: number, size: number, style: "cursor" | "after" = "cursor") {
  return ({ options }: Call) => {
    const q = options.query ?? {};
    const b = (options.body ?? {}) as Record<string, unknown>;
    const raw = q.cursor ?? q.after ?? b.cursor;
    const offset = raw === undefined ? 0 : Number(String(raw).slice(1));
    const results = Array.from(
      { length: Math.max(0, Math.min(size, count - offset)) },
      (_, i) => offset + i,
    );
    const next = offset + size < count ? `c${offset + size}` : undefined;
    return style === "cursor" ? { results, cursor: next } : { results, cursors: { after: next } };
  };
}

Deno.test("paginateCursor follows cursors until none is given", async () => {
  const client = new FakeClient(cursorListing(7, 3));
  const pages = await Array.fromAsync(
    paginateCursor<number>(client, "/api/v2/users/query", {
      pageSize: 3,
      itemsKey: "results",
      query: { q: "x" },
    }),
  );
  assertEquals(pages.flatMap((p) => p.entities), [0, 1, 2, 3, 4, 5, 6]);
  assertEquals(pages.map((p) => [p.cursor, p.nextCursor]), [
    [undefined, "c3"],
    ["c3", "c6"],
    ["c6", undefined],
  ]);
  assertEquals(client.calls.map((c) => c.options.query), [
    { q: "x", pageSize: 3, cursor: undefined },
    { q: "x", pageSize: 3, cursor: "c3" },
    { q: "x", pageSize: 3, cursor: "c6" },
  ]);
});

Deno.test("paginateCursor reads cursors.after and sends it back as 'after'", async () => {
  const client = new FakeClient(cursorListing(5, 2, "after"));
  const all = await Array.fromAsync(
    items(paginateCursor<number>(client, "/api/v2/x", { itemsKey: "results" })),
  );
  assertEquals(all, [0, 1, 2, 3, 4]);
  assertEquals(client.calls.map((c) => c.options.query?.after), [undefined, "c2", "c4"]);
});

Deno.test("paginateCursor sends the cursor in a POST body, marked idempotent", async () => {
  const client = new FakeClient(cursorListing(4, 2));
  const all = await Array.fromAsync(
    items(
      paginateCursor<number>(client, "/api/v2/x/query", {
        method: "POST",
        body: { filter: "a" },
        pageSize: 2,
        itemsKey: "results",
      }),
    ),
  );
  assertEquals(all, [0, 1, 2, 3]);
  assertEquals(client.calls.map((c) => [c.method, c.options.body, c.options.idempotent]), [
    ["POST", { filter: "a", pageSize: 2 }, true],
    ["POST", { filter: "a", pageSize: 2, cursor: "c2" }, true],
  ]);
});

Deno.test("paginateCursor resumes from a given cursor", async () => {
  const client = new FakeClient(cursorListing(7, 3));
  const all = await Array.fromAsync(
    items(paginateCursor<number>(client, "/api/v2/x", { cursor: "c3", itemsKey: "results" })),
  );
  assertEquals(all, [3, 4, 5, 6]);
});

Deno.test("paginateCursor fails clearly when a cursor repeats", async () => {
  let n = 0;
  const client = new FakeClient(() => ({ entities: [n++], cursor: n < 3 ? `c${n}` : "c1" }));
  await assertRejects(
    () => Array.fromAsync(paginateCursor(client, "/api/v2/x")),
    GenesysError,
    "repeated cursor 'c1'",
  );
  assertEquals(client.calls.length, 3);
});

Deno.test("paginateCursor aborts its prefetched request when the loop ends early", async () => {
  const client = new FakeClient((call) =>
    call.options.query?.cursor === undefined ? { entities: [1], cursor: "next" } : hang(call)
  );
  for await (const _ of paginateCursor(client, "/api/v2/x")) break;
  assertEquals(client.calls.length, 2);
  assertEquals(client.calls[1].options.signal!.aborted, true);
});

Deno.test("paginateCursor with prefetch: false asks only for the pages consumed", async () => {
  const client = new FakeClient(cursorListing(9, 3));
  for await (
    const page of paginateCursor<number>(client, "/x", { itemsKey: "results", prefetch: false })
  ) {
    assertEquals(client.calls.length, page.cursor === undefined ? 1 : 2);
    if (page.cursor === "c3") break;
  }
  assertEquals(client.calls.length, 2);
});

Deno.test("paginateCursor ends with the caller's abort reason and aborts the request in flight", async () => {
  const controller = new AbortController();
  const client = new FakeClient((call) =>
    call.options.query?.cursor === undefined ? { entities: [1], cursor: "next" } : hang(call)
  );
  const reason = new Error("stopped by the caller");
  const pages = paginateCursor(client, "/api/v2/x", { signal: controller.signal });
  await pages.next();
  const second = pages.next();
  controller.abort(reason);
  await assertRejects(() => second, Error, "stopped by the caller");
  assertEquals(client.calls[1].options.signal!.aborted, true);
});

Deno.test("items and paginateItems flatten pages of entities and of records", async () => {
  const client = new FakeClient(users(5));
  const all = await Array.fromAsync(paginateItems<{ id: string }>(client, "/api/v2/users"));
  assertEquals(ids(all), range(0, 5));
  async function* records() {
    yield { records: [1, 2] };
    yield { records: [] as number[] };
    yield { records: [3] };
  }
  assertEquals(await Array.fromAsync(items(records())), [1, 2, 3]);
});

Deno.test("listingSource positions name the next page and resume gives the same remaining entities", async () => {
  const client = new FakeClient(users(11));
  const source = listingSource<{ id: string }>(client, "/api/v2/users", {
    pageSize: 3,
    query: { state: "active" },
  });
  assertEquals(source.recordType, "user");
  assertEquals(source.description, {
    endpoint: "GET /api/v2/users",
    pageSize: 3,
    query: { state: "active" },
  });
  const pages = await Array.fromAsync(source.pages());
  assertEquals(pages.map((p) => p.position), [
    { pageNumber: 2 },
    { pageNumber: 3 },
    { pageNumber: 4 },
    { pageNumber: 5, done: true },
  ]);
  assertEquals(pages.map((p) => p.total), [11, 11, 11, 11]);
  const full = pages.flatMap((p) => ids(p.records));
  assertEquals(full, range(0, 11));
  for (let i = 0; i < pages.length; i++) {
    const before = client.calls.length;
    const rest = await Array.fromAsync(source.pages(pages[i].position));
    assertEquals(rest.flatMap((p) => ids(p.records)), full.slice((i + 1) * 3));
    if (i === pages.length - 1) assertEquals(client.calls.length, before);
  }
});

Deno.test("listingSource refuses a position of another kind with a CheckpointError", async () => {
  const client = new FakeClient(users(3));
  const source = listingSource(client, "/api/v2/routing/queues", { recordType: "queue" });
  assertEquals(source.recordType, "queue");
  for (
    const bad of [{ pageNumber: 0 }, { cursor: "x" }, [1], "page 2", { pageNumber: 2, done: 1 }]
  ) {
    await assertRejects(
      () => Array.fromAsync(source.pages(bad as JsonValue)),
      CheckpointError,
      "delete the checkpoint",
    );
  }
  assertEquals(client.calls.length, 0);
  assertThrows(() => listingSource(client, "/api/v2/users", { pageSize: 0 }), UsageError);
});
