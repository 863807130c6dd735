/**
 * The steps of a details query stream ({@link conversationDetailsPages}): where a run's walk starts
 * and resumes, the span each page is read for, the requests to fetch ahead, bisecting a span with
 * too many conversations, and turning one response into a page with the position after it.
 *
 * @module
 */
import { GenesysError } from "../errors.ts";
import { type Conversation, DETAILS_QUERY_PATH, ownedBy } from "./details_query.ts";
import {
  type ConversationDetailsPage,
  type DetailsSettings,
  type DetailsState,
  SPLIT_RATIO,
  writeDetailsState,
} from "./_details_state.ts";
import {
  formatDuration,
  formatInstant,
  formatInterval,
  type Interval,
  nextBoundary,
  previousBoundary,
} from "./interval.ts";
import { recordsOf } from "../paginate/_page_loop.ts";

/** One request of the details query: a span and a page number. */
export interface PageRequest {
  /** The span's text and the page number: the request's key in the lookahead. */
  key: string;
  /** The span the page is read for. */
  span: Interval;
  /** The page number within the span. */
  pageNumber: number;
}

/** What a details query response holds that the stream reads. */
export interface DetailsResponse {
  /** The page's conversations. */
  conversations?: unknown;
  /** The span's approximate count. */
  totalHits?: number;
}

/** What follows a finished span: the edge it ends at, the next span length, the next span. */
interface After {
  from: number;
  spanMs: number;
  span?: Interval;
}

/**
 * One run of a details query stream over its resume state: the state changes as pages are read,
 * and each page's position is written from it.
 */
export class DetailsWalk {
  /** This run's end: the interval's end, or now when that is earlier (to the second). */
  readonly #runEnd: number;
  /** totalHits by span text, from every response so far: how many pages a span has. */
  readonly #totals = new Map<string, number>();
  /** Each span's text, built once: it names the span's requests, its totalHits and its pages. */
  readonly #texts = new WeakMap<Interval, string>();
  /** The last page the API lets a span be paged to. */
  readonly #lastPageAllowed: number;
  readonly #s: DetailsSettings;
  readonly #state: DetailsState;

  /**
   * Starts a run over a resume state.
   *
   * @param settings The stream's checked settings.
   * @param state The resume state (changed as pages are read).
   */
  constructor(settings: DetailsSettings, state: DetailsState) {
    this.#s = settings;
    this.#state = state;
    // This run reads up to now at most: what has not happened yet is left for a later run.
    this.#runEnd = Math.min(settings.interval.end, Math.floor(settings.now() / 1000) * 1000);
    this.#lastPageAllowed = Math.floor(settings.maxResults / settings.pageSize);
  }

  /**
   * Picks up the walk where the state stands: starts one when there is none, or moves to the
   * next span when the state sits between spans.
   */
  resume(): void {
    const state = this.#state;
    if (!state.walk) this.#start();
    else if (!state.span) {
      state.span = this.#remains(state.walk, state.from)
        ? this.#spanFrom(state.walk, state.from, state.spanMs)
        : undefined;
      if (!state.span) {
        state.until = state.walk.end;
        this.#start();
      }
    }
  }

  /**
   * The page of a run that has nothing new to read (the rest has not happened yet): it says where
   * the output stands.
   *
   * @returns The page.
   */
  nothingNew(): ConversationDetailsPage {
    return {
      conversations: [],
      interval: "",
      pageNumber: 0,
      dropped: 0,
      openUntil: this.#openUntil(),
      position: writeDetailsState(this.#state),
    };
  }

  /** The request of one page, keyed by its span and page number. */
  #request(span: Interval, pageNumber: number): PageRequest {
    return { key: `${this.#textOf(span)}#${pageNumber}`, span, pageNumber };
  }

