/**
 * The official JavaScript SDK (`purecloud-platform-client-v2` from the npm registry) doing the
 * `cpu` scenario's work, for the peak-memory and CPU comparison of `bench/main.ts`: the same pages
 * as `bench/paging_job.ts` (every user, 100 per page; every conversation of one interval, 100 per
 * page), each record written as a JSON line. Run in its own child process with `--no-lock`, so
 * the SDK is fetched into Deno's cache for the bench only and never enters the product's
 * dependencies or `deno.lock`: `deno run --no-lock -A bench/sdk_job.ts '<PagingSpec>'`.
 *
 * The SDK is pointed at the simulator through its gateway setting (plain HTTP, the simulator's
 * port, no path prefix).
 *
 * @module
 */
// @ts-types="npm:purecloud-platform-client-v2@262.0.0"
import platformClient from "npm:purecloud-platform-client-v2@262.0.0";
import { LineWriter, measure, type PagingSpec } from "./paging_job.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

async function sdk(spec: PagingSpec): Promise<{ records: number; pages: number }> {
  const url = new URL(spec.baseUrl);
  const client: Any = (platformClient as Any).ApiClient.instance;
  client.setGateway({ host: url.hostname, protocol: "http", port: Number(url.port) });
  await client.loginClientCredentialsGrant(spec.clientId, spec.clientSecret);
  const users = new (platformClient as Any).UsersApi();
  const conversations = new (platformClient as Any).ConversationsApi();
  const out = await LineWriter.open(spec.output);
  let records = 0;
  let pages = 0;
  for (let pageNumber = 1;; pageNumber++) {
    const page = await users.getUsers({ pageSize: 100, pageNumber });
    pages++;
    for (const user of page.entities ?? []) {
      await out.write(user);
      records++;
    }
    if (!page.nextUri) break;
  }
  for (let pageNumber = 1;; pageNumber++) {
    const page = await conversations.postAnalyticsConversationsDetailsQuery({
      interval: spec.interval,
      order: "asc",
      orderBy: "conversationStart",
      paging: { pageSize: 100, pageNumber },
    });
    pages++;
    const got = page.conversations ?? [];
    for (const conversation of got) {
      await out.write(conversation);
      records++;
    }
    if (got.length === 0 || pageNumber * 100 >= page.totalHits) break;
  }
  await out.close();
  return { records, pages };
}

if (import.meta.main) {
  const spec = JSON.parse(Deno.args[0]) as PagingSpec;
  console.log(JSON.stringify(await measure(() => sdk(spec))));
  // The SDK's HTTP agent keeps connections (and so the process) alive: end it here.
  Deno.exit(0);
}
