/**
 * Benchmark child #2: the runtime alone, running one window end to end (stream → CSV → gzip → multipart OSS
 * upload → manifest) with production settings. Reports elapsed time and its own peak RSS.
 */
import { resolveConfig } from '../sync/config';
import { staticCredentialProvider } from '../sync/credentials';
import { runWindow } from '../sync/run-window';
import { restoreFromBackup, snapshotTable } from '../restore';
import type { FromRuntime, ToRuntime } from './protocol';

/** Snapshot or restore of the seeded table, measured like the run. */
async function step(m: Exclude<ToRuntime, { type: 'run' }>): Promise<void> {
  const baselineRssBytes = process.memoryUsage().rss;
  try {
    const config = resolveConfig(m.ready.config);
    const credentials = staticCredentialProvider(m.ready.credentials);
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
    const done: FromRuntime = { type: 'step-done', step: m.type, elapsedMs: performance.now() - t0, rows, parts, peakRssBytes: process.resourceUsage().maxRSS * 1024, baselineRssBytes };
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
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const result = await runWindow({
        config,
        startTime: m.ready.startTime,
        endTime: m.ready.endTime,
        credentials: staticCredentialProvider(m.ready.credentials),
        now: () => m.ready.nowMs,
      });
      const elapsedMs = performance.now() - t0;
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
        gzipLevel: result.manifest.format.gzipLevel ?? 0,
      };
      process.send!(done, undefined, {}, () => process.exit(0));
    } catch (err) {
      clearInterval(sampler);
      process.send!({ type: 'failed', message: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies FromRuntime, undefined, {}, () => process.exit(1));
    }
  })();
});