  /**
   * The body of a request: the query's body with the span as its interval and the paging.
   *
   * @param request The request.
   * @returns The body.
   */
  body(request: PageRequest): Record<string, unknown> {
    return {
      ...this.#s.body,
      interval: this.#textOf(request.span),
      paging: { pageSize: this.#s.pageSize, pageNumber: request.pageNumber },
    };
  }

  /**
   * Notes the `totalHits` of a response, for the requests to fetch ahead.
   *
   * @param request The request answered.
   * @param response Its response.
   */
  noteTotal(request: PageRequest, response: DetailsResponse | undefined): void {
    const hits = totalHitsOf(response);
    if (hits !== undefined) this.#totals.set(this.#textOf(request.span), hits);
  }

  /**
   * The request of the page the state stands at.
   *
   * @returns The request.
   */
  current(): PageRequest {
    return this.#request(this.#state.span!, this.#state.pageNumber);
  }

  /**
   * Whether a span should be bisected before it is paged: totalHits is approximate (it may be
   * 10 % low), so the margin keeps the real count under the paging limit.
   */
  #tooMany(hits: number): boolean {
    return hits > this.#s.maxResults * SPLIT_RATIO;
  }

  /**
   * The requests the stream will make, in order, as far as they can be known now.
   *
   * @returns The requests.
   */
  *upcoming(): Generator<PageRequest> {
    const s = this.#s;
    const walk = this.#state.walk;
    let span = this.#state.span;
    let pageNumber = this.#state.pageNumber;
    let spanMs = this.#state.spanMs;
    while (walk && span) {
      const known = this.#totals.get(this.#textOf(span));
      if (known !== undefined && pageNumber === 1 && this.#tooMany(known)) {
        yield this.#request(span, 1); // the page that says split, kept for the loop: then the halves
        return;
      }
      // Up to the page after the estimated last one: the empty page that ends the span.
      const estimate = known === undefined ? pageNumber : Math.ceil(known / s.pageSize) + 1;
      const last = Math.min(Math.max(pageNumber, estimate), this.#lastPageAllowed);
      for (let n = pageNumber; n <= last; n++) yield this.#request(span, n);
      ({ span, spanMs } = this.#after(walk, span, spanMs));
      pageNumber = 1;
    }
  }

  /**
   * Halves the current span (the half the query's order reads first) when its first page
   * reports too many conversations.
   *
   * @param response The response to the current page.
   * @returns Whether the span was halved (the response is then not a page of the stream).
   * @throws {GenesysError} When the half would be shorter than `minChunk`.
   */
  bisect(response: DetailsResponse): boolean {
    const s = this.#s;
    const span = this.#state.span!;
    const totalHits = totalHitsOf(response);
    if (this.#state.pageNumber !== 1 || totalHits === undefined || !this.#tooMany(totalHits)) {
      return false;
    }
    const half = Math.floor((span.end - span.start) / 2);
    if (half < s.minChunkMs) {
      throw new GenesysError(
        `The interval '${
          this.#textOf(span)
        }' alone has about ${totalHits} conversations, more than the details query can page through (${s.maxResults} in pages of ${s.pageSize}), and cannot be split below minChunk '${
          formatDuration(s.minChunkMs)
        }'; add filters or use the jobs API`,
      );
    }
    this.#state.span = s.desc
      ? { start: span.end - half, end: span.end }
      : { start: span.start, end: span.start + half };
    this.#state.spanMs = half;
    return true;
  }

  /**
   * Turns the response to the current page into the stream's page: keeps the conversations the
   * span owns, ends the span on an empty page (or a short one at the paging limit) or moves to
   * the next page, and writes the position after it.
   *
   * @param response The response to the current page.
   * @returns The page.
   * @throws {GenesysError} When the span needs a page past the paging limit, or the
   * conversations are not objects.
   */
  finishPage(response: DetailsResponse): ConversationDetailsPage {
    const s = this.#s;
    const state = this.#state;
    const { walk, span, pageNumber } = state as Required<DetailsState>;
    const totalHits = totalHitsOf(response);
    const text = this.#textOf(span);
    const raw = recordsOf<Conversation>(
      response.conversations,
      "conversations",
      `POST ${DETAILS_QUERY_PATH} for '${text}' (page ${pageNumber})`,
    );
    const conversations = raw.filter((c) => ownedBy(c, span));
    state.emitted += conversations.length;
    // A span ends on an empty page. At the last page the API lets it ask for, the page after
    // cannot be asked: a short page there ends it too, unless totalHits says there is more.
    const atLimit = pageNumber >= this.#lastPageAllowed;
    const spanDone = raw.length === 0 ||
      (atLimit && raw.length < s.pageSize && (totalHits ?? 0) <= s.maxResults);
    if (spanDone) {
      this.#totals.delete(text);
      const next = this.#after(walk, span, state.spanMs);
      state.from = next.from;
      state.spanMs = next.spanMs;
      state.span = next.span;
      state.pageNumber = 1;
      if (!state.span) {
        state.until = walk.end;
        this.#start();
      }
    } else if (atLimit) {
      throw new GenesysError(
        `The interval '${text}' holds more conversations than the details query can page through (${s.maxResults} in pages of ${s.pageSize}; its totalHits said ${
          this.#totals.get(text) ?? "nothing"
        }, an estimate): run again with a smaller chunk, add filters, or use the jobs API`,
      );
    } else {
      state.pageNumber = pageNumber + 1;
    }
    // From the run's last span on, the total is in sight: exact once that span is done.
    const lastOfRun = walk.end >= this.#runEnd &&
      !this.#remains(walk, s.desc ? span.start : span.end);
    let total: number | undefined;
    if (lastOfRun && spanDone) total = state.emitted;
    else if (lastOfRun && totalHits !== undefined) {
      total = state.emitted + Math.max(0, totalHits - pageNumber * s.pageSize);
    }
    const page: ConversationDetailsPage = {
      conversations,
      interval: text,
      pageNumber,
      dropped: raw.length - conversations.length,
      position: writeDetailsState(state),
    };
    if (totalHits !== undefined) page.totalHits = totalHits;
    if (total !== undefined) page.total = total;
    const open = this.#openUntil();
    if (open !== undefined) page.openUntil = open;
    return page;
  }

  /** Whether the walk goes on past `from`. */
  #remains(walk: Interval, from: number): boolean {
    return this.#s.desc ? from > walk.start : from < walk.end;
  }

  /** The span that starts at `from` (asc; ends there for desc), at most `spanMs` and on the grid. */
  #spanFrom(walk: Interval, from: number, spanMs: number): Interval {
    const { chunkMs, interval: { start: origin } } = this.#s;
    return this.#s.desc
      ? {
        start: Math.max(previousBoundary(from, chunkMs, origin), walk.start, from - spanMs),
        end: from,
      }
      : {
        start: from,
        end: Math.min(nextBoundary(from, chunkMs, origin), walk.end, from + spanMs),
      };
  }

