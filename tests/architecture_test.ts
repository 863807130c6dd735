import { importCycles, moduleGraph, ruleViolations } from "./_module_graph.ts";
import { assertEquals } from "./_assert.ts";

/** Cycles that exist until issue 16 removes them; a new one fails the test. */
const KNOWN_CYCLES: string[][] = [
  ["lib/analytics_query.ts", "lib/analytics_query_state.ts"],
];

Deno.test("mod.ts, cli.ts and testing.ts import no new cycle, type imports included", async () => {
  const cycles = importCycles(await moduleGraph()).sort((a, b) => a[0].localeCompare(b[0]));
  assertEquals(cycles, KNOWN_CYCLES);
});

Deno.test("every import follows the folder rules of design.md", async () => {
  assertEquals(ruleViolations(await moduleGraph()), []);
});
