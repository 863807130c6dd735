/**
 * The chaos matrix: fault cases × extraction kinds (page-number listing, details query, details
 * jobs), each run through the real client, engine, file sink and file checkpoint against the
 * simulator over loopback HTTP. A transient case must end with exactly the expected ids (same
 * order, no duplicates, bytes equal to a clean run's, except the records of calls that were still
 * live in the clean run: faults make a run take longer in virtual time, and a call in progress
 * may have moved on by the time it is read); a permanent case must end with a clear error and a
 * checkpoint that, once the fault clears, resumes to the same full output.
 *
 * Time is virtual where the faults allow it: the simulator, the client and the job poller share a
 * clock that each request moves 100 ms and each wait moves by its length, so token lifetimes,
 * Retry-After and backoff cost no real time. Only per-attempt timeouts are real (latency cases).
 *
 * Shared by `tests/chaos_test.ts` (one seed, small data) and `bench/soak.ts` (many seeds, more
 * data).
 *
 * @module
 */
import { type SimFaults, startSimulator } from "../../testing.ts";
import { CASES } from "./cases.ts";
import {
  diffBesidesLive,
  findLeaks,
  type Format,
  FORMATS,
  idsOf,
  listFiles,
  type Needle,
} from "./files.ts";
import {
  type Baselines,
  type CellEnv,
  CHAOS_SECRET,
  describe,
  equalBytes,
  exists,
  expectedIds,
  injectedCount,
  type Kind,
  KINDS,
  readCheckpoint,
  runOnce,
  type RunOutcome,
  type RunSpec,
  simOptions,
  type Size,
  submitRefused,
  VirtualClock,
} from "./run.ts";

export {
  Baselines,
  type CellEnv,
  FAST_SIZE,
  INTERVAL,
  type Kind,
  KINDS,
  type Size,
  SOAK_SIZE,
} from "./run.ts";

/** A fault that lasts until the test clears it. */
export interface PermanentFault {
  /** Durable pages before the fault starts. */
  afterPages: number;
  /** Starts the fault (called from the progress callback; may be async). */
  inject: (env: CellEnv) => void | Promise<void>;
  /** The error's class name the run must end with. */
  errorName: string;
  /** The error's message must match this. */
  message: RegExp;
  /** Clears the fault (default: `sim.clearFaults()`). */
  clear?: (env: CellEnv) => Promise<void>;
  /** Before clearing, try a resume with a wrong client secret: it must fail and touch nothing. */
  wrongSecretResume?: boolean;
}

/** One row of the matrix. */
export interface ChaosCase {
  /** Short id, the row label. */
  id: string;
  /** What the fault is, for people. */
  title: string;
  /** Faults from the start. */
  faults?: SimFaults;
  /** Client settings the case needs (a short timeout for latency cases). */
  client?: { timeoutMs?: number; maxAttempts?: number };
  /** Called after each durable page of the first run. */
  onPage?: (env: CellEnv, page: number) => void;
  /** The kinds it applies to (default: all). */
  kinds?: readonly Kind[];
  /** Set for a permanent fault. */
  permanent?: PermanentFault;
  /** Runs in the CI suite too (default true); false keeps it to the soak. */
  fast?: boolean;
  /** A last check of a passing cell: returns what is wrong, if anything. */
  verify?: (env: CellEnv) => string | undefined;
}

/** The outcome of one case × kind × seed. */
export interface CellResult {
  /** The case id. */
  caseId: string;
  /** The kind. */
  kind: Kind;
  /** The seed. */
  seed: number;
  /** The output format used. */
  format: Format;
  /** Whether every check passed. */
  ok: boolean;
  /** A short outcome for the table: `ok`, `ApiError→ok`, `FAIL`. */
  outcome: string;
  /** What failed, or what happened, in one line. */
  detail: string;
  /** The error that ended the first run of a permanent case (class and message). */
  error?: string;
  /** Runs it took (1 for a clean pass). */
  runs: number;
  /** Client retries over all runs. */
  retries: number;
  /** Token requests over all runs. */
  tokenRequests: number;
  /** Faults the simulator injected (429/5xx/bodies/latency/job failures, 401s, bucket 429s). */
  injected: number;
  /** Records in the final output. */
  records: number;
  /** Records of calls live in the clean run that had moved on when this run read them. */
  liveMoved: number;
  /** Real milliseconds the cell took. */
  ms: number;
}

class CellFailure extends Error {}

