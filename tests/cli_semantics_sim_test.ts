/**
 * Issue 11's "done when", end to end against the simulator's real semantics (UTC-day index +
 * overlap, long and live calls, approximate totalHits, short pages, jobs with overlap and a
 * lagging availability date, the 10,000 inactive-user cap): the CLI, as a subprocess with the
 * extract task's grants, writes each conversation that started in the interval exactly once and
 * nothing else, with --chunk 6h, a split day, a non-midnight start, --jobs, two back-to-back runs
 * and totalHits 10 % low; 12,000 inactive users end with 10,000, a warning and exit 5; an interval
 * ending tomorrow, run twice, ends with what the second run could see. `bench/semantics.ts`
 * prints the same figures, also for the code before issue 11.
 */
import { CASES, figuresTable, runCase, type SemanticsFigures } from "./chaos/semantics.ts";
import { tempDir } from "./chaos/files.ts";
import { assert } from "./_assert.ts";

Deno.test(`CLI against the simulator's real semantics: ${CASES.length} cases, each conversation once and nothing else`, async (t) => {
  const root = await tempDir("semantics");
  const rows: SemanticsFigures[] = [];
  try {
    for (const c of CASES) {
      await t.step(`'${c.id}': ${c.title}`, async () => {
        const figures = await runCase(c, root);
        rows.push(figures);
        assert(figures.ok, `${c.id}: ${figures.problems.join("; ")}`);
      });
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  console.log(`\n${figuresTable(rows)}`);
});
