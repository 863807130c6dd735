/**
 * The `genesys-batch` command line: extract conversation details, users, queues or any
 * page-number listing from Genesys Cloud into JSONL, CSV or JSON, surviving token expiry, 429s,
 * 5xx, dropped connections, deadlines and a killed process, and resuming where it stopped.
 *
 * Run it as `deno task extract <command>`, `deno run <permissions> cli.ts <command>` (also
 * straight from a URL) or as a `deno compile` binary; `genesys-batch --help` lists the commands
 * and `genesys-batch demo` shows it at work against the bundled simulator.
 *
 * Exit codes: 0 done; 1 failed after retries; 2 usage or bad input; 3 authentication; 4 deadline
 * reached (checkpoint saved); 6 another run of the same job holds its lock; 130 interrupted
 * (checkpoint saved).
 *
 * @example Run the CLI in-process (this is what `cli.ts` does when it is the main module)
 * ```ts
 * import { main } from "./cli.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * let out = "";
 * const io = { stdout: (t: string) => out += t, stderr: () => {}, stderrIsTerminal: false };
 * strictEqual(await main(["--version"], io), 0);
 * strictEqual(out.startsWith("genesys-batch "), true);
 * ```
 *
 * @module
 */

import { main } from "./lib/cli/mod.ts";

export * from "./lib/cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
