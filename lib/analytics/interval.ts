/**
 * Time intervals and durations: parse `start/end` ISO-8601 intervals (or `start/P1D`), validate
 * them, split them into chunks on a UTC grid, format them back; parse short durations such as
 * `1d`, `6h` or `90m`.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** A half-open time interval `[start, end)` in epoch milliseconds (UTC). */
export interface Interval {
  /** The first instant inside the interval, epoch ms. */
  readonly start: number;
  /** The first instant after the interval, epoch ms (always greater than `start`). */
  readonly end: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** One UTC day in milliseconds. */
export const DAY_MS: number = 24 * HOUR;

const UNITS: Record<string, number> = {
  ms: 1,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
  d: DAY_MS,
  w: 7 * DAY_MS,
};

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * Parses one ISO-8601 instant: a date (`2026-01-01`, read as UTC midnight) or a date-time with a
 * zone (`2026-01-01T08:00:00Z`, `2026-01-01T09:00:00.250+01:00`).
 *
 * @param text The instant.
 * @returns Epoch milliseconds.
 * @throws {UsageError} When the text is not such an instant (a date-time without a zone is
 * refused: it would depend on the machine's time zone).
 *
 * @example
 * ```ts
 * import { parseInstant } from "./interval.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(parseInstant("2026-01-01T01:00:00+01:00"), Date.UTC(2026, 0, 1));
 * ```
 */
export function parseInstant(text: string): number {
  const m = INSTANT.exec(text.trim());
  const hint = "use ISO-8601 such as '2026-01-01T00:00:00Z' (a date-time needs a zone)";
  if (!m) throw new UsageError(`Instant '${text}' is not valid: ${hint}`);
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone = "Z"] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) {
    throw new UsageError(`Instant '${text}' is not a real calendar date: ${hint}`);
  }
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new UsageError(`Instant '${text}' has an out-of-range time: ${hint}`);
  }
  const ms = Number((frac + "000").slice(0, 3));
  let value = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), ms);
  if (zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * MINUTE;
    value -= sign * offset;
  }
  return value;
}

/**
 * Formats epoch milliseconds as an ISO-8601 UTC instant, without milliseconds when they are 0.
 *
 * @param ms Epoch milliseconds.
 * @returns Such as `2026-01-01T00:00:00Z` or `2026-01-01T00:00:00.500Z`.
 *
 * @example
 * ```ts
 * import { formatInstant } from "./interval.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(formatInstant(Date.UTC(2026, 0, 1)), "2026-01-01T00:00:00Z");
 * ```
 */
export function formatInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? iso.slice(0, -5) + "Z" : iso;
}

const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const SHORT_DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/i;

/**
 * Parses a duration: the short form `1d`, `6h`, `90m`, `30s`, `500ms`, `1w` or combined such as
 * `1h30m`; or an ISO-8601 duration with weeks, days, hours, minutes and seconds (`P1D`,
 * `PT6H`, `P1DT12H`). Years and months are refused (their length varies).
 *
 * @param text The duration.
 * @returns Milliseconds (a whole number, 0 allowed).
 * @throws {UsageError} When the text is not a duration.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./interval.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(parseDuration("1h30m"), 90 * 60_000);
 * strictEqual(parseDuration("P1D"), 86_400_000);
 * ```
 */
export function parseDuration(text: string): number {
  const t = text.trim();
  const iso = ISO_DURATION.exec(t);
  if (iso && t.length > 1 && !/T$/i.test(t)) {
    const [, w = "0", d = "0", h = "0", m = "0", s = "0"] = iso;
    return Math.round(
      Number(w) * UNITS.w + Number(d) * DAY_MS + Number(h) * HOUR + Number(m) * MINUTE +
        Number(s) * SECOND,
    );
  }
  if (SHORT_DURATION.test(t)) {
    let total = 0;
    for (const [, n, unit] of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gi)) {
      total += Number(n) * UNITS[unit.toLowerCase()];
    }
    return Math.round(total);
  }
  const why = /^P.*[YM]/i.test(t) && !/T.*M$/i.test(t)
    ? "years and months have no fixed length; use days such as 'P30D' or '30d'"
    : "use a number and a unit (ms, s, m, h, d, w) such as '1d', '6h' or '90m', or ISO-8601 such as 'PT6H'";
  throw new UsageError(`Duration '${text}' is not valid: ${why}`);
}

/**
 * Formats milliseconds as a short duration, the largest units first (`1d`, `1h30m`, `500ms`).
 *
 * @param ms A whole, non-negative number of milliseconds.
 * @returns The short form that {@link parseDuration} reads back.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./interval.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(formatDuration(36 * 3_600_000), "1d12h");
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = Math.round(ms);
  let out = "";
  for (const unit of ["d", "h", "m", "s", "ms"]) {
    const size = UNITS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/**
 * Parses an ISO-8601 interval `start/end`, where either side may instead be a duration
 * (`2026-01-01T00:00:00Z/P1D`, `P1D/2026-01-02T00:00:00Z`), and checks it is not empty or
 * reversed.
 *
 * @param text The interval.
 * @returns The interval in epoch milliseconds.
 * @throws {UsageError} When it is malformed, empty or reversed.
 *
 * @example
 * ```ts
 * import { parseInterval } from "./interval.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(parseInterval("2026-01-01T00:00:00Z/P1D"), {
 *   start: Date.UTC(2026, 0, 1),
 *   end: Date.UTC(2026, 0, 2),
 * });
 * ```
 */
