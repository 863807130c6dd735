/**
 * Short text for messages: durations in words and one-line excerpts.
 *
 * @module
 */

/**
 * Formats a span of time for messages: `45s`, `15m20s`, `2h05m`.
 *
 * @param ms Milliseconds.
 * @returns The span in words.
 *
 * @example
 * ```ts
 * import { formatSpan } from "./_text.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(formatSpan(920_000), "15m20s");
 * strictEqual(formatSpan(45_400), "45s");
 * strictEqual(formatSpan(7_500_000), "2h05m");
 * ```
 */
export function formatSpan(ms: number): string {
  const seconds = Math.round(Math.max(0, ms) / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/**
 * Collapses whitespace and cuts long text.
 *
 * @param text Any text.
 * @param max The longest result.
 * @returns One line of at most `max` characters.
 *
 * @example
 * ```ts
 * import { oneLine } from "./_text.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(oneLine("a\n  b", 10), "a b");
 * ```
 */
export function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/**
 * Formats milliseconds for messages: `250 ms`, `2 s`, `1.5 s`, `3600 s`.
 *
 * @param ms A duration in milliseconds.
 * @returns The duration in words.
 *
 * @example
 * ```ts
 * import { formatWait } from "./_text.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(formatWait(1500), "1.5 s");
 * strictEqual(formatWait(250), "250 ms");
 * ```
 */
export function formatWait(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${Math.round(ms / 100) / 10} s`;
}
