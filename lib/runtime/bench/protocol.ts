/** Messages between the benchmark driver and its two child processes (sandboxes, runtime). */
import type { Phase } from '../phase-times';
import type { SyncRuntimeConfigInput } from '../sync/config';
import type { AccessCredentials } from '../../common/credentials';

export interface SandboxReady {
  readonly type: 'ready';
  readonly config: SyncRuntimeConfigInput;
  readonly credentials: AccessCredentials;
  readonly startTime: string;
  readonly endTime: string;
  /** Epoch ms the runtime should take as "now" (an hour after the window end). */
  readonly nowMs: number;
  readonly seed: { readonly rows: number; readonly requests: number; readonly ms: number; readonly method: string };
}

export interface ZlibMeasured {
  readonly type: 'zlib';
  /** Uncompressed output bytes (the data files gunzipped). */
  readonly uncompressedBytes: number;
  readonly gzipBytes: number;
  /** Best of the timed repetitions, ms. */
  readonly zlibMs: number;
  /** CPU time of that repetition, ms. */
  readonly zlibCpuMs: number;
  readonly level: number;
  readonly files: number;
}

export interface RuntimeDone {
  readonly type: 'done';
  readonly elapsedMs: number;
  readonly records: number;
  readonly rows: number;
  readonly files: number;
  readonly uncompressedBytes: number;
  readonly storedBytes: number;
  /** process.resourceUsage().maxRSS of the runtime process, bytes. */
  readonly peakRssBytes: number;
  /** RSS before the run started (modules loaded), bytes. */
  readonly baselineRssBytes: number;
  readonly peakHeapUsedBytes: number;
  /** CPU time of the runtime process during the run (user + system), ms; zlib's threadpool work included. */
  readonly cpuMs: number;
  /** CPU time of the main thread alone, ms (NaN where /proc is not available); the rest is zlib's threadpool and V8's helpers. */
  readonly mainThreadCpuMs: number;
  /** Event loop busy and idle time during the run (performance.eventLoopUtilization), ms. */
  readonly busyMs: number;
  readonly idleMs: number;
  /** Wall time of the runtime's phases, ms (see PhaseTimes). */
  readonly phases: Readonly<Record<Phase, number>>;
  readonly gzipLevel: number;
  /** sha256 of each data file, in order (reruns must write the same bytes). */
  readonly partsSha256: readonly string[];
}

export interface RuntimeFailed {
  readonly type: 'failed';
  readonly message: string;
}

/** CPU time of the sandbox process so far (user + system), ms. */
export interface SandboxCpu {
  readonly type: 'cpu';
  readonly cpuMs: number;
  readonly requests: Readonly<Record<string, number>>;
}

export type ToSandbox = { readonly type: 'measure-zlib'; readonly level: number; readonly repeat: number; readonly suffix: string } | { readonly type: 'cpu' } | { readonly type: 'exit' };
export type FromSandbox = SandboxReady | ZlibMeasured | SandboxCpu | { readonly type: 'error'; readonly message: string };

/** A snapshot or restore measured in the runtime child. */
export interface StepDone {
  readonly type: 'step-done';
  readonly step: 'snapshot' | 'restore';
  readonly elapsedMs: number;
  /** Snapshot: rows read; restore: rows written (snapshot rows plus replayed window lines). */
  readonly rows: number;
  readonly parts: number;
  readonly peakRssBytes: number;
  readonly baselineRssBytes: number;
  /** CPU of the process and of its main thread, ms (as in RuntimeDone). */
  readonly cpuMs: number;
  readonly mainThreadCpuMs: number;
  /** Event loop busy and idle time, ms. */
  readonly busyMs: number;
  readonly idleMs: number;
}

export type ToRuntime =
  | { readonly type: 'run'; readonly ready: SandboxReady }
  | { readonly type: 'snapshot'; readonly ready: SandboxReady; readonly nowMs: number }
  | { readonly type: 'restore'; readonly ready: SandboxReady; readonly target: string; readonly statePath: string };
export type FromRuntime = RuntimeDone | RuntimeFailed | StepDone;
