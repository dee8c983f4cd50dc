import { App } from 'cdktf';
import { validateConfiguration } from './config/validate';
import { ProjectConfig } from './config/types';
import { BackupStack } from '../stacks/backup-stack';
import { BOOTSTRAP_STACK_NAME, BootstrapStack } from '../stacks/bootstrap-stack';

export interface BuildOptions {
  /** Environment name the user explicitly allows to lose data on destroy (`OTSBK_ALLOW_TEARDOWN`). */
  readonly allowTeardownOf?: string;
}

export interface ProjectStacks {
  readonly bootstrap: BootstrapStack;
  readonly environments: ReadonlyMap<string, BackupStack>;
}

let versionChecksShared = false;

interface BinaryVersionCheck {
  readonly binary: string;
  readonly versionConstraint: string;
  readonly versionCommand: string;
  readonly hint?: string;
  validate(): string[];
}

/**
 * cdktf attaches a Terraform version check to every `terraform_data` resource, import block and moved block, and
 * each one spawns `terraform version` at synthesis: 15 processes for this project's stacks, most of the app's own
 * synthesis time. One process answers the same question for all of them: a check's messages are kept per
 * (binary, constraint, command, hint) for the life of the process. The check's class is internal to cdktf (pinned
 * in package.json); if a cdktf release moves it, every check simply runs as before.
 */
function shareBinaryVersionChecks(): void {
  if (versionChecksShared) return;
  versionChecksShared = true;
  let checkClass: { prototype: BinaryVersionCheck } | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    checkClass = (require('cdktf/lib/validations/validate-binary-version') as { ValidateBinaryVersion?: { prototype: BinaryVersionCheck } }).ValidateBinaryVersion;
  } catch {
    return;
  }
  if (typeof checkClass?.prototype?.validate !== 'function') return;
  const validate = checkClass.prototype.validate;
  const answers = new Map<string, string[]>();
  checkClass.prototype.validate = function sharedValidate(this: BinaryVersionCheck): string[] {
    const key = JSON.stringify([this.binary, this.versionConstraint, this.versionCommand, this.hint ?? null]);
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = validate.call(this);
      answers.set(key, answer);
    }
    return [...answer];
  };
}

/** Adds the bootstrap stack and one stack per environment to `app`. Validates the configuration first. */
export function addProjectStacks(app: App, config: ProjectConfig, options: BuildOptions = {}): ProjectStacks {
  validateConfiguration(config);
  return addValidatedStacks(app, config, options);
}

function addValidatedStacks(app: App, config: ProjectConfig, options: BuildOptions): ProjectStacks {
  shareBinaryVersionChecks();
  const bootstrap = new BootstrapStack(app, BOOTSTRAP_STACK_NAME, { project: config });
  const environments = new Map<string, BackupStack>();
  for (const environment of config.environments) {
    environments.set(environment.name, new BackupStack(app, environment.name, {
      environment,
      project: config,
      teardownExplicitlyAllowed: options.allowTeardownOf === environment.name,
    }));
  }
  return { bootstrap, environments };
}

/**
 * Validates the whole configuration before the App exists, so an invalid configuration never produces stack
 * output; then builds every stack.
 */
export function buildApp(config: ProjectConfig, options: BuildOptions & { readonly outdir?: string } = {}): App {
  validateConfiguration(config);
  const app = new App(options.outdir ? { outdir: options.outdir } : undefined);
  addValidatedStacks(app, config, options);
  return app;
}
