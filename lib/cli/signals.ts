/**
 * SIGINT and SIGTERM for a running job: the first one asks the job to stop after the current page
 * (it saves its checkpoint); a second one ends the process at once with exit code 130 (the last
 * saved checkpoint is still valid).
 *
 * @module
 */

/** The stop signals the CLI listens to. */
export type StopSignal = "SIGINT" | "SIGTERM";

/** Options of {@link listenForStop}. */
export interface ListenForStopOptions {
  /** Called on the first signal. */
  onStop: (signal: StopSignal) => void;
  /** Called on a second signal; defaults to `Deno.exit(130)`. */
  onForce?: (signal: StopSignal) => void;
  /** Adds a listener (default `Deno.addSignalListener`; tests pass their own). */
  addListener?: (signal: StopSignal, listener: () => void) => void;
  /** Removes a listener (default `Deno.removeSignalListener`). */
  removeListener?: (signal: StopSignal, listener: () => void) => void;
}

/**
 * Listens for SIGINT and SIGTERM (SIGTERM only where the platform has it) until the returned
 * function is called, which removes the listeners.
 *
 * @param options What to do on the first and on a second signal.
 * @returns A function that removes the listeners (safe to call twice).
 *
 * @example
 * ```ts
 * import { listenForStop } from "./signals.ts";
 *
 * const stopListening = listenForStop({ onStop: () => {} });
 * stopListening();
 * ```
 */
export function listenForStop(options: ListenForStopOptions): () => void {
  let received = 0;
  const listeners: [StopSignal, () => void][] = [];
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const listener = () => {
      received++;
      if (received === 1) options.onStop(signal);
      else (options.onForce ?? (() => Deno.exit(130)))(signal);
    };
    try {
      (options.addListener ?? Deno.addSignalListener)(signal, listener);
      listeners.push([signal, listener]);
    } catch {
      // SIGTERM is not available on Windows; SIGINT (Ctrl-C) still is.
    }
  }
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    const remove = options.removeListener ?? Deno.removeSignalListener;
    for (const [signal, listener] of listeners) remove(signal, listener);
  };
}