export function parseInterval(text: string): Interval {
  if (typeof text !== "string") {
    throw new UsageError(
      `Interval must be a string 'start/end' such as '2026-01-01T00:00:00Z/2026-01-02T00:00:00Z', got ${typeof text}`,
    );
  }
  const parts = text.trim().split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new UsageError(
      `Interval '${text}' is not 'start/end': use ISO-8601 such as '2026-01-01T00:00:00Z/2026-01-02T00:00:00Z'`,
    );
  }
  const [a, b] = parts;
  const isDuration = (p: string) => /^P/i.test(p);
  if (isDuration(a) && isDuration(b)) {
    throw new UsageError(`Interval '${text}' has two durations: give a start or an end instant`);
  }
  let start: number, end: number;
  if (isDuration(a)) {
    end = parseInstant(b);
    start = end - parseDuration(a);
  } else if (isDuration(b)) {
    start = parseInstant(a);
    end = start + parseDuration(b);
  } else {
    start = parseInstant(a);
    end = parseInstant(b);
  }
  return checkInterval({ start, end }, text);
}

/**
 * Checks an interval is finite, not empty and not reversed.
 *
 * @param interval The interval.
 * @param label How to name it in an error (defaults to its formatted form).
 * @returns The same interval.
 * @throws {UsageError} When it is empty or reversed.
 *
 * @example
 * ```ts
 * import { checkInterval } from "./interval.ts";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => checkInterval({ start: 10, end: 5 }), /reversed/);
 * ```
 */
export function checkInterval(interval: Interval, label?: string): Interval {
  const { start, end } = interval;
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    throw new UsageError(`Interval '${label ?? `${start}/${end}`}' has an invalid instant`);
  }
  const name = label ?? formatInterval(interval);
  if (end < start) {
    throw new UsageError(`Interval '${name}' is reversed: its end comes before its start`);
  }
  if (end === start) {
    throw new UsageError(`Interval '${name}' is empty: its start equals its end`);
  }
  return interval;
}

/**
 * Formats an interval as ISO-8601 `start/end` in UTC, the form the analytics API takes.
 *
 * @param interval The interval.
 * @returns Such as `2026-01-01T00:00:00Z/2026-01-02T00:00:00Z`.
 *
 * @example
 * ```ts
 * import { formatInterval } from "./interval.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(
 *   formatInterval({ start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 0, 1, 6) }),
 *   "2026-01-01T00:00:00Z/2026-01-01T06:00:00Z",
 * );
 * ```
 */
export function formatInterval(interval: Interval): string {
  return `${formatInstant(interval.start)}/${formatInstant(interval.end)}`;
}

/**
 * The first chunk boundary strictly after `t` on the grid of `chunkMs` steps that starts at the
 * UTC midnight of `origin`'s day.
 *
 * @param t An instant, epoch ms.
 * @param chunkMs The chunk size in ms.
 * @param origin The instant whose UTC day starts the grid.
 * @returns The next boundary, epoch ms.
 *
 * @example
 * ```ts
 * import { nextBoundary } from "./interval.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const t = Date.UTC(2026, 0, 1, 7, 30);
 * strictEqual(nextBoundary(t, 6 * 3_600_000, t), Date.UTC(2026, 0, 1, 12));
 * ```
 */
export function nextBoundary(t: number, chunkMs: number, origin: number): number {
  const base = Math.floor(origin / DAY_MS) * DAY_MS;
  return base + (Math.floor((t - base) / chunkMs) + 1) * chunkMs;
}

/**
 * The last chunk boundary strictly before `t` on the same grid as {@link nextBoundary}.
 *
 * @param t An instant, epoch ms.
 * @param chunkMs The chunk size in ms.
 * @param origin The instant whose UTC day starts the grid.
 * @returns The previous boundary, epoch ms.
 *
 * @example
 * ```ts
 * import { previousBoundary } from "./interval.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const day = Date.UTC(2026, 0, 2);
 * strictEqual(previousBoundary(day, 86_400_000, Date.UTC(2026, 0, 1)), Date.UTC(2026, 0, 1));
 * ```
 */
export function previousBoundary(t: number, chunkMs: number, origin: number): number {
  const base = Math.floor(origin / DAY_MS) * DAY_MS;
  return base + (Math.ceil((t - base) / chunkMs) - 1) * chunkMs;
}

/**
 * Splits an interval into consecutive chunks of at most `chunkMs`, on a grid that starts at the
 * UTC midnight of the interval's first day: with `1d` chunks are UTC days, with `6h` they end at
 * 00:00, 06:00, 12:00 and 18:00 UTC, with `7d` they are weeks counted from the first day. The
 * first and last chunk may be shorter.
 *
 * @param interval The interval to split.
 * @param chunkMs The chunk size in ms (positive).
 * @returns The chunks in ascending order; they cover the interval exactly, without overlap.
 * @throws {UsageError} When `chunkMs` is not a positive number.
 *
 * @example
 * ```ts
 * import { formatInterval, parseInterval, splitInterval } from "./interval.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const chunks = splitInterval(parseInterval("2026-01-01T12:00:00Z/2026-01-03T00:00:00Z"), 86_400_000);
 * deepStrictEqual(chunks.map(formatInterval), [
 *   "2026-01-01T12:00:00Z/2026-01-02T00:00:00Z",
 *   "2026-01-02T00:00:00Z/2026-01-03T00:00:00Z",
 * ]);
 * ```
 */
export function splitInterval(interval: Interval, chunkMs: number): Interval[] {
  if (!(chunkMs > 0) || !Number.isFinite(chunkMs)) {
    throw new UsageError(`Chunk size '${chunkMs}' must be a positive number of milliseconds`);
  }
  checkInterval(interval);
  const chunks: Interval[] = [];
  let t = interval.start;
  while (t < interval.end) {
    const end = Math.min(nextBoundary(t, chunkMs, interval.start), interval.end);
    chunks.push({ start: t, end });
    t = end;
  }
  return chunks;
}