  /** Whether an instant is on the chunk grid. */
  #onGrid(t: number): boolean {
    return nextBoundary(t - 1, this.#s.chunkMs, this.#s.interval.start) === t;
  }

  /**
   * What follows a finished span, for the loop and its plan alike: the edge it ends at, the span
   * length from there (the chunk size again once the edge is on the grid), and the next span of
   * the walk.
   */
  #after(walk: Interval, span: Interval, spanMs: number): After {
    const from = this.#s.desc ? span.start : span.end;
    const nextMs = this.#onGrid(from) ? this.#s.chunkMs : spanMs;
    return {
      from,
      spanMs: nextMs,
      span: this.#remains(walk, from) ? this.#spanFrom(walk, from, nextMs) : undefined,
    };
  }

  /** Starts the walk from what is written to this run's end; none when the rest has not happened. */
  #start(): void {
    const state = this.#state;
    state.walk = undefined;
    state.span = undefined;
    if (state.until >= this.#s.interval.end) {
      state.done = true;
      return;
    }
    if (state.until >= this.#runEnd) return;
    const walk = { start: state.until, end: this.#runEnd };
    state.walk = walk;
    state.from = this.#s.desc ? walk.end : walk.start;
    state.spanMs = this.#s.chunkMs;
    state.pageNumber = 1;
    state.span = this.#spanFrom(walk, state.from, state.spanMs);
  }

  /** Between walks, the instant the output covers until; else `undefined`. */
  #openUntil(): string | undefined {
    const state = this.#state;
    return !state.done && !state.walk ? formatInstant(state.until) : undefined;
  }

  #textOf(span: Interval): string {
    let text = this.#texts.get(span);
    if (text === undefined) this.#texts.set(span, text = formatInterval(span));
    return text;
  }
}

/** A response's `totalHits`, when it has one. */
function totalHitsOf(response: DetailsResponse | undefined): number | undefined {
  return typeof response?.totalHits === "number" ? response.totalHits : undefined;
}
