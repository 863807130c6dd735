/**
 * The chaos matrix, fast part: every fault case × page-number listing, details query and details
 * jobs, one seed, small data, through the real client, engine, file sink and file checkpoint
 * against the simulator. Each transient case must end with exactly the expected ids (order, no
 * duplicates, bytes equal to a clean run's); each permanent one with a clear error and a
 * checkpoint that resumes to the same output once the fault clears. The last test prints the
 * matrix. `deno task soak` runs the same matrix over more seeds and more data.
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

const SEED = 11;
const results: CellResult[] = [];
const baselines = new Baselines();
let root: string | undefined;

async function cellDir(name: string): Promise<string> {
  root ??= await tempDir("chaos");
  const dir = `${root}/${name}`;
  await Deno.mkdir(dir);
  return dir;
}

for (const chaos of CASES.filter((c) => c.fast !== false)) {
  Deno.test(`extract survives chaos case '${chaos.id}': ${chaos.title}`, async () => {
    const failures: string[] = [];
    for (const kind of KINDS.filter((k) => !chaos.kinds || chaos.kinds.includes(k))) {
      const cell = await runCell(
        chaos,
        kind,
        SEED,
        FAST_SIZE,
        await cellDir(`${chaos.id}-${kind}`),
        baselines,
      );
      results.push(cell);
      if (!cell.ok) failures.push(`${kind} (${cell.format}): ${cell.detail}`);
    }
    if (failures.length) throw new Error(`Case '${chaos.id}' failed: ${failures.join(" | ")}`);
  });
}

Deno.test("chaos matrix: every cell passed (case × kind table)", async () => {
  console.log(`\n${matrixTable(results, CASES)}`);
  const records = results.reduce((a, r) => a + r.records, 0);
  const injected = results.reduce((a, r) => a + r.injected, 0);
  const retries = results.reduce((a, r) => a + r.retries, 0);
  console.log(
    `${results.length} cells, ${records} records, ${injected} faults injected, ${retries} client retries`,
  );
  if (root) await Deno.remove(root, { recursive: true });
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    throw new Error(
      `${failed.length} cell(s) failed: ${failed.map((r) => `${r.caseId}/${r.kind}`).join(", ")}`,
    );
  }
});
