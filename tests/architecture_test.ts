import { importCycles, moduleGraph, ruleViolations } from "./_module_graph.ts";
import { assertEquals } from "./_assert.ts";

Deno.test("mod.ts, cli.ts and testing.ts import no cycle, type imports included", async () => {
  assertEquals(importCycles(await moduleGraph()), []);
});

Deno.test("every import follows the folder rules of design.md", async () => {
  assertEquals(ruleViolations(await moduleGraph()), []);
});
