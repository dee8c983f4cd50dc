/**
 * V8 doubles its young generation (new space: two semi-spaces) each time the bytes surviving scavenges since the
 * last doubling exceed its size, up to 16 MiB per semi-space in Node 20. Every page of records survives a
 * scavenge or two, so the doubling is a matter of run length, not of memory needed: a 5M-row window ended with
 * about 15 MiB more committed heap than a 1M-row one, the spread of their peak RSS (README, "peak RSS").
 */
import { setFlagsFromString } from 'node:v8';

/**
 * The commands whose memory it bounds: those that write windows. Snapshot and restore keep V8's default: one 1M-row
 * run each (load 1.1–1.8) took 8.63 → 9.87 s and 37.7 → 52.9 s of CPU with it, for 158 → 148 and 216 → 152 MiB.
 */
export const YOUNG_GENERATION_KEPT_FOR: ReadonlySet<string> = new Set(['run', 'backfill']);

/**
 * Keeps the young generation at the size it has now (V8's initial 1 MiB semi-spaces at start-up). V8 reads the
 * growth factor each time it grows new space (`--max-semi-space-size` only counts at start-up, which
 * `node dist/otsbk-sync.js` does not pass); 1 is below what V8 accepts on the command line (it raises it to 2
 * while configuring the heap), so it can only be set once the heap exists. A V8 that ignores it grows as before.
 */
export function keepYoungGenerationSize(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
