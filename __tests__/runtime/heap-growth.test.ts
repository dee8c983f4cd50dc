/** How the CLI's commands let V8's heap grow (lib/runtime/heap-growth.ts), each measured in a fresh node. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OLD_GENERATION_BOUNDED_FOR, YOUNG_GENERATION_KEPT_FOR } from '../../lib/runtime/heap-growth';

const ROOT = resolve(__dirname, '..', '..');

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'otsbk-heap-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `body` in a fresh node after `tuneHeapFor(command)`; returns the number it prints. */
function measure(name: string, command: string, body: string[], nodeFlags: string[] = []): number {
  const entry = join(dir, `${name}-${command}.ts`);
  writeFileSync(entry, [
    "import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';",
    `import { tuneHeapFor } from ${JSON.stringify(join(ROOT, 'lib', 'runtime', 'heap-growth'))};`,
    `tuneHeapFor(${JSON.stringify(command)});`,
    ...body,
    '',
  ].join('\n'));
  const r = spawnSync(process.execPath, [...nodeFlags, join(ROOT, 'tools', 'run-ts.js'), entry], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return Number(r.stdout.trim());
}

test('the commands that write windows keep new space small; those that read whole tables and backups bound the old generation', () => {
  expect([...YOUNG_GENERATION_KEPT_FOR]).toEqual(['run', 'backfill']);
  expect([...OLD_GENERATION_BOUNDED_FOR]).toEqual(['snapshot', 'restore']);
});

// `windows` (a command that only prints) keeps V8's defaults: the measure each setting is compared with.
test('backfill keeps new space at its start-up size', () => {
  // Objects that each survive a scavenge or two.
  const newSpaceMiB = (command: string) => measure('young', command, [
    'let page: object[] = [];',
    'for (let i = 0; i < 250_000; i++) {', // enough to grow new space to 8 MiB by default
    "  page.push({ i, s: 'x' + i });",
    '  if (page.length === 5000) page = [];',
    '}',
    "console.log(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size / 1048576);",
  ]);
  // Two 1 MiB semi-spaces at start-up (Node 20); by default the same allocations double them (twice).
  expect(newSpaceMiB('backfill')).toBeLessThanOrEqual(2);
  expect(newSpaceMiB('windows')).toBeGreaterThan(2);
});

test('restore bounds how far the heap grows past what is live', () => {
  // Batches that outlive a scavenge and die in old space, as a restore's pages and write batches do (a 1 MiB
  // new space promotes them sooner, so that a short run shows it).
  const peakHeapMiB = (command: string) => measure('old', command, [
    'const ring: object[][] = new Array(100);',
    'let peak = 0;',
    'for (let i = 0; i < 700; i++) {',
    '  ring[i % ring.length] = Array.from({ length: 1000 }, (_, j) => ({ j, s: `g${i}-${j}` }));',
    '  peak = Math.max(peak, getHeapStatistics().total_heap_size);',
    '}',
    'console.log(peak / 1048576);',
  ], ['--max-semi-space-size=1']);
  // About 23 against 40 MiB on Node 20.
  expect(peakHeapMiB('restore')).toBeLessThan(peakHeapMiB('windows') * 0.75);
});
