/**
 * Help and documentation stay complete and in step: every command's `--help` shows every option
 * with its default and environment variable, and the CLI reference page `docs/cli-reference.md`
 * (between the `cli-reference` markers) is exactly what `cli.ts help --markdown` prints.
 */
import { assert, assertEquals } from "./_assert.ts";
import { COMMANDS, main } from "../lib/cli/main.ts";
import { markdownReference, optionSynopsis } from "../lib/cli/help.ts";
import { parseCommand } from "../lib/cli/spec.ts";
import { cli, ROOT } from "./_cli.ts";

async function helpOf(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await main(args, {
    stdout: (t) => out += t,
    stderr: () => {},
    stderrIsTerminal: false,
  });
  return { code, out };
}

const normalize = (text: string) => text.replace(/\s+/g, " ").trim();

/** The generated CLI reference page, and how to bring it up to date. */
const REFERENCE = "docs/cli-reference.md";
const REGENERATE =
  `replace the text between the markers with the output of 'deno run cli.ts help --markdown', then run 'deno fmt ${REFERENCE}'`;

Deno.test("Every command's --help lists each option, its default and env variable, and examples", async () => {
  for (const command of COMMANDS) {
    const { code, out } = await helpOf([command.spec.name, "--help"]);
    assertEquals(code, 0, command.spec.name);
    const flat = normalize(out);
    assert(out.startsWith(`genesys-batch ${command.spec.name}: `), out);
    assert(out.includes(`Usage: genesys-batch ${command.spec.name}`), out);
    for (const option of command.spec.options) {
      const synopsis = optionSynopsis(option).trim();
      assert(out.includes(synopsis), `${command.spec.name} --help lacks '${synopsis}'`);
      assert(flat.includes(normalize(option.description)), `${synopsis}: description missing`);
      if (option.default !== undefined) {
        assert(flat.includes(`default: ${option.default}`), `${synopsis}: default missing`);
      }
      if (option.env !== undefined) assert(flat.includes(`env: ${option.env}`), synopsis);
    }
    assert(out.includes("-h, --help"));
    assert(command.spec.examples.length > 0, `${command.spec.name} has no examples`);
    for (const example of command.spec.examples) {
      assert(out.includes(`genesys-batch ${example.command}`), example.command);
    }
    const viaHelp = await helpOf(["help", command.spec.name]);
    assertEquals(viaHelp.out, out);
  }
  const top = await helpOf(["--help"]);
  for (const command of COMMANDS) assert(top.out.includes(`  ${command.spec.name} `));
  for (const code of ["0", "1", "2", "3", "4", "5", "130"]) {
    assert(top.out.includes(`\n  ${code} `), code);
  }
});

Deno.test("Every example in help is a command line that parses", () => {
  for (const command of COMMANDS) {
    for (const example of command.spec.examples) {
      const words = example.command.split(" | ")[0].match(/'[^']*'|\S+/g)!.map((w) =>
        w.replace(/^'|'$/g, "")
      );
      assertEquals(words[0], command.spec.name, example.command);
      parseCommand(command.spec, words.slice(1));
    }
  }
});

Deno.test("docs/cli-reference.md is what 'cli.ts help --markdown' prints", async () => {
  const output = await cli(["help", "--markdown"], { flags: [] });
  assertEquals(output.code, 0, output.stderr);
  const generated = output.stdout;
  for (const command of COMMANDS) {
    assert(generated.includes(`### \`genesys-batch ${command.spec.name}\``));
    for (const option of command.spec.options) {
      assert(generated.includes(`\`${optionSynopsis(option).trim()}\``), option.name);
    }
  }
  let page = "";
  try {
    page = await Deno.readTextFile(`${ROOT}${REFERENCE}`);
  } catch {
    // reported below
  }
  const start = "<!-- cli-reference:start -->";
  const end = "<!-- cli-reference:end -->";
  const from = page.indexOf(start);
  const to = page.indexOf(end);
  assert(
    from !== -1 && to > from,
    `${REFERENCE} needs the CLI reference between '${start}' and '${end}': ${REGENERATE}`,
  );
  assertEquals(
    normalize(page.slice(from + start.length, to)),
    normalize(generated),
    `${REFERENCE} is stale: ${REGENERATE}`,
  );
});

Deno.test("The markdown reference turns quoted literals into code but leaves apostrophes alone", () => {
  const text = markdownReference([{
    name: "auth",
    summary: "Check credentials",
    description: ["Prints the token's lifetime, the call's status and 'sim-client-id'."],
    options: [],
    examples: [],
  }]);
  assert(text.includes("the token's lifetime, the call's status and `sim-client-id`."), text);
  // The real help: the auth command's description has both kinds.
  const generated = markdownReference(COMMANDS.map((c) => c.spec));
  assert(!/\w`s\b/.test(generated), "an apostrophe became a code span");
});

Deno.test("The modules that render the CLI reference name the page it lives on", async () => {
  for (const file of ["lib/cli/help.ts", "lib/cli/spec.ts"]) {
    const text = await Deno.readTextFile(`${ROOT}${file}`);
    assert(!text.includes("README's CLI reference"), `${file} still places it in the README`);
    assert(text.includes(REFERENCE), `${file} does not name ${REFERENCE}`);
  }
});
