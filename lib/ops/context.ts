import type { CredentialProvider } from '../common/credentials';
import { DataWorksClient } from '../dataworks/client';
import { DeployOptions } from '../dataworks/deploy';
import { Sleep } from '../common/retry';
import { OpsEnvironment } from './environment';
import { Logger } from './log';

/** Everything an operation needs from the outside world; tests build one around loopback servers. */
export interface OpsContext {
  readonly log: Logger;
  /** Process environment, for the teardown override. */
  readonly env: NodeJS.ProcessEnv;
  readonly environment: OpsEnvironment;
  readonly credentials: CredentialProvider;
  readonly sleep: Sleep;
  readonly now: () => number;
}

export function dataWorksClient(ctx: OpsContext, region: string): DataWorksClient {
  return new DataWorksClient({
    endpoint: ctx.environment.dataworksEndpoint(region),
    regionId: region,
    credentials: ctx.credentials,
    retryPolicy: ctx.environment.retryPolicy,
    sleep: ctx.sleep,
    onRetry: line => ctx.log.info(line),
  });
}

export function deployOptions(ctx: OpsContext): DeployOptions {
  return {
    pollIntervalMs: ctx.environment.pollIntervalMs,
    timeoutMs: ctx.environment.deployTimeoutMs,
    sleep: ctx.sleep,
    now: ctx.now,
    log: line => ctx.log.info(line),
    retryPolicy: ctx.environment.retryPolicy,
  };
}
