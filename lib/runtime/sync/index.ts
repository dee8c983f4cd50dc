/** The sync runtime's library: what the CLI, the demo, the benchmark and other code call. */
export { runWindow, syncAdmittedWindow, manifestKeyFor, windowInfo } from './run-window';
export type { RunWindowOptions, RunWindowResult, RunStats, SyncContextOptions, SyncTuning, WindowBoundsOptions, WindowInfo } from './run-window';
export { backfill, backfillTarget } from './backfill';
export type { BackfillOptions, BackfillResult, BackfillWindowResult } from './backfill';
export { verifyWindow } from './verify';
export type { Mismatch, StreamObservation, VerifyWindowOptions, VerifyWindowResult } from './verify';
export { listWindow } from './list';
export type { ListedObject, ListWindowOptions, ListWindowResult } from './list';
export { planSyncWindows, parseRangeBound, tilingFaults } from './plan';
export type { PlannedSyncWindow, TilingFault, WindowPlan } from './plan';
export { encodeConfigArgument, mergeConfigInputs, parseConfigArgument, resolveConfig, resolveScheduleConfig } from './config';
export type {
  CompressionName, FileFormatName, OssTargetConfig, OutputFormatConfig, OutputLayoutConfig, ScheduleSpec, SyncRuntimeConfig,
  SyncRuntimeConfigInput, TablestoreSourceConfig,
} from './config';
export {
  catalogConfigInput, catalogEnvironment, catalogTable, ENVIRONMENT_CATALOG_ENV, ENVIRONMENT_CATALOG_FILE, ENVIRONMENT_CATALOG_FORMAT,
  environmentCatalogPath, readEnvironmentCatalog,
} from './environments';
export type { CatalogEndpointOptions, CatalogEnvironment, CatalogTable, EnvironmentCatalog } from './environments';
export { defaultCredentialProvider, staticCredentialProvider } from '../../common/credentials';
export type { AccessCredentials, CredentialProvider } from '../../common/credentials';
export { CredentialsError } from '../../common/credentials';
export { ExitCode, exitCodeOf, MalformedWindowError, RefusedWindowError, SyncError, SyncFailedError, UsageError } from './errors';
export { LineLogger, silentLogger } from '../../common/log';
export type { Logger, LogLevel } from '../../common/log';
export { redactText, redactValue, registerSecret } from '../../common/redact';
export { BackfillState } from './state';
export { BarProgressReporter, LogProgressReporter } from './progress';
export type { ProgressReporter, WindowProgress } from './progress';
