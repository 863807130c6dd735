/**
 * A GenesysClient wired to the scripted fake Genesys and a fake clock, for the client tests.
 *
 * @module
 */
import { fakeClock, fakeGenesys } from "./_fake_genesys.ts";
import type { ClientEvent } from "../lib/client/events.ts";
import { GenesysClient } from "../lib/client/genesys_client.ts";
import type { GenesysClientOptions } from "../lib/client/client_options.ts";

export const BASE = "http://127.0.0.1:9";
export const SECRET = "s3cr3t-client-secret-value";

/**
 * Builds a client on the fake, with a fake clock and `random() = 0` (full backoff); `extra`'s
 * clock replaces only the parts it gives.
 */
export function makeClient(
  api: Parameters<typeof fakeGenesys>[0]["api"],
  extra: Partial<GenesysClientOptions> = {},
  fakeOptions: Omit<Parameters<typeof fakeGenesys>[0], "api"> = {},
) {
  const clock = fakeClock();
  const fake = fakeGenesys({ api, ...fakeOptions });
  const events: ClientEvent[] = [];
  const client = new GenesysClient({
    region: BASE,
    clientId: "client-id",
    clientSecret: SECRET,
    fetch: fake.fetch,
    onEvent: (event) => events.push(event),
    ...extra,
    clock: { ...clock, ...extra.clock },
  });
  return { client, clock, fake, events };
}
