import { assertEquals, assertThrows } from "../../tests/_assert.ts";
import { REGIONS, resolveRegion } from "./region.ts";
import { UsageError } from "../errors.ts";

Deno.test("REGIONS lists the 18 Genesys Cloud environments once each", () => {
  assertEquals(REGIONS.length, 18);
  assertEquals(new Set(REGIONS.map((r) => r.env)).size, 18);
  assertEquals(new Set(REGIONS.map((r) => r.awsRegion)).size, 18);
});

Deno.test("resolveRegion resolves every environment by env name and by AWS name", () => {
  for (const { env, awsRegion } of REGIONS) {
    for (const name of [env, awsRegion, awsRegion.replace(/-/g, "_"), awsRegion.toUpperCase()]) {
      const r = resolveRegion(name);
      assertEquals(r.env, env);
      assertEquals(r.apiBaseUrl, `https://api.${env}`);
      assertEquals(r.loginBaseUrl, `https://login.${env}`);
    }
  }
});

Deno.test("resolveRegion accepts api. and login. host names", () => {
  assertEquals(resolveRegion("api.mypurecloud.de").env, "mypurecloud.de");
  assertEquals(resolveRegion(" login.usw2.pure.cloud ").apiBaseUrl, "https://api.usw2.pure.cloud");
});

Deno.test("resolveRegion rejects an unknown name with one line listing the valid ones", () => {
  const error = assertThrows(() => resolveRegion("mars-north-1"), UsageError);
  assertEquals(error.message.includes("\n"), false);
  assertEquals(error.message.includes("'mars-north-1'"), true);
  for (const { env, awsRegion } of REGIONS) {
    assertEquals(error.message.includes(env), true, env);
    assertEquals(error.message.includes(awsRegion), true, awsRegion);
  }
  assertThrows(() => resolveRegion(""), UsageError);
  assertThrows(() => resolveRegion("   "), UsageError);
});

Deno.test("resolveRegion accepts an https base URL for both API and login", () => {
  const r = resolveRegion("https://genesys.example.com:8443/");
  assertEquals(r.apiBaseUrl, "https://genesys.example.com:8443");
  assertEquals(r.loginBaseUrl, "https://genesys.example.com:8443");
});

Deno.test("resolveRegion allows http only for loopback hosts", () => {
  assertEquals(resolveRegion("http://127.0.0.1:9000").apiBaseUrl, "http://127.0.0.1:9000");
  assertEquals(resolveRegion("http://localhost:9000").apiBaseUrl, "http://localhost:9000");
  assertEquals(resolveRegion("http://[::1]:9000").apiBaseUrl, "http://[::1]:9000");
  assertEquals(resolveRegion("http://127.1.2.3").apiBaseUrl, "http://127.1.2.3");
  const error = assertThrows(() => resolveRegion("http://example.com"), UsageError);
  assertEquals(/https/.test(error.message), true);
});

Deno.test("resolveRegion rejects malformed base URLs clearly", () => {
  assertThrows(() => resolveRegion("ftp://example.com"), UsageError);
  assertThrows(() => resolveRegion("https://"), UsageError);
  assertThrows(() => resolveRegion("https://example.com/api/v2"), UsageError);
  assertThrows(() => resolveRegion("https://u:p@example.com"), UsageError);
  const error = assertThrows(() => resolveRegion("https://u:secret@example.com"), UsageError);
  assertEquals(error.message.includes("secret"), false);
});

Deno.test("resolveRegion suggests the closest region for a typo", () => {
  assertThrows(() => resolveRegion("eu-wst-1"), UsageError, "did you mean 'eu-west-1'?");
  assertThrows(() => resolveRegion("mypurecloud.i"), UsageError, "did you mean 'mypurecloud.ie'?");
  const error = assertThrows(() => resolveRegion("nowhere-at-all"), UsageError);
  assertEquals(error.message.includes("did you mean"), false);
});

Deno.test("resolveRegion maps https URLs of a known environment to its API and login hosts", () => {
  for (const { env } of REGIONS) {
    for (const url of [`https://api.${env}`, `https://login.${env}/`, `https://${env}`]) {
      const r = resolveRegion(url);
      assertEquals(r.env, env, url);
      assertEquals(r.apiBaseUrl, `https://api.${env}`, url);
      assertEquals(r.loginBaseUrl, `https://login.${env}`, url);
    }
  }
  assertEquals(
    resolveRegion("https://API.MyPureCloud.IE").loginBaseUrl,
    "https://login.mypurecloud.ie",
  );
  // Another port is not the region's service: it stays a base URL for both.
  assertEquals(
    resolveRegion("https://api.mypurecloud.ie:8443").loginBaseUrl,
    "https://api.mypurecloud.ie:8443",
  );
  // Loopback stays as it is, whatever it is called.
  assertEquals(resolveRegion("http://127.0.0.1:9000").loginBaseUrl, "http://127.0.0.1:9000");
  assertEquals(resolveRegion("http://localhost:9000").loginBaseUrl, "http://localhost:9000");
  // A path is still refused; http to a real environment too.
  assertThrows(() => resolveRegion("https://api.mypurecloud.ie/api/v2"), UsageError);
  assertThrows(() => resolveRegion("http://api.mypurecloud.ie"), UsageError, "https");
});
