/**
 * The operations command: `ops <apply|destroy> <sync-node|table-stream|timeseries-table>`, run by the
 * `terraform_data` provisioners of the managed-object constructs (lib/constructs/managed).
 *
 * Inputs (set by the provisioners from the Terraform state, never typed by hand):
 *   OTSBK_OPS_SPEC      jsonencode(self.triggers_replace): the desired state (specs.ts)
 *   OTSBK_OPS_SETTINGS  jsonencode(self.input): environment name, allowTeardown, Tablestore endpoint
 *   OTSBK_OPS_OWNER     self.id: the Terraform object applying or destroying
 * plus the Alibaba Cloud credential chain and the overrides in environment.ts.
 *
 * Exit status: 0 done (or nothing to do), 1 the operation failed or was refused, 2 wrong usage.
 */
import { CredentialSource } from '../dataworks/client';
import { realSleep, Sleep } from '../dataworks/retry';
import { OpsContext } from './context';
import { defaultCredentialSource, readOpsEnvironment } from './environment';
import { createLogger } from './log';
import { MANAGED_KINDS, ManagedKind, parseManagedSpec, parseOperationSettings } from './specs';
import { applySyncNode, destroySyncNode } from './sync-node-ops';
import { applyTableStream, destroyTableStream } from './table-stream-ops';
import { applyTimeseriesTable, destroyTimeseriesTable } from './timeseries-table-ops';

export const USAGE = `usage: ops <apply|destroy> <${MANAGED_KINDS.join('|')}>
Run by the Terraform provisioners of the stacks; reads OTSBK_OPS_SPEC, OTSBK_OPS_SETTINGS and OTSBK_OPS_OWNER.`;

export interface RunDependencies {
  readonly env: NodeJS.ProcessEnv;
  /** Defaults to the standard Alibaba Cloud credential chain. */
  readonly credentials?: CredentialSource;
  readonly sleep?: Sleep;
  readonly now?: () => number;
  /** Where log lines go; defaults to stderr. */
  readonly write?: (line: string) => void;
}

export async function runOps(argv: readonly string[], deps: RunDependencies): Promise<number> {
  const write = deps.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const [operation, kind] = argv;
  if ((operation !== 'apply' && operation !== 'destroy') || !MANAGED_KINDS.includes(kind as ManagedKind) || argv.length !== 2) {
    write(USAGE);
    return 2;
  }
  const log = createLogger(`[otsbk-ops ${operation} ${kind}]`, write);
  for (const name of ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_SECRET_KEY', 'ALICLOUD_SECURITY_TOKEN']) log.addSecret(deps.env[name]);
  try {
    const spec = parseManagedSpec(deps.env.OTSBK_OPS_SPEC, kind as ManagedKind);
    const settings = parseOperationSettings(deps.env.OTSBK_OPS_SETTINGS);
    const ctx: OpsContext = {
      log,
      env: deps.env,
      environment: readOpsEnvironment(deps.env),
      credentials: deps.credentials ?? defaultCredentialSource(),
      sleep: deps.sleep ?? realSleep,
      now: deps.now ?? Date.now,
    };
    const owner = deps.env.OTSBK_OPS_OWNER ?? '';
    switch (spec.kind) {
      case 'sync-node':
        if (!/^[A-Za-z0-9-]+$/.test(owner)) throw new Error('OTSBK_OPS_OWNER must be the id of the terraform_data object (self.id)');
        await (operation === 'apply' ? applySyncNode(ctx, spec, owner) : destroySyncNode(ctx, spec, settings, owner));
        break;
      case 'table-stream':
        if (!/^[A-Za-z0-9-]+$/.test(owner)) throw new Error('OTSBK_OPS_OWNER must be the id of the terraform_data object (self.id)');
        await (operation === 'apply' ? applyTableStream(ctx, spec, settings, owner) : destroyTableStream(ctx, spec, settings, owner));
        break;
      case 'timeseries-table':
        await (operation === 'apply' ? applyTimeseriesTable(ctx, spec, settings) : destroyTimeseriesTable(ctx, spec, settings));
        break;
    }
    return 0;
  } catch (e) {
    log.info(`FAILED: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
