import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { AssetType, TerraformAsset } from 'cdktf';
import { OssBucketObject } from '../../.gen/providers/alicloud/oss-bucket-object';
import { ConstructPropsError } from './validate';

/** Where `npm run build` writes the one-file sync runtime. */
export const RUNTIME_BUNDLE_PATH = path.resolve(__dirname, '..', '..', 'dist', 'otsbk-sync.js');

export interface RuntimeBundleProps {
  /** Bucket name (or token) the bundle is uploaded to. */
  readonly bucket: string;
  /** Key prefix for runtime releases, e.g. `<exportPrefix>/_runtime`. */
  readonly keyPrefix: string;
  /** The bundled file. @default RUNTIME_BUNDLE_PATH (`dist/otsbk-sync.js`, written by `npm run build`) */
  readonly bundlePath?: string;
}

/**
 * The sync runtime, uploaded as a Terraform asset. The object key carries the bundle's content hash, so a new build
 * is a new object: a node always runs exactly the code it was deployed with, and a rollback is a redeploy.
 */
export class RuntimeBundle extends Construct {
  readonly key: string;
  readonly contentHash: string;
  readonly object: OssBucketObject;

  constructor(scope: Construct, id: string, props: RuntimeBundleProps) {
    super(scope, id);
    const file = props.bundlePath ?? RUNTIME_BUNDLE_PATH;
    if (!fs.existsSync(file)) {
      throw new Error(`RuntimeBundle: ${path.relative(process.cwd(), file) || file} does not exist: run "npm run build" before synthesizing an environment with engine "runtime"`);
    }
    if (props.keyPrefix.startsWith('/') || props.keyPrefix.endsWith('/')) {
      throw new ConstructPropsError(`RuntimeBundle ${this.node.path}`, 'keyPrefix', `"${props.keyPrefix}" must not start or end with "/"`);
    }
    this.contentHash = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
    this.key = `${props.keyPrefix}/otsbk-sync-${this.contentHash}.js`;
    const asset = new TerraformAsset(this, 'asset', { path: file, type: AssetType.FILE, assetHash: this.contentHash });
    this.object = new OssBucketObject(this, 'object', {
      bucket: props.bucket,
      key: this.key,
      source: asset.path,
      contentType: 'application/javascript',
      serverSideEncryption: 'AES256',
      acl: 'private',
    });
  }
}
