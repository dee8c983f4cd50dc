/**
 * Scheduled instances of deployed nodes, as DataWorks makes them: for a run time the trigger's cron fires at, each
 * script parameter of the deployed version is evaluated for that run time (lib/schedule, the same evaluator the
 * definitions are checked with), then handed to the script the way its node type receives it:
 *
 * - DI: every `${name}` in the job is replaced by the parameter's value; a reference to no parameter fails the
 *   instance (Assumption: DataWorks leaves it unreplaced and the reader then refuses the time string).
 * - DIDE_SHELL: the values, ordered by parameter name, are the positional arguments `$1..$n`
 *   (aliyun/dataworks-spec DataWorksNodeAdapter.getShellParaValue sorts the script parameters by name and joins their
 *   values with spaces; Assumption: the shell receives that string split on whitespace). The declaration order does
 *   not count: `endTime` comes before `startTime`.
 *
 * Only what was deployed runs: an edit saved with UpdateNode and not deployed changes nothing here.
 */
import { evaluateSchedulingExpression, nextRunTimes } from '../../schedule';
import { DataWorksState, SandboxApiError } from './state';

export interface ScheduledInstance {
  readonly nodeName: string;
  /** The scheduled time (epoch ms) the parameters were evaluated for. */
  readonly runTime: number;
  readonly command: string;
  /** Each script parameter's value for this run time, by name. */
  readonly parameters: Readonly<Record<string, string>>;
  /** DIDE_SHELL only: `$1..$n`. */
  readonly shellArguments?: readonly string[];
  /** DI only: the job the run executes, parameters substituted. */
  readonly diJob?: Record<string, unknown>;
}

interface DeployedNode {
  readonly name?: string;
  readonly script?: { readonly runtime?: { readonly command?: string }; readonly content?: string; readonly parameters?: ReadonlyArray<{ readonly name?: string; readonly value?: string; readonly referenceVariable?: unknown }> };
  readonly trigger?: { readonly cron?: string; readonly timezone?: string };
}

/** The instance a deployed node gets for `runTime`; refused when the node is not deployed or its cron does not fire then. */
export function scheduledInstance(state: DataWorksState, projectId: string, nodeId: string, runTime: number): ScheduledInstance {
  const node = state.node(projectId, nodeId);
  if (node.taskId === undefined || node.deployedVersion === undefined) {
    throw new SandboxApiError(400, 'Task.NotDeployed', `node ${node.name} is not deployed to production: it has no scheduled instances`);
  }
  const deployment = [...state.runs].reverse().find(r => r.nodeId === node.id && r.type === 'Online' && r.status === 'Success' && r.packagedVersion === node.deployedVersion);
  if (!deployment) throw new SandboxApiError(500, 'InternalError', `no successful deployment of node ${node.name} version ${node.deployedVersion}`);
  const spec = JSON.parse(deployment.packagedSpec) as { spec: { nodes: DeployedNode[] } };
  const deployed = spec.spec.nodes[0];
  const cron = deployed.trigger?.cron;
  const timezone = deployed.trigger?.timezone ?? 'Asia/Shanghai';
  if (!cron) throw new SandboxApiError(400, 'Task.NoTrigger', `node ${node.name} has no scheduler trigger`);
  if (nextRunTimes(cron, runTime, 1, timezone)[0] !== runTime) {
    throw new SandboxApiError(400, 'Instance.NotFound', `node ${node.name} (cron "${cron}", ${timezone}) has no instance at ${new Date(runTime).toISOString()}`);
  }
  const parameters: Record<string, string> = {};
  const declared = (deployed.script?.parameters ?? []).filter(p => p.referenceVariable === undefined && typeof p.name === 'string' && typeof p.value === 'string');
  for (const p of declared) {
    try {
      parameters[p.name!] = evaluateSchedulingExpression(p.value!, runTime, timezone);
    } catch (e) {
      throw new SandboxApiError(400, 'Instance.ParameterInvalid', `node ${node.name}: parameter ${p.name} = ${p.value}: ${(e as Error).message}`);
    }
  }
  const command = deployed.script?.runtime?.command ?? '';
  const content = deployed.script?.content ?? '';
  const base = { nodeName: node.name, runTime, command, parameters };
  if (command === 'DIDE_SHELL') {
    // Sorted by name with Java String.compareTo semantics (UTF-16 code units), which is what `<` does on JS strings.
    const byName = Object.keys(parameters).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { ...base, shellArguments: byName.map(name => parameters[name]).join(' ').split(/\s+/).filter(a => a !== '') };
  }
  if (command === 'DI') {
    const substituted = content.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
      if (!(name in parameters)) throw new SandboxApiError(400, 'Instance.ParameterUndefined', `node ${node.name}: the job references \${${name}}, which is not a parameter of the node`);
      return parameters[name];
    });
    return { ...base, diJob: JSON.parse(substituted) as Record<string, unknown> };
  }
  return base;
}
