/**
 * The base of every toolkit error: {@link GenesysError}, which redacts its message, fields and
 * cause when built and again in its `toJSON()` and `Deno.inspect` forms. The subclasses are in
 * `errors.ts`.
 *
 * @module
 */
import { PATTERNS_ONLY, type Redactor } from "./redact.ts";

/** Options of every toolkit error: standard error options plus the redactor to apply. */
export interface GenesysErrorOptions extends ErrorOptions {
  /**
   * The redactor that knows the secrets this error might quote (a `TokenManager`'s knows the
   * client secret and every token issued). Without it, only credential patterns are removed.
   */
  redactor?: Redactor;
}

const REDACTORS = new WeakMap<GenesysError, Redactor>();

/** The redactor an error was built with (the credential patterns when none was given). */
export function redactorOf(error: GenesysError): Redactor {
  return REDACTORS.get(error) ?? PATTERNS_ONLY;
}

/** Redacts one of an error's text fields with the error's redactor; `undefined` stays so. */
export function clean(error: GenesysError, text: string | undefined): string | undefined {
  return text === undefined ? undefined : redactorOf(error).redact(text);
}

/** An error's own fields, without the ones every error has. */
function ownFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== "stack" && key !== "message" && key !== "name" && key !== "cause") {
      fields[key] = value;
    }
  }
  return fields;
}

/**
 * Base class of every error this toolkit throws on purpose.
 *
 * @example
 * ```ts
 * import { GenesysError, UsageError } from "./errors.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 *
 * ok(new UsageError("Bad page size") instanceof GenesysError);
 * const error = new GenesysError("Refused Authorization: Bearer abc.123456");
 * strictEqual(error.message, "Refused Authorization: [redacted]");
 * ```
 */
export class GenesysError extends Error {
  /**
   * Creates the error; the message is redacted.
   *
   * @param message What went wrong and, when known, how to fix it.
   * @param options Standard error options (`cause`) and the redactor to apply.
   */
  constructor(message: string, options?: GenesysErrorOptions) {
    const redactor = options?.redactor ?? PATTERNS_ONLY;
    super(redactor.redact(message), options);
    this.name = new.target.name;
    REDACTORS.set(this, redactor);
  }

  /**
   * The JSON form: name, message, the error's own fields and its cause (as `Name: message`),
   * all redacted.
   *
   * @returns A plain object.
   *
   * @example
   * ```ts
   * import { NetworkError } from "./errors.ts";
   * import { strictEqual } from "node:assert/strict";
   *
   * const error = new NetworkError("Connection reset", { request: "GET /x?access_token=abc123" });
   * strictEqual(JSON.stringify(error), '{"name":"NetworkError","message":"Connection reset","request":"GET /x?access_token=[redacted]"}');
   * ```
   */
  toJSON(): Record<string, unknown> {
    const value: Record<string, unknown> = {
      name: this.name,
      message: this.message,
      ...ownFields(this),
    };
    if (this.cause !== undefined) value.cause = this.cause;
    return redactorOf(this).redactValue(value) as Record<string, unknown>;
  }

  /**
   * The `Deno.inspect` (and `console.log`) form: the stack, the own fields and the cause, all
   * redacted.
   *
   * @param inspect Deno's inspect function.
   * @param options Its options.
   * @returns The text.
   */
  [Symbol.for("Deno.customInspect")](
    inspect: (value: unknown, options?: unknown) => string,
    options?: unknown,
  ): string {
    const redactor = redactorOf(this);
    const fields = ownFields(this);
    const shown = Object.keys(fields).length > 0
      ? ` ${inspect(redactor.redactValue(fields), options)}`
      : "";
    const cause = this.cause === undefined ? "" : `\nCaused by ${
      redactor.redact(
        typeof this.cause === "object" && this.cause !== null
          ? inspect(this.cause, options)
          : String(this.cause),
      )
    }`;
    return redactor.redact(this.stack ?? `${this.name}: ${this.message}`) + shown + cause;
  }
}
