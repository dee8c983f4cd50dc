import { App } from 'cdktf';
import { validateConfiguration } from './config/validate';
import { ProjectConfig } from './config/types';
import { BackupStack } from '../stacks/backup-stack';
import { BootstrapStack } from '../stacks/bootstrap-stack';

export interface BuildAppOptions {
  /** Where cdktf writes the synthesized stacks; the CLI passes it through CDKTF_OUTDIR. */
  readonly outdir?: string;
  /** Environment name the user explicitly allows to lose data on destroy (`OTSBK_ALLOW_TEARDOWN`). */
  readonly allowTeardownOf?: string;
}

/**
 * Validates the whole configuration first, and only then creates the App: an invalid configuration never
 * produces stack output.
 */
export function buildApp(config: ProjectConfig, options: BuildAppOptions = {}): App {
  validateConfiguration(config);
  const app = new App(options.outdir ? { outdir: options.outdir } : undefined);
  new BootstrapStack(app, config);
  for (const environment of config.environments) {
    new BackupStack(app, {
      environment,
      project: config,
      teardownExplicitlyAllowed: options.allowTeardownOf === environment.name,
    });
  }
  return app;
}
