/**
 * Help texts and the CLI reference (docs/cli-reference.md), both rendered from the command specs.
 *
 * @module
 */

import type { CommandSpec, OptionSpec } from "./spec.ts";

/** The program name used in usage lines and examples. */
export const PROGRAM = "genesys-batch";

const HELP_OPTION: OptionSpec = {
  name: "help",
  short: "h",
  type: "boolean",
  description: "Show this help.",
};

/**
 * Wraps text to `width` columns.
 *
 * @param text One paragraph.
 * @param width The line width.
 * @returns The lines.
 *
 * @example
 * ```ts
 * import { wrap } from "./help.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(wrap("one two three", 8), ["one two", "three"]);
 * ```
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/**
 * How an option is written in help: `-o, --output <file|->`.
 *
 * @param option The option.
 * @returns Its synopsis.
 *
 * @example
 * ```ts
 * import { optionSynopsis } from "./help.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(optionSynopsis({ name: "output", short: "o", type: "string", value: "<file>", description: "" }), "-o, --output <file>");
 * ```
 */
export function optionSynopsis(option: OptionSpec): string {
  const long = `--${option.name}${option.type === "string" ? ` ${option.value ?? "<value>"}` : ""}`;
  return option.short ? `-${option.short}, ${long}` : `    ${long}`;
}

function usageLine(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? []).map((p) =>
    p.required ? `<${p.name}>` : `[${p.name}]`
  );
  return [PROGRAM, spec.name, ...positionals, "[options]"].join(" ");
}

function optionNotes(option: OptionSpec): string {
  const notes: string[] = [];
  if (option.default !== undefined) notes.push(`default: ${option.default}`);
  if (option.env !== undefined) notes.push(`env: ${option.env}`);
  if (option.collect) notes.push("repeatable");
  return notes.length > 0 ? ` [${notes.join("; ")}]` : "";
}

/** A help row: `head` in a 32-column gutter, `text` wrapped beside it (below a head too long). */
function helpRow(head: string, text: string, width: number): string[] {
  const indent = " ".repeat(32);
  const lines = wrap(text, width - 32);
  if (head.length >= 31) return [head, ...lines.map((l) => indent + l)];
  return [head.padEnd(32) + (lines[0] ?? ""), ...lines.slice(1).map((l) => indent + l)];
}

/**
 * The `--help` text of one command: usage, description, arguments, every option (with default
 * and environment variable) and examples.
 *
 * @param spec The command.
 * @param width The line width (default 100).
 * @returns The text, ending with a newline.
 *
 * @example
 * ```ts
 * import { commandHelp } from "./help.ts";
 * import { match } from "node:assert/strict";
 *
 * const text = commandHelp({
 *   name: "users",
 *   summary: "Extract users",
 *   options: [{ name: "page-size", type: "string", value: "<n>", description: "Per request.", default: "100" }],
 *   examples: [{ command: "users -o users.csv", note: "All users as CSV" }],
 * });
 * match(text, /--page-size <n> +Per request\. \[default: 100\]/);
 * match(text, /genesys-batch users -o users.csv/);
 * ```
 */
export function commandHelp(spec: CommandSpec, width = 100): string {
  const out: string[] = [`${PROGRAM} ${spec.name}: ${spec.summary}`, ""];
  out.push(`Usage: ${usageLine(spec)}`, "");
  for (const paragraph of spec.description ?? []) out.push(...wrap(paragraph, width), "");
  const positionals = spec.positionals ?? [];
  if (positionals.length > 0) {
    out.push("Arguments:");
    for (const p of positionals) out.push(...helpRow(`  <${p.name}>`, p.description, width));
    out.push("");
  }
  out.push("Options:");
  for (const option of [...spec.options, HELP_OPTION]) {
    out.push(
      ...helpRow(`  ${optionSynopsis(option)}`, option.description + optionNotes(option), width),
    );
  }
  out.push("");
  if (spec.examples.length > 0) {
    out.push("Examples:");
    for (const example of spec.examples) {
      out.push(`  # ${example.note}`, `  ${PROGRAM} ${example.command}`, "");
    }
  }
  return out.join("\n").replace(/\n+$/, "\n");
}

/**
 * The top-level help: what the tool is, the commands, global options, how to run it, exit codes.
 *
 * @param specs The commands.
 * @param version The version to show.
 * @returns The text, ending with a newline.
 *
 * @example
 * ```ts
 * import { mainHelp } from "./help.ts";
 * import { match } from "node:assert/strict";
 *
 * match(mainHelp([{ name: "users", summary: "Extract users", options: [], examples: [] }], "0.1.0"), /users +Extract users/);
 * ```
 */
