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
  /** The stream read during setup as the runtime reads it, so that the sandbox serves kept pages, compiled. */
  readonly warmUp: { readonly pages: number; readonly ms: number };
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

/** What a runtime child measures of itself over a run, a snapshot or a restore. */
export interface ProcessFigures {
  /** Wall time of the run or step, ms. */
  readonly elapsedMs: number;
  /** process.resourceUsage().maxRSS of the runtime process, bytes. */
  readonly peakRssBytes: number;
  /** RSS before the run started (modules loaded), bytes. */
  readonly baselineRssBytes: number;
  /** CPU time of the runtime process during the run (user + system), ms; zlib's threadpool work included. */
  readonly cpuMs: number;
  /** CPU time of the main thread alone, ms (NaN where /proc is not available); the rest is zlib's threadpool and V8's helpers. */
  readonly mainThreadCpuMs: number;
  /** Event loop busy time during the run (performance.eventLoopUtilization), ms. */
  readonly busyMs: number;
  /** Event loop idle time, ms. */
  readonly idleMs: number;
}

export interface RuntimeDone extends ProcessFigures {
  readonly type: 'done';
  /** Stream records exported. */
  readonly records: number;
  /** Output rows (lines) they became. */
  readonly rows: number;
  /** Data files written. */
  readonly files: number;
  /** Bytes before and after compression, all files (the manifest's). */
  readonly bytes: { readonly uncompressed: number; readonly stored: number };
  /** Largest heap in use, sampled every 100 ms, bytes. */
  readonly peakHeapUsedBytes: number;
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
export interface StepDone extends ProcessFigures {
  readonly type: 'step-done';
  readonly step: 'snapshot' | 'restore';
  /** Snapshot: rows read; restore: rows written (snapshot rows plus replayed window lines). */
  readonly rows: number;
  /** Snapshot: key ranges read; restore: windows replayed. */
  readonly parts: number;
}

export type ToRuntime =
  | { readonly type: 'run'; readonly ready: SandboxReady }
  | { readonly type: 'snapshot'; readonly ready: SandboxReady; readonly nowMs: number }
  | { readonly type: 'restore'; readonly ready: SandboxReady; readonly target: string; readonly statePath: string };
export type FromRuntime = RuntimeDone | RuntimeFailed | StepDone;
