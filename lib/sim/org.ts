/**
 * Records of the smaller org listings (groups, routing skills, wrap-up codes, divisions) and the
 * user expansions that refer to them, shaped like the real API's, built from (seed, index).
 *
 * @module
 */
import type { Directory } from "./directory.ts";
import { Rng, Stream } from "./rng.ts";

/** A JSON object as generated. */
type Json = Record<string, unknown>;

const GROUP_NAMES = [
  "Tier 1 Agents",
  "Tier 2 Agents",
  "Supervisors",
  "Quality Assurance",
  "Workforce Management",
  "Night Shift",
  "Billing Team",
  "Sales Team",
];
const SKILL_NAMES = [
  "English",
  "Spanish",
  "French",
  "German",
  "Billing",
  "Technical",
  "Sales",
  "Retention",
  "VIP",
  "Escalations",
  "Returns",
  "Claims",
];
const WRAP_UP_NAMES = [
  "Resolved",
  "Follow-up required",
  "Transferred",
  "Sale completed",
  "No sale",
  "Wrong number, no follow-up",
  "Escalated",
  "Callback scheduled",
  "Complaint",
  "Information given",
];
const DIVISION_DESCRIPTIONS = [
  "The home division",
  "Sales queues and their agents",
  "Customer service queues and their agents",
  "Back-office work",
];

const DAY_MS = 86_400_000;
const CREATED_FROM = Date.UTC(2023, 0, 1);

function numbered(names: readonly string[], i: number): string {
  const round = Math.floor(i / names.length);
  return `${names[i % names.length]}${round > 0 ? ` ${round + 1}` : ""}`;
}

function dates(rng: Rng): { created: string; modified: string } {
  const created = CREATED_FROM + rng.int(700) * DAY_MS + rng.int(DAY_MS);
  return {
    created: new Date(created).toISOString(),
    modified: new Date(created + rng.int(300) * DAY_MS).toISOString(),
  };
}

/**
 * Group `i` as `GET /api/v2/groups` lists it.
 *
 * @param dir The directory.
 * @param i The group index.
 * @returns The group record.
 *
 * @example
 * ```ts
 * import { groupRecord } from "./org.ts";
 * import { Directory } from "./directory.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const dir = new Directory({ seed: 1, users: 4, queues: 1, groups: 2 });
 * strictEqual(groupRecord(dir, 1).id, dir.groupIds[1]);
 * ```
 */
export function groupRecord(dir: Directory, i: number): Json {
  const rng = Rng.of(dir.seed, Stream.group, i + 1_000_000_000);
  const id = dir.groupIds[i];
  let members = 0;
  for (let u = 0; u < dir.activeUsers; u++) if (dir.userGroups(u).includes(i)) members++;
  return {
    id,
    name: numbered(GROUP_NAMES, i),
    description: `Simulated group ${i + 1}`,
    dateModified: dates(rng).modified,
    memberCount: members,
    state: "active",
    version: rng.between(1, 12),
    type: "official",
    rulesVisible: true,
    visibility: "public",
    chat: { jabberId: `${rng.hex(12)}@conference.example-sim.com` },
    selfUri: `/api/v2/groups/${id}`,
  };
}

/**
 * Routing skill `i` as `GET /api/v2/routing/skills` lists it.
 *
 * @param dir The directory.
 * @param i The skill index.
 * @returns The skill record.
 *
 * @example
 * ```ts
 * import { skillRecord } from "./org.ts";
 * import { Directory } from "./directory.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const dir = new Directory({ seed: 1, users: 1, queues: 1, skills: 3 });
 * strictEqual(skillRecord(dir, 0).name, "English");
 * ```
 */
export function skillRecord(dir: Directory, i: number): Json {
  const rng = Rng.of(dir.seed, Stream.skill, i + 1_000_000_000);
  const id = dir.skillIds[i];
  return {
    id,
    name: numbered(SKILL_NAMES, i),
    dateModified: dates(rng).modified,
    state: "active",
    version: String(rng.between(1, 9)),
    selfUri: `/api/v2/routing/skills/${id}`,
  };
}

