/** backfill (resumable, refuses up front), verify (stream vs manifest vs objects) and list, through both sandboxes. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill, listWindow, RefusedWindowError, runWindow, verifyWindow } from '../../lib/runtime/sync';
import { END, END_US, FAST_TUNING, NOW, RuntimeHarness, START, START_US, startRuntimeHarness } from './helpers';

const HOUR_US = 3_600_000_000;
/** Runs at 19:00, 20:00, 21:00 sync [17:50,18:50), [18:50,19:50), [19:50,20:50). */
const WINDOWS = [
  ['20230423175000', '20230423185000'],
  ['20230423185000', '20230423195000'],
  ['20230423195000', '20230423205000'],
];
const LATE_NOW = (): number => NOW() + 2 * 3_600_000;

describe('backfill', () => {
  let h: RuntimeHarness;
  let dir: string;
  beforeEach(async () => {
    h = await startRuntimeHarness();
    dir = mkdtempSync(join(tmpdir(), 'otsbk-backfill-'));
    for (let w = 0; w < 3; w++) {
      await h.at(START_US + w * HOUR_US + 1000, () => h.put(`w${w}-a`, { name: `window ${w}`, qty: w }));
      await h.at(START_US + w * HOUR_US + 2000, () => h.update(`w${w}-a`, { qty: w + 100 }));
    }
  });
  afterEach(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (to: string, statePath: string) =>
    backfill({ config: h.config(), from: '20230423190000', to, statePath, credentials: h.credentials, now: LATE_NOW, tuning: FAST_TUNING });

  test('resumes: finished windows are skipped, a window whose manifest vanished is synced again', async () => {
    const state = join(dir, 'state.json');
    const first = await run('20230423210000', state);
    expect(first.synced.map((w) => [w.startTime, w.endTime])).toEqual(WINDOWS.slice(0, 2));
    expect(first.synced.map((w) => w.records)).toEqual([2, 2]);
    expect(Object.keys(JSON.parse(readFileSync(state, 'utf8')).windows)).toEqual(WINDOWS.slice(0, 2).map(([s, e]) => `${s}_${e}`));

    const second = await run('20230423220000', state);
    expect(second.skipped.map((w) => w.startTime)).toEqual([WINDOWS[0][0], WINDOWS[1][0]]);
    expect(second.synced.map((w) => w.startTime)).toEqual([WINDOWS[2][0]]);

    // The manifest of the first window disappears (someone deleted it): the record alone does not skip it.
    const firstManifest = second.skipped[0].manifestKey;
    const oss = h.sb.oss;
    expect(oss.head(firstManifest)).toBeDefined();
    await deleteObject(h, firstManifest);
    const third = await run('20230423220000', state);
    expect(third.synced.map((w) => w.startTime)).toEqual([WINDOWS[0][0]]);
    expect(third.skipped.length).toBe(2);
    expect(oss.head(firstManifest)).toBeDefined();
  });

  test('a failed window stops the backfill; the rerun picks up from it', async () => {
    const state = join(dir, 'state.json');
    // The second window's commit is refused once, as a permissions error would be (not retried).
    h.sb.oss.faults.inject({ operation: 'PutObject', key: new RegExp(`${WINDOWS[1][0]}_${WINDOWS[1][1]}/_manifest\\.json$`), fault: { kind: 'error', status: 403, code: 'AccessDenied' } });
    const first = await run('20230423220000', state);
    expect(first.synced.map((w) => w.startTime)).toEqual([WINDOWS[0][0]]);
    expect(first.failed.map((w) => w.startTime)).toEqual([WINDOWS[1][0]]);
    expect(first.failed[0].error).toMatch(/AccessDenied|Injected fault/);
    expect(first.notAttempted).toBe(1);

    const second = await run('20230423220000', state);
    expect(second.skipped.map((w) => w.startTime)).toEqual([WINDOWS[0][0]]);
    expect(second.synced.map((w) => w.startTime)).toEqual([WINDOWS[1][0], WINDOWS[2][0]]);
    expect(second.failed).toEqual([]);
  });

  test('refuses the whole range up front when a window is too recent, writing nothing', async () => {
    const state = join(dir, 'state.json');
    const err = await backfill({ config: h.config(), from: '20230423190000', to: '20230423220000', statePath: state, credentials: h.credentials, now: () => Date.parse('2023-04-23T12:55:00Z'), tuning: FAST_TUNING }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RefusedWindowError);
    expect((err as Error).message).toMatch(/1 of 3 windows cannot be synced now; nothing was written/);
    expect(existsSync(state)).toBe(false);
    expect(h.sb.oss.objects().size).toBe(0);
  });

  test('refuses up front the windows that start before the Stream was enabled, writing nothing', async () => {
    // The Stream was enabled a minute before 17:50; the 18:00 run syncs [16:50, 17:50).
    const state = join(dir, 'state.json');
    const err = await backfill({ config: h.config(), from: '20230423180000', to: '20230423200000', statePath: state, credentials: h.credentials, now: LATE_NOW, tuning: FAST_TUNING }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RefusedWindowError);
    expect((err as Error).message).toMatch(/1 of 2 windows cannot be synced now; nothing was written.*start 20230423165000 .* is before the Stream was enabled/);
    expect(h.sb.oss.objects().size).toBe(0);
  });

  test('dry run lists what would be synced', async () => {
    const state = join(dir, 'state.json');
    await run('20230423200000', state);
    const dry = await backfill({ config: h.config(), from: '20230423190000', to: '20230423220000', statePath: state, credentials: h.credentials, now: LATE_NOW, dryRun: true });
    expect(dry.skipped.map((w) => w.startTime)).toEqual([WINDOWS[0][0]]);
    expect(dry.synced.map((w) => w.startTime)).toEqual([WINDOWS[1][0], WINDOWS[2][0]]);
  });
});

async function deleteObject(h: RuntimeHarness, key: string): Promise<void> {
  const { createOssClientFor } = await import('../../lib/runtime/sync/clients');
  const client = await createOssClientFor(h.config().oss, h.credentials);
  await client.delete(key);
}

describe('verify and list', () => {
  let h: RuntimeHarness;
  beforeEach(async () => {
    h = await startRuntimeHarness();
    await h.at(START_US, () => h.put('a', { name: 'alpha', qty: 1 }));
    await h.at(START_US + 5, () => h.update('a', { qty: 2 }));
    await h.at(START_US + 9, () => h.remove('a'));
    await h.at(END_US - 1, () => h.put('b', { name: 'beta', qty: 3 }));
  });
  afterEach(() => h.close());

  const opts = () => ({ config: h.config(), startTime: START, endTime: END, credentials: h.credentials, now: NOW, tuning: FAST_TUNING });

  test('a fresh export verifies clean; list shows the committed objects', async () => {
    const { manifestKey, manifest } = await runWindow(opts());
    const v = await verifyWindow({ ...opts(), deep: true });
    expect(v.mismatches).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.stream).toEqual({ records: { total: 4, PUT: 2, UPDATE: 1, DELETE: 1 }, rows: 4, writeTimeMicros: { min: START_US, max: END_US - 1 }, shards: manifest.shards });
    const l = await listWindow(opts());
    expect(l.committed).toBe(true);
    expect(l.objects.map((o) => o.key)).toEqual([manifestKey, manifest.parts[0].key]);
    expect(l.objects.every((o) => o.inManifest)).toBe(true);
  });

  test('detects a tampered object, a tampered manifest and a stray object', async () => {
    const { manifestKey, manifest } = await runWindow(opts());
    const partKey = manifest.parts[0].key;
    const original = h.sb.oss.objects().get(partKey)!;
    h.sb.oss.putObject(partKey, Buffer.from(original.toString('utf8').replace('alpha', 'ALPHA')));
    let v = await verifyWindow({ ...opts(), deep: true });
    expect(v.ok).toBe(false);
    expect(v.mismatches.map((m) => m.check)).toEqual(['objects', 'objects.sha256']);
    expect(v.mismatches[0].message).toMatch(/has CRC-64 \d+, the manifest says \d+/);

    h.sb.oss.putObject(partKey, original);
    const edited = { ...manifest, records: { ...manifest.records, PUT: manifest.records.PUT + 1, UPDATE: manifest.records.UPDATE - 1 } };
    h.sb.oss.putObject(manifestKey, JSON.stringify(edited));
    h.sb.oss.putObject(manifestKey.replace('_manifest.json', 'part-00007.jsonl'), 'stray');
    v = await verifyWindow(opts());
    expect(v.mismatches.map((m) => m.check)).toEqual(['records.PUT', 'records.UPDATE', 'objects']);
    expect(v.mismatches[0].message).toBe('PUT records: the manifest says 3, the stream has 2');
    expect(v.mismatches[2].message).toMatch(/part-00007\.jsonl is not part of the committed window/);
    const l = await listWindow(opts());
    expect(l.objects.filter((o) => !o.inManifest).map((o) => o.key)).toEqual([manifestKey.replace('_manifest.json', 'part-00007.jsonl')]);
  });

  test('a window never exported has no manifest', async () => {
    const v = await verifyWindow(opts());
    expect(v.ok).toBe(false);
    expect(v.mismatches[0]).toMatchObject({ check: 'manifest' });
    expect((await listWindow(opts())).committed).toBe(false);
  });
});
