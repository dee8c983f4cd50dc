/**
 * A cloud object the alicloud provider cannot manage, owned by the stack through a `terraform_data` resource whose
 * provisioners run this project's operations command (lib/ops).
 *
 * - `triggers_replace` holds the object's full desired state (the spec). Unchanged spec: no plan diff, nothing
 *   runs. Changed spec: Terraform replaces the resource.
 * - `lifecycle.create_before_destroy`: the replacement's create-time provisioner (`ops apply`) updates the live
 *   object in place first; then the old resource's destroy-time provisioner (`ops destroy`) runs with the OLD spec
 *   and finds the live object no longer matching it (another owner, retention or TTL), so it leaves it alone.
 *   A real destroy finds the object matching and deletes it. (A resource tainted by a failed apply never runs its
 *   destroy provisioner, so retrying a failed apply cannot delete anything either.)
 * - `input` holds settings that are not object state (environment name, allowTeardown, endpoint): changing them
 *   updates Terraform state in place and runs nothing.
 * - `count` is 0 rather than the block being removed when an object is no longer configured: Terraform only runs a
 *   destroy-time provisioner whose resource block is still in the configuration.
 *
 * The provisioners read everything from `self` and the credentials from the environment Terraform runs in, so the
 * synthesized JSON holds no secret, no absolute path and no timestamp.
 */
import { Construct } from 'constructs';
import { DataResource, ITerraformDependable, Token } from 'cdktf';
import { ManagedKind, ManagedSpec } from '../../ops/specs';
import { checkInstanceName, checkName, checkRegion, checkTableName, ConstructPropsError } from '../validate';

/**
 * How the provisioners start the operations command. Terraform runs in `cdktf.out/stacks/<stack>`, so this is the
 * repository's `dist/ops.js`, built by `npm run build`.
 */
export const DEFAULT_OPS_COMMAND = 'node ../../../dist/ops.js';

export interface ManagedObjectCommonProps {
  /** Environment name: the value OTSBK_ALLOW_TEARDOWN must name to delete the object when teardown is not allowed. */
  readonly environment: string;
  /** EnvironmentConfig.allowTeardown. When false (prod), destroy refuses unless OTSBK_ALLOW_TEARDOWN names the environment. */
  readonly allowTeardown: boolean;
  /**
   * False keeps the resource block with count 0, so that an object removed from the configuration is really
   * deleted (Terraform skips destroy provisioners of removed blocks).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * How the provisioners start the operations command (e.g. for a differently laid out checkout).
   * @default DEFAULT_OPS_COMMAND
   */
  readonly opsCommand?: string;
  /** What must exist before the object is applied (its table, instance, data sources). @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

export interface ManagedObjectProps extends ManagedObjectCommonProps {
  /** Which operations-command handler owns the object. */
  readonly kind: ManagedKind;
  /** The desired state; must be JSON data. Strings are escaped so Terraform does not read `${...}` as interpolation. */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Operational settings beyond environment/allowTeardown (e.g. the Tablestore endpoint). @default - none */
  readonly settings?: Readonly<Record<string, string>>;
}

export class ManagedObject extends Construct {
  readonly resource: DataResource;
  readonly kind: ManagedKind;
  readonly enabled: boolean;

  constructor(scope: Construct, id: string, props: ManagedObjectProps) {
    super(scope, id);
    const where = `ManagedObject ${this.node.path}`;
    checkName(where, 'environment', 'environmentName', props.environment);
    const command = props.opsCommand ?? DEFAULT_OPS_COMMAND;
    if (command.includes('${') || command.includes('%{')) throw new ConstructPropsError(where, 'opsCommand', 'must be a plain command, without Terraform templates');
    this.kind = props.kind;
    this.enabled = props.enabled ?? true;
    const environment = {
      OTSBK_OPS_SPEC: '${jsonencode(self.triggers_replace)}',
      OTSBK_OPS_SETTINGS: '${jsonencode(self.input)}',
      OTSBK_OPS_OWNER: '${self.id}',
    };
    this.resource = new DataResource(this, 'resource', {
      count: this.enabled ? 1 : 0,
      triggersReplace: escapeForTerraform({ ...props.spec, kind: props.kind }) as Record<string, unknown>,
      input: { environment: props.environment, allowTeardown: props.allowTeardown, ...(props.settings ?? {}) },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: props.dependsOn,
      provisioners: [
        { type: 'local-exec', command: `${command} apply ${props.kind}`, environment },
        { type: 'local-exec', when: 'destroy', command: `${command} destroy ${props.kind}`, environment },
      ],
    });
  }
}

