/**
 * Access tokens: issue, check (missing, unknown, expired, revoked), revoke.
 *
 * @module
 */
import { HttpError } from "./reply.ts";
import { Rng, Stream } from "./rng.ts";

interface TokenRecord {
  expiresAt: number;
  revoked: boolean;
  uses: number;
}

const SWEEP_AT = 50_000;

/**
 * The live tokens of one simulator. Token strings are derived from the seed and a counter.
 *
 * @example
 * ```ts
 * import { TokenStore } from "./auth.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let now = 0;
 * const store = new TokenStore(1, () => now);
 * const token = store.issue(10);
 * strictEqual(store.authorize(`Bearer ${token}`), undefined);
 * now = 10_000;
 * strictEqual(store.authorize(`Bearer ${token}`)?.code, "credentials.expired");
 * ```
 */
export class TokenStore {
  readonly #seed: number;
  readonly #now: () => number;
  readonly #tokens = new Map<string, TokenRecord>();
  #issued = 0;
  #revoked = 0;
  #sweepAt = SWEEP_AT;

  /**
   * Creates the store.
   *
   * @param seed The seed.
   * @param now The clock, epoch ms.
   */
  constructor(seed: number, now: () => number) {
    this.#seed = seed;
    this.#now = now;
  }

  /** Tokens issued so far. */
  get issued(): number {
    return this.#issued;
  }

  /** Tokens revoked so far. */
  get revoked(): number {
    return this.#revoked;
  }

  /** Zeroes the counters (tokens stay valid). */
  resetCounters(): void {
    this.#issued = 0;
    this.#revoked = 0;
  }

  /**
   * Issues a token.
   *
   * @param lifetimeSeconds Its lifetime.
   * @returns The token string.
   */
  issue(lifetimeSeconds: number): string {
    if (this.#tokens.size >= this.#sweepAt) {
      this.#sweep();
      // Live tokens stay: sweep again only once the map has doubled, not on every issue.
      this.#sweepAt = Math.max(SWEEP_AT, 2 * this.#tokens.size);
    }
    const n = this.#issued++;
    const token = `sim_${Rng.of(this.#seed, Stream.token, n).hex(24)}${n.toString(36)}`;
    this.#tokens.set(token, {
      expiresAt: this.#now() + lifetimeSeconds * 1000,
      revoked: false,
      uses: 0,
    });
    return token;
  }

  /**
   * Checks an `Authorization` header and counts the use.
   *
   * @param header The header value.
   * @param revokeAfter Revoke the token once it has authorized this many requests.
   * @returns `undefined` when authorized, else the 401 to answer.
   */
  authorize(header: string | null, revokeAfter?: number | null): HttpError | undefined {
    const m = header ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
      return new HttpError(
        401,
        "authentication.required",
        "No authentication bearer token specified in authorization header.",
      );
    }
    const record = this.#tokens.get(m[1]);
    if (!record || record.revoked) {
      return new HttpError(401, "bad.credentials", "Invalid login credentials.");
    }
    if (this.#now() >= record.expiresAt) {
      return new HttpError(401, "credentials.expired", "The supplied credentials have expired.");
    }
    record.uses++;
    if (revokeAfter && record.uses >= revokeAfter) {
      record.revoked = true;
      this.#revoked++;
    }
    return undefined;
  }

  /**
   * Revokes every live token.
   *
   * @returns How many were revoked.
   */
  revokeAll(): number {
    const now = this.#now();
    let n = 0;
    for (const record of this.#tokens.values()) {
      if (!record.revoked && now < record.expiresAt) {
        record.revoked = true;
        n++;
      }
    }
    this.#revoked += n;
    return n;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [token, record] of this.#tokens) {
      if (record.revoked || now >= record.expiresAt) this.#tokens.delete(token);
    }
  }
}
