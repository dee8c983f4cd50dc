/**
 * The project's environments as the runtime reads them: a JSON document (`otsbk-environments.json`) the build writes
 * beside the bundle from lib/config/environments.ts (lib/runtime-environments.ts), so that `--env <name>` works with
 * the one-file runtime while the runtime's code knows nothing of the project's configuration. Each table carries the
 * runtime configuration its backup uses, except the endpoints: those depend on the network the runtime runs on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTablestoreEndpoint, TablestoreEndpointError, TablestoreNetwork } from '../../tablestore/endpoints';
import type { SyncRuntimeConfigInput } from './config';
import { UsageError } from './errors';

/** Written in `format`; a runtime refuses a document of another format rather than misreading it. */
export const ENVIRONMENT_CATALOG_FORMAT = 'otsbk-environments/1';

/** File name of the document the build writes beside `dist/otsbk-sync.js`. */
export const ENVIRONMENT_CATALOG_FILE = 'otsbk-environments.json';

/** Variable naming the document when `--environments-file` is not given. */
export const ENVIRONMENT_CATALOG_ENV = 'OTSBK_ENVIRONMENTS_FILE';

export interface EnvironmentCatalog {
  readonly format: typeof ENVIRONMENT_CATALOG_FORMAT;
  readonly environments: readonly CatalogEnvironment[];
}

export interface CatalogEnvironment {
  readonly name: string;
  /** Region of the bucket and the instances: the OSS endpoint is derived from it. */
  readonly region: string;
  /** What writes the environment's scheduled windows (the key layout `coverage` looks for). */
  readonly engine: 'runtime' | 'data-integration';
  /** Every table the environment backs up, in configuration order; the first is `--env`'s default. */
  readonly tables: readonly CatalogTable[];
}

export interface CatalogTable {
  readonly name: string;
  /** Object key name of the table's backup (the Data Integration job writes under it). */
  readonly backupName: string;
  readonly kind: 'wide-column' | 'timeseries';
  readonly instance: {
    readonly name: string;
    /** Networks the instance accepts (`network_type_acl`); every network for a referenced instance. */
    readonly networkTypeAcl: readonly string[];
    /** The instance's `endpoints.runtime`, when configured. */
    readonly endpoint?: string;
  };
  /** The runtime configuration of the table's backup, without `tablestore.endpoint` and `oss.endpoint`. */
  readonly config: SyncRuntimeConfigInput;
}

/** Where `--env` looks: `--environments-file`, else $OTSBK_ENVIRONMENTS_FILE, else beside the running bundle. */
export function environmentCatalogPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env[ENVIRONMENT_CATALOG_ENV];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(__dirname, ENVIRONMENT_CATALOG_FILE);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and checks the document; every problem is a UsageError naming the file. */
export function readEnvironmentCatalog(path: string): EnvironmentCatalog {
  if (!existsSync(path)) {
    throw new UsageError(`--env needs the environments file ${path}, which does not exist: \`npm run build\` writes it beside dist/otsbk-sync.js `
      + `(keep the two together); or give --environments-file <path> (or $${ENVIRONMENT_CATALOG_ENV}), or describe the table with --config and flags instead`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`environments file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isRecord(parsed) || parsed.format !== ENVIRONMENT_CATALOG_FORMAT || !Array.isArray(parsed.environments)) {
    const format = isRecord(parsed) ? JSON.stringify(parsed.format) : 'none';
    throw new UsageError(`environments file ${path} is not an ${ENVIRONMENT_CATALOG_FORMAT} document (format ${format}): rebuild it with \`npm run build\``);
  }
  return parsed as unknown as EnvironmentCatalog;
}

/** The environment called `name`, or a UsageError listing the ones the catalog has. */
export function catalogEnvironment(catalog: EnvironmentCatalog, name: string, path: string): CatalogEnvironment {
  const environment = catalog.environments.find(e => e.name === name);
  if (!environment) {
    throw new UsageError(`--env "${name}" is not an environment of this project (${catalog.environments.map(e => e.name).join(', ')}; from ${path})`);
  }
  return environment;
}

/** The table `--table` names (table or backup name), the first time series table with `timeseries`, else the first. */
export function catalogTable(environment: CatalogEnvironment, table: string | undefined, timeseries: boolean): CatalogTable {
  const tables = environment.tables;
  if (table === undefined) {
    const found = timeseries ? tables.find(t => t.kind === 'timeseries') : tables[0];
    if (!found) throw new UsageError(`environment ${environment.name} has no ${timeseries ? 'time series table' : 'table'}`);
    return found;
  }
  const matches = tables.filter(t => t.backupName === table || t.name === table);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new UsageError(`environment "${environment.name}" backs up no table "${table}" (tables: ${tables.map(t => t.backupName).join(', ')})`);
  throw new UsageError(`environment "${environment.name}": "${table}" names several tables; use the backup name (${matches.map(t => t.backupName).join(', ')})`);
}

export interface CatalogEndpointOptions {
  /** The network this machine is on. @default 'internet' */
  readonly network?: TablestoreNetwork;
  /** A Tablestore endpoint given on the command line: wins over the instance's `endpoints.runtime` and the derivation. */
  readonly endpoint?: string;
}

/**
 * The table's configuration with the endpoints of `network`: the Tablestore endpoint the instance's ACL allows (or
 * the one given), OSS's public endpoint from the internet and its internal one from a VPC or the classic network.
 */
export function catalogConfigInput(environment: CatalogEnvironment, table: CatalogTable, options: CatalogEndpointOptions = {}): SyncRuntimeConfigInput {
  const network = options.network ?? 'internet';
  let endpoint: string;
  try {
    endpoint = resolveTablestoreEndpoint({
      instanceName: table.instance.name,
      region: environment.region,
      networkTypeAcl: table.instance.networkTypeAcl,
      network,
      caller: 'the sync runtime',
      override: options.endpoint ?? table.instance.endpoint,
      remedy: 'run it from a machine in a VPC bound to the instance with --network vpc, or give --endpoint (or set the instance\'s endpoints.runtime in lib/config/environments.ts)',
    });
  } catch (err) {
    if (err instanceof TablestoreEndpointError) throw new UsageError(`environment ${environment.name}: ${err.message}`);
    throw err;
  }
  const internal = network !== 'internet';
  return {
    ...table.config,
    tablestore: { ...table.config.tablestore, endpoint },
    oss: { ...table.config.oss, endpoint: `https://oss-${environment.region}${internal ? '-internal' : ''}.aliyuncs.com` },
  };
}
