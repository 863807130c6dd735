import { importCycles, moduleGraph, ruleViolations } from "./_module_graph.ts";
import { assert, assertEquals } from "./_assert.ts";

interface DocSymbol {
  name: string;
  declarations: { kind: string }[];
}

Deno.test("mod.ts, cli.ts and testing.ts import no cycle, type imports included", async () => {
  assertEquals(importCycles(await moduleGraph()), []);
});

Deno.test("every import follows the folder rules of design.md", async () => {
  assertEquals(ruleViolations(await moduleGraph()), []);
});

/** The entry points a user imports: the package root and each library folder's subpath. */
const LIBRARY_FOLDERS = ["retry", "client", "paginate", "analytics", "extract"];
const VALUE_KINDS = ["function", "class", "variable", "enum", "namespace"];

Deno.test("mod.ts exports at most 45 values (classes count as values)", async () => {
  const out = await new Deno.Command("deno", {
    args: ["doc", "--json", "mod.ts"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const doc: { nodes: Record<string, { symbols?: DocSymbol[] }> } = JSON.parse(
    new TextDecoder().decode(out.stdout),
  );
  const symbols = Object.values(doc.nodes).flatMap((node) => node.symbols ?? []);
  const values = symbols.filter((s) => s.declarations.some((d) => VALUE_KINDS.includes(d.kind)))
    .map((s) => s.name);
  if (values.length > 45) {
    throw new Error(`mod.ts exports ${values.length} values: ${values.sort().join(", ")}`);
  }
  // The count is of what deno doc sees: a wrong JSON shape must not pass as zero.
  assert(values.includes("GenesysClient") && values.includes("extract"), values.join(", "));
});

Deno.test("lib/ holds at most 12 files directly and no file over 500 lines, tests included", async () => {
  const direct: string[] = [];
  const long: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) {
        if (dir === "lib") direct.push(path);
        if (!path.endsWith(".ts")) continue;
        const lines = (await Deno.readTextFile(path)).split("\n").length - 1;
        if (lines > 500) long.push(`${path} (${lines})`);
      }
    }
  };
  await walk("lib");
  if (direct.length > 12) {
    throw new Error(`${direct.length} files directly in lib/: ${direct.sort().join(", ")}`);
  }
  assertEquals(long.sort(), []);
});

Deno.test("deno.json exports the mod.ts of every library folder, and the public modules list their exports", async () => {
  const config = JSON.parse(await Deno.readTextFile("deno.json"));
  const folders: string[] = [];
  for await (const entry of Deno.readDir("lib")) {
    if (entry.isDirectory && entry.name !== "cli" && entry.name !== "sim") folders.push(entry.name);
  }
  assertEquals(folders.sort(), [...LIBRARY_FOLDERS].sort());
  for (const folder of folders) {
    assertEquals(config.exports[`./${folder}`], `./lib/${folder}/mod.ts`, folder);
  }
  for (const path of ["mod.ts", ...folders.map((folder) => `lib/${folder}/mod.ts`)]) {
    const text = await Deno.readTextFile(path);
    assert(!/^export \*/m.test(text), `${path} re-exports with 'export *': list the names`);
  }
});
