import { Construct } from 'constructs';
import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { AlicloudProvider } from '../.gen/providers/alicloud/provider';
import { ProjectConfig } from '../lib/config/types';
import { StateStore } from '../lib/constructs/state-backend';

/** Name of the bootstrap stack: `cdktf deploy bootstrap` once per account, before any environment. */
export const BOOTSTRAP_STACK_NAME = 'bootstrap';

/** Creates the shared state bucket and one lock table per environment; keeps its own state locally (terraform.bootstrap.tfstate). */
export class BootstrapStack extends TerraformStack {
  constructor(scope: Construct, project: ProjectConfig) {
    super(scope, BOOTSTRAP_STACK_NAME);
    new AlicloudProvider(this, 'alicloud', { region: project.stateRegion });
    new LocalBackend(this, { path: 'terraform.bootstrap.tfstate' });
    const store = new StateStore(this, 'state', {
      region: project.stateRegion,
      bucketName: project.stateBucket,
      lockInstanceName: project.stateLockInstanceName,
      lockTableNames: project.environments.map(e => e.state.lockTableName),
      tags: { project: 'tablestore-oss-backup', purpose: 'terraform-state' },
    });
    new TerraformOutput(this, 'state_bucket', { value: store.bucket.bucketName });
    new TerraformOutput(this, 'lock_tables', { value: store.lockTables.map(t => t.tableName) });
  }
}
