/** The project's environments as the runtime's `--env` reads them, for tests (the build writes the same document). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectConfig } from '../../lib/config/environments';
import type { EnvironmentConfig } from '../../lib/config/types';
import { catalogEnvironmentOf, environmentCatalog } from '../../lib/runtime-environments';
import { CatalogEndpointOptions, catalogConfigInput, catalogTable, ENVIRONMENT_CATALOG_FILE, resolveConfig, SyncRuntimeConfig } from '../../lib/runtime/sync';

/** The resolved runtime configuration of one table of `env`, as `--env` gives it. */
export function environmentConfig(env: EnvironmentConfig, options: CatalogEndpointOptions & { table?: string; timeseries?: boolean } = {}): SyncRuntimeConfig {
  const environment = catalogEnvironmentOf(env);
  return resolveConfig(catalogConfigInput(environment, catalogTable(environment, options.table, options.timeseries ?? false), options));
}

/** Writes the project's environments file into a new temporary directory; returns its path. */
export function writeProjectEnvironments(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'otsbk-environments-')), ENVIRONMENT_CATALOG_FILE);
  writeFileSync(path, JSON.stringify(environmentCatalog(projectConfig)));
  return path;
}
