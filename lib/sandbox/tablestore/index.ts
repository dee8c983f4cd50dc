export { startTablestoreSandbox, TablestoreSandbox, TablestoreSandboxOptions, TablestoreSandboxStats, ShardView } from './server';
export { SandboxClock } from './clock';
export { FaultInjector, FaultKind, FaultOptions } from './faults';
export type { TablestoreIdentity } from './access';
