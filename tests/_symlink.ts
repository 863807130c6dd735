/**
 * Symbolic links for tests. `Deno.symlink` needs unscoped read and write permissions, which the
 * test permission set does not grant (it writes under `.test-tmp` only), so the links are made by
 * a child `deno` process (the set grants running `deno`).
 */

/**
 * Creates symbolic links, each `[target, path]` (the target is stored as given).
 *
 * @param links The links to make.
 */
export async function makeSymlinks(links: readonly (readonly [string, string])[]): Promise<void> {
  const output = await new Deno.Command("deno", {
    args: [
      "eval",
      "--no-config",
      "-A",
      `for (const [t, p] of ${JSON.stringify(links)}) await Deno.symlink(t, p);`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`Could not make symlinks: ${new TextDecoder().decode(output.stderr)}`);
  }
}
