export { startOssSandbox } from './server';
export type { AliOssClientOptions, OssIdentity, OssRequestListener, OssRequestRecord, OssSandbox, OssSandboxOptions } from './server';
export { OssFaults } from './faults';
export type { FaultRule, OssFault, OssOperation } from './faults';
export type { StoredObject } from './store';
export { OSS_ACTION_OF, parsePolicy, evaluateAccess, PolicyError } from './access';
