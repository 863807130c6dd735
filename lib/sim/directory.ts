/**
 * Generated users, queues and divisions, each a pure function of (seed, index).
 *
 * @module
 */
import { Rng, Stream, uuidOf } from "./rng.ts";

const FIRST = [
  "Ava",
  "Liam",
  "Noah",
  "Emma",
  "Olivia",
  "Mateo",
  "Sofia",
  "Lucas",
  "Mia",
  "Ethan",
  "Amara",
  "Kenji",
  "Priya",
  "Omar",
  "Zoe",
  "Hugo",
  "Ines",
  "Jonas",
  "Leila",
  "Marco",
  "Nadia",
  "Pavel",
  "Rosa",
  "Sven",
  "Tariq",
  "Uma",
  "Viktor",
  "Wen",
  "Yara",
  "Aiden",
];
const LAST = [
  "Smith",
  "Garcia",
  "Müller",
  "Rossi",
  "Tanaka",
  "Okafor",
  "Dubois",
  "Kowalski",
  "Silva",
  "Nguyen",
  "Johansson",
  "Haddad",
  "Patel",
  "Murphy",
  "Novak",
  "Fischer",
  "Costa",
  "Yilmaz",
  "Andersen",
  "Moreau",
  "Kim",
  "Lopez",
  "Brown",
  "Ivanova",
  "Singh",
];
const TITLES = ["Agent", "Senior Agent", "Team Lead", "Supervisor", "Specialist"];
const DEPARTMENTS = ["Customer Care", "Sales", "Billing", "Technical Support", "Retention"];
const QUEUE_TOPICS = [
  "Billing",
  "Sales",
  "Support",
  "Retention",
  "Claims",
  "Onboarding",
  "Escalations",
  "Returns",
  "Orders",
  "VIP",
  "Outbound",
  "Collections",
];
const REGIONS = ["EMEA", "NA", "APAC", "LATAM"];
const DIVISION_NAMES = ["Home", "Sales Division", "Service Division", "Back Office"];

/**
 * The org's domain in generated email addresses and jabber ids.
 *
 * @example
 * ```ts
 * import { Directory, SIM_DOMAIN } from "./directory.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(String(new Directory({ seed: 1, users: 1, queues: 0 }).user(0).email).endsWith(`@${SIM_DOMAIN}`));
 * ```
 */
export const SIM_DOMAIN = "example-sim.com";

/** A division reference, as nested in users and queues. */
export interface DivisionRef {
  /** Division id. */
  id: string;
  /** Division name. */
  name: string;
  /** `/api/v2/authorization/divisions/<id>`. */
  selfUri: string;
}

/** The sizes of a generated directory (absent counts are 0; `wrapUpCodes` at least 1). */
export interface DirectorySizes {
  /** The seed. */
  seed: number;
  /** Active users. */
  users: number;
  /** Queues. */
  queues: number;
  /** Inactive users. */
  inactiveUsers?: number;
  /** Deleted users. */
  deletedUsers?: number;
  /** Groups. */
  groups?: number;
  /** Routing skills. */
  skills?: number;
  /** Wrap-up codes (default 1). */
  wrapUpCodes?: number;
}

/** A user's `state`. */
export type UserState = "active" | "inactive" | "deleted";

/**
 * The generated org directory: divisions, users (active, then inactive, then deleted), queues,
 * groups, routing skills and wrap-up codes. Only ids are kept in memory; records are built when
 * asked for.
 *
 * @example
 * ```ts
 * import { Directory } from "./directory.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const dir = new Directory({ seed: 1, users: 3, inactiveUsers: 1, queues: 2 });
 * strictEqual(dir.userIds.length, 4);
 * strictEqual(dir.userState(3), "inactive");
 * deepStrictEqual(dir.user(0), new Directory({ seed: 1, users: 3, queues: 2 }).user(0));
 * ```
 */
export class Directory {
  /** The seed. */
  readonly seed: number;
  /** Every user id: active users first, then inactive, then deleted. */
  readonly userIds: string[];
  /** How many users are active (indices below it; only they handle conversations). */
  readonly activeUsers: number;
  /** How many users are inactive (they follow the active ones). */
  readonly inactiveUsers: number;
  /** Queue ids in listing order. */
  readonly queueIds: string[];
  /** Group ids in listing order. */
  readonly groupIds: string[];
  /** Routing skill ids in listing order. */
  readonly skillIds: string[];
  /** Wrap-up code ids in listing order. */
  readonly wrapUpCodeIds: string[];
  /** The divisions (at least one, `Home`). */
  readonly divisions: DivisionRef[];

  /**
   * Generates the ids.
   *
   * @param sizes The seed and how many of each.
   */
  constructor(sizes: DirectorySizes) {
    const seed = sizes.seed;
    const ids = (stream: number, n: number) =>
      Array.from({ length: n }, (_, i) => uuidOf(seed, stream, i));
    this.seed = seed;
    this.activeUsers = sizes.users;
    this.inactiveUsers = sizes.inactiveUsers ?? 0;
    this.userIds = ids(
      Stream.user,
      sizes.users + this.inactiveUsers + (sizes.deletedUsers ?? 0),
    );
    this.queueIds = ids(Stream.queue, sizes.queues);
    this.groupIds = ids(Stream.group, sizes.groups ?? 0);
    this.skillIds = ids(Stream.skill, sizes.skills ?? 0);
    this.wrapUpCodeIds = ids(Stream.wrapUpCode, Math.max(1, sizes.wrapUpCodes ?? 1));
    this.divisions = DIVISION_NAMES.map((name, i) => {
      const id = uuidOf(seed, Stream.division, i);
      return { id, name, selfUri: `/api/v2/authorization/divisions/${id}` };
    });
  }

