/**
 * The project's own module graph, from `deno info --json` (code and type imports alike: an
 * `import type` is a dependency with a `type` resolution and no `code` one), and the checks the
 * architecture test makes on it: import cycles and the folder rules of `design.md` ("Layout").
 * Run it as a script for a report: `deno run --allow-run=deno --allow-read=. tests/_module_graph.ts`.
 *
 * @module
 */

/** The entry points whose graphs are checked. */
export const ROOTS: readonly string[] = ["mod.ts", "cli.ts", "testing.ts"];

/** What each area may import besides itself; `area:path` allows one file of an area. */
export const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  root: [], // lib/*.ts: errors, redact, log, types and the private _x.ts helpers
  retry: ["root"],
  client: ["root", "retry"],
  paginate: ["root", "retry"],
  analytics: ["root", "retry", "paginate"],
  extract: ["root", "retry", "paginate", "analytics"],
  sim: ["root", "retry", "client:lib/client/region.ts"],
  cli: ["root", "retry", "client", "paginate", "analytics", "extract", "sim"],
  "mod.ts": ["root", "retry", "client", "paginate", "analytics", "extract"],
  "cli.ts": ["cli"],
  "testing.ts": ["sim"],
};

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
}

/**
 * Reads the local module graph of `roots`: each module (path from the project root) and the
 * local modules it imports.
 *
 * @param roots Entry points, relative to the current directory (the project root).
 * @returns Module path to imported module paths.
 */
export async function moduleGraph(
  roots: readonly string[] = ROOTS,
): Promise<Map<string, Set<string>>> {
  const base = new URL(`file://${Deno.cwd()}/`).href;
  const graph = new Map<string, Set<string>>();
  for (const root of roots) {
    const out = await new Deno.Command("deno", {
      args: ["info", "--json", root],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`deno info --json '${root}' failed`);
    const modules: InfoModule[] = JSON.parse(new TextDecoder().decode(out.stdout)).modules;
    for (const mod of modules) {
      if (!mod.specifier.startsWith(base)) continue;
      const edges = graph.get(mod.specifier.slice(base.length)) ?? new Set<string>();
      for (const dep of mod.dependencies ?? []) {
        for (const target of [dep.code?.specifier, dep.type?.specifier]) {
          if (target?.startsWith(base)) edges.add(target.slice(base.length));
        }
      }
      graph.set(mod.specifier.slice(base.length), edges);
    }
  }
  return graph;
}

/**
 * The import cycles of a graph: every strongly connected component of more than one module, or
 * of one module that imports itself (Tarjan's algorithm, iterative).
 *
 * @param graph Module to imported modules.
 * @returns Each cycle's modules, sorted.
 */
export function importCycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
  };
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    visit(start);
    const work: [string, string[]][] = [[start, [...(graph.get(start) ?? [])]]];
    while (work.length > 0) {
      const [node, todo] = work[work.length - 1];
      const child = todo.shift();
      if (child !== undefined) {
        if (!index.has(child)) {
          visit(child);
          work.push([child, [...(graph.get(child) ?? [])]]);
        } else if (onStack.has(child)) {
          low.set(node, Math.min(low.get(node)!, index.get(child)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent)!, low.get(node)!));
      }
      if (low.get(node) !== index.get(node)) continue;
      const members: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        members.push(member);
      } while (member !== node);
      if (members.length > 1 || graph.get(node)?.has(node)) cycles.push(members.sort());
    }
  }
  return cycles;
}

/**
 * The area of a module: `root` for `lib/*.ts`, the folder for `lib/<folder>/...`, else the path.
 *
 * @param path A module path from the project root.
 * @returns Its area.
 */
export function areaOf(path: string): string {
  if (!path.startsWith("lib/")) return path;
  const parts = path.split("/");
  return parts.length === 2 ? "root" : parts[1];
}

/**
 * The imports that break the folder rules ({@link MAY_IMPORT}).
 *
 * @param graph Module to imported modules.
 * @returns `from -> to` for each offending import, sorted.
 */
export function ruleViolations(graph: Map<string, Set<string>>): string[] {
  const bad: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const a = areaOf(from);
      const b = areaOf(to);
      const ok = a === b || (MAY_IMPORT[a] ?? []).some((rule) => {
        const [area, file] = rule.split(":");
        return area === b && (file === undefined || file === to);
      });
      if (!ok) bad.push(`${from} -> ${to}`);
    }
  }
  return bad.sort();
}

if (import.meta.main) {
  const graph = await moduleGraph();
  const cycles = importCycles(graph);
  const bad = ruleViolations(graph);
  console.log(
    `${graph.size} modules; ${cycles.length} import cycle(s); ${bad.length} rule violation(s)`,
  );
  for (const cycle of cycles) console.log(`cycle: ${cycle.join(", ")}`);
  for (const edge of bad) console.log(`rule: ${edge}`);
  if (cycles.length > 0 || bad.length > 0) Deno.exit(1);
}
