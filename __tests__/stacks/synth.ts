import { Testing } from 'cdktf';
import { addProjectStacks, BuildOptions } from '../../lib/app';
import { projectConfig } from '../../lib/config/environments';
import { ProjectConfig } from '../../lib/config/types';

/** A synthesized stack as Terraform JSON. */
export type StackJson = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
  variable?: Record<string, Record<string, unknown>>;
  provider?: Record<string, unknown>;
  terraform?: Record<string, unknown>;
};

/** Synthesizes every stack of `config` in memory, keyed by stack name. */
export function synthAll(config: ProjectConfig = projectConfig, options: BuildOptions = {}): Map<string, StackJson> {
  const app = Testing.app();
  const stacks = addProjectStacks(app, config, options);
  const out = new Map<string, StackJson>();
  out.set('bootstrap', JSON.parse(Testing.synth(stacks.bootstrap)));
  for (const [name, stack] of stacks.environments) out.set(name, JSON.parse(Testing.synth(stack)));
  return out;
}

/** All resources of one type in a synthesized stack. */
export function resourcesOf(stack: StackJson, type: string): Record<string, unknown>[] {
  return Object.values(stack.resource?.[type] ?? {});
}

export const ENVIRONMENTS = projectConfig.environments.map(e => e.name);
