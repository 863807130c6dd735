/**
 * Figures of the real API's interval semantics through the CLI (the cases of
 * `tests/chaos/semantics.ts`): per case, the ids expected, the lines written, duplicates, ids
 * from outside the interval (or past a cap), ids missing, the requests the simulator served and
 * the exit codes. With `--before <path/to/cli.ts>`, the same cases also run another checkout's CLI
 * against this checkout's simulator (such as the code before issue 11: `git worktree add
 * /tmp/before 9e19ead`), skipping the cases that need options it lacks.
 *
 * Run: `deno run -P=test --no-prompt bench/semantics.ts [--before /tmp/before/cli.ts]`.
 *
 * @module
 */
import { CASES, figuresTable, runCase, type SemanticsFigures } from "../tests/chaos/semantics.ts";
import { tempDir } from "../tests/chaos/files.ts";

const i = Deno.args.indexOf("--before");
const before = i === -1 ? undefined : Deno.args[i + 1];
if (i !== -1 && !before) throw new Error("--before needs the path of another checkout's cli.ts");

const root = await tempDir("bench-semantics");
try {
  const rows: (SemanticsFigures & { label: string })[] = [];
  for (const c of CASES) {
    if (before && !c.newFlags) {
      rows.push({ ...await runCase(c, `${root}/before`, before), label: `${c.id} (before)` });
    }
    rows.push({ ...await runCase(c, `${root}/after`), label: before ? `${c.id} (after)` : c.id });
  }
  console.log(figuresTable(rows));
} finally {
  await Deno.remove(root, { recursive: true });
}
