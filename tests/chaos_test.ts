/**
 * The chaos matrix, fast part: every fault case × page-number listing, details query and details
 * jobs, one seed, small data, through the real client, engine, file sink and file checkpoint
 * against the simulator. Each transient case must end with exactly the expected ids (order, no
 * duplicates, bytes equal to a clean run's); each permanent one with a clear error and a
 * checkpoint that resumes to the same output once the fault clears. One test runs every cell (a
 * step per case) and then prints and checks the whole matrix, so the summary never depends on
 * which other tests ran. `deno task soak` runs the same matrix over more seeds and more data.
 */
import { CASES } from "./chaos/cases.ts";
import { tempDir } from "./chaos/files.ts";
import {
  Baselines,
  type CellResult,
  FAST_SIZE,
  KINDS,
  matrixTable,
  runCell,
} from "./chaos/matrix.ts";
import { assertEquals } from "./_assert.ts";

const SEED = 11;

Deno.test("chaos matrix: every fault case × kind ends with the expected output or a clean error", async (t) => {
  const results: CellResult[] = [];
  const baselines = new Baselines();
  const root = await tempDir("chaos");
  const cases = CASES.filter((c) => c.fast !== false);
  const cells = cases.reduce(
    (n, c) => n + KINDS.filter((k) => !c.kinds || c.kinds.includes(k)).length,
    0,
  );
  try {
    for (const chaos of cases) {
      await t.step(`'${chaos.id}': ${chaos.title}`, async () => {
        const failures: string[] = [];
        for (const kind of KINDS.filter((k) => !chaos.kinds || chaos.kinds.includes(k))) {
          const dir = `${root}/${chaos.id}-${kind}`;
          await Deno.mkdir(dir);
          const cell = await runCell(chaos, kind, SEED, FAST_SIZE, dir, baselines);
          results.push(cell);
          if (!cell.ok) failures.push(`${kind} (${cell.format}): ${cell.detail}`);
        }
        if (failures.length) {
          throw new Error(`Case '${chaos.id}' failed: ${failures.join(" | ")}`);
        }
      });
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  console.log(`\n${matrixTable(results, CASES)}`);
  const records = results.reduce((a, r) => a + r.records, 0);
  const injected = results.reduce((a, r) => a + r.injected, 0);
  const retries = results.reduce((a, r) => a + r.retries, 0);
  console.log(
    `${results.length} cells, ${records} records, ${injected} faults injected, ${retries} client retries`,
  );
  assertEquals(results.length, cells, "cells that ran");
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    throw new Error(
      `${failed.length} cell(s) failed: ${failed.map((r) => `${r.caseId}/${r.kind}`).join(", ")}`,
    );
  }
});
