import { Testing } from 'cdktf';
import { addProjectStacks, BuildOptions } from '../../lib/app';
import { projectConfig } from '../../lib/config/environments';
import { ProjectConfig } from '../../lib/config/types';
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


export const ENVIRONMENTS = projectConfig.environments.map(e => e.name);
