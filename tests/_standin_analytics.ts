/**
 * The analytics part of the Genesys stand-in (tests/_standin.ts): the conversation details query
 * and the details jobs API as genesys-api.md describes them, over dense synthetic data that is
 * computed, never stored.
 *
 * @module
 */
import { errorResponse, type Route, type StandIn } from "./_standin.ts";

/** A conversation of the stand-in's analytics data. */
export interface StandInConversation {
  conversationId: string;
  conversationStart: string;
  conversationEnd: string;
  participants: unknown[];
}

/**
 * The conversations starting in `[start, end)` on a grid of one every `stepMs` from the epoch,
 * each lasting `lastsMs`, as a lazily indexed list (dense data without building it).
 *
 * @param start Epoch ms.
 * @param end Epoch ms.
 * @param stepMs The spacing.
 * @param lastsMs How long each conversation lasts (default one minute).
 * @returns The count and an accessor.
 */
export function grid(
  start: number,
  end: number,
  stepMs: number,
  lastsMs = 60_000,
): { count: number; at: (k: number) => StandInConversation } {
  const first = Math.ceil(start / stepMs);
  const count = Math.max(0, Math.ceil(end / stepMs) - first);
  return {
    count,
    at: (k) => {
      const t = (first + k) * stepMs;
      return {
        conversationId: `c-${t}`,
        conversationStart: new Date(t).toISOString(),
        conversationEnd: new Date(t + lastsMs).toISOString(),
        participants: [],
      };
    },
  };
}

const FILTER_FIELDS = [
  "conversationFilters",
  "segmentFilters",
  "evaluationFilters",
  "surveyFilters",
  "resolutionFilters",
];

function parseIntervalText(value: unknown): { start: number; end: number } | undefined {
  if (typeof value !== "string") return undefined;
  const parts = value.split("/");
  if (parts.length !== 2) return undefined;
  const start = Date.parse(parts[0]);
  const end = Date.parse(parts[1]);
  return Number.isFinite(start) && Number.isFinite(end) && start < end ? { start, end } : undefined;
}

/**
 * What a details query selects, as the API documents it (developer.genesys.cloud, Analytics →
 * Detail queries → "Interval"): conversations whose start is on a UTC day the interval touches
 * and whose lifetime overlaps the interval. On the grid: starts in
 * `[max(UTC midnight of start, start - lastsMs + 1), end)`.
 *
 * @param interval The query's interval.
 * @param stepMs The grid's spacing.
 * @param lastsMs How long each conversation lasts.
 * @returns The selection.
 */
export function selected(
  interval: { start: number; end: number },
  stepMs: number,
  lastsMs: number,
): ReturnType<typeof grid> {
  const midnight = Math.floor(interval.start / 86_400_000) * 86_400_000;
  const from = Math.max(midnight, interval.start - lastsMs + 1);
  return grid(from, interval.end, stepMs, lastsMs);
}

/** Options of {@link detailsQueryRoute}. */
export interface DetailsQueryOptions {
  /** One conversation every `stepMs` (default one per hour). */
  stepMs?: number;
  /** How long each conversation lasts (default one minute). */
  lastsMs?: number;
  /** Paging may not go past this many results (default 100,000): `pageNumber * pageSize`. */
  limit?: number;
  /** `totalHits` is the real count times this, rounded (it is approximate). Default 1. */
  hitsFactor?: number;
}

/**
 * `POST /api/v2/analytics/conversations/details/query` as documented: paging in the body, at
 * most 100 per page, `{conversations, totalHits}` (no `conversations` past the end), 400s for an
 * unknown field, a bad or too long interval, and paging past the limit. It selects as the API
 * does ({@link selected}: same-UTC-day starts that overlap), and `totalHits` may be off.
 *
 * @param options Data density and paging limit.
 * @returns The route.
 */
export function detailsQueryRoute(options: DetailsQueryOptions = {}): Route {
  const stepMs = options.stepMs ?? 3_600_000;
  const lastsMs = options.lastsMs ?? 60_000;
  const limit = options.limit ?? 100_000;
  return (seen, { json }) => {
    if (seen.headers.get("content-type")?.split(";")[0] !== "application/json") {
      return errorResponse(415, "unsupported.media.type", "Content-Type must be application/json");
    }
    const body = json as Record<string, unknown>;
    if (typeof body !== "object" || body === null) {
      return errorResponse(400, "bad.request", "Body required");
    }
    const allowed = ["interval", "order", "orderBy", "paging", "aggregations", ...FILTER_FIELDS];
    for (const key of Object.keys(body)) {
      if (!allowed.includes(key)) {
        return errorResponse(400, "bad.request", `Unrecognized field '${key}'`);
      }
    }
    const interval = parseIntervalText(body.interval);
    if (!interval) return errorResponse(400, "invalid.value", "Invalid interval");
    const filtered = FILTER_FIELDS.some((k) => Array.isArray(body[k]) && body[k].length > 0);
    const days = (interval.end - interval.start) / 86_400_000;
    if (days > (filtered ? 31 : 7)) {
      return errorResponse(400, "invalid.value", "Interval too long");
    }
    const paging = (body.paging ?? {}) as { pageSize?: unknown; pageNumber?: unknown };
    const pageSize = paging.pageSize ?? 25;
    const pageNumber = paging.pageNumber ?? 1;
    if (
      !Number.isInteger(pageSize) || (pageSize as number) < 1 || (pageSize as number) > 100 ||
      !Number.isInteger(pageNumber) || (pageNumber as number) < 1
    ) {
      return errorResponse(400, "invalid.value", "Invalid paging");
    }
    const size = pageSize as number;
    const n = pageNumber as number;
    if (n * size > limit) {
      return errorResponse(400, "bad.request", `Pagination may not exceed ${limit} results`);
    }
    const data = selected(interval, stepMs, lastsMs);
    const desc = body.order === "desc";
    const out: Record<string, unknown> = {};
    const conversations: StandInConversation[] = [];
    for (let i = (n - 1) * size; i < Math.min(n * size, data.count); i++) {
      conversations.push(data.at(desc ? data.count - 1 - i : i));
    }
    if (conversations.length > 0) out.conversations = conversations;
    out.totalHits = Math.round(data.count * (options.hitsFactor ?? 1));
    return Response.json(out);
  };
}

