/** `list`: a window's objects and manifest, straight from OSS (no stream access). */
import { readManifest, WindowManifest } from '../writer/manifest';
import { listWindowObjects } from '../writer/listing';
import { createOssClientFor } from './clients';
import { defaultCredentialProvider } from '../../common/credentials';
import { silentLogger } from '../../common/log';
import { manifestKeyFor, SyncContextOptions, WindowBoundsOptions, WindowInfo, windowInfo } from './run-window';
import { assertWindowOrder, parseSyncWindow } from './window';

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  /** Listed in the manifest (false: a leftover of an unfinished run, or not committed yet). */
  readonly inManifest: boolean;
}

export interface ListWindowResult {
  readonly window: WindowInfo;
  readonly bucket: string;
  readonly directory: string;
  readonly manifestKey: string;
  /** The manifest exists: the window's export is complete. */
  readonly committed: boolean;
  readonly objects: readonly ListedObject[];
  readonly manifest: WindowManifest | null;
}

export type ListWindowOptions = Pick<SyncContextOptions, 'config' | 'credentials' | 'logger' | 'tuning'> & WindowBoundsOptions;

export async function listWindow(options: ListWindowOptions): Promise<ListWindowResult> {
  const { config } = options;
  const log = options.logger ?? silentLogger;
  const window = parseSyncWindow({ startTime: options.startTime, endTime: options.endTime }, config.timezone);
  assertWindowOrder(window, config.timezone);
  const oss = await createOssClientFor(config.oss, options.credentials ?? defaultCredentialProvider(), options.tuning);
  const { directory, manifestKey } = manifestKeyFor(config, window);
  const [listed, manifest] = await Promise.all([listWindowObjects(oss, directory), readManifest(oss, manifestKey)]);
  const inManifest = new Set(manifest?.parts.map((p) => p.key) ?? []);
  const objects = listed.map((o) => ({ key: o.key, size: o.size, etag: o.etag, inManifest: o.key === manifestKey || inManifest.has(o.key) }));
  log.info('window listed', { directory, objects: objects.length, committed: manifest !== undefined });
  return { window: windowInfo(window, config.timezone), bucket: config.oss.bucket, directory, manifestKey, committed: manifest !== undefined, objects, manifest: manifest ?? null };
}