/**
 * Wrap-up code `i` as `GET /api/v2/routing/wrapupcodes` lists it; its id is the `wrapUpCode` of
 * agents' wrap-up segments.
 *
 * @param dir The directory.
 * @param i The wrap-up code index.
 * @returns The wrap-up code record.
 *
 * @example
 * ```ts
 * import { wrapUpCodeRecord } from "./org.ts";
 * import { Directory } from "./directory.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const dir = new Directory({ seed: 1, users: 1, queues: 1, wrapUpCodes: 2 });
 * strictEqual(wrapUpCodeRecord(dir, 1).name, "Follow-up required");
 * ```
 */
export function wrapUpCodeRecord(dir: Directory, i: number): Json {
  const rng = Rng.of(dir.seed, Stream.wrapUpCode, i + 1_000_000_000);
  const id = dir.wrapUpCodeIds[i];
  const { created, modified } = dates(rng);
  const author = dir.activeUsers > 0 ? dir.userIds[rng.int(dir.activeUsers)] : id;
  return {
    id,
    name: numbered(WRAP_UP_NAMES, i),
    division: dir.divisions[0],
    description: `Simulated wrap-up code ${i + 1}`,
    dateCreated: created,
    dateModified: modified,
    modifiedBy: author,
    createdBy: author,
    selfUri: `/api/v2/routing/wrapupcodes/${id}`,
  };
}

/**
 * Division `i` as `GET /api/v2/authorization/divisions` lists it; its id is in the
 * `divisionIds` of conversations and the `division` of users and queues.
 *
 * @param dir The directory.
 * @param i The division index.
 * @returns The division record.
 *
 * @example
 * ```ts
 * import { divisionRecord } from "./org.ts";
 * import { Directory } from "./directory.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(divisionRecord(new Directory({ seed: 1, users: 1, queues: 1 }), 0).homeDivision, true);
 * ```
 */
export function divisionRecord(dir: Directory, i: number): Json {
  const d = dir.divisions[i];
  return {
    id: d.id,
    name: d.name,
    description: DIVISION_DESCRIPTIONS[i % DIVISION_DESCRIPTIONS.length],
    homeDivision: i === 0,
    selfUri: d.selfUri,
  };
}

/**
 * The fields `expand` adds to user `i`: `groups`, `skills` and `dateLastLogin` are generated;
 * other documented expansions are accepted and add nothing.
 *
 * @param dir The directory.
 * @param i The user index.
 * @param expand The `expand` values asked for.
 * @returns The extra fields.
 *
 * @example
 * ```ts
 * import { userExpansions } from "./org.ts";
 * import { Directory } from "./directory.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const dir = new Directory({ seed: 1, users: 2, queues: 1, groups: 1 });
 * deepStrictEqual(userExpansions(dir, 0, ["groups"]), {
 *   groups: [{ id: dir.groupIds[0], selfUri: `/api/v2/groups/${dir.groupIds[0]}` }],
 * });
 * ```
 */
export function userExpansions(dir: Directory, i: number, expand: readonly string[]): Json {
  const out: Json = {};
  if (expand.includes("groups")) {
    out.groups = dir.userGroups(i).map((g) => ({
      id: dir.groupIds[g],
      selfUri: `/api/v2/groups/${dir.groupIds[g]}`,
    }));
  }
  if (expand.includes("skills")) {
    const rng = Rng.of(dir.seed, Stream.skill, i + 2_000_000_000);
    out.skills = dir.userSkills(i).map((k) => ({
      id: dir.skillIds[k],
      name: numbered(SKILL_NAMES, k),
      proficiency: rng.between(1, 5),
      state: "active",
      skillUri: `/api/v2/routing/skills/${dir.skillIds[k]}`,
      selfUri: `/api/v2/users/${dir.userIds[i]}/routingskills/${dir.skillIds[k]}`,
    }));
  }
  if (expand.includes("dateLastLogin")) {
    const rng = Rng.of(dir.seed, Stream.user, i + 2_000_000_000);
    out.dateLastLogin = new Date(Date.UTC(2025, 11, 1) + rng.int(60 * DAY_MS)).toISOString();
  }
  return out;
}
