import { Testing } from 'cdktf';
import { addProjectStacks, BuildOptions } from '../../lib/app';
import { projectConfig } from '../../lib/config/environments';
import { ProjectConfig } from '../../lib/config/types';
import { validateConfiguration } from '../../lib/config/validate';
import { StackJson } from '../support/terraform-json';

export { resourcesOf } from '../support/terraform-json';
export type { StackJson } from '../support/terraform-json';

/** Synthesizes every stack of `config` in memory, keyed by stack name. */
export function synthAll(config: ProjectConfig = projectConfig, options: BuildOptions = {}): Map<string, StackJson> {
  const app = Testing.app();
  const stacks = addProjectStacks(app, config, options);
  const out = new Map<string, StackJson>();
  out.set('bootstrap', JSON.parse(Testing.synth(stacks.bootstrap)));
  for (const [name, stack] of stacks.environments) out.set(name, JSON.parse(Testing.synth(stack)));
  return out;
}

/**
 * Synthesizes the stack of one environment of `config`, through the same path: the whole configuration is validated,
 * then only that environment's stack is built (a stack depends on its environment and the project's state region,
 * not on the other environments), which spares a test the construction and synthesis of stacks it does not read.
 */
export function synthEnvironment(name: string, config: ProjectConfig = projectConfig, options: BuildOptions = {}): StackJson {
  validateConfiguration(config);
  const environment = config.environments.find(e => e.name === name);
  if (!environment) throw new Error(`no environment ${name} in the configuration`);
  const stacks = addProjectStacks(Testing.app(), { ...config, environments: [environment] }, options);
  return JSON.parse(Testing.synth(stacks.environments.get(name)!));
}


export const ENVIRONMENTS = projectConfig.environments.map(e => e.name);
