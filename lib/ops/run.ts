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
import { parseArgs } from 'node:util';
import { CredentialProvider, defaultCredentialProvider } from '../common/credentials';
import { realSleep, Sleep } from '../common/retry';
import { OpsContext } from './context';
import { readOpsEnvironment } from './environment';
import { createLogger, Logger } from './log';
import { MANAGED_KINDS, ManagedKind, parseManagedSpec, parseOperationSettings, SpecError } from './specs';
import { applySyncNode, destroySyncNode } from './sync-node-ops';
import { applyTableStream, destroyTableStream } from './table-stream-ops';
import { applyTimeseriesTable, destroyTimeseriesTable } from './timeseries-table-ops';
import { applyAlertRule, destroyAlertRule } from './alert-rule-ops';
import { checkObject, readStackObjects, renderChecks, repairObject } from './check';

export const USAGE = `usage: ops <apply|destroy> <${MANAGED_KINDS.join('|')}>
         Run by the Terraform provisioners of the stacks; reads OTSBK_OPS_SPEC, OTSBK_OPS_SETTINGS and OTSBK_OPS_OWNER.
       ops check <env> [--stack <cdk.tf.json>] [--project-id <id>]
         Compare every managed object of the environment with its synthesized stack; exit 3 on drift. Changes nothing.
       ops repair <env> [--stack <cdk.tf.json>] [--project-id <id>]
         Put every drifted object back as the deploy would (nodes and alert rules keep their Terraform owner).`;

export const CHECK_HELP = `usage: ops check <env> [--stack <file>] [--project-id <id>]

Reads every object environment <env> manages outside the provider: sync nodes (spec, and whether the deployed
version is the current one), the table Stream (enabled, retention), the time series table (TTL) and the alert
rules; compares each with the desired state in the synthesized stack and prints what differs. Changes nothing.

  --stack <file>       The synthesized stack (default cdktf.out/stacks/<env>/cdk.tf.json; run npm run synth first)
  --project-id <id>    Workspace id, when the stack creates the workspace (its id is only in the Terraform state)

Endpoints and credentials as for the provisioners (OTSBK_DATAWORKS_ENDPOINT, OTSBK_TABLESTORE_ENDPOINT, the
Alibaba Cloud credential chain). Webhook receivers are compared when their environment variable is set.
Exit status: 0 everything matches, 3 drift (or an object is missing), 1 a read failed, 2 wrong usage.
"ops repair <env>" takes the same options and applies the drifted objects again.`;

export interface RunDependencies {
  readonly env: NodeJS.ProcessEnv;
  /** Defaults to the standard Alibaba Cloud credential chain (its values are registered with the invocation's logger). */
  readonly credentials?: CredentialProvider;
  readonly sleep?: Sleep;
  readonly now?: () => number;
  /** Where log lines go; defaults to stderr. */
  readonly write?: (line: string) => void;
  /** Working directory `check` finds cdktf.out in; defaults to the process's. */
  readonly cwd?: string;
}

export async function runOps(argv: readonly string[], deps: RunDependencies): Promise<number> {
  const write = deps.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const [operation, kind] = argv;
  if (operation === 'check' || operation === 'repair') return runCheck(operation, argv.slice(1), deps, write);
  if ((operation !== 'apply' && operation !== 'destroy') || !MANAGED_KINDS.includes(kind as ManagedKind) || argv.length !== 2) {
    write(USAGE);
    return 2;
  }
  const log = invocationLogger(`[otsbk-ops ${operation} ${kind}]`, deps, write);
  try {
    const spec = parseManagedSpec(deps.env.OTSBK_OPS_SPEC, kind as ManagedKind);
    const settings = parseOperationSettings(deps.env.OTSBK_OPS_SETTINGS);
    const ctx = opsContext(log, deps);
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
      case 'alert-rule':
        if (!/^[A-Za-z0-9-]+$/.test(owner)) throw new Error('OTSBK_OPS_OWNER must be the id of the terraform_data object (self.id)');
        await (operation === 'apply' ? applyAlertRule(ctx, spec, owner) : destroyAlertRule(ctx, spec, settings, owner));
        break;
    }
    return 0;
  } catch (e) {
    log.info(`FAILED: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

/** `check <env>` and `repair <env>`: drift between the synthesized stack and the live objects (check.ts). */
async function runCheck(verb: 'check' | 'repair', args: readonly string[], deps: RunDependencies, write: (line: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { stack: { type: 'string' }, 'project-id': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    write(`${(e as Error).message}\n${CHECK_HELP}`);
    return 2;
  }
  if (parsed.values.help) {
    write(CHECK_HELP);
    return 0;
  }
  const [environment, ...extra] = parsed.positionals;
  if (!environment || extra.length > 0 || !/^[a-z][a-z0-9-]{0,19}$/.test(environment)) {
    write(CHECK_HELP);
    return 2;
  }
  const log = invocationLogger(`[otsbk-ops ${verb} ${environment}]`, deps, write);
  try {
    const objects = readStackObjects(environment, { stackFile: parsed.values.stack, projectId: parsed.values['project-id'], cwd: deps.cwd });
    const ctx = opsContext(log, deps);
    const checks = [];
    for (const object of objects) checks.push(await checkObject(ctx, object));
    for (const line of renderChecks(environment, checks)) log.info(line);
    const drifted = checks.filter(c => c.status !== 'ok');
    if (verb === 'check' || drifted.length === 0) return drifted.length === 0 ? 0 : 3;
    for (const check of drifted) {
      log.info(`repairing ${check.name}`);
      await repairObject(ctx, objects.find(o => o.address === check.address)!, check);
    }
    return 0;
  } catch (e) {
    log.info(`FAILED: ${e instanceof Error ? e.message : String(e)}`);
    return e instanceof SpecError ? 2 : 1;
  }
}

/** The logger of one invocation, with the credential variables of its environment registered as secrets. */
function invocationLogger(prefix: string, deps: RunDependencies, write: (line: string) => void): Logger {
  const log = createLogger(prefix, write);
  for (const name of ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_SECRET_KEY', 'ALICLOUD_SECURITY_TOKEN']) log.addSecret(deps.env[name]);
  return log;
}

/** What every operation runs with: the logger, the process environment, clients' timing and credentials. */
function opsContext(log: Logger, deps: RunDependencies): OpsContext {
  return {
    log,
    env: deps.env,
    environment: readOpsEnvironment(deps.env),
    credentials: deps.credentials ?? defaultCredentialProvider(deps.env, log),
    sleep: deps.sleep ?? realSleep,
    now: deps.now ?? Date.now,
  };
}
