/**
 * A rerun that dies in the middle of an upload (the process stops after K multipart parts: no cleanup, no new
 * manifest) leaves the committed window as it was; the next rerun ends with the same object set, byte for byte,
 * with no record lost or doubled.
 */
import { runWindow } from '../../lib/runtime/sync';
import { digests, END, FAST_TUNING, jsonRows, NOW, objectsUnder, RuntimeHarness, START, START_US, startRuntimeHarness } from './helpers';

// Two multipart files of a few parts (OSS parts are at least 100 KB) from 400 rows of about 900 bytes.
const ROWS = 400;
const tuning = { ...FAST_TUNING, partSize: 100 * 1024, maxFileBytes: 250 * 1024, recordLimit: 67 };

describe('crash in the middle of an upload, then rerun', () => {
  let h: RuntimeHarness;
  beforeAll(async () => {
    h = await startRuntimeHarness();
    const rows = Array.from({ length: ROWS }, (_, i) => ({ id: `row-${String(i).padStart(5, '0')}`, columns: { name: `n${i}:${'y'.repeat(900)}`, qty: i } }));
    await h.at(START_US + 30_000_000, () => h.putMany(rows.slice(0, ROWS / 2)));
    await h.at(START_US + 60_000_000, () => h.putMany(rows.slice(ROWS / 2)));
  });
  afterAll(() => h.close());

  test.each([1, 3])('aborting after %i uploaded parts keeps the commit; the rerun restores the exact objects', async (k) => {
    const run = (signal?: AbortSignal, attemptTtlMs?: number) =>
      runWindow({ config: h.config(), startTime: START, endTime: END, credentials: h.credentials, now: NOW, tuning: { ...tuning, ...(attemptTtlMs ? { attemptTtlMs } : {}) }, signal });
    const clean = await run();
    expect(clean.manifest.parts.length).toBeGreaterThanOrEqual(2);
    const baseline = digests(objectsUnder(h));

    const crash = new AbortController();
    let parts = 0;
    const unsubscribe = h.sb.oss.onRequest((r) => {
      if (r.operation === 'UploadPart' && r.status === 200 && ++parts === k) crash.abort(new Error(`simulated crash after ${k} parts`));
    });
    const err = await run(crash.signal, 50).then(() => undefined, (e: unknown) => e as Error);
    unsubscribe();
    expect(err).toBeDefined();
    expect(err!.message).toMatch(/simulated crash|aborted/);

    // The commit is untouched; the crashed attempt left its files and an unfinished upload beside it.
    const afterCrash = digests(objectsUnder(h));
    for (const [key, digest] of Object.entries(baseline)) expect(afterCrash[key]).toBe(digest);
    expect(Object.keys(afterCrash).length).toBeGreaterThan(Object.keys(baseline).length);
    expect(h.sb.oss.uploads().length).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 100)); // the crashed attempt's liveness record expires

    const rerun = await run();
    expect(rerun.manifest).toEqual(clean.manifest);
    expect(digests(objectsUnder(h))).toEqual(baseline);
    expect(h.sb.oss.uploads()).toEqual([]);
    const ids = jsonRows(objectsUnder(h)).map((r) => r.id);
    expect(ids.length).toBe(ROWS);
    expect(new Set(ids).size).toBe(ROWS);
  });
});
