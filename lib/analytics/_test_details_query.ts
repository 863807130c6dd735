/**
 * Fixtures of the details query tests: a fake details query endpoint over a fixed list of
 * conversations, and the helpers that build and read those conversations. Test-only: not published.
 * @module
 */
import { type Call, FakeClient } from "../../tests/_fake_client.ts";
import { DAY_MS, formatInstant, parseInterval } from "./interval.ts";

/** A client that records calls and also lists the intervals and pages they asked for. */
export class QueryClient extends FakeClient {
  /** The intervals and page numbers asked for, in order. */
  get asked(): string[] {
    return this.calls.map((c) => {
      const body = c.options.body as { interval: string; paging: { pageNumber: number } };
      return `${body.interval}#${body.paging.pageNumber}`;
    });
  }
}

/** A conversation as the fake endpoint stores it: id, start and (when ended) end. */
export interface Conv {
  conversationId: string;
  conversationStart: string;
  conversationEnd?: string;
}

/** Milliseconds since the epoch of an ISO-8601 instant. */
export const at = (iso: string): number => Date.parse(iso);
/** A conversation `id` that starts at `t` and, given `lastsMs`, ends that much later. */
export const conv = (id: string, t: number, lastsMs?: number): Conv => ({
  conversationId: id,
  conversationStart: formatInstant(t),
  ...(lastsMs !== undefined ? { conversationEnd: formatInstant(t + lastsMs) } : {}),
});

const dayOf = (t: number): number => Math.floor(t / DAY_MS);

/** How a {@link details} endpoint selects, and how it pages. */
interface DetailsFake {
  /**
   * `starts` (default): conversationStart in [start, end), or in [start, end] with
   * `inclusiveEnd`. `real`: as the API documents: the start is on a UTC day the interval touches
   * and the lifetime (to `conversationEnd`, or on and on while live) overlaps the interval.
   */
  semantics?: "starts" | "real";
  inclusiveEnd?: boolean;
  /** totalHits is the real count times this (approximate, as documented). Default 1. */
  hitsFactor?: number;
  /** After every this many records the index holds a record the server filters out of the page. */
  ghostsEvery?: number;
}

/** A details query endpoint over a fixed list, sorted by conversationStart. */
export function details(convs: Conv[], opts: DetailsFake = {}): (call: Call) => unknown {
  return ({ options }) => {
    const body = options.body as {
      interval: string;
      order?: string;
      paging: { pageSize: number; pageNumber: number };
    };
    const { start, end } = parseInterval(body.interval);
    const hits = convs.filter((c) => {
      const t = at(c.conversationStart);
      if (opts.semantics !== "real") return t >= start && (opts.inclusiveEnd ? t <= end : t < end);
      const ends = c.conversationEnd ? at(c.conversationEnd) : Infinity;
      return dayOf(t) >= dayOf(start) && dayOf(t) <= dayOf(end - 1) && t < end && ends > start;
    }).sort((a, b) =>
      (at(a.conversationStart) - at(b.conversationStart)) * (body.order === "desc" ? -1 : 1)
    );
    const index: (Conv | null)[] = [];
    hits.forEach((c, i) => {
      index.push(c);
      if (opts.ghostsEvery && (i + 1) % opts.ghostsEvery === 0) index.push(null);
    });
    const { pageSize, pageNumber } = body.paging;
    const page = index.slice((pageNumber - 1) * pageSize, pageNumber * pageSize)
      .filter((c): c is Conv => c !== null);
    const totalHits = Math.round(index.length * (opts.hitsFactor ?? 1));
    return page.length ? { conversations: page, totalHits } : { totalHits };
  };
}

/** `count` conversations spread evenly from `from`, every `stepMs`. */
export function spread(from: string, count: number, stepMs: number): Conv[] {
  return Array.from({ length: count }, (_, i) => conv(`c${i}`, at(from) + i * stepMs));
}

/** The conversation ids of `pages`, in order. */
export const ids = (
  pages: { conversations: Conv[] | { conversationId: string }[] }[],
): string[] => pages.flatMap((p) => p.conversations.map((c) => c.conversationId));

/** One hour in milliseconds. */
export const H = 3_600_000;

/**
 * Conversations around 2026-01-01..03 with long calls (hours), calls crossing midnight, calls
 * still live (no conversationEnd), and calls that started before the interval but overlap it.
 */
export function longCalls(): Conv[] {
  const out: Conv[] = [];
  let k = 0;
  for (let t = at("2025-12-31T20:00:00Z"); t < at("2026-01-03T06:00:00Z"); t += 37 * 60_000) {
    const kind = k % 5;
    // 3-hour calls, 7-hour calls, live calls (started in the last day), 20-minute and 4-minute calls
    const live = kind === 3 && t > at("2026-01-02T12:00:00Z");
    const lasts = kind === 1 ? 3 * H : kind === 2 ? 7 * H : kind === 4 ? 20 * 60_000 : 4 * 60_000;
    out.push(conv(`k${k++}`, t, live ? undefined : lasts));
  }
  return out;
}

/** The ids in `data` whose conversation started in `interval` (start inclusive, end exclusive). */
export const startedIn = (data: Conv[], interval: string): string[] => {
  const { start, end } = parseInterval(interval);
  return data.filter((c) => at(c.conversationStart) >= start && at(c.conversationStart) < end)
    .map((c) => c.conversationId);
};
