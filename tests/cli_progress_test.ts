/**
 * Progress a person can read: a bar on a terminal once the total (or an estimate) is known, the
 * day of a details run and its estimated size from each chunk's first page, an ETA from the
 * recent rate with waits left out, and a countdown while a wait lasts. Clocks are passed in; the
 * end-to-end run uses a simulator without latency, so nothing waits out real time.
 */
import { main } from "../cli.ts";
import { formatProgressLine, ProgressReporter } from "../lib/cli/progress.ts";
import { ChunkProgress } from "../lib/cli/progress_estimate.ts";
import { RecentRate } from "../lib/cli/progress_rate.ts";
import { startSimulator } from "../testing.ts";
import { assert, assertEquals } from "./_assert.ts";
import { ROOT, tempDir } from "./_cli.ts";

const snapshot = {
  label: "conversations",
  records: 440,
  recordsThisRun: 440,
  pages: 5,
  elapsedMs: 4_400,
  tokenRefreshes: 0,
  retries: {},
};

Deno.test("RecentRate leaves a 60 s Retry-After out of the rate; the ETA counts the wait down instead", () => {
  // 100 records a second for 4.4 s, 1,000 in all: 5.6 s to go. Then a 429 asks for 60 s.
  const rate = new RecentRate({ start: 0 });
  for (let t = 1; t <= 44; t++) rate.sample(t * 100, t * 10);
  rate.wait(4_400, 64_400);
  const at = (now: number) =>
    formatProgressLine({
      ...snapshot,
      total: 1_000,
      elapsedMs: now,
      rate: rate.perSecond(),
      waitLeftMs: rate.waitLeftMs(now),
    });
  assert(at(4_400).includes("ETA 1m06s"), at(4_400)); // 5.6 s of work after 60 s of waiting
  assert(at(34_400).includes("ETA 36s"), at(34_400)); // not the average's 1m06s and growing
  // The wait is over and 10 more records came in 0.1 s: the rate is still 100/s.
  rate.sample(64_500, 450);
  assertEquals(rate.perSecond(), 100);
  assert(at(64_500).includes("ETA 5.6s"), at(64_500));
  // Waits that overlap (two requests held by the same pause) count once.
  const twice = new RecentRate({ start: 0 });
  twice.wait(1_000, 3_000);
  twice.wait(2_000, 4_000);
  twice.sample(5_000, 20);
  assertEquals(twice.perSecond(), 10); // 20 records in 2 s of work
  assertEquals(twice.waitLeftMs(2_500), 1_500);
});

Deno.test("RecentRate follows the recent window, not the whole run", () => {
  // 100/s for 30 s, then it slows: the window sees only the slow part.
  const slow = new RecentRate({ start: 0, windowMs: 10_000 });
  let records = 0;
  for (let t = 1; t <= 60; t++) {
    records += t <= 30 ? 100 : 10;
    slow.sample(t * 1_000, records);
  }
  assertEquals(Math.round(slow.perSecond()!), 10);
});

Deno.test("ChunkProgress estimates a week from its first day, then from the days seen, newest first too", () => {
  const week = "2026-01-01T00:00:00Z/2026-01-08T00:00:00Z";
  const asc = new ChunkProgress(week, 86_400_000);
  assertEquals(asc.current(), {});
  asc.page("2026-01-01T00:00:00Z/2026-01-02T00:00:00Z", 120);
  asc.page("2026-01-01T00:00:00Z/2026-01-02T00:00:00Z", 121); // a later page of the same day
  assertEquals(asc.current(), { part: { unit: "day", index: 1, of: 7 }, estimate: 847 });
  // A bisected day: its halves are spans of their own.
  asc.page("2026-01-02T00:00:00Z/2026-01-02T12:00:00Z", 60);
  asc.page("2026-01-02T12:00:00Z/2026-01-03T00:00:00Z", 40);
  assertEquals(asc.current(), { part: { unit: "day", index: 2, of: 7 }, estimate: 774 });
  const desc = new ChunkProgress(week, 6 * 3_600_000, true);
  desc.page("2026-01-07T18:00:00Z/2026-01-08T00:00:00Z", 10);
  assertEquals(desc.current(), { part: { unit: "chunk", index: 1, of: 28 }, estimate: 280 });
});

Deno.test("ProgressReporter draws a bar on a terminal once a total or estimate is known, none in logs", () => {
  let out = "";
  const lines: string[] = [];
  const state = { ...snapshot, estimate: 2_000, part: { unit: "day", index: 2, of: 7 } };
  const options = { snapshot: () => state, write: (t: string) => out += t, columns: 160 };
  new ProgressReporter({ ...options, log: () => {}, isTerminal: true }).flush();
  assertEquals(
    out,
    "\r\x1b[2Kconversations ████░░░░░░░░░░░░░░░░ ~22% 440/~2,000 · day 2/7 · 5 pages · 100/s · ETA ~16s · 0 token refreshes · 0 retries",
  );
  new ProgressReporter({ ...options, log: (l) => lines.push(l), isTerminal: false }).flush();
  assertEquals(lines, [
    "conversations 440/~2,000 (~22%) · day 2/7 · 5 pages · 100/s · ETA ~16s · 0 token refreshes · 0 retries",
  ]);
  // The exact total, once known, wins over the estimate.
  assert(
    formatProgressLine({ ...state, total: 1_900 }).startsWith("conversations 440/1,900 (23%)"),
  );
});

Deno.test("conversations on a terminal shows the day and an estimate from day 1, then the exact total", async () => {
  await using sim = await startSimulator({ conversations: 700, end: "2026-01-08T00:00:00Z" });
  const dir = await tempDir("cli_progress");
  try {
    await Deno.writeTextFile(
      `${ROOT}${dir}/sim.env`,
      `GENESYSCLOUD_REGION=${sim.url}\nGENESYSCLOUD_OAUTHCLIENT_ID=${sim.clientId}\nGENESYSCLOUD_OAUTHCLIENT_SECRET=${sim.clientSecret}\n`,
    );
    let err = "";
    const code = await main(
      [
        "conversations",
        "--interval",
        "2026-01-01/2026-01-08",
        "--page-size",
        "50",
        "--concurrency",
        "1",
        "-o",
        `${dir}/week.jsonl`,
        "--env-file",
        `${dir}/sim.env`,
      ],
      { stdout: () => {}, stderr: (t) => err += t, stderrIsTerminal: true, columns: 200 },
    );
    assertEquals(code, 0, err);
    const drawn = err.split("\r\x1b[2K").map((l) => l.trim()).filter((l) => l.includes(" page"));
    assert(drawn.length >= 14, err);
    assert(/^conversations [█░]{20} ~\d+% [\d,]+\/~[\d,]+ · day 1\/7 · /.test(drawn[0]), drawn[0]);
    const last = drawn.filter((l) => l.includes("day 7/7")).at(-1)!;
    assert(/^conversations [█░]{20} \d+% [\d,]+\/700 · day 7\/7 · /.test(last), last);
  } finally {
    await Deno.remove(`${ROOT}${dir}`, { recursive: true });
  }
});
