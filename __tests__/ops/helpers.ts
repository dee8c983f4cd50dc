import { projectConfig } from '../../lib/config/environments';
import { EnvironmentConfig } from '../../lib/config/types';
import { syncDefinitionsForEnvironment } from '../../lib/dataworks';
import { OperationSettings, runOps, SyncNodeSpec } from '../../lib/ops';

export const ACCESS_KEY_ID = 'LTAI-sandbox-key';
export const ACCESS_KEY_SECRET = 'sandbox-Secret-0123456789abcdef';
export const PROJECT_ID = '204871';

export const staticCredentials = async () => ({ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET });

export function environment(name: string): EnvironmentConfig {
  const env = projectConfig.environments.find(e => e.name === name);
  if (!env) throw new Error(`no environment ${name}`);
  return env;
}

/** The sync node spec of the environment's wide-column table, as the SyncNode construct puts it in Terraform. */
export function syncNodeSpec(env: EnvironmentConfig, overrides: Partial<EnvironmentConfig['schedule']> = {}): SyncNodeSpec {
  const [def] = syncDefinitionsForEnvironment({ ...env, engine: 'data-integration', exportFormat: { ...env.exportFormat, compression: 'none' }, schedule: { ...env.schedule, ...overrides } });
  return { kind: 'sync-node', region: env.region, projectId: PROJECT_ID, nodeName: def.name, flowSpec: def.flowSpec };
}

export interface OpsRun {
  readonly code: number;
  readonly lines: string[];
}

/** Runs the operations command in-process as a provisioner would, against loopback endpoints. */
export async function ops(
  operation: string,
  kind: string,
  spec: unknown,
  settings: OperationSettings,
  owner: string,
  endpoints: { dataworks?: string; tablestore?: string },
  extraEnv: Record<string, string> = {},
): Promise<OpsRun> {
  const lines: string[] = [];
  const code = await runOps([operation, kind], {
    env: {
      OTSBK_OPS_SPEC: JSON.stringify(spec),
      OTSBK_OPS_SETTINGS: JSON.stringify(settings),
      OTSBK_OPS_OWNER: owner,
      ...(endpoints.dataworks ? { OTSBK_DATAWORKS_ENDPOINT: endpoints.dataworks } : {}),
      ...(endpoints.tablestore ? { OTSBK_TABLESTORE_ENDPOINT: endpoints.tablestore } : {}),
      OTSBK_RETRY_BASE_DELAY_MS: '1',
      OTSBK_DEPLOY_POLL_INTERVAL_MS: '0',
      OTSBK_TABLESTORE_CALL_TIMEOUT_MS: '300',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
      ...extraEnv,
    },
    credentials: staticCredentials,
    sleep: async () => undefined,
    write: line => lines.push(line),
  });
  return { code, lines };
}

/**
 * The tables the alicloud provider creates in a deployed stack (the data table and the Stream owners table beside the
 * status table), which tests of the operations command find already there.
 */
export async function createProviderTables(client: { createTable(params: object): Promise<unknown> }): Promise<void> {
  const options = { reservedThroughput: { capacityUnit: { read: 0, write: 0 } }, tableOptions: { timeToLive: -1, maxVersions: 1 } };
  await client.createTable({ tableMeta: { tableName: 'device_readings', primaryKey: [{ name: 'device_id', type: 'STRING' }, { name: 'ts', type: 'INTEGER' }] }, ...options });
  await client.createTable({ tableMeta: { tableName: 'otsbk_sync_status_stream_owners', primaryKey: [{ name: 'table_name', type: 'STRING' }, { name: 'stream_id', type: 'STRING' }] }, ...options });
}
