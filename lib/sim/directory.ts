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
 * ok(String(new Directory(1, 1, 0).user(0).email).endsWith(`@${SIM_DOMAIN}`));
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

/**
 * The generated org directory: divisions, users and queues. Only ids are kept in memory; records
 * are built when asked for.
 *
 * @example
 * ```ts
 * import { Directory } from "./directory.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const dir = new Directory(1, 3, 2);
 * strictEqual(dir.userIds.length, 3);
 * deepStrictEqual(dir.user(0), new Directory(1, 3, 2).user(0));
 * ```
 */
export class Directory {
  /** The seed. */
  readonly seed: number;
  /** User ids in listing order. */
  readonly userIds: string[];
  /** Queue ids in listing order. */
  readonly queueIds: string[];
  /** The divisions (at least one, `Home`). */
  readonly divisions: DivisionRef[];

  /**
   * Generates the ids.
   *
   * @param seed The seed.
   * @param users How many users.
   * @param queues How many queues.
   */
  constructor(seed: number, users: number, queues: number) {
    this.seed = seed;
    this.userIds = Array.from({ length: users }, (_, i) => uuidOf(seed, Stream.user, i));
    this.queueIds = Array.from({ length: queues }, (_, i) => uuidOf(seed, Stream.queue, i));
    this.divisions = DIVISION_NAMES.map((name, i) => {
      const id = uuidOf(seed, Stream.division, i);
      return { id, name, selfUri: `/api/v2/authorization/divisions/${id}` };
    });
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
    const division = this.divisions[i % this.divisions.length];
    return {
      id,
      name,
      division,
      chat: { jabberId: `${rng.hex(12)}@${SIM_DOMAIN}` },
      department: rng.pick(DEPARTMENTS),
      email,
      primaryContactInfo: [{ address: email, mediaType: "EMAIL", type: "PRIMARY" }],
      addresses: [],
      state: "active",
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
