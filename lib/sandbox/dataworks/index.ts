export { startDataWorksSandbox } from './server';
export type { DataWorksAction, DataWorksFault, DataWorksFaultRule, DataWorksRequestRecord, DataWorksSandbox, DataWorksSandboxOptions } from './server';
export { DataWorksState, SandboxApiError } from './state';
export type { SandboxNode, SandboxProject, SandboxRun, SandboxStage } from './state';
export { percentEncode, SignatureError, verifyV3Signature } from './signature';
export type { SandboxCredential } from './signature';
export { checkAgainstContract, ContractViolation, DATAWORKS_API_CONTRACT } from './api-contract';
export type { ActionContract, ContractParameter, WireType } from './api-contract';
