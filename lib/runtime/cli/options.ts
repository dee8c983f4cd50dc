/**
 * Command-line options shared by the commands that need the runtime configuration, and how they become a
 * SyncRuntimeConfig: `--config` (file, inline JSON or base64 JSON; or the OTSBK_SYNC_CONFIG variable) first,
 * single-field flags on top.
 */
import type { ParseArgsConfig } from 'node:util';
import type { RowColumnSpec } from '../formats/layout';
import {
  CompressionName, FileFormatName, mergeConfigInputs, parseConfigArgument, resolveConfig, SyncRuntimeConfig, SyncRuntimeConfigInput,
} from '../sync/config';
import { UsageError } from '../sync/errors';
import { DEFAULT_TIMEZONE } from '../../schedule';
import {
  catalogConfigInput, catalogEnvironment, CatalogEnvironment, catalogTable, ENVIRONMENT_CATALOG_ENV, ENVIRONMENT_CATALOG_FILE,
  environmentCatalogPath, readEnvironmentCatalog,
} from '../sync/environments';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export const CONFIG_ENV = 'OTSBK_SYNC_CONFIG';

export const CONFIG_OPTIONS: OptionSpecs = {
  env: { type: 'string' },
  'environments-file': { type: 'string' },
  config: { type: 'string' },
  endpoint: { type: 'string' },
  network: { type: 'string' },
  instance: { type: 'string' },
  table: { type: 'string' },
  timeseries: { type: 'boolean' },
  'record-limit': { type: 'string' },
  'oss-endpoint': { type: 'string' },
  'oss-region': { type: 'string' },
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  format: { type: 'string' },
  compression: { type: 'string' },
  'gzip-level': { type: 'string' },
  layout: { type: 'string' },
  columns: { type: 'string' },
  'primary-key': { type: 'string' },
  deletes: { type: 'string' },
  timezone: { type: 'string' },
  'stream-lag': { type: 'string' },
  cron: { type: 'string' },
  'start-expr': { type: 'string' },
  'end-expr': { type: 'string' },
};

export const COMMON_OPTIONS: OptionSpecs = {
  help: { type: 'boolean', short: 'h' },
  'log-level': { type: 'string' },
};

export const CONFIG_HELP = `Configuration (--env, then a --config document, then flags override single fields):
  --env <name>                 Start from an environment of this project (dev, staging, prod...) as the build
                               wrote it into ${ENVIRONMENT_CATALOG_FILE} beside this program: its first
                               table, the one --table names (table or backup name), or with --timeseries its
                               first time series table
  --environments-file <file>  With --env: the environments file to read instead (also $${ENVIRONMENT_CATALOG_ENV})
  --network <internet|vpc|classic>  With --env: the network this machine is on (default internet); picks the
                               Tablestore endpoint the instance's network ACL allows (a VPC-only instance
                               needs vpc, run from a VPC bound to it, or --endpoint)
  --config <file|json|base64>  Runtime configuration as a JSON file path, inline JSON, or base64 of the JSON
                               (what the DataWorks node passes). Also read from $${CONFIG_ENV}.
  --endpoint <url>             Tablestore endpoint, e.g. https://<instance>.cn-hangzhou.ots.aliyuncs.com
  --instance <name>            Tablestore instance
  --table <name>               Table whose stream is exported
  --timeseries                 The table is a time series table
  --record-limit <n>           GetStreamRecord limit per page (default 1000)
  --oss-endpoint <url>         OSS endpoint, e.g. https://oss-cn-hangzhou.aliyuncs.com
  --oss-region <region>        ali-oss region, e.g. oss-cn-hangzhou
  --bucket <name>              Target bucket
  --prefix <prefix>            Key prefix (no leading/trailing slash)
  --format <csv|jsonl|parquet> File format (default csv)
  --compression <gzip|none|snappy>  Compression (default gzip; snappy: parquet only)
  --gzip-level <1-9>           zlib level
  --layout <rows|cells>        One row per record with --columns (default), or one row per cell change
  --columns <a,b:int64,...>    Exported columns for rows layout, optionally typed (string, int64, double,
                               boolean, binary, variant)
  --primary-key <a:String,b:Integer>  Primary key for cells layout
  --deletes <on|off>           rows layout: carry deletes as tombstone lines with _op/_deleted_columns
                               columns (default on; off writes what Data Integration's row mode writes)
  --timezone <zone>            Zone of window times (default ${DEFAULT_TIMEZONE})
  --stream-lag <minutes>       Refuse windows ending later than now minus this (default 10)
  --cron <expr>                DataWorks 6-field cron of the node (default hourly)
  --start-expr <expr>          startTime scheduling expression (default $[yyyymmddhh24-2/24]$[miss-10/24/60])
  --end-expr <expr>            endTime scheduling expression (default $[yyyymmddhh24-1/24]$[miss-10/24/60])

Credentials come from the Alibaba Cloud credential chain: ALIBABA_CLOUD_ACCESS_KEY_ID,
ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN), a profile, or the ECS RAM role.
They are never printed.

Common options:
  --log-level <debug|info|warn|error>  Log lines on stderr below this level are dropped (default info)
  -h, --help                   This help`;

