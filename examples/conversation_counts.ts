/**
 * A small script to run straight from a URL: counts a day's conversations by media type and
 * direction, streaming them through the toolkit's details query (token refresh, 429/5xx retries
 * and interval chunking included), without writing anything.
 *
 * ```sh
 * export GENESYSCLOUD_REGION=mypurecloud.ie GENESYSCLOUD_OAUTHCLIENT_ID=... GENESYSCLOUD_OAUTHCLIENT_SECRET=...
 * deno run --allow-net=api.mypurecloud.ie,login.mypurecloud.ie \
 *   --allow-env=GENESYSCLOUD_REGION,GENESYSCLOUD_OAUTHCLIENT_ID,GENESYSCLOUD_OAUTHCLIENT_SECRET \
 *   https://<where the toolkit is served>/examples/conversation_counts.ts 2026-01-01
 * ```
 *
 * The argument is a UTC day (default: yesterday) or an ISO-8601 `start/end` interval.
 *
 * @module
 */

import { conversationDetails, GenesysClient } from "../mod.ts";
import { DAY_MS, formatInstant } from "../lib/analytics/mod.ts";

/** Counts by media type and direction. */
export interface Counts {
  /** Every conversation. */
  total: number;
  /** By the first session's media type (`voice`, `chat`, `email`, ...). */
  byMediaType: Record<string, number>;
  /** By `originatingDirection` (`inbound`, `outbound`). */
  byDirection: Record<string, number>;
}

/**
 * Counts the conversations of an interval.
 *
 * @param client An API client.
 * @param interval ISO-8601 `start/end`.
 * @returns The counts.
 */
export async function countConversations(client: GenesysClient, interval: string): Promise<Counts> {
  const counts: Counts = { total: 0, byMediaType: {}, byDirection: {} };
  for await (const conversation of conversationDetails(client, { interval })) {
    const participants = (conversation.participants ?? []) as {
      sessions?: { mediaType?: string }[];
    }[];
    const media = participants.flatMap((p) => p.sessions ?? [])[0]?.mediaType ?? "unknown";
    const direction = String(conversation.originatingDirection ?? "unknown");
    counts.total++;
    counts.byMediaType[media] = (counts.byMediaType[media] ?? 0) + 1;
    counts.byDirection[direction] = (counts.byDirection[direction] ?? 0) + 1;
  }
  return counts;
}

if (import.meta.main) {
  const arg = Deno.args[0];
  const yesterday = formatInstant(Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS);
  const interval = arg?.includes("/") ? arg : `${arg ?? yesterday.slice(0, 10)}/P1D`;
  const client = new GenesysClient({
    region: Deno.env.get("GENESYSCLOUD_REGION"),
    clientId: Deno.env.get("GENESYSCLOUD_OAUTHCLIENT_ID"),
    clientSecret: Deno.env.get("GENESYSCLOUD_OAUTHCLIENT_SECRET"),
  });
  try {
    const counts = await countConversations(client, interval);
    console.log(`${counts.total} conversations in ${interval}`);
    for (
      const [name, table] of Object.entries({
        media: counts.byMediaType,
        direction: counts.byDirection,
      })
    ) {
      const cells = Object.entries(table).sort(([, a], [, b]) => b - a).map(([k, n]) =>
        `${k} ${n}`
      );
      console.log(`  by ${name}: ${cells.join(", ")}`);
    }
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
