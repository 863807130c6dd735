/**
 * One run per job: the {@link CheckpointLock} a checkpoint store hands out, who holds a lock
 * ({@link LockHolder}, {@link lockHolder}) and the messages about it. The file lock is in
 * `_lock_file.ts`, the Deno KV lock in `_kv_lock.ts`; `docs/safety.md` tells the whole story.
 *
 * @module
 */
import { LockError, type LockOwner } from "../errors.ts";

/** The run that holds a job's lock, as its lock records it. */
export interface LockHolder {
  /** The process id. */
  pid: number;
  /** The host name, when the process may read it (`--allow-sys=hostname`). */
  host?: string;
  /** When the run took the lock (ISO 8601). */
  startedAt: string;
  /** A random id of this holder. */
  id: string;
}

/**
 * A job's lock, held by one run from before it reads the checkpoint until it ends: a second run
 * of the same job is refused with a {@link LockError} instead of writing into the same output.
 */
export interface CheckpointLock extends AsyncDisposable {
  /** Where the lock lives, for messages: a file path or a KV key. */
  readonly location: string;
  /** This run, as the lock records it. */
  readonly holder: LockHolder;
  /**
   * What the lock said when this run took it over from a run that ended without releasing it
   * (killed, or its machine stopped); `undefined` when the lock was free.
   */
  readonly tookOver?: LockOwner;
  /**
   * Checks that the lock is still this run's.
   *
   * @throws {LockError} When it was lost (deleted by hand, or expired and taken by another run).
   */
  verify(): Promise<void>;
  /** Releases the lock; safe to call more than once. */
  release(): Promise<void>;
  /**
   * Releases the lock at once, for exit paths that cannot wait (a second Ctrl-C); a store that
   * can only release asynchronously starts the release and returns.
   */
  releaseSync(): void;
}

/**
 * Who this process is, for a lock: its pid, its host name (when `--allow-sys=hostname` is
 * granted; never prompted for), now, and a random id.
 *
 * @param now The clock (epoch ms). Default `Date.now`.
 * @returns The holder.
 *
 * @example
 * ```ts
 * import { lockHolder } from "./lock.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(lockHolder().pid, Deno.pid);
 * ```
 */
export function lockHolder(now: () => number = Date.now): LockHolder {
  let host: string | undefined;
  try {
    if (Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted") {
      host = Deno.hostname();
    }
  } catch {
    host = undefined;
  }
  return {
    pid: Deno.pid,
    ...(host ? { host } : {}),
    startedAt: new Date(now()).toISOString(),
    id: crypto.randomUUID(),
  };
}

/**
 * Reads what a lock says about its holder (fields that are missing or of the wrong type are
 * left out: a lock being written, or damaged).
 *
 * @param value The lock's content, parsed.
 * @returns The owner, as far as known.
 *
 * @example
 * ```ts
 * import { lockOwner } from "./lock.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(lockOwner({ pid: 7, host: 3 }), { pid: 7 });
 * ```
 */
export function lockOwner(value: unknown): LockOwner {
  const record = value !== null && typeof value === "object"
    ? value as Record<string, unknown>
    : {};
  const owner: LockOwner = {};
  if (typeof record.pid === "number" && Number.isSafeInteger(record.pid)) owner.pid = record.pid;
  if (typeof record.host === "string" && record.host !== "") owner.host = record.host;
  if (typeof record.startedAt === "string") owner.startedAt = record.startedAt;
  return owner;
}

/**
 * Describes a lock's owner for messages: `pid 4242 on 'batch-1', started 2026-01-01T00:00:00.000Z`.
 *
 * @param owner What the lock says.
 * @returns The description (`an unknown run` when the lock says nothing).
 *
 * @example
 * ```ts
 * import { describeOwner } from "./lock.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(describeOwner({ pid: 7, host: "h" }), "pid 7 on 'h'");
 * ```
 */
export function describeOwner(owner: LockOwner | undefined): string {
  const parts: string[] = [];
  if (owner?.pid !== undefined) parts.push(`pid ${owner.pid}`);
  if (owner?.host !== undefined) parts.push(`on '${owner.host}'`);
  const who = parts.length ? parts.join(" ") : "an unknown run";
  return owner?.startedAt !== undefined ? `${who}, started ${owner.startedAt}` : who;
}

/**
 * The error for a lock another live run holds.
 *
 * @param location Where the lock is.
 * @param owner What it says about its holder.
 * @returns The error (the CLI exits with code 6).
 *
 * @example
 * ```ts
 * import { lockHeld } from "./lock.ts";
 * import { match } from "node:assert/strict";
 *
 * match(lockHeld("x.lock", { pid: 7 }).message, /^Another run of this job is already running \(pid 7\)/);
 * ```
 */
export function lockHeld(location: string, owner: LockOwner | undefined): LockError {
  return new LockError(
    `Another run of this job is already running (${
      describeOwner(owner)
    }): it holds the lock '${location}'; wait for it to end or stop it (a lock left by a run that was killed is taken over by the next run)`,
    { location, owner },
  );
}

/**
 * The notice for a stale lock taken over: what it said and why taking it was safe.
 *
 * @param location Where the lock is.
 * @param owner What the stale lock said about its holder.
 * @returns One line.
 *
 * @example
 * ```ts
 * import { tookOverNotice } from "./lock.ts";
 * import { match } from "node:assert/strict";
 *
 * match(tookOverNotice("x.lock", { pid: 7 }), /^Took over the lock 'x.lock' left by pid 7/);
 * ```
 */
export function tookOverNotice(location: string, owner: LockOwner): string {
  return `Took over the lock '${location}' left by ${
    describeOwner(owner)
  }: that run ended without releasing it (killed or crashed); its checkpoint is used as usual`;
}

/**
 * The error for a lock this run held and lost.
 *
 * @param location Where the lock is.
 * @returns The error (the CLI exits with code 6).
 *
 * @example
 * ```ts
 * import { lockLost } from "./lock.ts";
 * import { match } from "node:assert/strict";
 *
 * match(lockLost("x.lock").message, /lost the lock 'x.lock'/);
 * ```
 */
export function lockLost(location: string): LockError {
  return new LockError(
    `This run lost the lock '${location}' of its job (it was deleted, or it expired and another run took it); stopping without saving, so that only one run writes the checkpoint`,
    { location },
  );
}