export type ParsedValues = Record<string, string | boolean | undefined>;

function numberFlag(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UsageError(`--${flag} ${JSON.stringify(value)} is not ${integer ? 'an integer' : 'a number'}`);
  return n;
}

function parseColumns(text: string): RowColumnSpec[] {
  return text.split(',').map((part) => part.trim()).filter((p) => p !== '').map((p) => {
    const idx = p.lastIndexOf(':');
    if (idx <= 0) return { name: p };
    return { name: p.slice(0, idx), type: p.slice(idx + 1) as RowColumnSpec['type'] };
  });
}

function parsePrimaryKey(text: string): { name: string; type: 'Integer' | 'String' | 'Binary' }[] {
  return text.split(',').map((part) => part.trim()).filter((p) => p !== '').map((p) => {
    const idx = p.lastIndexOf(':');
    if (idx <= 0) throw new UsageError(`--primary-key entry ${JSON.stringify(p)} must be name:Type (Integer, String or Binary)`);
    return { name: p.slice(0, idx), type: p.slice(idx + 1) as 'Integer' | 'String' | 'Binary' };
  });
}

/** The configuration input the flags describe (only the fields given). */
export function configInputFromFlags(v: ParsedValues): SyncRuntimeConfigInput {
  const s = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const layoutMode = s('layout');
  if (layoutMode !== undefined && layoutMode !== 'rows' && layoutMode !== 'cells') throw new UsageError(`--layout ${JSON.stringify(layoutMode)} must be rows or cells`);
  const deletes = s('deletes');
  if (deletes !== undefined && deletes !== 'on' && deletes !== 'off') throw new UsageError(`--deletes ${JSON.stringify(deletes)} must be on or off`);
  return {
    tablestore: {
      endpoint: s('endpoint'), instanceName: s('instance'), tableName: s('table'), isTimeseriesTable: v.timeseries === true ? true : undefined,
      recordLimit: numberFlag('record-limit', s('record-limit'), true),
    },
    oss: { endpoint: s('oss-endpoint'), region: s('oss-region'), bucket: s('bucket'), prefix: s('prefix') },
    format: {
      fileFormat: s('format') as FileFormatName | undefined,
      compression: s('compression') as CompressionName | undefined,
      gzipLevel: numberFlag('gzip-level', s('gzip-level'), true),
    },
    layout: {
      mode: layoutMode as 'rows' | 'cells' | undefined,
      columns: s('columns') !== undefined ? parseColumns(s('columns') as string) : undefined,
      primaryKey: s('primary-key') !== undefined ? parsePrimaryKey(s('primary-key') as string) : undefined,
      operations: deletes === undefined ? undefined : deletes === 'on',
    },
    timezone: s('timezone'),
    streamLagMinutes: numberFlag('stream-lag', s('stream-lag'), false),
    schedule: { cron: s('cron'), startTimeExpression: s('start-expr'), endTimeExpression: s('end-expr') },
  };
}

/**
 * The configuration input from --config / $OTSBK_SYNC_CONFIG and flags, not yet checked. `scheduleOnly` (windows):
 * an environment contributes its schedule and zone only, so no endpoint is derived.
 */
export function configInput(v: ParsedValues, env: NodeJS.ProcessEnv, scheduleOnly = false): SyncRuntimeConfigInput {
  const table = typeof v.table === 'string' ? v.table : undefined;
  const fromEnvironment = environmentConfigInput(v, env, table, scheduleOnly);
  // With --env, --table chose the environment's table (possibly by backup name) rather than overriding its name.
  const flags = fromEnvironment ? configInputFromFlags({ ...v, table: undefined }) : configInputFromFlags(v);
  return mergeConfigInputs(fromEnvironment, configDocument(v, env), flags);
}

