/**
 * The one redactor: every path that can show text to a person (the logger, error messages and
 * bodies, errors' `toJSON` and `Deno.inspect` forms, the CLI's last-resort error printer) runs it.
 * It knows exact secrets (the client secret, every token issued, the Basic credentials) in the
 * encodings they travel in, and patterns no secret list can name (`Bearer`/`Basic` values, JWTs,
 * `access_token=...` and the like).
 *
 * @module
 */

/** What a secret is replaced with. */
export const REDACTED = "[redacted]";

/** Secrets shorter than this are ignored: they would blank ordinary words. */
const MIN_SECRET_LENGTH = 4;

const SENSITIVE_KEY =
  /^(authorization|proxy[-_]?authorization|access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?secret|password|secret|token|cookie|set-cookie)$/i;
// A credential after "Bearer"/"Basic": 6+ token characters with a digit or symbol, or 20+
// letters (so "Bearer token expired" stays readable).
const SCHEME =
  /\b(Bearer|Basic)\s+(?:(?=[A-Za-z0-9._~+/=%-]*[0-9._~+/=%-])[A-Za-z0-9._~+/=%-]{6,}|[A-Za-z]{20,})/gi;
const KEYED =
  /((?:["']?)(?:authorization|access_token|refresh_token|id_token|client_secret|clientSecret|accessToken|password)(?:["']?)\s*[:=]\s*["']?)((?:Bearer\s+|Basic\s+)?[^"'\s,&;}]+)/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The forms a secret travels in: as is, URL- and form-encoded, JSON-escaped, base64. */
function encodings(secret: string): string[] {
  const b64 = base64(secret);
  const b64url = b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const url = encodeURIComponent(secret);
  return [
    secret,
    url,
    url.replace(/%20/g, "+"),
    JSON.stringify(secret).slice(1, -1),
    b64,
    b64.replace(/=+$/, ""),
    encodeURIComponent(b64),
    b64url,
  ];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Removes secrets from text and values. Register exact secrets with {@link Redactor.add} (each is
 * also matched URL-encoded, form-encoded, JSON-escaped and in base64) or
 * {@link Redactor.addBasic} (a client id and secret, also as the Basic credentials they make);
 * patterns remove `Bearer`/`Basic` values, JWTs and the values of `Authorization`,
 * `access_token`, `refresh_token`, `id_token`, `client_secret` and `password` whatever the
 * registered secrets. Run it on decoded text (a parsed JSON body, not its escaped source) and
 * before cutting text short, so that no part of a secret survives either way.
 *
 * @example
 * ```ts
 * import { Redactor } from "./redact.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const redactor = new Redactor();
 * redactor.addBasic("my-client", "s3cr3t-value");
 * redactor.add("token-abc/123");
 * strictEqual(redactor.redact("sent token-abc%2F123"), "sent [redacted]");
 * strictEqual(redactor.redact(`header ${btoa("my-client:s3cr3t-value")}`), "header [redacted]");
 * strictEqual(redactor.redact("Authorization: Bearer xyz.123"), "Authorization: [redacted]");
 * ```
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  #forms = new Set<string>();
  #pattern?: RegExp | null;

  /**
   * Creates a redactor.
   *
   * @param secrets Exact secrets to know from the start.
   */
  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** How many secrets it knows (each counted once, whatever its encodings). */
  get size(): number {
    return this.#secrets.size;
  }

  /**
   * Registers a secret (ignored when shorter than 4 characters or already known).
   *
   * @param secret The secret, such as a token just issued.
   */
  add(secret: string | undefined): void {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) return;
    if (this.#secrets.has(secret)) return;
    this.#secrets.add(secret);
    for (const form of encodings(secret)) {
      if (form.length >= MIN_SECRET_LENGTH) this.#forms.add(form);
    }
    this.#pattern = undefined;
  }

  /**
   * Registers OAuth client credentials: the secret, and `id:secret` (what Basic authentication
   * sends), each in every encoding {@link Redactor.add} knows.
   *
   * @param clientId The client id (not a secret by itself).
   * @param clientSecret The client secret.
   */
  addBasic(clientId: string, clientSecret: string): void {
    this.add(clientSecret);
    if (clientSecret) this.add(`${clientId}:${clientSecret}`);
  }

  #regex(): RegExp | null {
    if (this.#pattern === undefined) {
      // Longest first: where one secret contains another, the whole of the longer one goes.
      const forms = [...this.#forms].sort((a, b) => b.length - a.length);
      this.#pattern = forms.length ? new RegExp(forms.map(escapeRegExp).join("|"), "g") : null;
    }
    return this.#pattern;
  }

  /**
   * Replaces every known secret and every credential pattern with `[redacted]`.
   *
   * @param text Any text.
   * @returns The text without them.
   */
  redact(text: string): string {
    let result = String(text);
    const known = this.#regex();
    if (known) result = result.replace(known, REDACTED);
    return result
      .replace(SCHEME, `$1 ${REDACTED}`)
      .replace(KEYED, `$1${REDACTED}`)
      .replace(JWT, REDACTED);
  }

  /**
   * A copy of a value fit to print or serialize: strings redacted, members named like
   * credentials (`authorization`, `token`, `client_secret`, `password`, ...) replaced whole,
   * errors reduced to `Name: message`, dates to ISO text, bigints to text, anything nested deeper
   * than 6 levels to `[object]`.
   *
   * @param value Any value.
   * @returns The redacted copy.
   *
   * @example
   * ```ts
   * import { Redactor } from "./redact.ts";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const redactor = new Redactor(["tok-123456"]);
   * deepStrictEqual(
   *   redactor.redactValue({ message: "bad tok-123456", access_token: "x", n: 1 }),
   *   { message: "bad [redacted]", access_token: "[redacted]", n: 1 },
   * );
   * ```
   */
  redactValue(value: unknown): unknown {
    return this.#clean(value, 0);
  }

  #clean(value: unknown, depth: number): unknown {
    if (typeof value === "string") return this.redact(value);
    if (value === null || typeof value !== "object") {
      return typeof value === "bigint" ? value.toString() : value;
    }
    if (value instanceof Error) return this.redact(`${value.name}: ${value.message}`);
    if (value instanceof Date) return value.toISOString();
    if (depth >= 6) return "[object]";
    if (Array.isArray(value)) return value.map((item) => this.#clean(item, depth + 1));
    const json = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof json === "function") return this.#clean(json.call(value), depth + 1);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SENSITIVE_KEY.test(key) && item !== undefined && item !== null
        ? REDACTED
        : this.#clean(item, depth + 1);
    }
    return out;
  }
}

/**
 * The redactor that knows no secret, only the credential patterns: the default of everything that
 * redacts without a redactor of its own (errors, error bodies, network failures). Never add a
 * secret to it: it is shared.
 */
export const PATTERNS_ONLY: Redactor = new Redactor();

/**
 * Removes secrets from text: every secret given (in the encodings {@link Redactor.add} knows),
 * `Bearer`/`Basic` credentials, JWTs, and the values of `Authorization`, `access_token`,
 * `refresh_token`, `client_secret` and `password` in headers, JSON, forms and query strings.
 *
 * @param text Any text.
 * @param secrets Exact strings to remove (shorter than 4 characters are ignored), or a
 * {@link Redactor} that knows them.
 * @returns The text with `[redacted]` in their place.
 *
 * @example
 * ```ts
 * import { redact } from "./redact.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(redact("Authorization: Bearer abc.def"), "Authorization: [redacted]");
 * strictEqual(redact('{"access_token":"xyz","expires_in":300}'), '{"access_token":"[redacted]","expires_in":300}');
 * strictEqual(redact("secret is hunter22", ["hunter22"]), "secret is [redacted]");
 * ```
 */
export function redact(text: string, secrets: Iterable<string> | Redactor = []): string {
  if (secrets instanceof Redactor) return secrets.redact(text);
  const list = [...secrets];
  return (list.length ? new Redactor(list) : PATTERNS_ONLY).redact(text);
}
