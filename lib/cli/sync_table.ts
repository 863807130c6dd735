/**
 * The table `sync` ends with: one row per day the run wrote or stopped in (days the manifest
 * listed already are counted in the summary line, not listed).
 *
 * @module
 */

import type { SyncDayResult } from "../extract/sync_types.ts";
import { formatCount, formatDuration } from "./progress.ts";

/**
 * Formats a size for people: `512 B`, `4.1 kB`, `12.3 MB`, `1.2 GB` (powers of 1000).
 *
 * @param bytes The size.
 * @returns The short form.
 *
 * @example
 * ```ts
 * import { formatBytes } from "./sync_table.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(formatBytes(512), "512 B");
 * strictEqual(formatBytes(12_345_678), "12.3 MB");
 * ```
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** What {@link syncTable} shows. */
export interface SyncTableOptions {
  /** The days of the run (days only present in the manifest are left out). */
  days: readonly SyncDayResult[];
  /** What the records are: `conversations`, `users`. */
  label: string;
}

/**
 * The summary table of a sync run: day, what it is (final, provisional, stopped), how it was
 * read, records, bytes and time, columns aligned; nothing when the run wrote no day.
 *
 * @param options The days and the records' label.
 * @returns The lines (a header and a row per day), or none.
 *
 * @example
 * ```ts
 * import { syncTable } from "./sync_table.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const day = {
 *   day: "2026-01-01", kind: "final" as const, status: "written" as const, via: "query" as const,
 *   file: "2026-01-01.jsonl", records: 1234, recordsThisRun: 1234, bytes: 4_100_000, dropped: 0,
 *   resumed: false, elapsedMs: 3200,
 * };
 * deepStrictEqual(syncTable({ days: [day], label: "conversations" }), [
 *   "day         status  via    conversations  bytes   time",
 *   "2026-01-01  final   query          1,234  4.1 MB  3.2s",
 * ]);
 * ```
 */
export function syncTable(options: SyncTableOptions): string[] {
  const rows = options.days.filter((d) => d.status !== "present").map((d) => [
    d.day,
    d.status === "stopped" ? "stopped" : d.kind === "final" ? "final" : "provisional",
    d.via ?? "",
    formatCount(d.records),
    d.status === "stopped" ? "-" : formatBytes(d.bytes),
    formatDuration(d.elapsedMs),
  ]);
  if (rows.length === 0) return [];
  const header = ["day", "status", "via", options.label, "bytes", "time"];
  const right = [false, false, false, true, false, false];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])).join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