  /**
   * The state of user `i`.
   *
   * @param i The user index.
   * @returns `active`, `inactive` or `deleted`.
   */
  userState(i: number): UserState {
    if (i < this.activeUsers) return "active";
    return i < this.activeUsers + this.inactiveUsers ? "inactive" : "deleted";
  }

  /**
   * The index range of users in `state` (`any` for all).
   *
   * @param state A user state or `any`.
   * @returns `[from, to)`.
   */
  usersIn(state: UserState | "any"): [number, number] {
    const a = this.activeUsers;
    const b = a + this.inactiveUsers;
    switch (state) {
      case "active":
        return [0, a];
      case "inactive":
        return [a, b];
      case "deleted":
        return [b, this.userIds.length];
      default:
        return [0, this.userIds.length];
    }
  }

  /**
   * The division index of user `i`.
   *
   * @param i The user index.
   * @returns A division index.
   */
  userDivision(i: number): number {
    return i % this.divisions.length;
  }

  /**
   * The groups user `i` belongs to (one or two, none when there are no groups).
   *
   * @param i The user index.
   * @returns Group indices.
   */
  userGroups(i: number): number[] {
    const n = this.groupIds.length;
    if (n === 0) return [];
    const first = i % n;
    const second = (i * 7 + 3) % n;
    return first === second ? [first] : [first, second];
  }

  /**
   * The routing skills of user `i` (up to three).
   *
   * @param i The user index.
   * @returns Skill indices.
   */
  userSkills(i: number): number[] {
    const n = this.skillIds.length;
    const out = new Set<number>();
    for (let k = 0; k < Math.min(3, n); k++) out.add((i * (k + 2) + k) % n);
    return [...out];
  }

  /**
   * The division index of queue `q` (conversations in that queue belong to it).
   *
   * @param q The queue index.
   * @returns A division index.
   */
  queueDivision(q: number): number {
    return q % this.divisions.length;
  }

  /**
   * The display name of user `i`.
   *
   * @param i The user index.
   * @returns A name such as `Ava Smith 7`.
   */
  userName(i: number): string {
    return `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}${
      i >= FIRST.length * LAST.length ? ` ${Math.floor(i / (FIRST.length * LAST.length)) + 1}` : ""
    }`;
  }

  /**
   * The name of queue `q`.
   *
   * @param q The queue index.
   * @returns A name such as `EMEA Billing`.
   */
  queueName(q: number): string {
    const topic = QUEUE_TOPICS[q % QUEUE_TOPICS.length];
    const region = REGIONS[Math.floor(q / QUEUE_TOPICS.length) % REGIONS.length];
    const round = Math.floor(q / (QUEUE_TOPICS.length * REGIONS.length));
    return `${region} ${topic}${round > 0 ? ` ${round + 1}` : ""}`;
  }

  /**
   * User `i` as `GET /api/v2/users` lists it.
   *
   * @param i The user index.
   * @returns The user record.
   */
  user(i: number): Record<string, unknown> {
    const rng = Rng.of(this.seed, Stream.user, i + 1_000_000_000);
    const id = this.userIds[i];
    const name = this.userName(i);
    const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, ".")}@${SIM_DOMAIN}`;
    const division = this.divisions[this.userDivision(i)];
    return {
      id,
      name,
      division,
      chat: { jabberId: `${rng.hex(12)}@${SIM_DOMAIN}` },
      department: rng.pick(DEPARTMENTS),
      email,
      primaryContactInfo: [{ address: email, mediaType: "EMAIL", type: "PRIMARY" }],
      addresses: [],
      state: this.userState(i),
      title: rng.pick(TITLES),
      username: email,
      version: rng.between(1, 40),
      acdAutoAnswer: false,
      selfUri: `/api/v2/users/${id}`,
    };
  }

  /**
   * Queue `q` as `GET /api/v2/routing/queues` lists it.
   *
   * @param q The queue index.
   * @returns The queue record.
   */
  queue(q: number): Record<string, unknown> {
    const rng = Rng.of(this.seed, Stream.queue, q + 1_000_000_000);
    const id = this.queueIds[q];
    const created = Date.UTC(2024, 0, 1) + rng.int(600) * 86_400_000 + rng.int(86_400_000);
    const modified = created + rng.int(200) * 86_400_000;
    const members = Math.min(this.userIds.length, rng.between(3, 40));
    const joined = Math.floor(members * (0.5 + rng.next() / 2));
    const creator = this.userIds.length > 0 ? this.userIds[rng.int(this.userIds.length)] : id;
    const sla = (ms: number) => ({
      alertingTimeoutSeconds: 8 + rng.int(30),
      serviceLevel: { percentage: 0.8, durationMs: ms },
    });
    return {
      id,
      name: this.queueName(q),
      division: this.divisions[this.queueDivision(q)],
      description: `Simulated queue ${q + 1}`,
      dateCreated: new Date(created).toISOString(),
      dateModified: new Date(modified).toISOString(),
      modifiedBy: creator,
      createdBy: creator,
      memberCount: members,
      userMemberCount: members,
      joinedMemberCount: joined,
      mediaSettings: {
        call: sla(20_000),
        callback: sla(20_000),
        chat: sla(30_000),
        email: sla(86_400_000),
        message: sla(60_000),
      },
      routingRules: [],
      acwSettings: { wrapupPrompt: "MANDATORY_TIMEOUT", timeoutMs: 30_000 + rng.int(4) * 15_000 },
      skillEvaluationMethod: "BEST",
      autoAnswerOnly: false,
      enableTranscription: rng.chance(0.3),
      enableManualAssignment: false,
      callingPartyName: "Simulated Contact Center",
      selfUri: `/api/v2/routing/queues/${id}`,
    };
  }
}
