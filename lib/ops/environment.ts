/**
 * What the operations command takes from its process environment besides the spec: endpoints (derived from the
 * region and instance, overridable so tests and private networks can point elsewhere) and timing (credentials come
 * from the standard chain, lib/common/credentials.ts). Nothing here ever comes from the synthesized Terraform JSON.
 */
import { RetryPolicy } from '../common/retry';
import { DATAWORKS_RETRY_POLICY } from '../dataworks/client';
import { parseTablestoreNetwork, resolveTablestoreEndpoint } from '../tablestore/endpoints';
import { OperationSettings } from './specs';

export const ENV = {
  /** DataWorks OpenAPI endpoint: host name, or http(s)://host:port. Default dataworks.<region>.aliyuncs.com. */
  dataworksEndpoint: 'OTSBK_DATAWORKS_ENDPOINT',
  /** Tablestore endpoint: http(s)://host[:port]. Default: the configuration's, else derived (see tablestoreNetwork). */
  tablestoreEndpoint: 'OTSBK_TABLESTORE_ENDPOINT',
  /** Network this command runs on: internet (default), vpc or classic; picks the endpoint the instance's ACL allows. */
  tablestoreNetwork: 'OTSBK_TABLESTORE_NETWORK',
  /** First retry delay in ms (default 500); the delay doubles up to 15 s, 6 tries in all. */
  retryBaseDelay: 'OTSBK_RETRY_BASE_DELAY_MS',
  /** Deployment process polling interval in ms (default 3000). */
  pollInterval: 'OTSBK_DEPLOY_POLL_INTERVAL_MS',
  /** How long to wait for a deployment process, in seconds (default 900). */
  deployTimeout: 'OTSBK_DEPLOY_TIMEOUT_SECONDS',
  /** Deadline of one Tablestore SDK call in ms (default 30000). */
  tablestoreCallTimeout: 'OTSBK_TABLESTORE_CALL_TIMEOUT_MS',
} as const;

export interface OpsEnvironment {
  readonly dataworksEndpoint: (region: string) => string;
  readonly tablestoreEndpoint: (region: string, instanceName: string, settings: OperationSettings) => string;
  readonly retryPolicy: RetryPolicy;
  readonly pollIntervalMs: number;
  readonly deployTimeoutMs: number;
  readonly tablestoreCallTimeoutMs: number;
}

export function readOpsEnvironment(env: NodeJS.ProcessEnv): OpsEnvironment {
  const number = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`${name}="${raw}" must be a number of at least ${min}`);
    return n;
  };
  const base = number(ENV.retryBaseDelay, DATAWORKS_RETRY_POLICY.baseDelayMs, 0);
  return {
    dataworksEndpoint: region => env[ENV.dataworksEndpoint] || `dataworks.${region}.aliyuncs.com`,
    tablestoreEndpoint: (region, instance, settings) => resolveTablestoreEndpoint({
      instanceName: instance,
      region,
      networkTypeAcl: settings.tablestoreNetworkTypeAcl ?? ['VPC', 'INTERNET', 'CLASSIC'],
      network: env[ENV.tablestoreNetwork] ? parseTablestoreNetwork(env[ENV.tablestoreNetwork] as string, ENV.tablestoreNetwork) : 'internet',
      caller: 'the operations command',
      override: env[ENV.tablestoreEndpoint] || settings.tablestoreEndpoint,
      remedy: `run cdktf from a machine in a VPC bound to the instance with ${ENV.tablestoreNetwork}=vpc, `
        + `or set ${ENV.tablestoreEndpoint} (or tablestore.endpoints.operations in lib/config/environments.ts) to an endpoint this machine reaches`,
    }),
    retryPolicy: { ...DATAWORKS_RETRY_POLICY, baseDelayMs: base, maxDelayMs: Math.max(base, Math.min(DATAWORKS_RETRY_POLICY.maxDelayMs, base * 32)) },
    pollIntervalMs: number(ENV.pollInterval, 3000, 0),
    deployTimeoutMs: number(ENV.deployTimeout, 900, 1) * 1000,
    tablestoreCallTimeoutMs: number(ENV.tablestoreCallTimeout, 30_000, 1),
  };
}
