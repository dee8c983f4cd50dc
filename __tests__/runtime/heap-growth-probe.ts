/**
 * Run by heap-growth.test.ts in a fresh node: `tuneHeapFor(<command>)`, then one workload; prints what it measures.
 * A file of its own (not written per run) so that tools/run-ts.js finds it transpiled in its cache.
 */
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { tuneHeapFor } from '../../lib/runtime/heap-growth';

const [command, workload] = process.argv.slice(2);
tuneHeapFor(command);

if (workload === 'new-space') {
  // Objects that each survive a scavenge or two; enough of them to grow new space to 8 MiB by default.
  let page: object[] = [];
  for (let i = 0; i < 250_000; i++) {
    page.push({ i, s: `x${i}` });
    if (page.length === 5000) page = [];
  }
  console.log(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size / 1048576);
} else if (workload === 'peak-heap') {
  // Batches that outlive a scavenge and die in old space, as a restore's pages and write batches do (run with a
  // 1 MiB new space, which promotes them sooner, so that a short run shows it).
  const ring: object[][] = new Array(100);
  let peak = 0;
  for (let i = 0; i < 700; i++) {
    ring[i % ring.length] = Array.from({ length: 1000 }, (_, j) => ({ j, s: `g${i}-${j}` }));
    peak = Math.max(peak, getHeapStatistics().total_heap_size);
  }
  console.log(peak / 1048576);
} else {
  throw new Error(`unknown workload ${workload} (new-space, peak-heap)`);
}
