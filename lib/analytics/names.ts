/**
 * Names for the ids in conversation records: users, queues and wrap-up codes, as read from their
 * listings (`names_fetch.ts` reads them). The table shapes look names up here to fill the name
 * columns that `--resolve-names` adds next to the ids.
 *
 * @module
 */

/** The listings a {@link NameDirectory} holds: users, queues and wrap-up codes. */
export type NameKind = "users" | "queues" | "wrapUpCodes";

/** Every {@link NameKind}, in the order they are read. */
export const NAME_KINDS: readonly NameKind[] = Object.freeze(["users", "queues", "wrapUpCodes"]);

/** Id → name maps of users, queues and wrap-up codes. Plain JSON, so it can be cached. */
export interface NameDirectory {
  /** User id → user name (`GET /api/v2/users`). */
  users: Record<string, string>;
  /** Queue id → queue name (`GET /api/v2/routing/queues`). */
  queues: Record<string, string>;
  /** Wrap-up code id → wrap-up code name (`GET /api/v2/routing/wrapupcodes`). */
  wrapUpCodes: Record<string, string>;
}

/**
 * A directory without names, to fill in place (a sink reads it only when it writes rows).
 *
 * @returns Empty maps.
 *
 * @example
 * ```ts
 * import { emptyNameDirectory } from "./names.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(emptyNameDirectory(), { users: {}, queues: {}, wrapUpCodes: {} });
 * ```
 */
export function emptyNameDirectory(): NameDirectory {
  return { users: {}, queues: {}, wrapUpCodes: {} };
}

/**
 * Looks a name up.
 *
 * @param names The directory (absent: no names).
 * @param kind Which listing.
 * @param id The id (anything else gives `null`).
 * @returns The name, or `null` when the id is not in the listing.
 *
 * @example
 * ```ts
 * import { nameOf } from "./names.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const names = { users: { u1: "Ava Smith" }, queues: {}, wrapUpCodes: {} };
 * strictEqual(nameOf(names, "users", "u1"), "Ava Smith");
 * strictEqual(nameOf(names, "users", "constructor"), null);
 * strictEqual(nameOf(names, "queues", null), null);
 * ```
 */
export function nameOf(
  names: NameDirectory | undefined,
  kind: NameKind,
  id: unknown,
): string | null {
  if (names === undefined || typeof id !== "string") return null;
  const map = names[kind];
  return Object.hasOwn(map, id) ? map[id] : null;
}
