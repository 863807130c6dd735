import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import {
  checkInterval,
  DAY_MS,
  formatDuration,
  formatInstant,
  formatInterval,
  nextBoundary,
  parseDuration,
  parseInstant,
  parseInterval,
  previousBoundary,
  splitInterval,
} from "./interval.ts";
import { UsageError } from "../errors.ts";

const H = 3_600_000;

Deno.test("parseInstant reads dates, UTC date-times and offsets", () => {
  assertEquals(parseInstant("2026-01-01"), Date.UTC(2026, 0, 1));
  assertEquals(parseInstant("2026-01-01T10:20:30Z"), Date.UTC(2026, 0, 1, 10, 20, 30));
  assertEquals(parseInstant("2026-01-01T10:20:30.25Z"), Date.UTC(2026, 0, 1, 10, 20, 30, 250));
  assertEquals(parseInstant("2026-01-01T10:20:30.123456Z"), Date.UTC(2026, 0, 1, 10, 20, 30, 123));
  assertEquals(parseInstant("2026-01-01T10:20Z"), Date.UTC(2026, 0, 1, 10, 20));
  assertEquals(parseInstant("2026-01-01T02:00:00+02:00"), Date.UTC(2026, 0, 1));
  assertEquals(parseInstant("2025-12-31T19:00:00-0500"), Date.UTC(2026, 0, 1));
});

Deno.test("parseInstant refuses zone-less date-times, impossible dates and garbage", () => {
  assertThrows(() => parseInstant("2026-01-01T10:00:00"), UsageError, "needs a zone");
  assertThrows(() => parseInstant("2026-02-30"), UsageError, "not a real calendar date");
  assertThrows(() => parseInstant("2026-13-01"), UsageError, "not a real calendar date");
  assertThrows(() => parseInstant("2026-01-01T24:00:00Z"), UsageError, "out-of-range");
  assertThrows(() => parseInstant("yesterday"), UsageError, "'yesterday'");
});

Deno.test("formatInstant drops zero milliseconds and keeps others", () => {
  assertEquals(formatInstant(Date.UTC(2026, 0, 1)), "2026-01-01T00:00:00Z");
  assertEquals(formatInstant(Date.UTC(2026, 0, 1, 0, 0, 0, 5)), "2026-01-01T00:00:00.005Z");
});

Deno.test("parseDuration reads short forms, combinations and ISO-8601", () => {
  assertEquals(parseDuration("1d"), DAY_MS);
  assertEquals(parseDuration("6h"), 6 * H);
  assertEquals(parseDuration("90m"), 90 * 60_000);
  assertEquals(parseDuration("30s"), 30_000);
  assertEquals(parseDuration("500ms"), 500);
  assertEquals(parseDuration("1w"), 7 * DAY_MS);
  assertEquals(parseDuration("1h30m"), 90 * 60_000);
  assertEquals(parseDuration("1.5h"), 90 * 60_000);
  assertEquals(parseDuration(" 2D "), 2 * DAY_MS);
  assertEquals(parseDuration("0s"), 0);
  assertEquals(parseDuration("P1D"), DAY_MS);
  assertEquals(parseDuration("PT6H"), 6 * H);
  assertEquals(parseDuration("P1DT12H30M"), 36.5 * H);
  assertEquals(parseDuration("PT0.5S"), 500);
  assertEquals(parseDuration("P2W"), 14 * DAY_MS);
});

Deno.test("parseDuration refuses bare numbers, unknown units, months and empty ISO forms", () => {
  assertThrows(() => parseDuration("10"), UsageError, "use a number and a unit");
  assertThrows(() => parseDuration("10y"), UsageError, "'10y'");
  assertThrows(() => parseDuration(""), UsageError);
  assertThrows(() => parseDuration("-1d"), UsageError);
  assertThrows(() => parseDuration("P1M"), UsageError, "years and months");
  assertThrows(() => parseDuration("P"), UsageError);
  assertThrows(() => parseDuration("PT"), UsageError);
});

Deno.test("formatDuration round-trips through parseDuration", () => {
  for (const text of ["1d", "6h", "1h30m", "500ms", "1d12h", "7d", "45s"]) {
    assertEquals(formatDuration(parseDuration(text)), text);
  }
  assertEquals(formatDuration(0), "0s");
});

Deno.test("parseInterval reads start/end, start/duration and duration/end", () => {
  const day = { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 0, 2) };
  assertEquals(parseInterval("2026-01-01T00:00:00Z/2026-01-02T00:00:00Z"), day);
  assertEquals(parseInterval("2026-01-01T00:00:00Z/P1D"), day);
  assertEquals(parseInterval("P1D/2026-01-02T00:00:00Z"), day);
  assertEquals(parseInterval("2026-01-01/2026-01-02"), day);
  assertEquals(parseInterval("2026-01-01/PT6H").end, Date.UTC(2026, 0, 1, 6));
});

