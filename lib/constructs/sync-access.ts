import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { RamAccessKey } from '../../.gen/providers/alicloud/ram-access-key';
import { RamPolicy } from '../../.gen/providers/alicloud/ram-policy';
import { RamRole } from '../../.gen/providers/alicloud/ram-role';
import { RamRolePolicyAttachment } from '../../.gen/providers/alicloud/ram-role-policy-attachment';
import { RamUser } from '../../.gen/providers/alicloud/ram-user';
import { RamUserPolicyAttachment } from '../../.gen/providers/alicloud/ram-user-policy-attachment';
import { RamConfig } from '../config/types';
import {
  Arn,
  OSS_EXPORT_BUCKET_ACTIONS,
  OSS_EXPORT_WRITE_ACTIONS,
  PolicyDocument,
  PolicyStatement,
  TABLESTORE_CHECKPOINT_ACTIONS,
  TABLESTORE_STREAM_READ_ACTIONS,
} from './policy-document';

/** A table in an instance of the stack's region. */
export interface TableRef {
  readonly instanceName: string;
  readonly tableName: string;
}

export interface SyncAccessProps {
  readonly namePrefix: string;
  readonly region: string;
  /** Account id, usually a token from `data.alicloud_account`. */
  readonly accountId: string;
  readonly mode: RamConfig;
  readonly bucketName: string;
  readonly exportPrefix: string;
  /** Tables whose Stream the sync reads, each in its instance. */
  readonly streamTables: readonly TableRef[];
  /** The stream readers' checkpoint tables, one per instance. */
  readonly statusTables: readonly TableRef[];
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
    if (props.streamTables.length === 0) throw new Error('SyncAccess: at least one stream table is required');
    if (props.exportPrefix.startsWith('/') || props.exportPrefix.endsWith('/')) {
      throw new Error(`SyncAccess: exportPrefix "${props.exportPrefix}" must not start or end with "/"`);
    }

    this.policy = new RamPolicy(this, 'policy', {
      policyName: `${props.namePrefix}-sync`,
      description: `Tablestore stream read and OSS export write for ${props.namePrefix}`,
      policyDocument: SyncAccess.policyDocument(props).toJsonString(),
    });

    if (props.mode.mode === 'role') {
      this.role = new RamRole(this, 'role', {
        roleName: `${props.namePrefix}-sync`,
        description: 'Assumed by DataWorks Data Integration to back up Tablestore into OSS',
        assumeRolePolicyDocument: JSON.stringify({
          Version: '1',
          Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['dataworks.aliyuncs.com'] } }],
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

  /** Least privilege: read the streams, keep checkpoints, write under the export prefix. */
  static policyDocument(props: SyncAccessProps): PolicyDocument {
    const { region, accountId, bucketName, exportPrefix } = props;
    return new PolicyDocument([
      new PolicyStatement({
        actions: [...TABLESTORE_STREAM_READ_ACTIONS],
        resources: props.streamTables.map(t => Arn.otsTable(region, accountId, t.instanceName, t.tableName)),
      }),
      new PolicyStatement({
        actions: [...TABLESTORE_CHECKPOINT_ACTIONS],
        resources: props.statusTables.map(t => Arn.otsTable(region, accountId, t.instanceName, t.tableName)),
      }),
      new PolicyStatement({
        actions: [...OSS_EXPORT_WRITE_ACTIONS],
        resources: [Arn.ossObjects(accountId, bucketName, exportPrefix)],
      }),
      new PolicyStatement({
        actions: [...OSS_EXPORT_BUCKET_ACTIONS],
        resources: [Arn.ossBucket(accountId, bucketName)],
      }),
    ]);
  }
}
