/**
 * The chaos matrix, fast part: every fault case × page-number listing, details query and details
 * jobs, one seed, small data, through the real client, engine, file sink and file checkpoint
 * against the simulator's real semantics (an interval from 06:00, days split into 6-hour spans
 * at a lowered paging limit, calls of 1-4 h crossing them, calls still live at the clock's start). Each transient case must end with exactly the expected ids (order, no
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
  INTERVAL,
  KINDS,
  matrixTable,
  runCell,
} from "./chaos/matrix.ts";
import { runOnce, simOptions, VirtualClock } from "./chaos/run.ts";
import { startSimulator } from "../testing.ts";
import { assert, assertEquals } from "./_assert.ts";

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

Deno.test("chaos matrix data bites: split days, calls that another span owns, calls still live, for the query and jobs", async () => {
  const root = await tempDir("chaos-data");
  try {
    for (const kind of ["query", "jobs"] as const) {
      const clock = new VirtualClock();
      await using sim = await startSimulator(simOptions(SEED, FAST_SIZE, clock));
      const path = `${root}/${kind}.jsonl`;
      const out = await runOnce({
        env: { sim, clock, simOptions: {} },
        kind,
        size: FAST_SIZE,
        path,
        format: "jsonl",
        tokens: new Set(),
      });
      assertEquals(out.error, undefined);
      const records = (await Deno.readTextFile(path)).trim().split("\n").map((l) => JSON.parse(l));
      assertEquals(records.map((r) => r.conversationId), sim.conversationIds(INTERVAL), kind);
      assert(out.result!.dropped > 0, `${kind}: nothing dropped, the ownership rule is untested`);
      const live = records.filter((r) => !("conversationEnd" in r)).length;
      assert(live > 0, `${kind}: no live call`);
      if (kind === "query") {
        // A day holds more than the paging limit allows: paged whole, it would have met a 400.
        const day = sim.detailsQueryIds("2026-01-02T00:00:00Z/2026-01-03T00:00:00Z").length;
        assert(day > FAST_SIZE.maxResults, `a day holds only ${day}`);
        assertEquals(sim.stats.byStatus["400"], undefined);
      }
      console.log(
        `${kind}: ${records.length} records, ${out.result!.dropped} dropped, ${live} live`,
      );
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
