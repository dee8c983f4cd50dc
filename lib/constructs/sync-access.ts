import { Construct } from 'constructs';
import { Lazy, TerraformOutput } from 'cdktf';
import { RamAccessKey } from '../../.gen/providers/alicloud/ram-access-key';
import { RamPolicy } from '../../.gen/providers/alicloud/ram-policy';
import { RamRole } from '../../.gen/providers/alicloud/ram-role';
import { RamRolePolicyAttachment } from '../../.gen/providers/alicloud/ram-role-policy-attachment';
import { RamUser } from '../../.gen/providers/alicloud/ram-user';
import { RamUserPolicyAttachment } from '../../.gen/providers/alicloud/ram-user-policy-attachment';
import { RamConfig } from '../config/types';
import { PolicyDocument } from './policy-document';
import { ConstructPropsError } from './validate';
import { grantSyncPolicy, ISyncGrantee, SyncGrants, SyncPolicyProps, syncPolicyDocument, SyncScope } from './sync-permissions';

export type { TableRef } from './sync-permissions';

/**
 * Services that assume a data source's RAM role: DataWorks, and Data Integration itself (DataWorks "Use the RAM
 * role-based authorization mode to add a data source": the trust policy names both).
 */
export const DATAWORKS_TRUSTED_SERVICES = ['dataworks.aliyuncs.com', 'di.dataworks.aliyuncs.com'] as const;

/** `engine`, `region` and `accountId` are required; the tables, bucket and prefix grant the whole sync policy at once. */
export interface SyncAccessProps extends SyncScope, Partial<Omit<SyncPolicyProps, keyof SyncScope>> {
  /** Prefix of the policy, role and user names (`<namePrefix>-sync`). */
  readonly namePrefix: string;
  /** A role DataWorks assumes, or a RAM user (optionally with an AccessKey). */
  readonly mode: RamConfig;
  /** Tags of the role. @default - no tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The identity Data Integration uses, and the one policy that says exactly what it may do. The policy holds what
 * the constructs grant it (`BackupBucket.grantExportWrite`, `TablestoreTables.grantStreamRead`, ...), or, given
 * the names in its props (tables, bucket, prefixes), the whole sync policy at once.
 */
export class SyncAccess extends Construct implements ISyncGrantee {
  readonly policy: RamPolicy;
  /** What the policy grants; rendered when the stack is synthesized, so grants may come after construction. */
  readonly grants: SyncGrants;
  /** Set in `role` mode: the role DataWorks assumes. */
  readonly role?: RamRole;
  /** Set in `user` mode. */
  readonly user?: RamUser;
  /** Set in `user` mode when an AccessKey was asked for. */
  readonly accessKey?: RamAccessKey;
  /**
   * Set in `role` mode: the Tablestore data sources sign in with this AccessKey, of a RAM user allowed only the
   * Tablestore rows of the policy (the documented connection properties of a `tablestore` data source are AccessKey
   * fields only, see README).
   */
  readonly tablestoreAccessKey?: RamAccessKey;

  constructor(scope: Construct, id: string, props: SyncAccessProps) {
    super(scope, id);
    this.grants = new SyncGrants(props.engine, props.region, props.accountId);
    if (props.dataTables || props.timeseriesTables) grantSyncPolicy(this, SyncAccess.policyProps(props));
    this.policy = new RamPolicy(this, 'policy', {
      policyName: `${props.namePrefix}-sync`,
      description: `What the ${props.engine} sync of ${props.namePrefix} calls: Tablestore Stream reads, OSS export writes`,
      policyDocument: Lazy.stringValue({ produce: () => this.grants.policyDocument().toJsonString() }),
    });

    if (props.mode.mode === 'role') {
      this.role = new RamRole(this, 'role', {
        roleName: `${props.namePrefix}-sync`,
        description: 'Assumed by DataWorks Data Integration to back up Tablestore into OSS',
        assumeRolePolicyDocument: JSON.stringify({
          Version: '1',
          Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: [...DATAWORKS_TRUSTED_SERVICES] } }],
        }),
        maxSessionDuration: 3600,
        tags: props.tags ? { ...props.tags } : undefined,
      });
      new RamRolePolicyAttachment(this, 'role-policy', {
        roleName: this.role.roleName,
        policyName: this.policy.policyName,
        policyType: 'Custom',
      });
      const tablestorePolicy = new RamPolicy(this, 'tablestore-policy', {
        policyName: `${props.namePrefix}-sync-ots`,
        description: `What the ${props.engine} sync of ${props.namePrefix} calls on Tablestore, for its Tablestore data sources`,
        policyDocument: Lazy.stringValue({ produce: () => this.grants.policyDocument('ots').toJsonString() }),
      });
      const tablestoreUser = new RamUser(this, 'tablestore-user', {
        name: `${props.namePrefix}-sync-ots`,
        displayName: `${props.namePrefix} Data Integration (Tablestore)`,
        comments: 'AccessKey of the DataWorks Tablestore data sources: Tablestore Stream reads and checkpoints only',
      });
      new RamUserPolicyAttachment(this, 'tablestore-user-policy', {
        userName: tablestoreUser.name,
        policyName: tablestorePolicy.policyName,
        policyType: 'Custom',
      });
      // Its secret lives only in the Terraform state (private, TLS-only, encrypted bucket) and the data source.
      this.tablestoreAccessKey = new RamAccessKey(this, 'tablestore-access-key', { userName: tablestoreUser.name });
      return;
    }

    this.user = new RamUser(this, 'user', {
      name: `${props.namePrefix}-sync`,
      displayName: `${props.namePrefix} Data Integration`,
      comments: 'Used by DataWorks Data Integration to back up Tablestore into OSS',
    });
    new RamUserPolicyAttachment(this, 'user-policy', {
      userName: this.user.name,
      policyName: this.policy.policyName,
      policyType: 'Custom',
    });
    if (props.mode.createAccessKey) {
      this.accessKey = new RamAccessKey(this, 'access-key', {
        userName: this.user.name,
        ...(props.mode.pgpKey ? { pgpKey: props.mode.pgpKey } : {}),
      });
      new TerraformOutput(this, 'access-key-id', { value: this.accessKey.id, description: 'AccessKey id of the sync user' });
      if (props.mode.pgpKey) {
        new TerraformOutput(this, 'access-key-encrypted-secret', {
          value: this.accessKey.encryptedSecret,
          description: 'PGP-encrypted AccessKey secret (base64)',
        });
      } else {
        new TerraformOutput(this, 'access-key-secret', { value: this.accessKey.secret, sensitive: true, description: 'AccessKey secret (sensitive)' });
      }
    }
  }

  /** Least privilege: exactly the calls the environment's engine makes (`SYNC_PERMISSIONS`). */
  static policyDocument(props: SyncAccessProps): PolicyDocument {
    return syncPolicyDocument(SyncAccess.policyProps(props));
  }

  private static policyProps(props: SyncAccessProps): SyncPolicyProps {
    const { bucketName, exportPrefix } = props;
    if (bucketName === undefined || exportPrefix === undefined) {
      throw new ConstructPropsError('SyncAccess', 'bucketName/exportPrefix', 'are required with the tables (or grant from the constructs instead)');
    }
    return { ...props, bucketName, exportPrefix, dataTables: props.dataTables ?? [], timeseriesTables: props.timeseriesTables ?? [], statusTables: props.statusTables ?? [] };
  }
}
