/**
 * `npm run bench:synth [-- --runs 3]` (a benchmark, not a test): times `npm run synth` of this project against
 * `npm run synth` of an empty cdktf app with one empty stack, generated in .bench/synth-empty with the same
 * cdktf, node_modules and TypeScript runner, and prints the ratio of the medians (target: at most 1.5x).
 *
 * Both wall time and CPU time (user + system of the whole process tree: npm, cdktf-cli, the app, esbuild) are
 * printed; on a shared machine CPU time is the steadier figure. Runs alternate between the two apps so that
 * load changes hit both alike. The first project run may rebuild the bundles (sources changed since the last
 * build); it is reported apart and left out of the medians unless --runs is 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(__dirname, '..');
const EMPTY = join(ROOT, '.bench', 'synth-empty');

interface Timing {
  readonly wallMs: number;
  /** CPU of the finished children (user + system), ms; NaN where /proc is not available. */
  readonly cpuMs: number;
}

/** CPU time of this process's waited-for children, ms (Linux /proc; fields cutime and cstime). */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[13]) + Number(fields[14]);
    return (ticks * 1000) / 100;
  } catch {
    return NaN;
  }
}

function timed(cwd: string): Timing {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync('npm', ['run', '--silent', 'synth'], { cwd, env: { ...process.env, CHECKPOINT_DISABLE: '1' }, encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`npm run synth in ${cwd} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { wallMs, cpuMs: childrenCpuMs() - cpu0 };
}

function writeEmptyApp(): void {
  rmSync(EMPTY, { recursive: true, force: true });
  mkdirSync(EMPTY, { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(EMPTY, 'node_modules'), 'dir');
  writeFileSync(join(EMPTY, 'package.json'), JSON.stringify({ name: 'empty-cdktf-app', private: true, scripts: { synth: 'cdktf synth' } }, null, 2));
  writeFileSync(join(EMPTY, 'tsconfig.json'), readFileSync(join(ROOT, 'tsconfig.json')));
  writeFileSync(join(EMPTY, 'cdktf.json'), JSON.stringify({
    language: 'typescript',
    app: `node ${JSON.stringify(join(ROOT, 'tools', 'run-ts.js'))} main.ts`,
    projectId: '00000000-0000-4000-8000-000000000000',
    sendCrashReports: 'false',
    terraformProviders: [],
    terraformModules: [],
    context: {},
  }, null, 2));
  writeFileSync(join(EMPTY, 'main.ts'), [
    "import { App, TerraformStack } from 'cdktf';",
    '',
    'const app = new App();',
    "new TerraformStack(app, 'empty');",
    'app.synth();',
    '',
  ].join('\n'));
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function main(): void {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { runs: { type: 'string', default: '3' } }, strict: true });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs} must be a positive integer`);
  process.stdout.write(`synth benchmark: node ${process.version}, ${cpus().length} CPU(s), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  writeEmptyApp();
  if (!existsSync(join(ROOT, 'node_modules', '.bin', 'cdktf'))) throw new Error('cdktf-cli is not installed: run npm ci');

  const first = timed(ROOT);
  process.stdout.write(`  project, first run (may rebuild the bundles): ${(first.wallMs / 1000).toFixed(2)} s wall, ${(first.cpuMs / 1000).toFixed(2)} s CPU\n`);
  timed(EMPTY); // warms the transpile cache of the empty app
  const project: Timing[] = runs === 1 ? [first] : [];
  const empty: Timing[] = [];
  for (let i = 0; i < runs; i++) {
    empty.push(timed(EMPTY));
    if (runs > 1) project.push(timed(ROOT));
  }
  const line = (label: string, xs: readonly Timing[]): void => {
    process.stdout.write(`  ${label.padEnd(34)} wall ${xs.map((t) => (t.wallMs / 1000).toFixed(2)).join(' ')} s (median ${(median(xs.map((t) => t.wallMs)) / 1000).toFixed(2)}), CPU ${xs.map((t) => (t.cpuMs / 1000).toFixed(2)).join(' ')} s (median ${(median(xs.map((t) => t.cpuMs)) / 1000).toFixed(2)})\n`);
  };
  line('empty app (one empty stack)', empty);
  line('this project (every stack)', project);
  const wallRatio = median(project.map((t) => t.wallMs)) / median(empty.map((t) => t.wallMs));
  const cpuRatio = median(project.map((t) => t.cpuMs)) / median(empty.map((t) => t.cpuMs));
  process.stdout.write(`  project / empty app                wall ${wallRatio.toFixed(2)}x, CPU ${cpuRatio.toFixed(2)}x  (target <= 1.5x: ${Math.max(wallRatio, cpuRatio) <= 1.5 ? 'met' : 'MISSED'})\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`bench:synth failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
