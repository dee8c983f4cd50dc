/**
 * Benchmark child #2: the runtime alone, running one window end to end (stream → CSV → gzip → multipart OSS
 * upload → manifest) with production settings. Reports elapsed time and its own peak RSS.
 */
import { resolveConfig } from '../sync/config';
import { staticCredentialProvider } from '../sync/credentials';
import { runWindow } from '../sync/run-window';
import type { FromRuntime, ToRuntime } from './protocol';

process.on('message', (m: ToRuntime) => {
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
