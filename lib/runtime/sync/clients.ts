/**
 * The two service clients a run uses: TablestoreStreamClient (stream API) and ali-oss (through the writer's
 * OssClient view), both fed from one credential provider. STS credentials are refreshed: the Tablestore transport
 * asks the provider before every attempt, ali-oss through its refreshSTSToken hook.
 */
import { TablestoreStreamClient } from '../../tablestore/stream-client';
import { TablestoreTableClient } from '../../tablestore/table-client';
import type { TransportOptions } from '../../tablestore/transport';
import type { TablestoreRetryOptions } from '../../tablestore/transport';
import { createOssClient, OssClient } from '../writer/oss-client';
import type { OssTargetConfig, TablestoreSourceConfig } from './config';
import type { CredentialProvider } from '../../common/credentials';

export interface ClientTuning {
  /** Tablestore request retries (throttling, 5xx, dropped connections). */
  readonly tablestoreRetry?: TablestoreRetryOptions;
  /** Per-attempt Tablestore timeout, ms. */
  readonly tablestoreTimeoutMs?: number;
  /** ali-oss request timeout, ms. */
  readonly ossTimeoutMs?: number;
}

/** How often ali-oss asks for fresh STS credentials. */
const STS_REFRESH_MS = 5 * 60_000;

export async function createOssClientFor(target: OssTargetConfig, credentials: CredentialProvider, tuning: ClientTuning = {}): Promise<OssClient> {
  const c = await credentials();
  const secure = target.endpoint.startsWith('https:');
  return createOssClient({
    endpoint: target.endpoint,
    region: target.region,
    bucket: target.bucket,
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    secure,
    ...(tuning.ossTimeoutMs !== undefined ? { timeout: tuning.ossTimeoutMs } : {}),
    ...(c.securityToken !== undefined
      ? {
          stsToken: c.securityToken,
          refreshSTSTokenInterval: STS_REFRESH_MS,
          refreshSTSToken: async () => {
            const fresh = await credentials();
            return { accessKeyId: fresh.accessKeyId, accessKeySecret: fresh.accessKeySecret, stsToken: fresh.securityToken };
          },
        }
      : {}),
  });
}

export function createStreamClientFor(source: TablestoreSourceConfig, credentials: CredentialProvider, tuning: ClientTuning = {}): TablestoreStreamClient {
  return new TablestoreStreamClient({
    endpoint: source.endpoint,
    instanceName: source.instanceName,
    credentials,
    ...(tuning.tablestoreRetry ? { retry: tuning.tablestoreRetry } : {}),
    ...(tuning.tablestoreTimeoutMs !== undefined ? { requestTimeoutMs: tuning.tablestoreTimeoutMs } : {}),
  });
}

/** The wide-table client (snapshot, restore); `factory` lets tests wrap it. */
export function createTableClientFor(
  source: TablestoreSourceConfig,
  credentials: CredentialProvider,
  tuning: ClientTuning = {},
  factory: (options: TransportOptions) => TablestoreTableClient = (options) => new TablestoreTableClient(options),
): TablestoreTableClient {
  return factory({
    endpoint: source.endpoint,
    instanceName: source.instanceName,
    credentials,
    ...(tuning.tablestoreRetry ? { retry: tuning.tablestoreRetry } : {}),
    ...(tuning.tablestoreTimeoutMs !== undefined ? { requestTimeoutMs: tuning.tablestoreTimeoutMs } : {}),
  });
}
