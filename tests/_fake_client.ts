/**
 * An in-memory {@link ApiClient} for the source and paging tests: it records every call and
 * answers with a handler (or a subclass's {@link FakeClient.answer}).
 */
import type { ApiClient, ApiResponse, RequestOptions } from "../lib/types.ts";

/** One request the code under test made. */
export interface Call {
  /** The HTTP method. */
  method: string;
  /** The path. */
  path: string;
  /** Query, body and the rest. */
  options: RequestOptions;
}

/** Answers a call: the value is the response body; a throw or rejection is the failure. */
type Handler = (call: Call) => unknown;

/** An in-test ApiClient: records every call and answers with the handler. */
export class FakeClient implements ApiClient {
  /** Every call, in order. */
  calls: Call[] = [];

  /** @param handler What to answer (default: nothing). */
  constructor(private readonly handler: Handler = () => undefined) {}

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const call = { method, path, options };
    this.calls.push(call);
    return await this.answer(call) as T;
  }

  async requestWithResponse<T>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<ApiResponse<T>> {
    const data = await this.request<T>(method, path, options);
    return { status: 200, headers: new Headers(), data };
  }

  /** The answer to `call`; subclasses that play an API override it. */
  protected answer(call: Call): unknown {
    return this.handler(call);
  }
}
