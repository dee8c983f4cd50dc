import { App } from 'cdktf';
import { validateConfiguration } from './config/validate';
import { ProjectConfig } from './config/types';
import { BackupStack } from '../stacks/backup-stack';
import { BootstrapStack } from '../stacks/bootstrap-stack';

export interface BuildOptions {
  /** Environment name the user explicitly allows to lose data on destroy (`OTSBK_ALLOW_TEARDOWN`). */
  readonly allowTeardownOf?: string;
}

export interface ProjectStacks {
  readonly bootstrap: BootstrapStack;
  readonly environments: ReadonlyMap<string, BackupStack>;
}

/** Adds the bootstrap stack and one stack per environment to `app`. Validates the configuration first. */
export function addProjectStacks(app: App, config: ProjectConfig, options: BuildOptions = {}): ProjectStacks {
  validateConfiguration(config);
  const bootstrap = new BootstrapStack(app, config);
  const environments = new Map<string, BackupStack>();
  for (const environment of config.environments) {
    environments.set(environment.name, new BackupStack(app, {
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
  addProjectStacks(app, config, options);
  return app;
}
