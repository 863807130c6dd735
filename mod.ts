/**
 * A toolkit that makes long Genesys Cloud batch jobs survive what kills them: access tokens that
 * expire mid-run, 401s, 429 rate limits with `Retry-After`, 5xx errors, dropped connections,
 * deadlines and a killed process. Extractions stream page by page, make each page durable, and
 * resume exactly where they stopped, losing and duplicating nothing.
 *
 * - {@link GenesysClient}: authenticated requests with token refresh, retries and typed errors;
 * - {@link TokenManager}, {@link retry}, {@link deadline}: the parts it is built from;
 * - {@link paginate}, {@link paginateCursor}, {@link conversationDetailsPages},
 *   {@link conversationDetailsJobPages}: one page generator per data family, and {@link items}
 *   for their items one by one;
 * - {@link extract} with {@link FileSink} and a checkpoint store: resumable extraction to JSONL,
 *   CSV or JSON from a source ({@link listingSource}, {@link conversationDetailsSource},
 *   {@link conversationDetailsJobSource}), names from {@link fetchNameDirectory};
 * - {@link syncDays} and {@link syncSnapshot}: a folder of one output per UTC day, kept up to date.
 *
 * More on subpaths: `./retry` (sleep, parseRetryAfter), `./client` (Pacer), `./paginate` (listing
 * caps), `./analytics` (the jobs API one call at a time, intervals, tables, names), `./extract`
 * (custom sinks and stores, record encoders, the sync plan and costs). The Genesys Cloud simulator
 * for offline development and tests is `./testing`.
 *
 * @example Page every user of an org (here: the bundled simulator)
 * ```ts
 * import { GenesysClient, paginateItems } from "./mod.ts";
 * import { startSimulator } from "./testing.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using sim = await startSimulator({ users: 30 });
 * const client = new GenesysClient({
 *   region: sim.url,
 *   clientId: sim.clientId,
 *   clientSecret: sim.clientSecret,
 * });
 * let count = 0;
 * for await (const _user of paginateItems(client, "/api/v2/users", { pageSize: 10 })) count++;
 * strictEqual(count, 30);
 * ```
 *
 * @module
 */

export {
  ApiError,
  AuthError,
  CheckpointError,
  DeadlineError,
  GenesysError,
  JobError,
  LockError,
  NetworkError,
  RateLimitError,
  StorageError,
  UsageError,
} from "./lib/errors.ts";
export type {
  ApiErrorDetails,
  DeadlineErrorOptions,
  GenesysErrorOptions,
  LockOwner,
  NetworkErrorKind,
  NetworkErrorOptions,
} from "./lib/errors.ts";
export type {
  ApiClient,
  ApiResponse,
  Clock,
  JsonValue,
  PageSource,
  Query,
  QueryValue,
  RequestOptions,
  SourceCap,
  SourcePage,
} from "./lib/types.ts";
export { createLogger } from "./lib/log.ts";
export type { LogFields, Logger, LoggerOptions, LogLevel } from "./lib/log.ts";
export { Redactor } from "./lib/redact.ts";
export { deadline, retry } from "./lib/retry/mod.ts";
export type {
  DeadlineOptions,
  RetryInfo,
  RetryOptions,
  RetryPolicy,
  RetryReason,
  TimeBudget,
} from "./lib/retry/mod.ts";
export { GenesysClient, REGIONS, resolveRegion, TokenManager } from "./lib/client/mod.ts";
export type {
  ClientEvent,
  ClientRetryPolicy,
  ClientStats,
  GenesysClientOptions,
  LastRateLimit,
  PacerLimitStats,
  PacerOptions,
  PacerStats,
  PendingRequest,
  RateLimitInfo,
  RegionInfo,
  ResolvedRegion,
  RetryCause,
  TokenManagerOptions,
} from "./lib/client/mod.ts";
export {
  items,
  listingSource,
  paginate,
  paginateCursor,
  paginateItems,
} from "./lib/paginate/mod.ts";
export type {
  CursorPage,
  CursorResponse,
  ListingPage,
  ListingPosition,
  ListingResponse,
  ListingSourceOptions,
  PaginateCursorOptions,
  PaginateOptions,
} from "./lib/paginate/mod.ts";
export {
  conversationDetails,
  conversationDetailsJobPages,
  conversationDetailsJobSource,
  conversationDetailsPages,
  conversationDetailsSource,
  fetchNameDirectory,
} from "./lib/analytics/mod.ts";
export type {
  Conversation,
  ConversationDetailsJobOptions,
  ConversationDetailsJobPage,
  ConversationDetailsOptions,
  ConversationDetailsPage,
  ConversationDetailsQuery,
  DetailsJobEvent,
  DetailsJobHints,
  FetchNamesOptions,
  NameDirectory,
  NameKind,
  TableShape,
} from "./lib/analytics/mod.ts";
export {
  extract,
  FileCheckpointStore,
  FileSink,
  FileSyncOutput,
  KvCheckpointStore,
  MemoryCheckpointStore,
  MemorySink,
  MemorySyncOutput,
  readSyncManifest,
  StreamSink,
  syncDays,
  syncSnapshot,
} from "./lib/extract/mod.ts";
export type {
  Checkpoint,
  CheckpointLock,
  CheckpointOpenEnd,
  CheckpointStore,
  ExtractCheckpointOptions,
  ExtractCounters,
  ExtractOptions,
  ExtractProgress,
  ExtractResult,
  FileCheckpointStoreOptions,
  FileSinkOptions,
  FileSyncOutputOptions,
  KvAtomicLike,
  KvCheckpointStoreOptions,
  KvKeyPart,
  KvLike,
  LockHolder,
  ManifestPlace,
  OutputFormat,
  Sink,
  SinkMark,
  SinkOpenOptions,
  SinkOptions,
  StreamSinkOptions,
  SyncCommonOptions,
  SyncDayKind,
  SyncDayPlan,
  SyncDayResult,
  SyncDaysOptions,
  SyncDayStart,
  SyncEntry,
  SyncManifest,
  SyncOutput,
  SyncPlanOptions,
  SyncProgress,
  SyncResult,
  SyncSnapshotOptions,
  SyncSnapshotResult,
  SyncVia,
  SyncViaOption,
} from "./lib/extract/mod.ts";
