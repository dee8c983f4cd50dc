/** Snapshot, restore and verify-restore: the library behind `otsbk-sync snapshot | restore | verify-restore`. */
export { restoreFromBackup, snapshotTable, verifyRestoredTable, dataIntegrationCsv, RestoreProgressBar, RestoreProgressLog } from './commands';
export type { RestoreCommandOptions, RestoreContext, RestoreProgressReporter, SnapshotCommandOptions, VerifyRestoreCommandOptions } from './commands';
export { planRestore, replayPlan, restoreTable } from './restore';
export type { RestorePlan, RestoreResult, ReplayProgress } from './restore';
export { listSnapshots, readSnapshotManifest, takeSnapshot, SNAPSHOT_CLOCK_MARGIN_MS } from './snapshot';
export type { SnapshotManifest, SnapshotPart, SnapshotResult } from './snapshot';
export { verifyRestore } from './verify-restore';
export type { KeyDifference, RangeComparison, VerifyRestoreResult } from './verify-restore';
export { listExportedWindows } from './windows';
export type { ExportedWindow } from './windows';
export { MemoryTable, TablestoreRowSink } from './sink';
export type { RowSink } from './sink';
