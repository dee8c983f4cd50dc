/**
 * How V8's heap may grow, per command, set once the process has started: `node dist/otsbk-sync.js` passes no node
 * flag, and the size flags (`--max-semi-space-size`, `--max-old-space-size`) only count on the command line. Both
 * settings below are factors V8 reads each time it resizes, so setting them at start-up works.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Young generation (new space: two semi-spaces). V8 doubles it each time the bytes surviving scavenges since the last
 * doubling exceed its size, up to 16 MiB per semi-space in Node 20. Every page of records survives a scavenge or
 * two, so the doubling is a matter of run length, not of memory needed: a 5M-row window ended with about 15 MiB more
 * committed heap than a 1M-row one, the spread of their peak RSS (README, "peak RSS"). Kept at its start-up size
 * (growth factor 1, below what V8 accepts on the command line) by the commands that write windows. Snapshot and
 * restore keep V8's default: one 1M-row run each (load 1.1–1.8) took 8.63 → 9.87 s and 37.7 → 52.9 s of CPU with
 * it, for 158 → 148 and 216 → 152 MiB.
 */
export const YOUNG_GENERATION_KEPT_FOR: ReadonlySet<string> = new Set(['run', 'backfill']);

/**
 * Old generation. After each full collection V8 sets the next limit at the live bytes times a factor it picks from
 * its collection speed, up to 4 for a small heap. A restore's pages and write batches live a few milliseconds past a
 * scavenge and die in old space, so the limit runs far ahead of what is live: a 1M-row restore (snapshot, then a
 * window of 1M rows) peaked at 218–263 MiB, and at 162 MiB when capped at 96 MiB of old space. Growth is bounded at
 * 30% by the commands that read whole tables and backups: that restore peaked at 143 (CSV window) and 161–165 MiB
 * (Parquet) at the same rows/s, for about 10% more CPU on the collector's threads; the snapshot at 144 instead of
 * 172–183 MiB (README, "Restore" in the benchmark section).
 */
export const OLD_GENERATION_BOUNDED_FOR: ReadonlySet<string> = new Set(['snapshot', 'restore']);

/** Sets the heap growth of `command`'s process (a CLI command name; others keep V8's defaults). A V8 that ignores a flag grows as before. */
export function tuneHeapFor(command: string | undefined): void {
  if (command === undefined) return;
  if (YOUNG_GENERATION_KEPT_FOR.has(command)) setFlagsFromString('--semi-space-growth-factor=1');
  if (OLD_GENERATION_BOUNDED_FOR.has(command)) setFlagsFromString('--heap-growing-percent=30');
}
