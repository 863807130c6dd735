/**
 * A proxy in front of the simulator that adds the wrap-up codes listing
 * (`GET /api/v2/routing/wrapupcodes`, page-number paging like the users and queues listings) for
 * the `--resolve-names` tests, while the simulator itself has no such route. Every other request
 * goes to the simulator unchanged. The codes are the ones the simulator's records carry (read
 * through the details query), so the test does not depend on how the simulator makes them.
 *
 * @module
 */
import { conversationDetails, GenesysClient } from "../mod.ts";
import type { Simulator } from "../testing.ts";

/** The running proxy. */
export interface NamesProxy extends AsyncDisposable {
  /** Its base URL: pass it as the region. */
  readonly url: string;
  /** Wrap-up code id → name, as listed. */
  readonly codes: Readonly<Record<string, string>>;
  /** Requests to the wrap-up codes listing so far. */
  readonly wrapUpRequests: number;
  /** Answer the listing with this status from now on (403 for a missing permission). */
  failWith?: number;
  /** Stops it. */
  close(): Promise<void>;
}

/**
 * The wrap-up codes the simulator's records carry in `interval`, named `Wrap-up <n>` (every third
 * name has a comma, a quote or a leading `=`, for the CSV rules).
 *
 * @param sim The simulator.
 * @param interval The interval the records come from.
 * @returns Id → name, ids in the order first met.
 */
export async function wrapUpCodesOf(
  sim: Simulator,
  interval: string,
): Promise<Record<string, string>> {
  const client = new GenesysClient({
    region: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
  });
  const ids = new Set<string>();
  for await (const c of conversationDetails(client, { interval })) {
    const record = c as {
      participants?: { sessions?: { segments?: { wrapUpCode?: string }[] }[] }[];
    };
    for (const p of record.participants ?? []) {
      for (const s of p.sessions ?? []) {
        for (const segment of s.segments ?? []) {
          if (segment.wrapUpCode) ids.add(segment.wrapUpCode);
        }
      }
    }
  }
  const odd = [`, closed`, ` "won"`, ``];
  return Object.fromEntries(
    [...ids].map((id, i) => [id, `${i % 3 === 2 ? "=" : ""}Wrap-up ${i + 1}${odd[i % 3]}`]),
  );
}

/**
 * Starts the proxy on 127.0.0.1 (any free port).
 *
 * @param sim The simulator behind it.
 * @param codes The wrap-up codes to list.
 * @returns The proxy.
 */
export function startNamesProxy(sim: Simulator, codes: Record<string, string>): NamesProxy {
  let wrapUpRequests = 0;
  const entities = Object.entries(codes).map(([id, name]) => ({ id, name }));
  const state: { failWith?: number } = {};
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method === "GET" && url.pathname === "/api/v2/routing/wrapupcodes") {
      wrapUpRequests++;
      if (!req.headers.get("authorization")?.startsWith("Bearer ")) {
        return Response.json({ status: 401, code: "authentication.required" }, { status: 401 });
      }
      if (state.failWith) {
        return Response.json({
          message: "You are missing the following permission: routing:wrapupCode:view",
          code: "missing.permissions",
          status: state.failWith,
        }, { status: state.failWith });
      }
      const pageSize = Number(url.searchParams.get("pageSize") ?? 25);
      const pageNumber = Number(url.searchParams.get("pageNumber") ?? 1);
      const pageCount = Math.ceil(entities.length / pageSize);
      const uri = (n: number) => `/api/v2/routing/wrapupcodes?pageSize=${pageSize}&pageNumber=${n}`;
      return Response.json({
        entities: entities.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
        pageSize,
        pageNumber,
        total: entities.length,
        pageCount,
        ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
      });
    }
    const headers = new Headers(req.headers);
    headers.delete("host");
    const answer = await fetch(`${sim.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: req.body ? await req.arrayBuffer() : undefined,
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  });
  const close = async () => {
    await server.shutdown();
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    codes,
    get wrapUpRequests() {
      return wrapUpRequests;
    },
    get failWith() {
      return state.failWith;
    },
    set failWith(status: number | undefined) {
      state.failWith = status;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
