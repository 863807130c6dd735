/**
 * The simulator's entry: {@link startSimulator}, its options, faults and the routes it serves.
 * Private to the package; `testing.ts` re-exports it as the `./testing` subpath.
 *
 * @module
 */

export { startSimulator } from "./server.ts";
export type {
  BodyFault,
  ErrorFault,
  FaultTrigger,
  LatencyFault,
  RateLimitFault,
  RouteTarget,
  SimFaults,
  SimRoute,
} from "./fault_options.ts";
export { SIM_ROUTES } from "./fault_options.ts";
export type {
  ConversationQuery,
  Simulator,
  SimulatorIds,
  SimulatorOptions,
  SimulatorStats,
} from "./types.ts";
