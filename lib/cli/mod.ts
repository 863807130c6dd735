/**
 * The command line's entry: {@link main} runs one invocation with injectable I/O. Private to the
 * package; `cli.ts` re-exports it as the `./cli` subpath.
 *
 * @module
 */

export { main } from "./main.ts";
export type { CliIo } from "./context.ts";
