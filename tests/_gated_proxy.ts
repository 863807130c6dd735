/**
 * Holding CLI runs at a gate, for the tests of one run per job: a proxy in front of the simulator
 * that holds every API request after the first few until the test opens it, and a bounded wait
 * for a condition.
 */

/**
 * A proxy in front of the simulator that holds API requests until the test opens it: a listing's
 * pages after page `free` (by `pageNumber`, so pages fetched concurrently that arrive out of order
 * still let pages 1..free through), and any other API request after the first `free`.
 */
export function gatedProxy(target: string, free: number) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => open = resolve);
  let api = 0;
  const state = { waiting: 0 };
  const held = (url: URL): boolean => {
    if (url.pathname === "/oauth/token") return false;
    const page = url.searchParams.get("pageNumber");
    return page !== null ? Number(page) > free : ++api > free;
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (held(url)) {
      state.waiting++;
      await gate;
    }
    const body = req.method === "GET" ? undefined : await req.text();
    const headers = new Headers(req.headers);
    headers.delete("host");
    const res = await fetch(`${target}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body,
    });
    return new Response(await res.arrayBuffer(), { status: res.status, headers: res.headers });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    state,
    open: () => open(),
    close: async () => {
      open();
      await server.shutdown();
    },
  };
}

/** Waits until `ready()` holds, polling; bounded to 60 s. */
export async function until(ready: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Gave up waiting for ${what}`);
}

/**
 * Waits until `ready()` holds while `child` runs (bounded as {@link until}). When the child ends
 * first, or the wait gives up, fails at once with the child's exit status and stderr, which say
 * why the run never got there.
 */
export async function untilWhileRunning(
  child: Deno.ChildProcess,
  ready: () => boolean | Promise<boolean>,
  what: string,
): Promise<void> {
  let ended = false;
  const status = child.status.then((s) => (ended = true, s));
  try {
    await until(async () => ended || await ready(), what);
    if (!ended) return;
  } catch (error) {
    child.kill("SIGKILL");
    await status;
    const stderr = new TextDecoder().decode((await child.output()).stderr);
    throw new Error(`${(error as Error).message}; the run's stderr:\n${stderr}`);
  }
  const { code, signal } = await status;
  const stderr = new TextDecoder().decode((await child.output()).stderr);
  throw new Error(`The run ended (code ${code}, signal ${signal}) before ${what}:\n${stderr}`);
}
