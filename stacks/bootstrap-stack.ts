import { Construct } from 'constructs';
import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { AlicloudProvider } from '../.gen/providers/alicloud/provider';
import { ProjectConfig } from '../lib/config/types';
import { StateStore } from '../lib/constructs/state-backend';

/** Name of the bootstrap stack: `cdktf deploy bootstrap` once per account, before any environment. */
export const BOOTSTRAP_STACK_NAME = 'bootstrap';

/** Creates the shared state bucket and one lock table per environment; keeps its own state locally (terraform.bootstrap.tfstate). */
export interface BootstrapStackProps {
  /** The project: state region, bucket and lock instance, and every environment's lock table. */
  readonly project: ProjectConfig;
}

export class BootstrapStack extends TerraformStack {
  /** `id` is the stack name (BOOTSTRAP_STACK_NAME in the app). */
  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const project = props.project;
    new AlicloudProvider(this, 'alicloud', { region: project.stateRegion });
    new LocalBackend(this, { path: 'terraform.bootstrap.tfstate' });
    const store = new StateStore(this, 'state', {
      region: project.stateRegion,
      bucketName: project.stateBucket,
      lockInstanceName: project.stateLockInstanceName,
      lockTableNames: project.environments.map(e => e.state.lockTableName),
      statePrefixes: project.environments.map(e => e.state.prefix),
      tags: { project: 'tablestore-oss-backup', purpose: 'terraform-state' },
    });
    new TerraformOutput(this, 'state_bucket', { value: store.bucket.bucketName });
    new TerraformOutput(this, 'lock_tables', { value: store.lockTables.map(t => t.tableName) });
  }
}
