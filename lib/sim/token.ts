/**
 * `POST /oauth/token`: the client-credentials grant, with Basic auth or form-field credentials.
 *
 * @module
 */
import type { TokenStore } from "./auth.ts";
import type { Reply } from "./reply.ts";

/** What the token endpoint checks. */
export interface TokenEndpointSettings {
  /** The accepted client id. */
  clientId: string;
  /** The accepted client secret. */
  clientSecret: string;
  /** Status of `invalid_client`: 400 or 401. */
  invalidClientStatus: number;
  /** `expires_in` of new tokens, in seconds. */
  lifetimeSeconds: number;
}

function oauthError(status: number, error: string, description: string): Reply {
  return { status, json: { error, description, error_description: description } };
}

function basicCredentials(header: string | null): [string, string] | undefined {
  const m = header ? /^basic\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const unescape = (s: string) => {
    try {
      return decodeURIComponent(s.replaceAll("+", " "));
    } catch {
      return s;
    }
  };
  return [unescape(decoded.slice(0, colon)), unescape(decoded.slice(colon + 1))];
}

/**
 * Answers a token request.
 *
 * @param store Issues the token.
 * @param settings Accepted credentials and lifetime.
 * @param authorization The `Authorization` header.
 * @param form The form body.
 * @returns `{access_token, token_type, expires_in}`, or an OAuth error body.
 *
 * @example
 * ```ts
 * import { tokenEndpoint } from "./token.ts";
 * import { TokenStore } from "./auth.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const settings = { clientId: "id", clientSecret: "secret", invalidClientStatus: 401, lifetimeSeconds: 300 };
 * const reply = tokenEndpoint(new TokenStore(1, Date.now), settings, `Basic ${btoa("id:secret")}`,
 *   new URLSearchParams("grant_type=client_credentials"));
 * strictEqual((reply.json as { expires_in: number }).expires_in, 300);
 * ```
 */
export function tokenEndpoint(
  store: TokenStore,
  settings: TokenEndpointSettings,
  authorization: string | null,
  form: URLSearchParams,
): Reply {
  const creds = basicCredentials(authorization) ??
    (form.has("client_id") ? [form.get("client_id")!, form.get("client_secret") ?? ""] : undefined);
  if (!creds || creds[0] !== settings.clientId || creds[1] !== settings.clientSecret) {
    return oauthError(settings.invalidClientStatus, "invalid_client", "authentication failed");
  }
  const grant = form.get("grant_type");
  if (!grant) return oauthError(400, "invalid_request", "Missing grant_type");
  if (grant !== "client_credentials") {
    return oauthError(400, "unsupported_grant_type", `Unsupported grant type '${grant}'`);
  }
  const token = store.issue(settings.lifetimeSeconds);
  return {
    status: 200,
    json: { access_token: token, token_type: "bearer", expires_in: settings.lifetimeSeconds },
  };
}
