/**
 * A hostile proxy in front of the simulator, for the secrets suite: it hands the client tokens
 * that hold URL-special characters (the simulator's token plus `+x/y=`, so that URL-encoding,
 * JSON-escaping and base64 each change them), records every one (so a test knows the exact
 * strings to look for) and, on request, answers with error bodies that echo the caller's
 * credentials back — the bearer token in a 500 or a 401 loop, JSON-escaped, URL-encoded or in
 * base64, after a long message, in a `nextUri`; the Basic header (and the secret it decodes to)
 * from the token endpoint — as a careless server or gateway might. The client must keep all of
 * it out of its messages, logs and files.
 *
 * @module
 */
import type { Simulator } from "../../testing.ts";

/** What the proxy does to the traffic; counters say how often each echo fired. */
export interface ProxyPlan {
  /** Every n-th API request is answered 500 with a body echoing the bearer token. */
  echo500EveryNth?: number;
  /** Every API request is answered 401 with a body echoing the bearer token (a 401 loop). */
  echo401Always?: boolean;
  /** The first n token requests are answered 503 with a body echoing the Basic header. */
  tokenEcho503?: number;
  /** Every token request is answered 401 `invalid_client` echoing the header and the secret. */
  tokenEcho401?: boolean;
  /**
   * Every n-th API request is answered 500 with the token in its message JSON-escaped (`\\uXXXX`
   * for every character), URL-encoded and in base64.
   */
  echoEncodedEveryNth?: number;
  /**
   * Every API request is answered 400 with the token after 470 characters of message (a cut at
   * 500 characters keeps its first 26).
   */
  echoLong400?: boolean;
  /**
   * Listing pages carry the token in their `nextUri` (`cursor=<token>`, taken off again before
   * the request reaches the simulator): `same` keeps the listing's path, `foreign` points it at
   * another API path (which the client refuses, quoting the nextUri).
   */
  tokenInNextUri?: "same" | "foreign";
}

/** Every character of `text` as a JSON `\\uXXXX` escape. */
function jsonEscapeAll(text: string): string {
  return [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
}

/** The running proxy. */
export interface EchoProxy extends AsyncDisposable {
  /** Its base URL: pass it as the region. */
  readonly url: string;
  /** What it does now; setting it restarts the request counts the plan uses. */
  plan: ProxyPlan;
  /** Tokens the simulator issued through it, in order. */
  readonly tokens: string[];
  /** How often each echo fired, by plan key. */
  readonly fired: Record<string, number>;
  /** Stops it. */
  close(): Promise<void>;
}

function errorBody(status: number, code: string, message: string): Response {
  return Response.json({
    message,
    code,
    status,
    contextId: "echo-proxy",
    details: [{ errorCode: code, fieldName: message }],
    errors: [],
  }, { status });
}

/**
 * Starts the proxy on 127.0.0.1 (any free port) in front of `sim`.
 *
 * @param sim The simulator to forward to.
 * @returns The proxy.
 */
export function startEchoProxy(sim: Simulator): EchoProxy {
  const tokens: string[] = [];
  const fired: Record<string, number> = {};
  let apiRequests = 0;
  let tokenRequests = 0;
  const fire = (key: string) => fired[key] = (fired[key] ?? 0) + 1;
  let current: ProxyPlan = {};
  // What the client holds (the simulator's token plus URL-special characters) → the real one.
  const wrapped = new Map<string, string>();
  const proxy: EchoProxy = {
    url: "",
    get plan(): ProxyPlan {
      return current;
    },
    set plan(plan: ProxyPlan) {
      current = plan;
      apiRequests = 0;
      tokenRequests = 0;
    },
    tokens,
    fired,
    close: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => proxy.close(),
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const auth = req.headers.get("authorization") ?? "";
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.text();
    const plan = proxy.plan;
    if (url.pathname === "/oauth/token") {
      tokenRequests++;
      if (plan.tokenEcho401) {
        fire("tokenEcho401");
        const raw = auth.replace(/^Basic\s+/i, "");
        let decoded = "";
        try {
          decoded = atob(raw);
        } catch {
          decoded = "";
        }
        return Response.json({
          error: "invalid_client",
          description: `client authentication failed for ${decoded} (header ${raw})`,
          error_description: `Authorization: ${auth} was refused; value ${raw}`,
        }, { status: 401 });
      }
      if (plan.tokenEcho503 && tokenRequests <= plan.tokenEcho503) {
        fire("tokenEcho503");
        return errorBody(
          503,
          "service.unavailable",
          `Token service down; request had Authorization: ${auth} and value ${
            auth.replace(/^Basic\s+/i, "")
          }`,
        );
      }
    } else {
      apiRequests++;
      const bearer = auth.replace(/^Bearer\s+/i, "");
      if (plan.echoEncodedEveryNth && apiRequests % plan.echoEncodedEveryNth === 0) {
        fire("echoEncodedEveryNth");
        const message = `Token rejected: escaped ${jsonEscapeAll(bearer)}, encoded ${
          encodeURIComponent(bearer)
        }, base64 ${btoa(bearer)}`;
        return new Response(
          `{"message":"${message}","code":"internal.server.error","status":500}`,
          { status: 500, headers: { "content-type": "application/json" } },
        );
      }
      if (plan.echoLong400) {
        fire("echoLong400");
        return errorBody(400, "bad.request", `${"x".repeat(470)} token ${bearer} was refused`);
      }
      if (plan.echo401Always) {
        fire("echo401Always");
        return errorBody(401, "bad.credentials", `Token ${bearer} is not valid (${auth})`);
      }
      if (plan.echo500EveryNth && apiRequests % plan.echo500EveryNth === 0) {
        fire("echo500EveryNth");
        return errorBody(
          500,
          "internal.server.error",
          `Unexpected failure for Authorization: ${auth}; token ${bearer}`,
        );
      }
    }
    const headers = new Headers(req.headers);
    headers.delete("host");
    const held = auth.replace(/^Bearer\s+/i, "");
    if (wrapped.has(held)) headers.set("authorization", `Bearer ${wrapped.get(held)}`);
    url.searchParams.delete("cursor");
    const res = await fetch(`${sim.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body,
    });
    let text = await res.text();
    if (url.pathname === "/oauth/token" && res.ok) {
      const grant = JSON.parse(text);
      if (typeof grant.access_token === "string") {
        const token = `${grant.access_token}+x/y=`;
        wrapped.set(token, grant.access_token);
        tokens.push(token);
        text = JSON.stringify({ ...grant, access_token: token });
      }
    } else if (plan.tokenInNextUri && res.ok && url.pathname !== "/oauth/token") {
      const page = JSON.parse(text);
      if (typeof page.nextUri === "string") {
        fire("tokenInNextUri");
        const next = new URL(page.nextUri, "http://relative.invalid");
        next.searchParams.set("cursor", held);
        page.nextUri = plan.tokenInNextUri === "same"
          ? `${next.pathname}${next.search}`
          : `/api/v2/elsewhere${next.search}`;
        text = JSON.stringify(page);
      }
    }
    const out = new Headers(res.headers);
    out.delete("content-length");
    out.delete("content-encoding");
    return new Response(text, { status: res.status, headers: out });
  });
  Object.assign(proxy, {
    url: `http://127.0.0.1:${server.addr.port}`,
    close: () => server.shutdown(),
  });
  return proxy;
}
