/**
 * Benchmark child #2: the runtime alone, running one window end to end (stream → CSV → gzip → multipart OSS
 * upload → manifest) with production settings. Reports elapsed time and its own peak RSS.
 */
import { readFileSync } from 'node:fs';
import { PhaseTimes } from '../phase-times';
import { resolveConfig } from '../sync/config';
import { staticCredentialProvider } from '../../common/credentials';
import { runWindow } from '../sync/run-window';
import { restoreFromBackup, snapshotTable } from '../restore';
import type { FromRuntime, ProcessFigures, ToRuntime } from './protocol';
import { tuneHeapFor } from '../heap-growth';

/** CPU time of this process's main thread, ms (Linux: /proc/self/task/<pid>/stat utime + stime); NaN elsewhere. */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** Runs `work` and measures it: wall and CPU time (the process's, its main thread's), event loop, peak RSS. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; figures: ProcessFigures }> {
  const baselineRssBytes = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  const result = await work();
  const elapsedMs = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0);
  const mainCpuMs = mainThreadCpuMs() - main0;
  const cpu = process.cpuUsage(cpu0);
  return {
    result,
    figures: {
      elapsedMs, peakRssBytes: process.resourceUsage().maxRSS * 1024, baselineRssBytes,
      cpuMs: (cpu.user + cpu.system) / 1000, mainThreadCpuMs: mainCpuMs, busyMs: elu.active, idleMs: elu.idle,
    },
  };
}

function fail(err: unknown): void {
  process.send!({ type: 'failed', message: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies FromRuntime, undefined, {}, () => process.exit(1));
}

/** Snapshot or restore of the seeded table, measured like the run. */
async function step(m: Exclude<ToRuntime, { type: 'run' }>): Promise<void> {
  tuneHeapFor(m.type); // as the CLI does for its snapshot and restore commands
  try {
    const config = resolveConfig(m.ready.config);
    const credentials = staticCredentialProvider(m.ready.credentials);
    const { result, figures } = await measured(async () => {
      if (m.type === 'snapshot') {
        // Ranges of about 16 MiB, so that the scan runs in parallel as it would on a large table.
        const r = await snapshotTable({ config, credentials, now: () => m.nowMs, splitSizeUnitBytes: 16 * 1024 * 1024 });
        return { rows: r.manifest.rows, parts: r.manifest.parts.length };
      }
      const r = await restoreFromBackup({ config, credentials, to: m.ready.endTime, target: m.target, statePath: m.statePath });
      return { rows: r.rowsWritten, parts: r.windows.length };
    });
    const done: FromRuntime = { type: 'step-done', step: m.type, ...result, ...figures };
    process.send!(done, undefined, {}, () => process.exit(0));
  } catch (err) {
    fail(err);
  }
}

/** One run of the window, with the breakdown and the files' checksums. */
async function run(m: Extract<ToRuntime, { type: 'run' }>): Promise<void> {
  tuneHeapFor('run'); // as the CLI does for its run command
  let peakHeapUsedBytes = 0;
  const sampler = setInterval(() => {
    peakHeapUsedBytes = Math.max(peakHeapUsedBytes, process.memoryUsage().heapUsed);
  }, 100);
  try {
    const config = resolveConfig(m.ready.config);
    const phaseTimes = new PhaseTimes();
    const { result, figures } = await measured(() => runWindow({
      config,
      startTime: m.ready.startTime,
      endTime: m.ready.endTime,
      credentials: staticCredentialProvider(m.ready.credentials),
      now: () => m.ready.nowMs,
      tuning: { phaseTimes },
    }));
    clearInterval(sampler);
    const manifest = result.manifest;
    const done: FromRuntime = {
      type: 'done',
      ...figures,
      records: manifest.records.total,
      rows: manifest.rows,
      files: manifest.parts.length,
      bytes: manifest.bytes,
      peakHeapUsedBytes,
      phases: phaseTimes.ms,
      gzipLevel: manifest.format.gzipLevel ?? 6,
      partsSha256: manifest.parts.map((p) => p.sha256),
    };
    process.send!(done, undefined, {}, () => process.exit(0));
  } catch (err) {
    clearInterval(sampler);
    fail(err);
  }
}

process.on('message', (m: ToRuntime) => {
  void (m.type === 'run' ? run(m) : step(m));
});
