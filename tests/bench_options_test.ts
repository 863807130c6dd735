/**
 * The bench and soak scripts' arguments: a typo or `--help` is refused instead of silently
 * starting the full (minutes-long) run, and a subset bench run does not overwrite the day's full
 * results file.
 */
import { assertEquals, assertThrows } from "./_assert.ts";
import { parseBenchArgs, resultsPath } from "../bench/main.ts";
import { liveHeapLine, parseSoakExtractArgs } from "../bench/soak_extract.ts";

const SCENARIOS = ["overhead", "memory", "pacing", "latency", "faults"];

Deno.test("bench runs every scenario by default and refuses unknown arguments and scenarios", () => {
  assertEquals(parseBenchArgs([], SCENARIOS), { names: SCENARIOS, subset: false });
  assertEquals(parseBenchArgs(["--only", "pacing"], SCENARIOS), {
    names: ["pacing"],
    subset: true,
  });
  assertEquals(parseBenchArgs(["--only=pacing,latency"], SCENARIOS), {
    names: ["pacing", "latency"],
    subset: true,
  });
  assertThrows(() => parseBenchArgs(["--help"], SCENARIOS), Error, "Unknown argument '--help'");
  assertThrows(() => parseBenchArgs(["--only"], SCENARIOS), Error, "Unknown argument");
  assertThrows(() => parseBenchArgs(["--only", "pace"], SCENARIOS), Error, "scenario 'pace'");
});

Deno.test("bench writes a subset run beside the day's full results, not over them", () => {
  assertEquals(resultsPath("2026-01-02", SCENARIOS, false), "bench/results/2026-01-02.json");
  assertEquals(
    resultsPath("2026-01-02", ["pacing", "latency"], true),
    "bench/results/2026-01-02-pacing-latency.json",
  );
});

Deno.test("soak:extract reads name=value options and refuses anything else", () => {
  assertEquals(parseSoakExtractArgs([]), {
    conversations: 100_000,
    days: 30,
    kills: 5,
    chunk: "1d",
    keep: false,
  });
  assertEquals(
    parseSoakExtractArgs(["conversations=5000", "days=3", "kills=2", "chunk=6h", "keep=true"]),
    { conversations: 5000, days: 3, kills: 2, chunk: "6h", keep: true },
  );
  assertThrows(() => parseSoakExtractArgs(["chunk=soon"]), Error, "Unknown argument 'chunk=soon'");
  assertThrows(
    () => parseSoakExtractArgs(["--conversations", "5000"]),
    Error,
    "Unknown argument '--conversations'",
  );
  assertThrows(() => parseSoakExtractArgs(["days=two"]), Error, "Option 'days'");
  assertThrows(() => parseSoakExtractArgs(["conversations=0"]), Error, "Option 'conversations'");
});

Deno.test("soak:extract says the heap was not sampled when the run has under 100 pages", () => {
  assertEquals(
    liveHeapLine([]),
    "Clean run: under 100 pages, so the heap after a full GC was not sampled",
  );
  assertEquals(
    liveHeapLine([5.8, 6.5]),
    "Clean run: heap in use after a full GC, every 100 pages: 5.8, 6.5 MB (min 5.8, max 6.5)",
  );
});
