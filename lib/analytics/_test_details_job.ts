/**
 * Fixtures of the details job tests: a fake jobs API (submit, poll, results by cursor, cancel,
 * expiry), a fake clock and the option and result helpers. Test-only: not published.
 * @module
 */
import {
  type ConversationDetailsJobOptions,
  type ConversationDetailsJobPage,
  conversationDetailsJobPages,
} from "./details_job.ts";
import { ApiError } from "../errors.ts";
import { type Call, FakeClient } from "../../tests/_fake_client.ts";

/** A job result: a conversation id, with its start where the test needs it. */
export interface Conv {
  conversationId: string;
  conversationStart?: string;
}

interface Job {
  states: string[];
  polls: number;
  results: Conv[];
  errorMessage?: string;
}

/** The jobs endpoint. */
export const JOBS = "/api/v2/analytics/conversations/details/jobs";

/** An in-test jobs API: jobs move through `states` one poll at a time, results by cursor. */
export class FakeJobs extends FakeClient {
  jobs = new Map<string, Job>();
  submitted = 0;
  availability = "2030-01-01T00:00:00Z";
  states = ["QUEUED", "PENDING", "FULFILLED"];
  resultsPageSize = 3;
  /** The results each new job gets. */
  data: Conv[];
  errorMessage?: string;

  constructor(count = 8) {
    super();
    this.data = Array.from({ length: count }, (_, i) => ({ conversationId: `c${i}` }));
  }

  protected override answer({ method, path, options }: Call): unknown {
    if (path === `${JOBS}/availability`) return { dataAvailabilityDate: this.availability };
    if (method === "POST" && path === JOBS) {
      const jobId = `job${++this.submitted}`;
      this.jobs.set(jobId, {
        states: [...this.states],
        polls: 0,
        results: [...this.data],
        errorMessage: this.errorMessage,
      });
      return { jobId };
    }
    const m = /^\/api\/v2\/analytics\/conversations\/details\/jobs\/([^/]+)(\/results)?$/.exec(
      path,
    );
    const job = m && this.jobs.get(m[1]);
    if (!m || !job) throw new ApiError({ status: 404, code: "not.found", method, path });
    if (method === "DELETE") {
      job.states = ["CANCELLED"];
      job.polls = 0;
      return undefined;
    }
    if (m[2]) {
      if (job.states.at(-1) === "EXPIRED") {
        throw new ApiError({ status: 404, code: "not.found", method, path });
      }
      const offset = options.query?.cursor === undefined
        ? 0
        : Number(String(options.query.cursor).slice(1));
      const size = Number(options.query?.pageSize ?? this.resultsPageSize);
      const conversations = job.results.slice(offset, offset + size);
      const next = offset + size < job.results.length ? `k${offset + size}` : undefined;
      return { conversations, cursor: next, dataAvailabilityDate: this.availability };
    }
    const state = job.states[Math.min(job.polls, job.states.length - 1)];
    job.polls++;
    return {
      state,
      expirationDate: "2026-02-01T00:00:00Z",
      ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
    };
  }

  /** Makes job `jobId` expired: polls say EXPIRED, its results answer 404. */
  expire(jobId: string): void {
    this.jobs.get(jobId)!.states = ["EXPIRED"];
  }

  /** How many `method` calls were made to a path ending in `suffix`. */
  count(method: string, suffix = ""): number {
    return this.calls.filter((c) => c.method === method && c.path.endsWith(suffix)).length;
  }
}

/** After the interval the tests read: everything in it has happened. */
export const START = Date.parse("2026-02-01T00:00:00Z");

/** A fake clock whose sleep advances it, recording every wait. */
export interface FakeClock {
  /** Every wait asked of {@link FakeClock.sleep}, in milliseconds. */
  waits: number[];
  /** The clock's time. */
  now: () => number;
  /** Advances the clock by `ms` at once. */
  sleep: (ms: number) => Promise<void>;
}

/** A fake clock starting at `start`, whose sleep advances it, recording every wait. */
export function clock(start = START): FakeClock {
  let t = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: (ms: number) => {
      waits.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

/** The one-day query most tests run. */
export const QUERY = { interval: "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z" };
/** The conversation ids of `pages`, in order. */
export const ids = (pages: ConversationDetailsJobPage[]): string[] =>
  pages.flatMap((p) => p.conversations.map((c) => c.conversationId));
/** The ids `c<from>` up to, not including, `c<to>`. */
export const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `c${from + i}`);

/** Job options polling every 2 s on clock `c`, with `extra` on top. */
export function options(
  c = clock(),
  extra: ConversationDetailsJobOptions = {},
): ConversationDetailsJobOptions {
  return {
    pollInterval: "2s",
    ...extra,
    clock: { now: c.now, sleep: c.sleep, ...extra.clock },
  };
}

/** Every page of a run resumed from `resumeFrom`, on a fresh clock. */
export function resume(
  api: FakeJobs,
  resumeFrom: ConversationDetailsJobOptions["resumeFrom"],
  extra: ConversationDetailsJobOptions = {},
): Promise<ConversationDetailsJobPage[]> {
  return Array.fromAsync(
    conversationDetailsJobPages(api, QUERY, options(clock(), { resumeFrom, ...extra })),
  );
}

/** Milliseconds since the epoch of an ISO-8601 instant. */
export const at = (iso: string): number => Date.parse(iso);
/** A result `id` that started at `iso`. */
export const started = (id: string, iso: string): Conv => ({
  conversationId: id,
  conversationStart: iso,
});