function check(ok: boolean, message: string): void {
  if (!ok) throw new CellFailure(message);
}

/**
 * Runs one case for one kind and seed in `dir` and checks everything the claim says.
 *
 * @param chaos The case.
 * @param kind The kind.
 * @param seed The seed (data and fault draws).
 * @param size The data size.
 * @param dir An empty directory for this cell.
 * @param baselines Clean outputs to compare bytes with.
 * @returns The outcome (never throws for a failed check: `ok` is false).
 */
export async function runCell(
  chaos: ChaosCase,
  kind: Kind,
  seed: number,
  size: Size,
  dir: string,
  baselines: Baselines,
): Promise<CellResult> {
  const began = performance.now();
  const format = FORMATS[(CASES.indexOf(chaos) + KINDS.indexOf(kind) + seed) % FORMATS.length];
  const clock = new VirtualClock();
  const options = simOptions(seed, size, clock, chaos.faults);
  const env: CellEnv = { sim: await startSimulator(options), clock, simOptions: options };
  const path = `${dir}/out.${format}`;
  const tokens = new Set<string>();
  const cell: CellResult = {
    caseId: chaos.id,
    kind,
    seed,
    format,
    ok: false,
    outcome: "FAIL",
    detail: "",
    runs: 0,
    retries: 0,
    tokenRequests: 0,
    injected: 0,
    records: 0,
    liveMoved: 0,
    ms: 0,
  };
  const notes: string[] = [];
  let injectedSoFar = 0;
  const run = async (extra: Partial<RunSpec> = {}): Promise<RunOutcome> => {
    const out = await runOnce({
      env,
      kind,
      size,
      path,
      format,
      client: chaos.client,
      tokens,
      ...extra,
    });
    cell.runs++;
    cell.retries += out.retries;
    cell.tokenRequests += out.tokenRequests;
    return out;
  };
  try {
    const expected = expectedIds(env.sim, kind);
    const perm = chaos.permanent;
    let pending: Promise<void> | undefined;
    let out = await run({
      onPage: (page) => {
        chaos.onPage?.(env, page);
        if (perm && page === perm.afterPages && !pending) {
          pending = Promise.resolve(perm.inject(env));
        }
      },
    });
    if (perm) {
      check(
        pending !== undefined,
        `the fault was never injected (run ended: ${describe(out.error)})`,
      );
      await pending;
      check(out.error !== undefined, `the run completed although the fault is permanent`);
      const error = out.error as Error;
      check(
        error?.constructor?.name === perm.errorName && perm.message.test(error.message),
        `expected ${perm.errorName} matching ${perm.message}, got ${describe(error)}`,
      );
      check(!/\n\s+at /.test(error.message), "the error message holds a stack trace");
      const cp = await readCheckpoint(path);
      check(cp?.status === "running", `no running checkpoint after the failure`);
      check((cp?.pages as number) >= perm.afterPages, `checkpoint has ${cp?.pages} pages`);
      check(!(await exists(path)), "the final output exists although the run failed");
      check(await exists(`${path}.partial`), "the partial output is missing");
      notes.push(error.constructor.name);
      cell.error = describe(error);
      injectedSoFar += injectedCount(env.sim);
      if (perm.wrongSecretResume) {
        const cpBefore = await Deno.readFile(`${path}.checkpoint.json`);
        const partialBefore = (await Deno.stat(`${path}.partial`)).size;
        const bad = await run({ secret: "wrong-secret-not-this-one" });
        check(
          bad.error?.constructor?.name === "AuthError",
          `a resume with a wrong secret gave ${describe(bad.error)}`,
        );
        check(
          equalBytes(cpBefore, await Deno.readFile(`${path}.checkpoint.json`)),
          "a refused resume changed the checkpoint",
        );
        check(
          (await Deno.stat(`${path}.partial`)).size >= partialBefore,
          "a refused resume shortened the partial output",
        );
        notes.push("AuthError");
      }
      await (perm.clear ? perm.clear(env) : Promise.resolve(env.sim.clearFaults()));
      out = await run();
      check(
        out.result?.resumed === true,
        `the run after the fault did not resume: ${describe(out.error)}`,
      );
    }
    // A creating POST (the job submit) is not retried; its error ends the run before any page,
    // and the next run submits again. Anything else must not fail a transient case.
    for (let k = 0; out.error !== undefined && kind === "jobs" && k < 3; k++) {
      if (!submitRefused(out.error)) break;
      notes.push("rerun");
      out = await run();
    }
    check(out.error === undefined, `run ${cell.runs} failed: ${describe(out.error)}`);
    check(out.result?.status === "complete", `run ended '${out.result?.status}'`);
    const bytes = await Deno.readFile(path);
    const text = new TextDecoder().decode(bytes);
    const ids = idsOf(format, text, kind === "pages" ? "id" : "conversationId");
    cell.records = ids.length;
    check(new Set(ids).size === ids.length, `${ids.length - new Set(ids).size} duplicate ids`);
    const missing = expected.filter((id) => !ids.includes(id)).length;
    const extra = ids.filter((id) => !expected.includes(id)).length;
    check(missing === 0 && extra === 0, `${missing} ids missing, ${extra} unexpected`);
    check(ids.join() === expected.join(), "ids are out of order");
    const clean = await baselines.get(kind, format, seed, size, dir);
    if (!equalBytes(bytes, clean)) {
      // Calls live at the clock's start may move on while faults make the run take longer (in
      // virtual time) than the clean one: only their records may differ, never a final one.
      const diff = kind === "pages"
        ? { problem: "the bytes differ", liveChanged: 0 }
        : diffBesidesLive(format, new TextDecoder().decode(clean), text);
      check(diff.problem === undefined, `the output differs from a clean run's: ${diff.problem}`);
      cell.liveMoved = diff.liveChanged;
    }
    const files = await listFiles(dir);
    const stray = files.filter((f) =>
      f.startsWith("out.") && f !== `out.${format}` && f !== `out.${format}.checkpoint.json`
    );
    check(stray.length === 0, `stray files: ${stray.join(", ")}`);
    const cp = await readCheckpoint(path);
    check(cp?.status === "complete", "the checkpoint is not marked complete");
    const needles: Needle[] = [{ label: "client secret", value: CHAOS_SECRET }];
    for (const token of tokens) needles.push({ label: "a token", value: token });
    const leaks = findLeaks(
      { output: text, checkpoint: await Deno.readTextFile(`${path}.checkpoint.json`) },
      needles,
    );
    check(leaks.length === 0, leaks.join("; "));
    const wrong = chaos.verify?.(env);
    check(wrong === undefined, wrong ?? "");
    // Proof that the fault bit: something injected, or tokens renewed (a short lifetime).
    check(
      chaos.id === "clean" || perm !== undefined || injectedCount(env.sim) > 0 ||
        env.sim.stats.tokensIssued > cell.runs,
      "the fault never fired: the case proves nothing",
    );
    cell.ok = true;
    cell.outcome = notes.length ? `${notes.join("→")}→ok` : "ok";
    cell.detail =
      `${ids.length} records in ${cell.runs} run(s), ${cell.retries} retries, ${tokens.size} tokens${
        cell.liveMoved ? `, ${cell.liveMoved} live call(s) moved on since the clean run` : ""
      }`;
  } catch (error) {
    cell.ok = false;
    cell.outcome = "FAIL";
    cell.detail = error instanceof CellFailure ? error.message : describe(error);
  } finally {
    cell.injected = injectedSoFar + injectedCount(env.sim);
    await env.sim.close();
    cell.ms = Math.round(performance.now() - began);
  }
  return cell;
}

/**
 * Formats results as a case × kind table (several seeds of one cell are summarised as `ok×3` or
 * `FAIL 1/3`).
 *
 * @param results The cells.
 * @param cases The cases, in row order.
 * @returns The table, one line per case plus a header.
 */
export function matrixTable(results: readonly CellResult[], cases: readonly ChaosCase[]): string {
  const rows: string[][] = [["case", ...KINDS]];
  for (const c of cases) {
    const row = [c.id];
    for (const kind of KINDS) {
      const cells = results.filter((r) => r.caseId === c.id && r.kind === kind);
      if (cells.length === 0) {
        row.push(c.kinds && !c.kinds.includes(kind) ? "n/a" : c.fast === false ? "(soak)" : "-");
        continue;
      }
      const failed = cells.filter((r) => !r.ok).length;
      const outcomes = [...new Set(cells.filter((r) => r.ok).map((r) => r.outcome))];
      if (failed) row.push(`FAIL ${failed}/${cells.length}`);
      else {
        const text = outcomes.length === 1 ? outcomes[0] : "ok*";
        row.push(cells.length > 1 ? `${text} ×${cells.length}` : text);
      }
    }
    rows.push(row);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join(" | ").trimEnd())
    .join("\n");
}
