/**
 * The benchmark's result rows and how they print: a fixed-width table for the terminal and a
 * Markdown table for the README.
 *
 * @module
 */

/** One line of the results table. */
export interface Row {
  /** The scenario, such as `1 overhead`. */
  scenario: string;
  /** What is measured. */
  measure: string;
  /** The toolkit's figure, formatted. */
  toolkit: string;
  /** The naive baseline's figure, formatted (`-` when it does not apply). */
  naive: string;
  /** Toolkit relative to naive, formatted (`-` when it does not apply). */
  ratio: string;
  /** The target, in words (`-` when none). */
  target: string;
  /** Whether the target holds (`undefined` when there is none). */
  ok?: boolean;
}

const HEADERS = ["scenario", "measure", "toolkit", "naive", "toolkit/naive", "target", "ok"];

function cells(row: Row): string[] {
  return [
    row.scenario,
    row.measure,
    row.toolkit,
    row.naive,
    row.ratio,
    row.target,
    row.ok === undefined ? "" : row.ok ? "yes" : "NO",
  ];
}

/**
 * Formats rows as a fixed-width text table.
 *
 * @param rows The rows.
 * @returns The table, one line per row plus a header and a rule.
 */
export function textTable(rows: readonly Row[]): string {
  const all = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [
    line(HEADERS),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map((r) => line(cells(r))),
  ].join("\n");
}

/**
 * Formats rows as a Markdown table.
 *
 * @param rows The rows.
 * @returns The table.
 */
export function markdownTable(rows: readonly Row[]): string {
  const line = (r: string[]) => `| ${r.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(HEADERS), line(HEADERS.map(() => "---")), ...rows.map((r) => line(cells(r)))]
    .join("\n");
}

/**
 * Formats a number with thousands separators and the given decimals.
 *
 * @param value The number.
 * @param decimals Digits after the point. Default 0.
 * @returns The text.
 */
export function num(value: number, decimals = 0): string {
  return value.toLocaleString("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/**
 * Formats a ratio as `1.23x`.
 *
 * @param value The ratio.
 * @returns The text.
 */
export function times(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : "-";
}

/**
 * Formats a share as a percentage.
 *
 * @param value The share (0.123 is 12.3 %).
 * @param decimals Digits after the point. Default 1.
 * @returns The text.
 */
export function pct(value: number, decimals = 1): string {
  return `${(value * 100).toFixed(decimals)} %`;
}
