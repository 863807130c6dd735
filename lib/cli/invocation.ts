/**
 * How this process was started, for the resume command: a `deno task` (which says so in
 * `GENESYS_BATCH_INVOCATION`), a compiled binary, or `deno run` with the permissions it needs.
 *
 * @module
 */

import { envPermitted } from "./env.ts";
import { flagsFor, type PermissionNeed } from "./permissions.ts";
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
