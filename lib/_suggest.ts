/**
 * Typo suggestions for one-line errors: the valid name closest to what the user wrote.
 *
 * @module
 */

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length];
}

/**
 * The closest name to `input` among `candidates`, when one is close enough to be a typo.
 *
 * @param input What the user wrote.
 * @param candidates The valid names.
 * @returns The suggestion, or `undefined`.
 *
 * @example
 * ```ts
 * import { suggest } from "./_suggest.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(suggest("pagesize", ["page-size", "output"]), "page-size");
 * strictEqual(suggest("zzz", ["page-size", "output"]), undefined);
 * ```
 */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const score = distance(input.toLowerCase(), candidate.toLowerCase());
    if (score < bestScore) [best, bestScore] = [candidate, score];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(input.length / 3))
    ? best
    : undefined;
}
