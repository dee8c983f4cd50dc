import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** New space's size after allocating objects that each survive a scavenge or two, in a fresh node. */
function newSpaceMiB(dir: string, keep: boolean): number {
  const entry = join(dir, `churn-${keep}.ts`);
  writeFileSync(entry, [
    "import { getHeapSpaceStatistics } from 'node:v8';",
    `import { keepYoungGenerationSize } from ${JSON.stringify(join(ROOT, 'lib', 'runtime', 'young-generation'))};`,
    keep ? 'keepYoungGenerationSize();' : '',
    'let page: object[] = [];',
    'for (let i = 0; i < 250_000; i++) {', // enough to grow new space to 8 MiB without the call
    "  page.push({ i, s: 'x' + i });",
    '  if (page.length === 5000) page = [];',
    '}',
    "console.log(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size / 1048576);",
    '',
  ].join('\n'));
  const r = spawnSync(process.execPath, [join(ROOT, 'tools', 'run-ts.js'), entry], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return Number(r.stdout.trim());
}

test('keepYoungGenerationSize stops V8 from growing new space beyond its start-up size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otsbk-young-'));
  try {
    // Two 1 MiB semi-spaces at start-up (Node 20); without the call the same allocations double them (twice).
    expect(newSpaceMiB(dir, true)).toBeLessThanOrEqual(2);
    expect(newSpaceMiB(dir, false)).toBeGreaterThan(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
