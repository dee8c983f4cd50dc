/**
 * `npm run bench [-- --rows 1000000,5000000] [--record-limit N] [--cpu-prof]` (a benchmark, not a test).
 *
 * For each row count: a child process starts both sandboxes and seeds the rows into one window (see
 * sandbox-process.ts); a second child runs the runtime alone on that window, end to end, with production
 * settings (csv, gzip level 6, 64 MiB files, 8 MiB parts), so its peak RSS is the runtime's own. Both children are
 * plain node running esbuild bundles in .bench/, like the deployed one-file runtime (no ts-node in the measured
 * process). Then the sandbox child gunzips the exported files and times zlib alone gzipping those same bytes at
 * the same level; the report gives end-to-end / zlib-only.
 *
 * Then (unless --no-restore) two more runtime children: a snapshot of the seeded table (GetRange over key ranges
 * into gzipped JSON Lines) and a restore of it to the window's end into a new table (snapshot rows, then the
 * window's lines replayed with BatchWriteRow), each with its rows/s and its own peak RSS.
 *
 * Targets (issue 4): end-to-end within 3x the zlib-only time; peak RSS under 256 MB, the same for 1M and 5M rows.
 */
import { ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { FromRuntime, FromSandbox, RuntimeDone, SandboxReady, StepDone, ToRuntime, ToSandbox, ZlibMeasured } from './protocol';

const ROOT = resolve(__dirname, '..', '..', '..');
const OUT = join(ROOT, '.bench');

const MB = 1e6;
const MiB = 1024 * 1024;

async function bundle(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  for (const name of ['sandbox-process', 'runtime-process']) {
    await build({
      absWorkingDir: ROOT,
      entryPoints: [`lib/runtime/bench/${name}.ts`],
      outfile: join(OUT, `${name}.js`),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['proxy-agent'],
      logLevel: 'warning',
    });
  }
}

function next<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const onMessage = (m: T): void => {
      cleanup();
      resolvePromise(m);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${what} exited (code ${code}) before answering`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

interface Measurement {
  readonly rows: number;
  readonly ready: SandboxReady;
  readonly run: RuntimeDone;
  readonly zlib: ZlibMeasured;
  readonly snapshot?: StepDone;
  readonly restore?: StepDone;
}

/** One snapshot or restore in a fresh runtime child (its own peak RSS). */
async function runStep(message: Exclude<ToRuntime, { type: 'run' }>): Promise<StepDone> {
  const child = fork(join(OUT, 'runtime-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const answer = next<FromRuntime>(child, `${message.type} process`);
  child.send(message);
  const done = await answer;
  if (done.type !== 'step-done') throw new Error(`${message.type} failed: ${done.type === 'failed' ? done.message : done.type}`);
  await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
  return done;
}

async function measure(rows: number, recordLimit: number | undefined, cpuProf: boolean, restore: boolean): Promise<Measurement> {
  const sandbox = fork(join(OUT, 'sandbox-process.js'), [String(rows), ...(recordLimit !== undefined ? [String(recordLimit)] : [])], { execArgv: ['--max-old-space-size=8192', '--no-deprecation'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const ready = await next<FromSandbox>(sandbox, 'sandbox process');
    if (ready.type !== 'ready') throw new Error(`sandbox process failed: ${ready.type === 'error' ? ready.message : ready.type}`);
    process.stdout.write(`  seeded ${rows.toLocaleString('en-US')} rows in ${(ready.seed.ms / 1000).toFixed(1)} s (${ready.seed.method}, into the sandbox child)\n`);

    const execArgv = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(OUT, 'prof')}`] : [];
    const runtime = fork(join(OUT, 'runtime-process.js'), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const finished = next<FromRuntime>(runtime, 'runtime process');
    runtime.send({ type: 'run', ready } satisfies ToRuntime);
    const run = await finished;
    if (run.type !== 'done') throw new Error(`runtime failed: ${run.type === 'failed' ? run.message : run.type}`);
    await new Promise((r) => (runtime.exitCode !== null ? r(undefined) : runtime.once('exit', r)));

    const zlibAnswer = next<FromSandbox>(sandbox, 'sandbox process');
    sandbox.send({ type: 'measure-zlib', level: run.gzipLevel, repeat: 3 } satisfies ToSandbox);
    const zlib = await zlibAnswer;
    if (zlib.type !== 'zlib') throw new Error('sandbox process did not measure zlib');
    if (!restore) return { rows, ready, run, zlib };
    // Snapshot "taken" two minutes into the window (the rows were written across it), then a restore to the
    // window's end: the snapshot's rows loaded, then the window's lines replayed.
    const windowStartMs = ready.nowMs - 3_600_000 - 3_600_000;
    const snapshot = await runStep({ type: 'snapshot', ready, nowMs: windowStartMs + 120_000 });
    const dir = mkdtempSync(join(tmpdir(), 'otsbk-bench-'));
    try {
      const restored = await runStep({ type: 'restore', ready, target: 'bench_restored', statePath: join(dir, 'state.json') });
      return { rows, ready, run, zlib, snapshot, restore: restored };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    if (sandbox.connected) sandbox.send({ type: 'exit' } satisfies ToSandbox);
    setTimeout(() => sandbox.kill(), 5000).unref();
  }
}

function report(m: Measurement): void {
  const { run, zlib } = m;
  const seconds = run.elapsedMs / 1000;
  const ratio = run.elapsedMs / zlib.zlibMs;
  const line = (label: string, value: string): void => {
    process.stdout.write(`  ${label.padEnd(34)} ${value}\n`);
  };
  line('records', `${run.records.toLocaleString('en-US')} (${run.rows.toLocaleString('en-US')} CSV rows, ${run.files} file(s))`);
  line('end-to-end (runWindow)', `${seconds.toFixed(2)} s (runtime process CPU ${(run.cpuMs / 1000).toFixed(2)} s)`);
  line('records/s', Math.round(run.records / seconds).toLocaleString('en-US'));
  line('MB/s (uncompressed output)', `${(run.uncompressedBytes / MB / seconds).toFixed(1)} (${(run.uncompressedBytes / MB).toFixed(1)} MB -> ${(run.storedBytes / MB).toFixed(1)} MB gzip)`);
  line(`zlib alone (gzip -${zlib.level}, same bytes)`, `${(zlib.zlibMs / 1000).toFixed(2)} s (${(zlib.uncompressedBytes / MB).toFixed(1)} MB, best of 3)`);
  line('end-to-end / zlib-only', `${ratio.toFixed(2)}x  (target <= 3x: ${ratio <= 3 ? 'met' : 'MISSED'})`);
  line('peak RSS, runtime process', `${(run.peakRssBytes / MiB).toFixed(0)} MiB (before the run ${(run.baselineRssBytes / MiB).toFixed(0)} MiB; peak heap used ${(run.peakHeapUsedBytes / MiB).toFixed(0)} MiB)  (target < 256 MB: ${run.peakRssBytes < 256 * MB ? 'met' : 'MISSED'})`);
  if (zlib.uncompressedBytes !== run.uncompressedBytes) line('warning', `zlib measured ${zlib.uncompressedBytes} bytes, the manifest says ${run.uncompressedBytes}`);
  if (m.snapshot) {
    const sn = m.snapshot;
    line('snapshot (GetRange -> JSONL gzip)', `${(sn.elapsedMs / 1000).toFixed(2)} s, ${Math.round(sn.rows / (sn.elapsedMs / 1000)).toLocaleString('en-US')} rows/s, ${sn.parts} key range(s), peak RSS ${(sn.peakRssBytes / MiB).toFixed(0)} MiB`);
  }
  if (m.restore) {
    const r = m.restore;
    line('restore (snapshot + window replay)', `${(r.elapsedMs / 1000).toFixed(2)} s, ${r.rows.toLocaleString('en-US')} row writes, ${Math.round(r.rows / (r.elapsedMs / 1000)).toLocaleString('en-US')} rows/s, peak RSS ${(r.peakRssBytes / MiB).toFixed(0)} MiB`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { rows: { type: 'string', default: '1000000' }, 'record-limit': { type: 'string' }, 'cpu-prof': { type: 'boolean' }, 'no-restore': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('Usage: npm run bench -- [--rows 1000000[,5000000...]] [--record-limit N] [--cpu-prof] [--no-restore]\n');
    return;
  }
  const counts = String(values.rows).split(',').map((s) => Number(s.replace(/_/g, '')));
  if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--rows ${values.rows} must be positive integers, comma-separated`);
  const recordLimit = values['record-limit'] !== undefined ? Number(values['record-limit']) : undefined;
  if (recordLimit !== undefined && !(Number.isInteger(recordLimit) && recordLimit > 0)) throw new Error(`--record-limit ${values['record-limit']} must be a positive integer`);

  process.stdout.write(`sync runtime benchmark: node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  process.stdout.write(`GetStreamRecord limit (config tablestore.recordLimit): ${recordLimit ?? 'not sent (service default; the sandbox answers 100 records per page)'}\n`);
  await bundle();
  const results: Measurement[] = [];
  for (const rows of counts) {
    process.stdout.write(`\n${rows.toLocaleString('en-US')} rows\n`);
    const m = await measure(rows, recordLimit, values['cpu-prof'] === true, values['no-restore'] !== true);
    report(m);
    results.push(m);
  }
  if (results.length > 1) {
    const rss = results.map((r) => r.run.peakRssBytes / MiB);
    process.stdout.write(`\npeak RSS across row counts: ${rss.map((r) => `${r.toFixed(0)} MiB`).join(', ')} (spread ${(Math.max(...rss) - Math.min(...rss)).toFixed(0)} MiB)\n`);
  }
  if (values['cpu-prof']) process.stdout.write(`\nCPU profiles of the runtime process: ${join(OUT, 'prof')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
