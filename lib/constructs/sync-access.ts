import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { RamAccessKey } from '../../.gen/providers/alicloud/ram-access-key';
import { RamPolicy } from '../../.gen/providers/alicloud/ram-policy';
import { RamRole } from '../../.gen/providers/alicloud/ram-role';
import { RamRolePolicyAttachment } from '../../.gen/providers/alicloud/ram-role-policy-attachment';
import { RamUser } from '../../.gen/providers/alicloud/ram-user';
import { RamUserPolicyAttachment } from '../../.gen/providers/alicloud/ram-user-policy-attachment';
import { RamConfig } from '../config/types';
import { PolicyDocument } from './policy-document';
import { SyncPolicyProps, syncPolicyDocument } from './sync-permissions';

export type { TableRef } from './sync-permissions';

/**
 * Services that assume a data source's RAM role: DataWorks, and Data Integration itself (DataWorks "Use the RAM
 * role-based authorization mode to add a data source": the trust policy names both).
 */
export const DATAWORKS_TRUSTED_SERVICES = ['dataworks.aliyuncs.com', 'di.dataworks.aliyuncs.com'] as const;

export interface SyncAccessProps extends SyncPolicyProps {
  /** Prefix of the policy, role and user names (`<namePrefix>-sync`). */
  readonly namePrefix: string;
  /** A role DataWorks assumes, or a RAM user (optionally with an AccessKey). */
  readonly mode: RamConfig;
  /** Tags of the role. @default - no tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The identity Data Integration uses, and the one policy that says exactly what it may do. */
export class SyncAccess extends Construct {
  readonly policy: RamPolicy;
  /** Set in `role` mode: the role DataWorks assumes. */
  readonly role?: RamRole;
  /** Set in `user` mode. */
  readonly user?: RamUser;
  /** Set in `user` mode when an AccessKey was asked for. */
  readonly accessKey?: RamAccessKey;

  constructor(scope: Construct, id: string, props: SyncAccessProps) {
    super(scope, id);
    this.policy = new RamPolicy(this, 'policy', {
      policyName: `${props.namePrefix}-sync`,
      description: `What the ${props.engine} sync of ${props.namePrefix} calls: Tablestore Stream reads, OSS export writes`,
      policyDocument: SyncAccess.policyDocument(props).toJsonString(),
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
    return syncPolicyDocument(props);
  }
}
