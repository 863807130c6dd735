/**
 * The documentation holds together: every relative link in the README, the top-level pages and the
 * pages under `docs/` leads to a file that exists (and, with an anchor, to a heading in it), the
 * README links every page and each page links back to it from its first line, the README stays
 * short with the two first commands near its top, and shell examples run the tasks with `-q`.
 */
import { assert, assertEquals } from "./_assert.ts";
import { ROOT } from "./_cli.ts";
import { exists } from "./chaos/run.ts";

/** The pages besides `docs/*.md`, relative to the project folder. */
const TOP_PAGES = ["README.md", "CHANGELOG.md", "CONTRIBUTING.md", "SECURITY.md"];

async function pages(): Promise<string[]> {
  const docs: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}docs`)) {
    if (entry.isFile && entry.name.endsWith(".md")) docs.push(`docs/${entry.name}`);
  }
  return [...TOP_PAGES, ...docs.sort()];
}

/** The text outside fenced code blocks, and the fenced blocks with their info strings. */
function split(markdown: string): { prose: string[]; blocks: { info: string; lines: string[] }[] } {
  const prose: string[] = [];
  const blocks: { info: string; lines: string[] }[] = [];
  let block: { info: string; lines: string[] } | undefined;
  for (const line of markdown.split("\n")) {
    const fence = /^\s*```(.*)$/.exec(line);
    if (fence && !block) {
      block = { info: fence[1].trim(), lines: [] };
    } else if (fence && block) {
      blocks.push(block);
      block = undefined;
    } else if (block) {
      block.lines.push(line);
    } else {
      prose.push(line);
    }
  }
  return { prose, blocks };
}

/** The link targets of some prose, inline code spans left out. */
function linkTargets(prose: string[]): string[] {
  const text = prose.join("\n").replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

/** GitHub's anchors of a page's headings (text lowercased, punctuation dropped, spaces dashed). */
function anchors(prose: string[]): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/`/g, "");
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

function resolve(from: string, target: string): string {
  const url = new URL(target, `file:///${from}`);
  return decodeURIComponent(url.pathname.slice(1));
}

Deno.test("Every relative link of the documentation leads to a file and heading that exist", async () => {
  const texts = new Map<string, string>();
  for (const page of await pages()) texts.set(page, await Deno.readTextFile(`${ROOT}${page}`));
  const broken: string[] = [];
  let checked = 0;
  for (const [page, text] of texts) {
    for (const target of linkTargets(split(text).prose)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      checked++;
      const [path, anchor] = target.split("#", 2);
      const file = path === "" ? page : resolve(page, path);
      if (!(await exists(`${ROOT}${file}`))) {
        broken.push(`${page}: '${target}' (no file '${file}')`);
        continue;
      }
      if (anchor === undefined || !file.endsWith(".md")) continue;
      const other = texts.get(file) ?? await Deno.readTextFile(`${ROOT}${file}`);
      if (!anchors(split(other).prose).has(anchor)) {
        broken.push(`${page}: '${target}' (no heading '#${anchor}' in '${file}')`);
      }
    }
  }
  assert(checked > 50, `only ${checked} links found: is the link pattern still right?`);
  assertEquals(broken, [], `broken links:\n${broken.join("\n")}`);
});

Deno.test("The README links every page, and every page links back from its first line", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const linked = new Set(linkTargets(split(readme).prose).map((t) => resolve("README.md", t)));
  for (const page of (await pages()).filter((p) => p !== "README.md")) {
    assert(linked.has(page), `README.md does not link '${page}'`);
    const lines = (await Deno.readTextFile(`${ROOT}${page}`)).split("\n");
    assert(lines[0].startsWith("# "), `${page} starts with its title`);
    const first = lines.slice(1).find((line) => line.trim() !== "") ?? "";
    const back = page.startsWith("docs/") ? "](../README.md)" : "](README.md)";
    assert(first.includes(back), `${page}: the line after the title links back to the README`);
  }
});

Deno.test("The README is short and starts with the two commands that work on a fresh machine", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const lines = readme.split("\n");
  assert(lines.length - 1 <= 300, `README.md has ${lines.length - 1} lines; keep it to 300`);
  const top = lines.slice(0, 30).join("\n");
  assert(top.includes("npx -y deno@2.9.6 task demo"), "the demo command in the first 30 lines");
  assert(top.includes("npx -y deno@2.9.6 task test"), "the test command in the first 30 lines");
});

Deno.test("Shell examples run the user-facing tasks with -q", async () => {
  const loud: string[] = [];
  for (const page of await pages()) {
    for (const block of split(await Deno.readTextFile(`${ROOT}${page}`)).blocks) {
      if (block.info !== "sh") continue;
      for (const line of block.lines) {
        if (/\bdeno task (extract|sim|check-auth)\b/.test(line)) loud.push(`${page}: ${line}`);
      }
    }
  }
  assertEquals(loud, [], "use 'deno task -q ...': without -q Deno prints its own 'Task ...' line");
});
