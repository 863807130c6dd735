/**
 * Reading a Genesys (or OAuth) error body, JSON or not, redacted and cut short.
 *
 * @module
 */

import { PATTERNS_ONLY, type Redactor } from "../redact.ts";
import { oneLine } from "../_text.ts";

/** What a Genesys (or OAuth) error body says. */
export interface ErrorBody {
  /** `code`, or the OAuth `error`. */
  code?: string;
  /** `message`, or the OAuth `error_description` / `description`, or the start of a text body. */
  message?: string;
  /** `contextId`. */
  contextId?: string;
  /** The parsed body, when it was JSON. */
  body?: unknown;
}

/**
 * Reads an error body, JSON or not. JSON is parsed first and its decoded strings redacted (a
 * token the server echoed with JSON escapes is still found), then cut short.
 *
 * @param text The body text.
 * @param redactor Knows the secrets to remove (the client secret, every token issued).
 * @returns The code, message and context id it holds, and the body with its strings redacted.
 *
 * @example
 * ```ts
 * import { parseErrorBody } from "./_error_body.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(parseErrorBody('{"code":"bad.request","message":"No"}').code, "bad.request");
 * strictEqual(parseErrorBody("<html>Bad gateway</html>").message, "<html>Bad gateway</html>");
 * ```
 */
export function parseErrorBody(text: string, redactor: Redactor = PATTERNS_ONLY): ErrorBody {
  const trimmed = text.trim();
  if (trimmed === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { message: oneLine(redactor.redact(trimmed), 200) };
  }
  const body = redactor.redactValue(parsed);
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { message: oneLine(JSON.stringify(body), 200), body };
  }
  const record = parsed as Record<string, unknown>;
  const str = (value: unknown): string | undefined =>
    typeof value === "string" && value.trim() !== ""
      ? oneLine(redactor.redact(value), 500)
      : undefined;
  return {
    code: str(record.code) ?? str(record.error),
    message: str(record.message) ?? str(withParams(record)) ?? str(record.error_description) ??
      str(record.description),
    contextId: str(record.contextId),
    body,
  };
}

/** `messageWithParams` with its `{name}` placeholders filled from `messageParams`. */
function withParams(record: Record<string, unknown>): string | undefined {
  const template = record.messageWithParams;
  if (typeof template !== "string") return undefined;
  const params = record.messageParams;
  const values = params !== null && typeof params === "object"
    ? params as Record<string, unknown>
    : {};
  return template.replace(
    /\{(\w+)\}/g,
    (whole, name: string) =>
      Object.hasOwn(values, name) && values[name] !== null && typeof values[name] !== "object"
        ? String(values[name])
        : whole,
  );
}
