/**
 * The simulator's entry: {@link startSimulator}, its options, faults and the routes it serves.
 * Private to the package; `testing.ts` re-exports it as the `./testing` subpath.
 *
 * @module
 */

export { startSimulator } from "./server.ts";
export type {
  BodyFault,
  ConversationQuery,
  ErrorFault,
  FaultTrigger,
  LatencyFault,
  RateLimitFault,
  RouteTarget,
  SimFaults,
  SimRoute,
  Simulator,
  SimulatorIds,
  SimulatorOptions,
  SimulatorStats,
} from "./types.ts";
export { SIM_ROUTES } from "./types.ts";