export function mainHelp(specs: readonly CommandSpec[], version: string): string {
  const lines = [
    `${PROGRAM} ${version}: Genesys Cloud batch extractions that survive token expiry, 429s, 5xx,`,
    "dropped connections, deadlines and a killed process, and resume where they stopped.",
    "",
    `Usage: ${PROGRAM} <command> [options]`,
    `       ${PROGRAM} <command> --help`,
    "",
    "Commands:",
    ...specs.map((s) => `  ${s.name.padEnd(16)}${s.summary}`),
    `  ${"help".padEnd(16)}Show help for a command; 'help --markdown' prints the CLI reference`,
    "",
    "Global options:",
    "  -h, --help      Show help",
    "  -V, --version   Show the version",
    "",
    `Run it as 'deno task -q extract <command>', 'deno run <permissions> cli.ts <command>' (also`,
    `from a URL) or as the compiled '${PROGRAM}' binary. Credentials come only from the environment`,
    "(GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET, GENESYSCLOUD_REGION) or --env-file.",
    "",
    "Exit codes:",
    ...EXIT_CODE_LINES.map(([code, meaning]) => `  ${code.padEnd(5)}${meaning}`),
    "",
    `Start with: ${PROGRAM} demo`,
  ];
  return lines.join("\n") + "\n";
}

/** The `help` command's own spec, for `help --help` and `help help`. */
export const HELP_SPEC: CommandSpec = {
  name: "help",
  summary: "Show help for a command, or the CLI reference",
  description: [
    "Without a command, the overview (the same as --help). With one, that command's options and examples (the same as '<command> --help').",
  ],
  positionals: [{ name: "command", description: "The command to explain", required: false }],
  options: [{
    name: "markdown",
    type: "boolean",
    description: "Print the reference of every command in Markdown, as the docs carry it.",
  }],
  examples: [
    { command: "help conversations", note: "The options of conversations" },
    { command: "help --markdown", note: "The whole CLI reference in Markdown" },
  ],
};

/** Exit codes and their meaning, for help and the reference. */
export const EXIT_CODE_LINES: readonly (readonly [string, string])[] = Object.freeze(
  [
    ["0", "done"],
    ["1", "failed after retries (API, network, rate limit, analytics job, unexpected error)"],
    [
      "2",
      "usage or bad input (options, files, a checkpoint of another job, a missing permission, a 400 answer)",
    ],
    ["3", "authentication or authorization (no or bad credentials, wrong region, 401, 403)"],
    ["4", "deadline reached: checkpoint saved, run the same command again to continue"],
    [
      "5",
      "result capped by a documented server limit (inactive users past 10,000): the output is finished but incomplete; a rerun says the same",
    ],
    [
      "6",
      "another run of the same job is running (it holds the lock beside the checkpoint): nothing was read or written",
    ],
    ["130", "interrupted (SIGINT, SIGTERM): checkpoint saved, the resume command is printed"],
  ] as const,
);

function md(text: string): string {
  // Quoted literals become code (an apostrophe inside a word, as in "token's", is not a quote);
  // anything left that markdown could read as HTML is escaped.
  return text.replace(/(?<!\w)'([^'\s][^']*?)'(?!\w)/g, "`$1`").replace(/<(?![^`]*`)/g, "&lt;");
}

/**
 * The CLI reference in Markdown, for docs/cli-reference.md (between the `cli-reference` markers).
 * Rendered from the same specs as `--help`, so a test can keep docs/cli-reference.md in step.
 *
 * @param specs The commands.
 * @returns Markdown, ending with a newline.
 *
 * @example
 * ```ts
 * import { markdownReference } from "./help.ts";
 * import { match } from "node:assert/strict";
 *
 * const text = markdownReference([{ name: "users", summary: "Extract users", options: [], examples: [] }]);
 * match(text, /### `genesys-batch users`/);
 * ```
 */
export function markdownReference(specs: readonly CommandSpec[]): string {
  const out: string[] = [];
  for (const spec of specs) {
    out.push(`### \`${PROGRAM} ${spec.name}\``, "", `${md(spec.summary)}.`, "");
    out.push("```", usageLine(spec), "```", "");
    for (const paragraph of spec.description ?? []) out.push(md(paragraph), "");
    for (const p of spec.positionals ?? []) out.push(`- \`<${p.name}>\`: ${md(p.description)}`);
    if ((spec.positionals ?? []).length > 0) out.push("");
    for (const option of [...spec.options, HELP_OPTION]) {
      const synopsis = optionSynopsis(option).trim();
      const notes: string[] = [];
      if (option.default !== undefined) notes.push(`default \`${option.default}\``);
      if (option.env !== undefined) notes.push(`env \`${option.env}\``);
      if (option.collect) notes.push("repeatable");
      const tail = notes.length > 0 ? ` (${notes.join(", ")})` : "";
      out.push(`- \`${synopsis}\`: ${md(option.description)}${tail}`);
    }
    out.push("");
    if (spec.examples.length > 0) {
      out.push("```sh");
      for (const example of spec.examples) {
        out.push(`# ${example.note}`, `${PROGRAM} ${example.command}`);
      }
      out.push("```", "");
    }
  }
  out.push("### Exit codes", "");
  for (const [code, meaning] of EXIT_CODE_LINES) out.push(`- \`${code}\`: ${md(meaning)}`);
  return out.join("\n") + "\n";
}
