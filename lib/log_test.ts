import { assert, assertEquals } from "../tests/_assert.ts";
import { createLogger, type LoggerOptions } from "./log.ts";
import { redact, Redactor } from "./redact.ts";

function capture(options: LoggerOptions = {}) {
  const lines: string[] = [];
  const log = createLogger({
    clock: { now: () => Date.UTC(2024, 4, 1, 12) },
    write: (l) => lines.push(l),
    ...options,
  });
  return { log, lines };
}

Deno.test("createLogger writes only lines at or above its level", () => {
  const { log, lines } = capture({ level: "warn" });
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  assertEquals(lines.map((l) => l.split(" ")[1]), ["WARN", "ERROR"]);
  assertEquals(log.enabled("info"), false);
  assertEquals(log.enabled("error"), true);
  const silent = capture({ level: "silent" });
  silent.log.error("nothing");
  assertEquals(silent.lines, []);
});

Deno.test("createLogger formats text lines with quoted values", () => {
  const { log, lines } = capture({ level: "debug" });
  log.debug("Page done", {
    page: 3,
    path: "/api/v2/users?pageNumber=3",
    note: "two words",
    ok: true,
  });
  assertEquals(
    lines[0],
    '2024-05-01T12:00:00.000Z DEBUG Page done page=3 path="/api/v2/users?pageNumber=3" note="two words" ok=true',
  );
});

Deno.test("createLogger formats JSON lines and keeps reserved keys apart", () => {
  const { log, lines } = capture({ format: "json" });
  log.error("Failed", { level: "mine", error: new Error("boom"), nested: { a: [1, 2] } });
  assertEquals(JSON.parse(lines[0]), {
    time: "2024-05-01T12:00:00.000Z",
    level: "error",
    msg: "Failed",
    "field.level": "mine",
    error: "Error: boom",
    nested: { a: [1, 2] },
  });
});

Deno.test("createLogger redacts registered secrets in messages, fields and errors", () => {
  const secret = 'Sup3r"Secret/Value';
  const { log, lines } = capture({ format: "json", secrets: [secret] });
  log.addSecret("tok_abcdefgh1234");
  log.info(`secret ${secret} and token tok_abcdefgh1234`, {
    error: new Error(`refused ${secret}`),
    form: `client_secret=${encodeURIComponent(secret)}`,
    list: [secret],
  });
  const text = lines.join("\n");
  assert.ok(!text.includes(secret), text);
  assert.ok(!text.includes(JSON.stringify(secret).slice(1, -1)), text);
  assert.ok(!text.includes(encodeURIComponent(secret)), text);
  assert.ok(!text.includes("tok_abcdefgh1234"), text);
  assert.match(text, /\[redacted\]/);
});

Deno.test("createLogger replaces fields named like credentials", () => {
  const { log, lines } = capture();
  log.info("Headers", {
    authorization: "Basic Zm9vOmJhcg==",
    access_token: "opaque",
    clientSecret: "x",
    tokenRequests: 3,
  });
  assertEquals(
    lines[0],
    "2024-05-01T12:00:00.000Z INFO Headers authorization=[redacted] access_token=[redacted] clientSecret=[redacted] tokenRequests=3",
  );
});

Deno.test("redact removes bearer tokens, Authorization headers, access_token and client_secret values", () => {
  const cases: [string, string][] = [
    ["GET /x with Bearer abcDEF123456-._~+/=", "GET /x with Bearer [redacted]"],
    ["authorization: Basic Y2xpZW50OnNlY3JldA==", "authorization: [redacted]"],
    [
      '{"access_token":"a1b2c3","token_type":"bearer"}',
      '{"access_token":"[redacted]","token_type":"bearer"}',
    ],
    [
      "grant_type=client_credentials&client_secret=p4ss&x=1",
      "grant_type=client_credentials&client_secret=[redacted]&x=1",
    ],
    ["token eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl here", "token [redacted] here"],
    ["Bearer token expired", "Bearer token expired"],
    ["refresh_token: 'abc'", "refresh_token: '[redacted]'"],
  ];
  for (const [input, expected] of cases) assertEquals(redact(input), expected, input);
});

Deno.test("createLogger rejects an unknown level or format", () => {
  assert.throws(() => createLogger({ level: "verbose" as "debug" }), RangeError);
  assert.throws(() => createLogger({ format: "xml" as "text" }), RangeError);
});

Deno.test("createLogger writes to stderr by default", async () => {
  const code = `
    import { createLogger } from ${JSON.stringify(new URL("./log.ts", import.meta.url).href)};
    createLogger({ secrets: ["abcd-secret"] }).warn("careful abcd-secret", { n: 1 });
  `;
  const output = await new Deno.Command("deno", {
    args: ["eval", "--no-config", code],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assertEquals(output.code, 0, stderr);
  assertEquals(new TextDecoder().decode(output.stdout), "");
  assert.match(stderr, /^\S+Z WARN careful \[redacted\] n=1\n$/);
});

Deno.test("Redactor removes a secret in every form it travels in, the longer of two overlapping secrets whole", () => {
  const redactor = new Redactor();
  redactor.addBasic("client-7", "p@ss word/+=");
  redactor.add("tok-123");
  redactor.add("tok-123-longer-token");
  const secret = "p@ss word/+=";
  const b64 = btoa(`client-7:${secret}`);
  const forms = [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, "+"),
    JSON.stringify(secret).slice(1, -1),
    btoa(secret),
    b64,
    b64.replace(/=+$/, ""),
    encodeURIComponent(b64),
    b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
    `client-7:${secret}`,
  ];
  for (const form of forms) {
    assertEquals(redactor.redact(`<${form}>`), "<[redacted]>", form);
  }
  assertEquals(redactor.redact("a tok-123-longer-token b"), "a [redacted] b");
  assertEquals(redactor.size, 4);
  // Short strings would blank ordinary words: they are not registered.
  redactor.add("abc");
  assertEquals(redactor.redact("abc"), "abc");
});

Deno.test("createLogger shares a redactor: a token registered after the logger was made is removed", () => {
  const redactor = new Redactor();
  const { log, lines } = capture({ redactor });
  redactor.add("late-token-5678");
  log.info("sent late-token-5678", { header: "late-token-5678" });
  assertEquals(lines[0].includes("late-token-5678"), false, lines[0]);
});
