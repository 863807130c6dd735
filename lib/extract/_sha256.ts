/**
 * SHA-256 fed in pieces (FIPS 180-4), for hashing files of any size in flat memory: Web Crypto's
 * `crypto.subtle.digest` takes the whole input at once, and a day of conversations can be
 * hundreds of megabytes.
 *
 * @module
 */

const K = new Uint32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);

/**
 * A SHA-256 hash fed in pieces: {@link Sha256.update} as often as needed, then
 * {@link Sha256.hex} (or {@link Sha256.digest}) once.
 *
 * @example
 * ```ts
 * import { Sha256 } from "./_sha256.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const hash = new Sha256();
 * hash.update(new TextEncoder().encode("a"));
 * hash.update(new TextEncoder().encode("bc"));
 * strictEqual(hash.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * ```
 */
export class Sha256 {
  readonly #state = new Uint32Array([
    0x6a09e667,
    0xbb67ae85,
    0x3c6ef372,
    0xa54ff53a,
    0x510e527f,
    0x9b05688c,
    0x1f83d9ab,
    0x5be0cd19,
  ]);
  readonly #block = new Uint8Array(64);
  readonly #view = new DataView(this.#block.buffer);
  readonly #w = new Uint32Array(64);
  #filled = 0;
  #length = 0;
  #done = false;

  /** Bytes fed so far. */
  get length(): number {
    return this.#length;
  }

  /**
   * Feeds more bytes.
   *
   * @param data The next bytes.
   * @returns This hash.
   * @throws {Error} After the digest was taken.
   */
  update(data: Uint8Array): this {
    if (this.#done) throw new Error("This SHA-256 was already finished; start a new one");
    this.#length += data.length;
    let at = 0;
    if (this.#filled > 0) {
      const take = Math.min(64 - this.#filled, data.length);
      this.#block.set(data.subarray(0, take), this.#filled);
      this.#filled += take;
      at = take;
      if (this.#filled < 64) return this;
      this.#compress(this.#view, 0);
      this.#filled = 0;
    }
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (; at + 64 <= data.length; at += 64) this.#compress(view, at);
    if (at < data.length) {
      this.#block.set(data.subarray(at));
      this.#filled = data.length - at;
    }
    return this;
  }

  /**
   * Finishes the hash.
   *
   * @returns The 32-byte digest.
   */
  digest(): Uint8Array {
    if (!this.#done) {
      const bits = this.#length * 8;
      this.#block[this.#filled++] = 0x80;
      if (this.#filled > 56) {
        this.#block.fill(0, this.#filled);
        this.#compress(this.#view, 0);
        this.#filled = 0;
      }
      this.#block.fill(0, this.#filled, 56);
      this.#view.setUint32(56, Math.floor(bits / 0x1_0000_0000));
      this.#view.setUint32(60, bits >>> 0);
      this.#compress(this.#view, 0);
      this.#done = true;
    }
    const out = new Uint8Array(32);
    const view = new DataView(out.buffer);
    this.#state.forEach((word, i) => view.setUint32(i * 4, word));
    return out;
  }

  /**
   * Finishes the hash.
   *
   * @returns The digest as 64 lowercase hex digits.
   */
  hex(): string {
    return Array.from(this.digest(), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  #compress(data: DataView, offset: number): void {
    const w = this.#w;
    for (let i = 0; i < 16; i++) w[i] = data.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15];
      const b = w[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    const s = this.#state;
    let a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    s[0] += a;
    s[1] += b;
    s[2] += c;
    s[3] += d;
    s[4] += e;
    s[5] += f;
    s[6] += g;
    s[7] += h;
  }
}

/** A file's or stream's length and SHA-256. */
export interface ContentDigest {
  /** Bytes read. */
  bytes: number;
  /** SHA-256, 64 lowercase hex digits. */
  sha256: string;
}

/**
 * Hashes bytes that arrive in pieces, such as a file read in chunks.
 *
 * @param chunks The bytes, in order.
 * @returns Their total length and SHA-256.
 *
 * @example
 * ```ts
 * import { digestOf } from "./_sha256.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const text = new TextEncoder().encode("abc");
 * deepStrictEqual(await digestOf([text.subarray(0, 1), text.subarray(1)]), {
 *   bytes: 3,
 *   sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * });
 * ```
 */
export async function digestOf(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<ContentDigest> {
  const hash = new Sha256();
  for await (const chunk of chunks) hash.update(chunk);
  return { bytes: hash.length, sha256: hash.hex() };
}
