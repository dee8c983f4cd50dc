/** How the CLI's commands let V8's heap grow (lib/runtime/heap-growth.ts), each measured in a fresh node. */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { OLD_GENERATION_BOUNDED_FOR, YOUNG_GENERATION_KEPT_FOR } from '../../lib/runtime/heap-growth';

const ROOT = resolve(__dirname, '..', '..');

/** What heap-growth-probe.ts prints for `workload` after `tuneHeapFor(command)`. */
function measure(command: string, workload: 'new-space' | 'peak-heap', nodeFlags: string[] = []): number {
  const r = spawnSync(process.execPath, [...nodeFlags, join(ROOT, 'tools', 'run-ts.js'), join(__dirname, 'heap-growth-probe.ts'), command, workload], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return Number(r.stdout.trim());
}

test('the commands that write windows keep new space small; those that read whole tables and backups bound the old generation', () => {
  expect([...YOUNG_GENERATION_KEPT_FOR]).toEqual(['run', 'backfill']);
  expect([...OLD_GENERATION_BOUNDED_FOR]).toEqual(['snapshot', 'restore']);
});

// `windows` (a command that only prints) keeps V8's defaults: the measure each setting is compared with.
test('backfill keeps new space at its start-up size', () => {
  // Two 1 MiB semi-spaces at start-up (Node 20); by default the same allocations double them (twice).
  expect(measure('backfill', 'new-space')).toBeLessThanOrEqual(2);
  expect(measure('windows', 'new-space')).toBeGreaterThan(2);
});

test('restore bounds how far the heap grows past what is live', () => {
  // About 23 against 40 MiB on Node 20.
  expect(measure('restore', 'peak-heap', ['--max-semi-space-size=1'])).toBeLessThan(measure('windows', 'peak-heap', ['--max-semi-space-size=1']) * 0.75);
});