Deno.test("parseInterval refuses malformed, reversed and empty intervals", () => {
  assertThrows(() => parseInterval("2026-01-01"), UsageError, "is not 'start/end'");
  assertThrows(() => parseInterval("2026-01-01/2026-01-02/2026-01-03"), UsageError, "start/end");
  assertThrows(() => parseInterval("/2026-01-02"), UsageError, "start/end");
  assertThrows(() => parseInterval("P1D/P2D"), UsageError, "two durations");
  assertThrows(() => parseInterval("2026-01-02/2026-01-01"), UsageError, "reversed");
  assertThrows(() => parseInterval("2026-01-01/2026-01-01T00:00:00Z"), UsageError, "empty");
  assertThrows(() => parseInterval("2026-01-01/PT0S"), UsageError, "empty");
  assertThrows(() => parseInterval(42 as unknown as string), UsageError, "must be a string");
  const error = assertThrows(() => parseInterval("2026-01-01T00:00/2026-01-02"), UsageError);
  assertEquals(error.message.includes("\n"), false);
});

Deno.test("checkInterval and formatInterval agree with parseInterval", () => {
  const text = "2026-01-01T00:00:00Z/2026-01-01T06:00:00.500Z";
  assertEquals(formatInterval(parseInterval(text)), text);
  assertThrows(() => checkInterval({ start: NaN, end: 1 }), UsageError, "invalid instant");
});

Deno.test("splitInterval cuts UTC days, with partial first and last days", () => {
  const chunks = splitInterval(parseInterval("2026-01-01T12:00:00Z/2026-01-04T06:00:00Z"), DAY_MS);
  assertEquals(chunks.map(formatInterval), [
    "2026-01-01T12:00:00Z/2026-01-02T00:00:00Z",
    "2026-01-02T00:00:00Z/2026-01-03T00:00:00Z",
    "2026-01-03T00:00:00Z/2026-01-04T00:00:00Z",
    "2026-01-04T00:00:00Z/2026-01-04T06:00:00Z",
  ]);
});

Deno.test("splitInterval aligns 6h chunks on the UTC quarter days and 7d chunks on the first day", () => {
  const six = splitInterval(parseInterval("2026-01-01T05:00:00Z/2026-01-01T20:00:00Z"), 6 * H);
  assertEquals(six.map(formatInterval), [
    "2026-01-01T05:00:00Z/2026-01-01T06:00:00Z",
    "2026-01-01T06:00:00Z/2026-01-01T12:00:00Z",
    "2026-01-01T12:00:00Z/2026-01-01T18:00:00Z",
    "2026-01-01T18:00:00Z/2026-01-01T20:00:00Z",
  ]);
  const week = splitInterval(
    parseInterval("2026-01-01T08:00:00Z/2026-01-20T00:00:00Z"),
    7 * DAY_MS,
  );
  assertEquals(week.map(formatInterval), [
    "2026-01-01T08:00:00Z/2026-01-08T00:00:00Z",
    "2026-01-08T00:00:00Z/2026-01-15T00:00:00Z",
    "2026-01-15T00:00:00Z/2026-01-20T00:00:00Z",
  ]);
});

Deno.test("splitInterval covers the interval exactly, without gaps or overlap", () => {
  const interval = parseInterval("2026-01-01T03:17:00Z/2026-01-09T22:41:13Z");
  for (const chunk of [H, 5 * H, DAY_MS, 3 * DAY_MS, 7 * DAY_MS]) {
    const chunks = splitInterval(interval, chunk);
    assertEquals(chunks[0].start, interval.start);
    assertEquals(chunks.at(-1)!.end, interval.end);
    for (let i = 1; i < chunks.length; i++) assertEquals(chunks[i].start, chunks[i - 1].end);
    for (const c of chunks) assertEquals(c.end - c.start <= chunk && c.end > c.start, true);
  }
  assertThrows(() => splitInterval(interval, 0), UsageError, "positive");
});

Deno.test("nextBoundary and previousBoundary are strict and share the grid", () => {
  const origin = Date.UTC(2026, 0, 1, 9);
  const t = Date.UTC(2026, 0, 2);
  assertEquals(nextBoundary(t, DAY_MS, origin), Date.UTC(2026, 0, 3));
  assertEquals(previousBoundary(t, DAY_MS, origin), Date.UTC(2026, 0, 1));
  assertEquals(previousBoundary(t + 1, DAY_MS, origin), t);
  assertEquals(nextBoundary(t - 1, DAY_MS, origin), t);
});