/** Options of {@link JobsStandIn}. */
export interface JobsOptions {
  /** One conversation every `stepMs` (default one per hour). */
  stepMs?: number;
  /** How long each conversation lasts (default one minute). */
  lastsMs?: number;
  /** `dataAvailabilityDate`, ISO-8601. */
  availability: string;
  /** Status polls answered before `FULFILLED` (QUEUED first, then PENDING). Default 3. */
  pollsBeforeDone?: number;
  /** The status of `DELETE` (202 or 204), with no body. Default 204. */
  deleteStatus?: number;
  /** Results per page when `pageSize` is not given. Default 50. */
  defaultPageSize?: number;
}

interface StandInJob {
  interval: { start: number; end: number };
  body: Record<string, unknown>;
  polls: number;
  state: string;
  gone: boolean;
}

/** The details jobs API: availability, submit, status, results by cursor, cancel, expiry. */
export class JobsStandIn {
  readonly jobs = new Map<string, StandInJob>();
  readonly #o: JobsOptions;
  #next = 0;

  /** @param options Data, availability, polls, delete status. */
  constructor(options: JobsOptions) {
    this.#o = options;
  }

  /** Makes a job vanish (404 everywhere), as after its expiry. */
  expire(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (job) job.gone = true;
  }

  /**
   * Registers the routes on a stand-in.
   *
   * @param standIn The stand-in.
   */
  install(standIn: StandIn): void {
    const base = "/api/v2/analytics/conversations/details/jobs";
    const gone = () => errorResponse(404, "not.found", "Job not found");
    standIn.on(
      "GET",
      `${base}/availability`,
      () => Response.json({ dataAvailabilityDate: this.#o.availability }),
    );
    standIn.on("POST", base, (_seen, { json }) => {
      const body = json as Record<string, unknown>;
      const allowed = [
        "interval",
        "order",
        "orderBy",
        "limit",
        "startOfDayIntervalMatching",
        ...FILTER_FIELDS,
      ];
      for (const key of Object.keys(body ?? {})) {
        if (!allowed.includes(key)) {
          return errorResponse(400, "bad.request", `Unrecognized field '${key}'`);
        }
      }
      const interval = parseIntervalText(body?.interval);
      if (!interval) return errorResponse(400, "invalid.value", "Invalid interval");
      const jobId = `job-${++this.#next}`;
      this.jobs.set(jobId, { interval, body, polls: 0, state: "QUEUED", gone: false });
      return Response.json({ jobId }, { status: 202 });
    });
    const one = new RegExp(`^${base}/([^/]+)$`);
    standIn.on("GET", one, (_seen, { match }) => {
      const job = this.jobs.get(match[1]);
      if (!job || job.gone) return gone();
      job.polls++;
      if (job.state !== "CANCELLED") {
        const before = this.#o.pollsBeforeDone ?? 3;
        job.state = job.polls > before ? "FULFILLED" : job.polls === 1 ? "QUEUED" : "PENDING";
      }
      const status: Record<string, unknown> = {
        state: job.state,
        submissionDate: "2026-01-20T09:00:00Z",
      };
      if (job.state === "FULFILLED") {
        status.completionDate = "2026-01-20T09:00:05Z";
        status.expirationDate = "2026-01-21T09:00:05Z";
      }
      return Response.json(status);
    });
    standIn.on("DELETE", one, (_seen, { match }) => {
      const job = this.jobs.get(match[1]);
      if (!job || job.gone) return gone();
      job.state = "CANCELLED";
      return new Response(null, { status: this.#o.deleteStatus ?? 204 });
    });
    standIn.on("GET", new RegExp(`^${base}/([^/]+)/results$`), (seen, { match }) => {
      const job = this.jobs.get(match[1]);
      if (!job || job.gone) return gone();
      if (job.state !== "FULFILLED") {
        return errorResponse(400, "bad.request", `Job is ${job.state}, results not available`);
      }
      const cursor = seen.url.searchParams.get("cursor");
      const from = cursor === null ? 0 : Number(atob(cursor).replace(/^at:/, ""));
      const size = Number(seen.url.searchParams.get("pageSize") ?? this.#o.defaultPageSize ?? 50);
      // As documented: every conversation whose lifetime overlaps the interval, or with
      // startOfDayIntervalMatching those that started from the UTC midnight of its first day.
      const lastsMs = this.#o.lastsMs ?? 60_000;
      const first = job.body.startOfDayIntervalMatching === true
        ? Math.floor(job.interval.start / 86_400_000) * 86_400_000
        : job.interval.start - lastsMs + 1;
      const data = grid(first, job.interval.end, this.#o.stepMs ?? 3_600_000, lastsMs);
      const conversations: StandInConversation[] = [];
      for (let i = from; i < Math.min(from + size, data.count); i++) conversations.push(data.at(i));
      const out: Record<string, unknown> = {
        conversations,
        dataAvailabilityDate: this.#o.availability,
      };
      if (from + size < data.count) out.cursor = btoa(`at:${from + size}`);
      return Response.json(out);
    });
  }
}