/**
 * A construct owning one managed object of kind `S['kind']`. Enabled, it checks its props and builds the spec
 * (`buildSpec`, given the construct's name for error messages); disabled, it checks nothing and its object keeps
 * the resource block with count 0 and the spec `{ absent: true }`.
 */
export abstract class ManagedConstruct<S extends ManagedSpec> extends Construct {
  readonly object: ManagedObject;
  /** The desired state; undefined when the object is disabled. */
  readonly spec?: S;

  protected constructor(
    scope: Construct, id: string, construct: string, kind: S['kind'], props: ManagedObjectCommonProps,
    buildSpec: (where: string) => S, settings?: Readonly<Record<string, string>>,
  ) {
    super(scope, id);
    if (props.enabled ?? true) this.spec = buildSpec(`${construct} ${this.node.path}`);
    this.object = new ManagedObject(this, 'managed', {
      ...props,
      kind,
      spec: (this.spec ?? { absent: true }) as unknown as Record<string, unknown>,
      settings,
    });
  }
}

/**
 * Terraform reads `${` and `%{` in JSON strings as template syntax; the spec is data (the DI job says
 * `${startTime}` for the scheduler, not for Terraform), so they are doubled. Tokens (e.g. a workspace id created
 * in the same stack) are left for cdktf to render.
 */
export function escapeForTerraform(value: unknown): unknown {
  if (typeof value === 'string') return Token.isUnresolved(value) ? value : value.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
  if (Array.isArray(value)) return value.map(escapeForTerraform);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = escapeForTerraform(v);
    return out;
  }
  return value;
}

/** What the Tablestore kinds (a table's Stream, a time series table) share: where the table is and how to reach it. */
export interface TablestoreObjectProps extends ManagedObjectCommonProps {
  /** Region of the instance, e.g. `cn-hangzhou`. */
  readonly region: string;
  /** The Tablestore instance; may be a token (e.g. `instance.name`), which skips the name check. */
  readonly instanceName: string;
  /** The table; may be a token. */
  readonly tableName: string;
  /**
   * Endpoint the operations command uses (`TablestoreConfig.endpoints.operations`).
   * @default derived by the command from `tablestoreNetworkTypeAcl` and `OTSBK_TABLESTORE_NETWORK`
   */
  readonly tablestoreEndpoint?: string;
  /** The instance's `network_type_acl`. @default every network (`VPC`, `INTERNET`, `CLASSIC`) */
  readonly tablestoreNetworkTypeAcl?: readonly string[];
}

/** The region, instance and table checks of the Tablestore kinds (skipped for tokens). */
export function checkTablestoreObject(where: string, props: TablestoreObjectProps): void {
  checkRegion(where, props.region);
  checkInstanceName(where, props.instanceName);
  checkTableName(where, 'tableName', props.tableName);
}

/** Operation settings of the Tablestore kinds: the endpoint override and the ACL the command derives one from. */
export function tablestoreSettings(props: TablestoreObjectProps): Record<string, string> | undefined {
  const settings: Record<string, string> = {};
  if (props.tablestoreEndpoint) settings.tablestoreEndpoint = props.tablestoreEndpoint;
  if (props.tablestoreNetworkTypeAcl) settings.tablestoreNetworkTypeAcl = props.tablestoreNetworkTypeAcl.join(',');
  return Object.keys(settings).length > 0 ? settings : undefined;
}
