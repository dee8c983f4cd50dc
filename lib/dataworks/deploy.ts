/**
 * Deploys (Online) or undeploys (Offline) a node through a DataWorks deployment process: CreatePipelineRun, then
 * GetPipelineRun polling and ExecPipelineRunStage for each stage that waits to be advanced, until the process
 * reaches Success. Stages are read from the process, never assumed (simple and standard mode workspaces differ).
 *
 * Only `Success` counts as deployed (aiops-skills deploy-guide.md); Fail, Termination and Cancel are errors that
 * quote the failing stage. Polling is bounded; on timeout the error says where the process stands.
 */
import { classifyDataWorksError, DATAWORKS_RETRY_POLICY, DataWorksApiError, DataWorksClient, PipelineRun, PipelineStage } from './client';
import { markerOfSpecText } from './marker';
import { describeError, retryLine, RetryPolicy, Sleep, withRetry } from '../common/retry';

export type DeploymentType = 'Online' | 'Offline';

export interface DeployOptions {
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly sleep: Sleep;
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** Retry policy for creating the process; defaults to DATAWORKS_RETRY_POLICY. */
  readonly retryPolicy?: RetryPolicy;
}

export class DeploymentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeploymentError';
  }
}

export interface DeployTarget {
  readonly projectId: string;
  readonly nodeId: string;
  readonly nodeName: string;
  /** For Online: the spec hash the node now carries; an in-flight process packaging another version is cancelled. */
  readonly specHash?: string;
}

const TERMINAL_FAILURES = new Set(['Fail', 'Termination', 'Cancel']);

export async function deployNode(client: DataWorksClient, target: DeployTarget, type: DeploymentType, options: DeployOptions): Promise<PipelineRun> {
  const runId = (await adoptInFlight(client, target, type, options)) ?? (await createRun(client, target, type, options));
  return driveToCompletion(client, target, runId, type, options);
}

/**
 * Whether the node's most recent successful deployment process deployed it (Online) with exactly this marker in
 * its packaged spec, i.e. production already runs the desired version. Looks at the newest 100 successful
 * processes that carry the node.
 */
export async function isDeployedWith(client: DataWorksClient, target: DeployTarget, marker: { spec: string; owner: string }): Promise<boolean> {
  const deployed = await lastDeployment(client, target);
  const packaged = markerOfSpecText(deployed?.spec);
  return deployed?.type === 'Online' && packaged?.spec === marker.spec && packaged.owner === marker.owner;
}

/**
 * The node's most recent successful deployment process (newest 100 that carry it): Online or Offline, and the
 * FlowSpec it packaged; undefined when it was never deployed.
 */
export async function lastDeployment(client: DataWorksClient, target: DeployTarget): Promise<{ type: DeploymentType; spec?: string } | undefined> {
  const { runs } = await client.listPipelineRuns(target.projectId, { status: 'Success', objectId: target.nodeId }, 1, 100);
  for (const run of [...runs].sort((a, b) => (b.createTime ?? 0) - (a.createTime ?? 0))) {
    const item = (await client.listPipelineRunItems(target.projectId, run.id)).find(i => i.id === target.nodeId);
    if (item) return { type: runType(run), spec: item.spec };
  }
  return undefined;
}

/** A process is an undeployment when one of its stages is of type Offline (deploy-guide.md: OfflineCheck → PROD_CHECK → PROD(Offline)). */
export function runType(run: PipelineRun): DeploymentType {
  return run.stages.some(s => s.type === 'Offline') ? 'Offline' : 'Online';
}

/**
 * After a crash mid-deployment a process for the node may still be waiting. Resume it when it does what is wanted
 * now (same direction and, for Online, the version the node carries); cancel it otherwise, since DataWorks
 * deploys one process per object at a time.
 */
async function adoptInFlight(client: DataWorksClient, target: DeployTarget, type: DeploymentType, options: DeployOptions): Promise<string | undefined> {
  let adopted: string | undefined;
  for (const run of await inFlightRunsFor(client, target)) {
    const item = run.item;
    const sameVersion = type === 'Offline' || (target.specHash !== undefined && markerOfSpecText(item.spec)?.spec === target.specHash);
    if (!adopted && runType(run.run) === type && sameVersion) {
      options.log(`resuming deployment process ${run.run.id} (${type}) of ${target.nodeName}, left ${run.run.status} by an earlier run`);
      adopted = run.run.id;
    } else {
      options.log(`cancelling stale deployment process ${run.run.id} of ${target.nodeName} (${runType(run.run)}, ${run.run.status})`);
      try {
        await client.abolishPipelineRun(target.projectId, run.run.id);
      } catch (e) {
        const now = await client.getPipelineRun(target.projectId, run.run.id);
        if (now.status === 'Init' || now.status === 'Running') throw new DeploymentError(`cannot cancel stale deployment process ${run.run.id} of ${target.nodeName}: ${describeError(e)}; cancel it in the DataWorks console (Task Deployment) and deploy again`);
      }
    }
  }
  return adopted;
}

