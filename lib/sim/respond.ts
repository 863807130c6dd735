/**
 * Turns a {@link Reply} into a `Response`: JSON serialization, headers, and body damage.
 *
 * @module
 */
import type { Reply } from "./reply.ts";
import type { BodyFault } from "./fault_options.ts";

/**
 * The error a `disconnect` body stream fails with; the server's `onError` ignores it.
 *
 * @example
 * ```ts
 * import { SimulatedDisconnect } from "./respond.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(new SimulatedDisconnect().name, "SimulatedDisconnect");
 * ```
 */
export class SimulatedDisconnect extends Error {
  /** Creates the error. */
  constructor() {
    super("Simulated connection reset mid-response");
    this.name = "SimulatedDisconnect";
  }
}

const encoder = new TextEncoder();

/**
 * Builds the response.
 *
 * @param reply Status, JSON body and extra headers.
 * @param headers Headers every response carries.
 * @param damage Body damage to apply, if any.
 * @returns The response.
 *
 * @example
 * ```ts
 * import { toResponse } from "./respond.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const res = toResponse({ status: 200, json: { a: 1 } }, { "ININ-Correlation-Id": "c" }, "cut");
 * strictEqual(await res.text(), '{"a');
 * ```
 */
export function toResponse(
  reply: Reply,
  headers: Record<string, string>,
  damage?: BodyFault["kind"],
): Response {
  const h = new Headers(headers);
  for (const [k, v] of Object.entries(reply.headers ?? {})) h.set(k, v);
  if (reply.json === undefined) return new Response(null, { status: reply.status, headers: h });
  h.set("Content-Type", "application/json");
  const text = JSON.stringify(reply.json);
  if (!damage) return new Response(text, { status: reply.status, headers: h });
  const bytes = encoder.encode(text);
  const half = bytes.subarray(0, Math.floor(bytes.length / 2));
  switch (damage) {
    case "cut":
      return new Response(half, { status: reply.status, headers: h });
    case "malformed":
      return new Response(`${text.slice(0, -1)},}`, { status: reply.status, headers: h });
    case "truncate": {
      h.set("Content-Length", String(bytes.length));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(half);
          controller.close();
        },
      });
      return new Response(body, { status: reply.status, headers: h });
    }
    case "disconnect": {
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) controller.error(new SimulatedDisconnect());
          else {
            sent = true;
            controller.enqueue(half);
          }
        },
      });
      return new Response(body, { status: reply.status, headers: h });
    }
  }
}
