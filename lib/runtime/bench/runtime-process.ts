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
import type { FromRuntime, ToRuntime } from './protocol';

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

/** Snapshot or restore of the seeded table, measured like the run. */
async function step(m: Exclude<ToRuntime, { type: 'run' }>): Promise<void> {
  const baselineRssBytes = process.memoryUsage().rss;
  try {
    const config = resolveConfig(m.ready.config);
    const credentials = staticCredentialProvider(m.ready.credentials);
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpuMs();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    let rows: number;
    let parts: number;
    if (m.type === 'snapshot') {
      // Ranges of about 16 MiB, so that the scan runs in parallel as it would on a large table.
      const r = await snapshotTable({ config, credentials, now: () => m.nowMs, splitSizeUnitBytes: 16 * 1024 * 1024 });
      rows = r.manifest.rows;
      parts = r.manifest.parts.length;
    } else {
      const r = await restoreFromBackup({ config, credentials, to: m.ready.endTime, target: m.target, statePath: m.statePath });
      rows = r.rowsWritten;
      parts = r.windows.length;
    }
    const elapsedMs = performance.now() - t0;
    const elu = performance.eventLoopUtilization(elu0);
    const mainCpuMs = mainThreadCpuMs() - main0;
    const cpu = process.cpuUsage(cpu0);
    const done: FromRuntime = {
      type: 'step-done', step: m.type, elapsedMs, rows, parts, peakRssBytes: process.resourceUsage().maxRSS * 1024, baselineRssBytes,
      cpuMs: (cpu.user + cpu.system) / 1000, mainThreadCpuMs: mainCpuMs, busyMs: elu.active, idleMs: elu.idle,
    };
    process.send!(done, undefined, {}, () => process.exit(0));
  } catch (err) {
    process.send!({ type: 'failed', message: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies FromRuntime, undefined, {}, () => process.exit(1));
  }
}

process.on('message', (m: ToRuntime) => {
  if (m.type !== 'run') {
    void step(m);
    return;
  }
  void (async () => {
    const baselineRssBytes = process.memoryUsage().rss;
    let peakHeapUsedBytes = 0;
    const sampler = setInterval(() => {
      peakHeapUsedBytes = Math.max(peakHeapUsedBytes, process.memoryUsage().heapUsed);
    }, 100);
    try {
      const config = resolveConfig(m.ready.config);
      const phaseTimes = new PhaseTimes();
      const cpu0 = process.cpuUsage();
      const main0 = mainThreadCpuMs();
      const elu0 = performance.eventLoopUtilization();
      const t0 = performance.now();
      const result = await runWindow({
        config,
        startTime: m.ready.startTime,
        endTime: m.ready.endTime,
        credentials: staticCredentialProvider(m.ready.credentials),
        now: () => m.ready.nowMs,
        tuning: { phaseTimes },
      });
      const elapsedMs = performance.now() - t0;
      const elu = performance.eventLoopUtilization(elu0);
      const mainCpuMs = mainThreadCpuMs() - main0;
      const cpu = process.cpuUsage(cpu0);
      clearInterval(sampler);
      const done: FromRuntime = {
        type: 'done',
        elapsedMs,
        records: result.manifest.records.total,
        rows: result.manifest.rows,
        files: result.manifest.parts.length,
        uncompressedBytes: result.manifest.bytes.uncompressed,
        storedBytes: result.manifest.bytes.stored,
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        baselineRssBytes,
        peakHeapUsedBytes,
        cpuMs: (cpu.user + cpu.system) / 1000,
        mainThreadCpuMs: mainCpuMs,
        busyMs: elu.active,
        idleMs: elu.idle,
        phases: phaseTimes.ms,
        gzipLevel: result.manifest.format.gzipLevel ?? 6,
        partsSha256: result.manifest.parts.map((p) => p.sha256),
      };
      process.send!(done, undefined, {}, () => process.exit(0));
    } catch (err) {
      clearInterval(sampler);
      process.send!({ type: 'failed', message: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies FromRuntime, undefined, {}, () => process.exit(1));
    }
  })();
});