async function inFlightRunsFor(client: DataWorksClient, target: DeployTarget) {
  const found: Array<{ run: PipelineRun; item: { id: string; spec?: string } }> = [];
  for (const status of ['Init', 'Running'] as const) {
    const { runs } = await client.listPipelineRuns(target.projectId, { status, objectId: target.nodeId }, 1, 100);
    for (const run of runs) {
      const items = await client.listPipelineRunItems(target.projectId, run.id);
      const item = items.find(i => i.id === target.nodeId);
      if (item) found.push({ run, item });
    }
  }
  return found;
}

async function createRun(client: DataWorksClient, target: DeployTarget, type: DeploymentType, options: DeployOptions): Promise<string> {
  const description = `tablestore-oss-backup ${type === 'Online' ? 'deploy' : 'undeploy'} ${target.nodeName}`;
  // CreatePipelineRun has no client token: after an ambiguous failure, adopt the process if it was created.
  const policy = options.retryPolicy ?? DATAWORKS_RETRY_POLICY;
  const id = await withRetry(() => client.createPipelineRun(target.projectId, type, target.nodeId, description), {
    policy,
    classify: classifyDataWorksError,
    sleep: options.sleep,
    onRetry: event => options.log(retryLine(`DataWorks CreatePipelineRun (${type}) for ${target.nodeName}`, policy, event)),
    recover: async () => (await inFlightRunsFor(client, target)).find(r => runType(r.run) === type)?.run.id,
  });
  options.log(`deployment process ${id} (${type}) created for ${target.nodeName}`);
  return id;
}

async function driveToCompletion(client: DataWorksClient, target: DeployTarget, runId: string, type: DeploymentType, options: DeployOptions): Promise<PipelineRun> {
  const deadline = options.now() + options.timeoutMs;
  let lastAdvanced: string | undefined;
  for (;;) {
    const run = await client.getPipelineRun(target.projectId, runId);
    if (run.status === 'Success') {
      options.log(`deployment process ${runId} (${type}) of ${target.nodeName} succeeded: ${describeStages(run.stages)}`);
      return run;
    }
    if (TERMINAL_FAILURES.has(run.status)) {
      const failed = run.stages.find(s => TERMINAL_FAILURES.has(s.status));
      throw new DeploymentError(`deployment process ${runId} (${type}) of ${target.nodeName} ended ${run.status}`
        + `${failed ? ` at stage ${failed.code}${failed.message ? `: ${failed.message}` : ''}` : run.message ? `: ${run.message}` : ''} (${describeStages(run.stages)})`);
    }
    const next = stageToAdvance(run.stages);
    if (next && next.code !== lastAdvanced) {
      try {
        await client.execPipelineRunStage(target.projectId, runId, next.code);
        options.log(`advanced stage ${next.code} of deployment process ${runId}`);
        lastAdvanced = next.code;
      } catch (e) {
        const after = await client.getPipelineRun(target.projectId, runId);
        const stage = after.stages.find(s => s.code === next.code);
        const moved = after.status !== 'Running' && after.status !== 'Init' || (stage && stage.status !== 'Init');
        if (!moved && classifyDataWorksError(e) === 'fatal') {
          throw new DeploymentError(`stage ${next.code} of deployment process ${runId} (${target.nodeName}) cannot be advanced: ${e instanceof DataWorksApiError ? e.message : describeError(e)}. `
            + 'If it is an approval stage, approve it on the Task Deployment page of the DataWorks console, then deploy again to resume.');
        }
      }
    }
    if (options.now() >= deadline) {
      throw new DeploymentError(`deployment process ${runId} (${type}) of ${target.nodeName} is still ${run.status} after ${Math.round(options.timeoutMs / 1000)} s (${describeStages(run.stages)}); `
        + 'it continues in DataWorks. Deploy again to resume waiting for it.');
    }
    await options.sleep(options.pollIntervalMs);
  }
}

/** The first stage still Init whose earlier stages all succeeded; none while a stage is Running. */
export function stageToAdvance(stages: readonly PipelineStage[]): PipelineStage | undefined {
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i];
    if (s.status === 'Success') continue;
    if (s.status === 'Init' && stages.slice(0, i).every(p => p.status === 'Success')) return s;
    return undefined;
  }
  return undefined;
}

function describeStages(stages: readonly PipelineStage[]): string {
  return stages.map(s => `${s.code}(${s.status})`).join(' → ') || 'no stages';
}
