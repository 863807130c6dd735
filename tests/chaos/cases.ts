/**
 * The rows of the chaos matrix: transient faults (the run must finish with the exact output) and
 * permanent ones (a clear error, a checkpoint, and a resume to the exact output once the fault
 * clears). See `matrix.ts` for how a case runs.
 *
 * @module
 */
import { startSimulator } from "../../testing.ts";
import type { ChaosCase } from "./matrix.ts";

/** Every case, in table order. */
export const CASES: readonly ChaosCase[] = [
  { id: "clean", title: "no faults" },
  {
    id: "token-ttl-0.5s",
    title: "tokens live 0.5 s (renewed every few requests)",
    faults: { tokenLifetimeSeconds: 0.5 },
  },
  {
    id: "token-revoked",
    title: "each token revoked after 4 requests, and every live token revoked after every 3rd page",
    faults: { revokeAfterRequests: 4 },
    onPage: (env, page) => {
      if (page % 3 === 0) env.revokeBeforeNext = true;
    },
  },
  {
    id: "rate-limit-429",
    title: "token-bucket rate limit (4/s, burst 2) plus every 9th request a 429 Retry-After 3",
    faults: {
      rateLimit: { requestsPerSecond: 4, burst: 2 },
      errors: [{ status: 429, everyNth: 9, retryAfterSeconds: 3 }],
    },
  },
  {
    id: "5xx-bursts",
    title: "bursts of 503 (3 in a row), 500 (2 in a row), every 7th a 502, 8 % 504",
    faults: {
      errors: [
        { status: 503, after: 2, times: 3 },
        { status: 500, after: 9, times: 2 },
        { status: 502, everyNth: 7 },
        { status: 504, probability: 0.08 },
      ],
    },
  },
  {
    id: "latency>timeout",
    title: "every 4th response 700 ms late, past a 250 ms per-attempt timeout",
    faults: { latency: [{ ms: 1, spikeEveryNth: 4, spikeMs: 700 }] },
    client: { timeoutMs: 250 },
  },
  {
    id: "truncated-body",
    title: "every 3rd body cut short of its Content-Length, connection closed",
    faults: { bodies: [{ kind: "truncate", everyNth: 3 }] },
  },
  {
    id: "malformed-body",
    title: "every 4th body invalid JSON, every 5th a well-framed half body",
    faults: { bodies: [{ kind: "malformed", everyNth: 4 }, { kind: "cut", everyNth: 5 }] },
  },
  {
    id: "dropped-conn",
    title: "every 3rd response reset mid-body",
    faults: { bodies: [{ kind: "disconnect", everyNth: 3 }] },
  },
  {
    id: "token-endpoint-5xx",
    title: "tokens live 0.5 s and every 2nd token request answers 503",
    faults: {
      tokenLifetimeSeconds: 0.5,
      errors: [{ route: "token", status: 503, everyNth: 2 }],
    },
  },
  {
    id: "combined",
    title:
      "0.5 s tokens, revocation, 429s, 503s, resets and truncation together, on a fixed rhythm",
    faults: {
      tokenLifetimeSeconds: 0.5,
      revokeAfterRequests: 5,
      errors: [
        { status: 429, everyNth: 5, retryAfterSeconds: 2 },
        { status: 503, everyNth: 7 },
      ],
      bodies: [{ kind: "disconnect", everyNth: 6 }, { kind: "truncate", everyNth: 11 }],
    },
  },
  {
    id: "revoked+429",
    title: "each token revoked after 3 requests under a 4/s rate limit",
    faults: { revokeAfterRequests: 3, rateLimit: { requestsPerSecond: 4, burst: 2 } },
  },
  {
    id: "drops+token-5xx",
    title: "0.5 s tokens, every 2nd token request a 503, every 4th response reset mid-body",
    faults: {
      tokenLifetimeSeconds: 0.5,
      errors: [{ route: "token", status: 503, everyNth: 2 }],
      bodies: [{ kind: "disconnect", everyNth: 4 }],
    },
  },
  {
    id: "ttl+latency",
    title: "0.5 s tokens and every 5th response 700 ms late, past a 250 ms timeout",
    faults: {
      tokenLifetimeSeconds: 0.5,
      latency: [{ ms: 1, spikeEveryNth: 5, spikeMs: 700 }],
    },
    client: { timeoutMs: 250 },
    fast: false,
  },
  {
    id: "storm",
    title: "all of the above at once, drawn at random from the seed",
    faults: {
      tokenLifetimeSeconds: 1,
      revokeAfterRequests: 9,
      rateLimit: { requestsPerSecond: 10, burst: 4 },
      errors: [
        { route: "token", status: 503, probability: 0.2 },
        { status: 503, probability: 0.08 },
        { status: 429, probability: 0.04, retryAfterSeconds: 2 },
      ],
      bodies: [
        { kind: "truncate", probability: 0.04 },
        { kind: "disconnect", probability: 0.04 },
        { kind: "malformed", probability: 0.04 },
      ],
      latency: [{ ms: 1, spikeProbability: 0.04, spikeMs: 700 }],
    },
    client: { timeoutMs: 250, maxAttempts: 8 },
  },
  {
    id: "5xx-forever",
    title: "after 2 pages every API request answers 503 until cleared",
    permanent: {
      afterPages: 2,
      inject: (env) => env.sim.setFaults({ errors: [{ status: 503 }] }),
      errorName: "ApiError",
      message: /503/,
    },
  },
  {
    id: "timeouts-forever",
    title: "after 2 pages every response takes 2 s, past a 300 ms timeout, until cleared",
    client: { timeoutMs: 300, maxAttempts: 3 },
    permanent: {
      afterPages: 2,
      inject: (env) => env.sim.setFaults({ latency: [{ ms: 2000 }] }),
      errorName: "NetworkError",
      message: /timed out after 300 ms/,
    },
  },
  {
    id: "quota-429-2h",
    title: "after 2 pages a 429 asking to wait 2 hours (a daily quota)",
    permanent: {
      afterPages: 2,
      inject: (env) => env.sim.setFaults({ errors: [{ status: 429, retryAfterSeconds: 7200 }] }),
      errorName: "RateLimitError",
      message: /2 ?h|7200/,
    },
  },
  {
    id: "token-endpoint-down",
    title: "after 2 pages every token is revoked and the token endpoint answers 503",
    permanent: {
      afterPages: 2,
      inject: (env) => {
        env.sim.setFaults({ errors: [{ route: "token", status: 503 }] });
        env.sim.revokeTokens();
      },
      errorName: "ApiError",
      message: /token/i,
    },
  },
  {
    id: "api-down",
    title: "after 2 pages the server goes away (connection refused), then comes back empty",
    permanent: {
      afterPages: 2,
      inject: (env) => env.sim.close(),
      errorName: "NetworkError",
      message: /Connection refused/,
      clear: async (env) => {
        const port = Number(new URL(env.sim.url).port);
        env.sim = await startSimulator({ ...env.simOptions, port, faults: undefined });
      },
    },
  },
  {
    id: "creds-rotated",
    title: "after 2 pages 503s until cleared; a resume with a wrong secret in between",
    permanent: {
      afterPages: 2,
      inject: (env) => env.sim.setFaults({ errors: [{ status: 503 }] }),
      errorName: "ApiError",
      message: /503/,
      wrongSecretResume: true,
    },
  },
  {
    id: "job-expired",
    title: "503s after 3 pages; the resume comes 2 hours later, when the job has expired",
    kinds: ["jobs"],
    permanent: {
      afterPages: 3,
      inject: (env) => env.sim.setFaults({ errors: [{ status: 503 }] }),
      errorName: "ApiError",
      message: /503/,
      clear: (env) => {
        env.sim.clearFaults();
        env.clock.t += 2 * 3600_000;
        return Promise.resolve();
      },
    },
    verify: (env) =>
      env.sim.stats.jobsSubmitted === 2 ? undefined : "the expired job was not submitted again",
  },
  {
    id: "job-failed",
    title: "the analytics job ends FAILED; the next run must get the data",
    kinds: ["jobs"],
    faults: { failJobs: {} },
    permanent: {
      // The job fails before any record arrives: the only durable page is the one announcing the
      // job id (it carries no records, so the page count stays 0).
      afterPages: 0,
      inject: () => {},
      errorName: "JobError",
      message: /FAILED/,
    },
  },
];
