/**
 * How this process was started, for the resume command: a `deno task` (which says so in
 * `GENESYS_BATCH_INVOCATION`), a compiled binary, or `deno run` with the permissions it needs.
 *
 * @module
 */

import { envPermitted } from "./env.ts";
import { taskFolders, userCwd } from "./paths.ts";
import { flagsFor, type PermissionNeed, requirePermissions } from "./permissions.ts";
import { type Invocation, INVOCATION_ENV } from "./resume.ts";

/**
 * Describes the running process.
 *
 * @param needs The permissions the command uses, turned into `--allow-*` flags for a
 * `deno run` resume command.
 * @returns The invocation.
 *
 * @example
 * ```ts
 * import { invocation } from "./invocation.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const here = invocation([{ name: "write", target: "output", why: "the output" }]);
 * strictEqual(here.permissionFlags[0], "--allow-write=output");
 * ```
 */
export function invocation(needs: readonly PermissionNeed[]): Invocation {
  const task = envPermitted(INVOCATION_ENV) ? Deno.env.get(INVOCATION_ENV) : undefined;
  let cwd: string | undefined;
  try {
    cwd = Deno.cwd();
  } catch {
    cwd = undefined;
  }
  return {
    task: task?.trim() || undefined,
    standalone: Deno.build.standalone === true,
    execPath: standaloneExecPath(),
    mainModule: Deno.mainModule,
    cwd,
    permissionFlags: flagsFor(needs),
  };
}

function standaloneExecPath(): string {
  try {
    return Deno.execPath();
  } catch {
    return "genesys-batch";
  }
}

/**
 * Checks, before anything is sent or written, that a run has the permissions it needs (the
 * variables are asked for when they are read), and says how this process was started. Under a
 * task, a refusal says where the task may read and write.
 *
 * @param needs The permissions the run uses.
 * @param choose What the user should choose there instead: `an output`, `a --dir`.
 * @returns The invocation (see {@link invocation}).
 * @throws {MissingPermissionError} When something is missing.
 *
 * @example
 * ```ts
 * import { requireRunPermissions } from "./invocation.ts";
 * import { throws } from "node:assert/strict";
 *
 * // Under `deno task test`, writes are granted in .test-tmp only.
 * throws(
 *   () => requireRunPermissions([{ name: "write", target: "/elsewhere", why: "the output" }], "an output"),
 *   /--allow-write=\/elsewhere/,
 * );
 * ```
 */
export function requireRunPermissions(
  needs: readonly PermissionNeed[],
  choose: string,
): Invocation {
  const started = invocation(needs);
  const folders = taskFolders(userCwd(), Deno.cwd());
  requirePermissions(
    needs.filter((n) => n.name !== "env"),
    started.task
      ? `'${started.task}' reads under ${folders.read} and writes under ${folders.write} only: choose ${choose} there, or use 'deno run' with these flags (README, Permissions)`
      : undefined,
  );
  return started;
}
