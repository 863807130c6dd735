/**
 * Seeded, deterministic randomness for the simulator: a 32-bit hash of (seed, stream, index) and
 * a small PRNG seeded from it, so any record can be generated on demand from its index alone.
 *
 * @module
 */

/**
 * Stream numbers keep the hashes of different purposes independent.
 *
 * @example
 * ```ts
 * import { hash32, Stream } from "./rng.ts";
 * import { notStrictEqual } from "node:assert/strict";
 *
 * notStrictEqual(hash32(1, Stream.user, 0), hash32(1, Stream.queue, 0));
 * ```
 */
export const Stream: {
  readonly conversationStart: 1;
  readonly conversationId: 2;
  readonly conversationTraits: 3;
  readonly conversationDetail: 4;
  readonly user: 5;
  readonly queue: 6;
  readonly division: 7;
  readonly token: 8;
  readonly correlation: 9;
  readonly job: 10;
  readonly fault: 11;
  readonly conversationDuration: 12;
  readonly duplicate: 13;
  readonly totalHits: 14;
  readonly group: 15;
  readonly skill: 16;
  readonly wrapUpCode: 17;
  readonly order: 18;
} = {
  conversationStart: 1,
  conversationId: 2,
  conversationTraits: 3,
  conversationDetail: 4,
  user: 5,
  queue: 6,
  division: 7,
  token: 8,
  correlation: 9,
  job: 10,
  fault: 11,
  conversationDuration: 12,
  duplicate: 13,
  totalHits: 14,
  group: 15,
  skill: 16,
  wrapUpCode: 17,
  order: 18,
} as const;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes a seed, a stream number and an index into 32 bits.
 *
 * @param seed Any integer seed (up to 2^53).
 * @param stream The purpose of the value, one of {@link Stream}.
 * @param index The record index or counter.
 * @returns An unsigned 32-bit hash.
 *
 * @example
 * ```ts
 * import { hash32 } from "./rng.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(hash32(1, 2, 3), hash32(1, 2, 3));
 * ```
 */
export function hash32(seed: number, stream: number, index: number): number {
  const low = seed >>> 0;
  const high = Math.floor(seed / 4294967296) >>> 0;
  let h = fmix(low ^ 0x9e3779b9);
  h = fmix(h ^ Math.imul(high + 0x7f4a7c15, 0x27d4eb2f));
  h = fmix(h ^ Math.imul(stream + 1, 0x165667b1));
  h = fmix(h ^ (index >>> 0));
  return fmix(h ^ Math.floor(index / 4294967296));
}

/**
 * A uniform float in [0, 1) from (seed, stream, index).
 *
 * @param seed The seed.
 * @param stream The purpose of the value.
 * @param index The record index or counter.
 * @returns A float in [0, 1).
 *
 * @example
 * ```ts
 * import { hashFloat } from "./rng.ts";
 * import { ok } from "node:assert/strict";
 *
 * const x = hashFloat(7, 1, 42);
 * ok(x >= 0 && x < 1);
 * ```
 */
export function hashFloat(seed: number, stream: number, index: number): number {
  return hash32(seed, stream, index) / 4294967296;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * A small deterministic PRNG (mulberry32) with helpers for picking values.
 *
 * @example
 * ```ts
 * import { Rng } from "./rng.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const a = Rng.of(1, 3, 10);
 * const b = Rng.of(1, 3, 10);
 * strictEqual(a.uuid(), b.uuid());
 * ```
 */
export class Rng {
  #state: number;

  /**
   * Creates a generator from a 32-bit state.
   *
   * @param state The initial state.
   */
  constructor(state: number) {
    this.#state = state >>> 0;
  }

  /**
   * A generator for (seed, stream, index).
   *
   * @param seed The seed.
   * @param stream The purpose of the values.
   * @param index The record index.
   * @returns A fresh generator.
   */
  static of(seed: number, stream: number, index: number): Rng {
    return new Rng(hash32(seed, stream, index));
  }

  /**
   * The next unsigned 32-bit value.
   *
   * @returns An integer in [0, 2^32).
   */
  nextU32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /**
   * The next float in [0, 1).
   *
   * @returns A float in [0, 1).
   */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /**
   * An integer in [0, n).
   *
   * @param n The exclusive upper bound (at least 1).
   * @returns An integer in [0, n).
   */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * An integer in [min, max].
   *
   * @param min The inclusive lower bound.
   * @param max The inclusive upper bound.
   * @returns An integer in [min, max].
   */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /**
   * True with probability `p`.
   *
   * @param p The probability, 0 to 1.
   * @returns Whether the event happened.
   */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /**
   * One element of `items`, uniformly.
   *
   * @param items A non-empty array.
   * @returns One of its elements.
   */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /**
   * One of `items` by weight.
   *
   * @param items Pairs of value and weight.
   * @returns The chosen value.
   */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let x = this.next() * total;
    for (const [value, w] of items) {
      if (x < w) return value;
      x -= w;
    }
    return items[items.length - 1][0];
  }

  /**
   * Lowercase hex of `bytes` random bytes.
   *
   * @param bytes How many bytes.
   * @returns A hex string of length `2 * bytes`.
   */
  hex(bytes: number): string {
    let out = "";
    for (let i = 0; i < bytes; i += 4) {
      const v = this.nextU32();
      for (let j = 0; j < 4 && i + j < bytes; j++) out += HEX[(v >>> (j * 8)) & 0xff];
    }
    return out;
  }

  /**
   * A version-4-shaped UUID.
   *
   * @returns A lowercase UUID string.
   */
  uuid(): string {
    // The bytes of hex(16), formatted straight from the four words (no slicing or re-parsing).
    const a = this.nextU32();
    const b = this.nextU32();
    const c = this.nextU32();
    const d = this.nextU32();
    const x = (v: number, shift: number) => HEX[(v >>> shift) & 0xff];
    const word = (v: number) => x(v, 0) + x(v, 8) + x(v, 16) + x(v, 24);
    const middle = `${x(b, 0)}${x(b, 8)}-4${x(b, 16)[1]}${x(b, 24)}`;
    const variant = `${HEX[(c & 0x3f) | 0x80]}${x(c, 8)}`;
    return `${word(a)}-${middle}-${variant}-${x(c, 16)}${x(c, 24)}${word(d)}`;
  }
}

/**
 * A deterministic UUID for (seed, stream, index).
 *
 * @param seed The seed.
 * @param stream The purpose of the id.
 * @param index The record index.
 * @returns A lowercase UUID string.
 *
 * @example
 * ```ts
 * import { uuidOf } from "./rng.ts";
 * import { match } from "node:assert/strict";
 *
 * match(uuidOf(1, 2, 0), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
 * ```
 */
export function uuidOf(seed: number, stream: number, index: number): string {
  return Rng.of(seed, stream, index).uuid();
}
