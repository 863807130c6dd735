/**
 * The details query's pages over an index that holds some conversations twice: page `p` of size
 * `s` covers index positions `[(p-1)·s, p·s)` and returns the conversations whose first entry
 * lies there (the server drops the duplicate entries), so a page may hold fewer than `s`
 * records, and paging until an empty page still gives every conversation exactly once.
 *
 * @module
 */
import { hashFloat, Stream } from "./rng.ts";
import type { Selection } from "./dataset.ts";

const BLOCK = 1024;
const CACHE_SIZE = 16;

/**
 * Maps page windows of the duplicated index to positions of a selection. A conversation's
 * duplicate entry sits right after its first one, so a window of two or more positions before
 * the end always holds a first entry: only the last pages can be empty. With a page size of 1
 * there are no duplicates (a one-entry page cannot be shortened).
 *
 * @example
 * ```ts
 * import { IndexPages } from "./index_pages.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const pages = new IndexPages(1, 0.5);
 * const selection = { total: 100, at: (k: number) => k, key: "all" };
 * let seen = 0;
 * for (let p = 1; ; p++) {
 *   const [from, to] = pages.window(selection, 10, p);
 *   if (from === to) break;
 *   seen += to - from;
 * }
 * strictEqual(seen, 100);
 * ```
 */
export class IndexPages {
  readonly #seed: number;
  readonly #share: number;
  /** Per selection key: index position of the first entry of every BLOCK-th selection item. */
  readonly #sums = new Map<string, number[]>();

  /**
   * Creates the pager.
   *
   * @param seed The seed (which conversations are duplicated).
   * @param share The share of conversations held twice (0 for none).
   */
  constructor(seed: number, share: number) {
    this.#seed = seed;
    this.#share = share;
  }

  /**
   * Whether conversation `i` has a duplicate entry.
   *
   * @param i The conversation index.
   * @returns True when it is held twice.
   */
  duplicated(i: number): boolean {
    return this.#share > 0 && hashFloat(this.#seed, Stream.duplicate, i) < this.#share;
  }

  /**
   * How many index entries a selection has, duplicates included, estimated from the share
   * (what `totalHits` is based on).
   *
   * @param total The selection's size.
   * @returns The estimated index length.
   */
  expectedLength(total: number): number {
    return total * (1 + this.#share);
  }

  /**
   * The selection positions `[from, to)` that page `pageNumber` returns.
   *
   * @param selection The matched conversations, in order.
   * @param pageSize The page size.
   * @param pageNumber The page number, from 1.
   * @returns The positions; `from === to` for an empty page.
   */
  window(selection: Selection, pageSize: number, pageNumber: number): [number, number] {
    const a = (pageNumber - 1) * pageSize;
    const b = a + pageSize;
    if (pageSize === 1 || this.#share === 0) {
      return [Math.min(a, selection.total), Math.min(b, selection.total)];
    }
    const sums = this.#blockSums(selection, a);
    // The last block that starts before position a, then item by item.
    let lo = 0;
    let hi = sums.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (sums[mid] < a) lo = mid;
      else hi = mid - 1;
    }
    let k = Math.min(lo * BLOCK, selection.total);
    let pos = sums[lo];
    const weight = (j: number) => this.duplicated(selection.at(j)) ? 2 : 1;
    while (k < selection.total && pos < a) pos += weight(k++);
    const from = k;
    while (k < selection.total && pos < b) pos += weight(k++);
    return [from, k];
  }

  /** The block sums of a selection, extended past index position `a` (or to its end). */
  #blockSums(selection: Selection, a: number): number[] {
    let sums = this.#sums.get(selection.key);
    if (sums) this.#sums.delete(selection.key);
    else sums = [0];
    this.#sums.set(selection.key, sums);
    if (this.#sums.size > CACHE_SIZE) this.#sums.delete(this.#sums.keys().next().value!);
    while (sums[sums.length - 1] < a && (sums.length - 1) * BLOCK < selection.total) {
      const start = (sums.length - 1) * BLOCK;
      let pos = sums[sums.length - 1];
      for (let j = start; j < start + BLOCK && j < selection.total; j++) {
        pos += this.duplicated(selection.at(j)) ? 2 : 1;
      }
      sums.push(pos);
    }
    return sums;
  }
}