/** The --config document (or $OTSBK_SYNC_CONFIG), unchecked. */
function configDocument(v: ParsedValues, env: NodeJS.ProcessEnv): SyncRuntimeConfigInput | undefined {
  const doc = typeof v.config === 'string' ? v.config : env[CONFIG_ENV];
  return doc !== undefined && doc !== '' ? parseConfigArgument(doc) : undefined;
}

/** The environment --env names, from the environments file; undefined without --env. */
function selectedEnvironment(v: ParsedValues, env: NodeJS.ProcessEnv): CatalogEnvironment | undefined {
  if (typeof v.env !== 'string') {
    if (typeof v.network === 'string') throw new UsageError('--network only applies with --env (it picks the environment\'s endpoints); otherwise give --endpoint');
    if (typeof v['environments-file'] === 'string') throw new UsageError('--environments-file only applies with --env');
    return undefined;
  }
  const path = environmentCatalogPath(typeof v['environments-file'] === 'string' ? v['environments-file'] : undefined, env);
  return catalogEnvironment(readEnvironmentCatalog(path), v.env, path);
}

/** What a deployed environment's table is backed up with, over the endpoints of the network this machine is on (`--network`). */
function environmentConfigInput(v: ParsedValues, env: NodeJS.ProcessEnv, table: string | undefined, scheduleOnly: boolean): SyncRuntimeConfigInput | undefined {
  const environment = selectedEnvironment(v, env);
  if (!environment) return undefined;
  const t = catalogTable(environment, table, v.timeseries === true);
  // `windows` never connects: the schedule and zone of the table only, no endpoint derived for a network.
  if (scheduleOnly) return { timezone: t.config.timezone, streamLagMinutes: t.config.streamLagMinutes, schedule: t.config.schedule };
  return catalogConfigInput(environment, t, runtimeEndpointOptions(v));
}

/** How the CLI reaches an environment's instance: `--network` (default internet), or `--endpoint` as given. */
function runtimeEndpointOptions(v: ParsedValues): { network: 'internet' | 'vpc' | 'classic'; endpoint?: string } {
  const network = typeof v.network === 'string' ? v.network : 'internet';
  if (network !== 'internet' && network !== 'vpc' && network !== 'classic') throw new UsageError(`--network ${JSON.stringify(network)} must be internet, vpc or classic`);
  return { network, ...(typeof v.endpoint === 'string' ? { endpoint: v.endpoint } : {}) };
}

/**
 * The tables `coverage` looks at, each with its full configuration and engine. With --env: every table the
 * environment exports (or only --table), its engine unless --engine says otherwise, and the other flags on top
 * (e.g. --oss-endpoint). Without --env: the one table the configuration describes, engine --engine (default runtime).
 */
export function coverageTargets(v: ParsedValues, env: NodeJS.ProcessEnv, engine: 'runtime' | 'data-integration' | undefined): Array<{ config: SyncRuntimeConfig; engine: 'runtime' | 'data-integration'; keyName: string }> {
  const environment = selectedEnvironment(v, env);
  if (!environment) {
    const config = configFromArgs(v, env);
    return [{ config, engine: engine ?? 'runtime', keyName: config.tablestore.tableName }];
  }
  const wanted = typeof v.table === 'string' ? v.table : undefined;
  const tables = environment.tables.filter(t => wanted === undefined || t.name === wanted || t.backupName === wanted);
  if (tables.length === 0) {
    throw new UsageError(`--table "${wanted}" is not a table environment ${environment.name} exports (${environment.tables.map(t => t.name).join(', ')})`);
  }
  const base = configDocument(v, env);
  return tables.map(t => {
    const config = resolveConfig(mergeConfigInputs(catalogConfigInput(environment, t, runtimeEndpointOptions(v)), base, configInputFromFlags(v)));
    const tableEngine = engine ?? environment.engine;
    // The Data Integration job writes under the backup name (sync-definition.ts); the runtime under the table name.
    return { config, engine: tableEngine, keyName: tableEngine === 'data-integration' ? t.backupName : config.tablestore.tableName };
  });
}

/** The full, checked configuration (run, backfill, verify, list). */
export function configFromArgs(v: ParsedValues, env: NodeJS.ProcessEnv): SyncRuntimeConfig {
  return resolveConfig(configInput(v, env));
}
