/**
 * Which UTC days a sync (`sync.ts`) covers, and when a day is final: settled days (each ended at
 * least `settle` ago, default 48 hours) from `since` up to `until`; the days not settled yet, up to
 * today, for provisional copies.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { Clock } from "../types.ts";
import { DAY_MS, formatInstant, parseDuration, parseInstant } from "../analytics/interval.ts";

/** The default of `settle`: days are final once they ended 48 hours ago. */
export const DEFAULT_SETTLE = "48h";

/**
 * Reads a UTC day: `YYYY-MM-DD`, an ISO-8601 instant at 00:00 UTC, or epoch ms at midnight.
 *
 * @param value The day.
 * @param label What it is, for messages (`since`, `--until`).
 * @returns The day's start, epoch ms.
 * @throws {UsageError} When it is not a UTC day.
 *
 * @example
 * ```ts
 * import { parseSyncDay } from "./sync_plan.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * strictEqual(parseSyncDay("2026-01-02", "since"), Date.UTC(2026, 0, 2));
 * throws(() => parseSyncDay("2026-01-02T06:00:00Z", "since"), /is not the start of a UTC day/);
 * ```
 */
export function parseSyncDay(value: string | number, label: string): number {
  const ms = typeof value === "number" ? value : parseInstant(value);
  if (!Number.isFinite(ms) || ms % DAY_MS !== 0) {
    throw new UsageError(
      `Option '${label}' is '${
        typeof value === "number" ? formatInstant(value) : value
      }', which is not the start of a UTC day: give a date such as '2026-01-01'`,
    );
  }
  return ms;
}

/**
 * Formats a day's start as `YYYY-MM-DD`.
 *
 * @param ms The day's start (or any instant in it), epoch ms.
 * @returns The UTC day.
 *
 * @example
 * ```ts
 * import { formatSyncDay } from "./sync_plan.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(formatSyncDay(Date.UTC(2026, 0, 2, 13)), "2026-01-02");
 * ```
 */
export function formatSyncDay(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(start: number, end: number): string[] {
  const out: string[] = [];
  for (let t = start; t < end; t += DAY_MS) out.push(formatSyncDay(t));
  return out;
}

/** What {@link planSyncDays} needs. */
export interface SyncPlanOptions {
  /** The first UTC day (see {@link parseSyncDay}). */
  since: string | number;
  /** The first day not synced. Default: the end of the last settled day. */
  until?: string | number;
  /**
   * How long after its end a day is final: a duration such as `48h` or ms. The API's data of the
   * last ~48 hours can still change (late segments, nightly reprocessing).
   *
   * @default {"48h"}
   */
  settle?: string | number;
  /** Also write the days that are not settled yet (up to now) as provisional. */
  provisional?: boolean;
  /** The clock (only its `now` is used). Default `Date.now`. */
  clock?: Clock;
  /**
   * How messages name `since`, `until` and `settle` (the CLI passes its flags). Default: the
   * option names.
   */
  names?: { since?: string; until?: string; settle?: string };
}

/** Which days a run covers. */
export interface SyncPlan {
  /** Days of the range that are settled: each is written once, as final. */
  final: string[];
  /** Days not settled yet that this run writes as provisional (with `provisional`). */
  provisional: string[];
  /** Days of the range (`until` given) that are not settled yet: later runs write them. */
  unsettled: string[];
  /** The first day that is not settled (days before it are final), `YYYY-MM-DD`. */
  settledUntil: string;
}

/**
 * Works out the days of a run: settled days (each ended at least `settle` ago) from `since` up
 * to `until` are final; with `until` past them, the rest are unsettled (written later, or as
 * provisional meanwhile); provisional days run up to today (the day of now, read up to now).
 *
 * @param options Since, until, settle, provisional, clock.
 * @returns The days.
 * @throws {UsageError} For a day that is not a UTC day, `until` not after `since`, `since` after
 * today, or a negative `settle`.
 *
 * @example
 * ```ts
 * import { planSyncDays } from "./sync_plan.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * // At 2026-01-06T10:00Z days that ended by 2026-01-04T10:00Z are settled: up to 2026-01-03.
 * const now = () => Date.parse("2026-01-06T10:00:00Z");
 * deepStrictEqual(planSyncDays({ since: "2026-01-02", provisional: true, clock: { now } }), {
 *   final: ["2026-01-02", "2026-01-03"],
 *   provisional: ["2026-01-04", "2026-01-05", "2026-01-06"],
 *   unsettled: [],
 *   settledUntil: "2026-01-04",
 * });
 * ```
 */
export function planSyncDays(options: SyncPlanOptions): SyncPlan {
  const now = (options.clock?.now ?? Date.now)();
  const name = { since: "since", until: "until", settle: "settle", ...options.names };
  const settleMs = typeof options.settle === "number"
    ? options.settle
    : parseDuration(options.settle ?? DEFAULT_SETTLE);
  if (!(settleMs >= 0)) {
    throw new UsageError(`Option '${name.settle}' must be a duration of 0 or more, such as '48h'`);
  }
  const since = parseSyncDay(options.since, name.since);
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  if (since > today) {
    throw new UsageError(
      `Option '${name.since}' is '${formatSyncDay(since)}', after today ('${
        formatSyncDay(today)
      }'): nothing has happened then yet`,
    );
  }
  const settled = Math.floor((now - settleMs) / DAY_MS) * DAY_MS;
  const until = options.until === undefined ? undefined : parseSyncDay(options.until, name.until);
  if (until !== undefined && until <= since) {
    throw new UsageError(
      `Option '${name.until}' ('${formatSyncDay(until)}') must come after '${name.since}' ('${
        formatSyncDay(since)
      }'): it is the first day not synced`,
    );
  }
  const end = until ?? settled;
  const firstOpen = Math.max(since, settled);
  return {
    final: daysBetween(since, Math.min(end, settled)),
    provisional: options.provisional
      ? daysBetween(firstOpen, Math.min(until ?? Infinity, today + DAY_MS))
      : [],
    unsettled: until !== undefined ? daysBetween(firstOpen, until) : [],
    settledUntil: formatSyncDay(settled),
  };
}
