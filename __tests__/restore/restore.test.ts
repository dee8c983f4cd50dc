/**
 * Snapshot and restore end to end on the loopback servers: the official `tablestore` client writes, updates and
 * deletes rows across five windows, a snapshot is taken while writes continue, the runtime exports the windows,
 * and restores to three different hours are compared row by row with the table as it was at each hour.
 */
import { restoreFromBackup, snapshotTable, verifyRestoredTable } from '../../lib/runtime/restore';
import { main } from '../../lib/runtime/cli';
import { runWindow } from '../../lib/runtime/sync';
import { formatWindowTime } from '../../lib/schedule';
import { TablestoreTableClient } from '../../lib/tablestore/table-client';
import type { WirePrimaryKeyColumn } from '../../lib/tablestore/plainbuffer/types';
import { FAST_TUNING, RuntimeHarness, START_MS, startRuntimeHarness, TABLE, TZ } from '../runtime/helpers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOUR = 3_600_000;
const windowStart = (k: number): number => START_MS + k * HOUR;
const time = (ms: number): string => formatWindowTime(ms, TZ);
const NOW = (): number => windowStart(5) + HOUR;

type Row = Record<string, string | number>;
/** The table as the test wrote it: id -> columns. */
type Model = Map<string, Row>;

interface Scenario {
  h: RuntimeHarness;
  model: Model;
  /** Model at the end of window k (k = 0..4). */
  states: Model[];
  dir: string;
}

function clone(m: Model): Model {
  return new Map([...m].map(([k, v]) => [k, { ...v }]));
}

/** Every row of a table, as id -> columns (through our GetRange client). */
async function readTable(h: RuntimeHarness, table: string): Promise<Model> {
  const client = new TablestoreTableClient({ endpoint: h.sb.tablestore.endpoint, instanceName: h.sb.tablestore.instanceName, credentials: h.sb.credentials });
  try {
    const out: Model = new Map();
    const min: WirePrimaryKeyColumn[] = [{ name: 'id', type: 'INF_MIN', value: null }];
    const max: WirePrimaryKeyColumn[] = [{ name: 'id', type: 'INF_MAX', value: null }];
    for await (const page of client.scan(table, min, max)) {
      for (const r of page) {
        const row: Row = {};
        for (const c of r.cells) row[c.name] = typeof c.value === 'bigint' ? Number(c.value) : (c.value as string);
        out.set(String(r.primaryKey[0].value), row);
      }
    }
    return out;
  } finally {
    client.close();
  }
}

function sorted(m: Model): Array<[string, Row]> {
  return [...m].sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Writes through the official client at chosen instants and mirrors them in the model. */
async function write(s: Scenario, micros: number, op: 'put' | 'update' | 'delete', id: string, cols: Row = {}, del: string[] = []): Promise<void> {
  const { h, model } = s;
  await h.at(micros, async () => {
    if (op === 'put') {
      await h.put(id, cols);
      model.set(id, { ...cols });
    } else if (op === 'update') {
      await h.update(id, cols, del);
      const row = { ...(model.get(id) ?? {}), ...cols };
      for (const d of del) delete row[d];
      model.set(id, row);
    } else {
      await h.remove(id);
      model.delete(id);
    }
  });
}

/**
 * Five windows of writes; the snapshot runs during window 1 while a write lands between its pages. Returns the
 * model at the end of each window.
 */
async function scenario(s: Scenario, format: 'jsonl' | 'csv' | 'parquet'): Promise<void> {
  const us = (k: number, minute: number): number => (windowStart(k) + minute * 60_000) * 1000;
  // Window 0: the table's first rows.
  for (let i = 0; i < 12; i++) await write(s, us(0, 1) + i, 'put', `r${String(i).padStart(2, '0')}`, { name: `row ${i}`, qty: i });
  // An empty string is a value, not a null (CSV windows write nulls as empty text).
  await write(s, us(0, 2), 'put', 'r14', { name: '', qty: 14 });
  s.states.push(clone(s.model));
  // Window 1: updates, a column deletion, a delete; then the snapshot, with writes between its pages.
  await write(s, us(1, 1), 'update', 'r01', { qty: 100 }, ['name']);
  await write(s, us(1, 2), 'delete', 'r02');
  await write(s, us(1, 3), 'put', 'r03', { name: 'replaced' });
  const during: Array<() => Promise<void>> = [
    () => write(s, us(1, 11), 'put', 'r00', { name: 'written during the snapshot', qty: -1 }),
    () => write(s, us(1, 12), 'delete', 'r11'),
    () => write(s, us(1, 13), 'put', 'r12', { name: 'new during the snapshot', qty: 12 }),
  ];
  s.h.sb.tablestore.clock.set(us(1, 10));
  class WritingClient extends TablestoreTableClient {
    // One write before each GetRange request of the scan.
    override async *scan(...args: Parameters<TablestoreTableClient['scan']>): ReturnType<TablestoreTableClient['scan']> {
      const pages = super.scan(...args);
      for (;;) {
        const next = during.shift();
        if (next) await next();
        const page = await pages.next();
        if (page.done) return;
        yield page.value;
      }
    }
  }
  const snap = await snapshotTable({
    config: s.h.config({ format: { fileFormat: format, compression: 'gzip' } }),
    credentials: s.h.credentials,
    now: () => Math.floor(s.h.sb.tablestore.clock.nowMicros() / 1000),
    pageRows: 4,
    splitSizeUnitBytes: 200,
    tableClientFactory: (options) => new WritingClient(options),
  });
  expect(snap.manifest.parts.length).toBeGreaterThan(1);
  expect(during).toHaveLength(0);
  await write(s, us(1, 30), 'update', 'r04', { name: 'after the snapshot' });
  s.states.push(clone(s.model));
  // Windows 2-4: more of everything.
  await write(s, us(2, 5), 'delete', 'r05');
  await write(s, us(2, 6), 'put', 'r05', { name: 'back again', qty: 55 });
  await write(s, us(2, 7), 'update', 'r06', { qty: 66 }, ['name']);
  await write(s, us(2, 8), 'put', 'r15', { name: '', qty: 15 });
  s.states.push(clone(s.model));
  await write(s, us(3, 5), 'delete', 'r07');
  await write(s, us(3, 6), 'update', 'r13', { name: 'created by an update' });
  await write(s, us(3, 7), 'put', 'r08', { qty: 88 });
  s.states.push(clone(s.model));
  await write(s, us(4, 5), 'delete', 'r09');
  await write(s, us(4, 6), 'update', 'r10', { qty: 1010 });
  await write(s, us(4, 7), 'delete', 'r00');
  s.states.push(clone(s.model));
}

async function exportWindows(s: Scenario, format: 'jsonl' | 'csv' | 'parquet', skip: number[] = []): Promise<void> {
  for (let k = 0; k < 5; k++) {
    if (skip.includes(k)) continue;
    await runWindow({ config: s.h.config({ format: { fileFormat: format, compression: 'gzip' } }), startTime: time(windowStart(k)), endTime: time(windowStart(k + 1)), credentials: s.h.credentials, now: NOW, tuning: FAST_TUNING });
  }
}

async function startScenario(): Promise<Scenario> {
  // Snapshot and restore are an operator's calls, outside the sync policy: they sign with the instance owner's key.
  return { h: await startRuntimeHarness(2, undefined, true), model: new Map(), states: [], dir: mkdtempSync(join(tmpdir(), 'otsbk-restore-')) };
}

async function closeScenario(s: Scenario): Promise<void> {
  await s.h.close();
  rmSync(s.dir, { recursive: true, force: true });
}

describe('snapshot and restore', () => {
  // The tests of one group read the same writes, snapshot and exported windows, set up once: each restores into a
  // table of its own, and none writes to the source or the backup.
  describe('from JSON Lines windows of every hour', () => {
    let s: Scenario;
    beforeAll(async () => {
      s = await startScenario();
      await scenario(s, 'jsonl');
      await exportWindows(s, 'jsonl');
    });
    afterAll(() => closeScenario(s));

    test('restores to three different hours, each equal row by row to the table at that hour; the source is never written', async () => {
      const sourceWrites = s.h.sb.tablestore.writeCount(TABLE);
      const sourceRows = await readTable(s.h, TABLE);
      for (const k of [2, 3, 4]) {
        const target = `restored_${k}`;
        const result = await restoreFromBackup({
          config: s.h.config({ format: { fileFormat: 'jsonl', compression: 'gzip' } }), credentials: s.h.credentials,
          to: time(windowStart(k + 1)), target, statePath: join(s.dir, `${target}.json`),
        });
        expect(result.windows[0]).toBe(`${time(windowStart(1))}_${time(windowStart(2))}`);
        expect(result.windows).toHaveLength(k);
        expect(sorted(await readTable(s.h, target))).toEqual(sorted(s.states[k]));
        const verified = await verifyRestoredTable({ config: s.h.config(), credentials: s.h.credentials, to: time(windowStart(k + 1)), target, against: 'backup' });
        expect(verified).toMatchObject({ ok: true, differenceCount: 0, expectedRows: s.states[k].size });
      }
      // The latest hour can also be checked against the live source (nothing wrote to it since).
      const live = await verifyRestoredTable({ config: s.h.config(), credentials: s.h.credentials, to: time(windowStart(5)), target: 'restored_4', against: 'source' });
      expect(live.ok).toBe(true);
      expect(sorted(await readTable(s.h, TABLE))).toEqual(sorted(sourceRows));
      expect(s.h.sb.tablestore.writeCount(TABLE)).toBe(sourceWrites);
    });

    test('a verify of a tampered restore fails and names the differing keys', async () => {
      const to = time(windowStart(5));
      await restoreFromBackup({ config: s.h.config(), credentials: s.h.credentials, to, target: 'tampered', statePath: join(s.dir, 'r.json') });
      await s.h.sb.ots.deleteRow({ tableName: 'tampered', condition: (await import('../../lib/runtime/demo/local-sandboxes')).ignoreCondition(), primaryKey: [{ id: 'r03' }] });
      const v = await verifyRestoredTable({ config: s.h.config(), credentials: s.h.credentials, to, target: 'tampered', against: 'backup' });
      expect(v.ok).toBe(false);
      expect(v.differences).toEqual([expect.objectContaining({ key: { id: 'r03' }, problem: 'missing in target' })]);
    });
  });

  describe('from JSON Lines windows with one hour never exported', () => {
    let s: Scenario;
    beforeAll(async () => {
      s = await startScenario();
      await scenario(s, 'jsonl');
      await exportWindows(s, 'jsonl', [3]);
    });
    afterAll(() => closeScenario(s));

    test('a missing window is refused with its name; --allow-gaps restores and reports it', async () => {
      const to = time(windowStart(5));
      const missing = `${time(windowStart(3))}_${time(windowStart(4))}`;
      await expect(restoreFromBackup({ config: s.h.config(), credentials: s.h.credentials, to, target: 'restored', statePath: join(s.dir, 'a.json') }))
        .rejects.toThrow(new RegExp(`window ${missing} is missing`));
      await expect(readTable(s.h, 'restored')).rejects.toThrow(/OTSObjectNotExist|does not exist/);
      const r = await restoreFromBackup({ config: s.h.config(), credentials: s.h.credentials, to, target: 'restored', statePath: join(s.dir, 'b.json'), allowGaps: true });
      expect(r.gaps).toEqual([`window ${missing} is missing`]);
    });

    test('the CLI: snapshot, restore and verify-restore print JSON on stdout, exit 0, 3 or 4, and print no secret', async () => {
      let out = '';
      let err = '';
      const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t), isTTY: false }, env: s.h.sb.credentialEnv(), cwd: s.dir, now: NOW };
      const config = ['--config', JSON.stringify({ tablestore: { endpoint: s.h.sb.tablestore.endpoint, instanceName: s.h.sb.tablestore.instanceName, tableName: TABLE }, oss: { endpoint: s.h.sb.oss.endpoint, region: s.h.sb.oss.clientOptions().region, bucket: s.h.sb.oss.bucket, prefix: 'tablestore-export' } }), '--columns', 'id:string,name:string,qty:int64'];
      const code = await main(['snapshot', ...config], io);
      if (code !== 0) throw new Error(err);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ manifest: { table: TABLE, rows: s.states[4].size } });
      out = '';
      const to = time(windowStart(5));
      expect(await main(['restore', ...config, '--to', to, '--target', 'restored_cli'], io)).toBe(4);
      expect(err).toContain(`window ${time(windowStart(3))}_${time(windowStart(4))} is missing`);
      expect(await main(['restore', ...config, '--to', time(windowStart(3)), '--target', 'restored_cli'], io)).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ target: 'restored_cli', windows: [`${time(windowStart(1))}_${time(windowStart(2))}`, `${time(windowStart(2))}_${time(windowStart(3))}`] });
      out = '';
      expect(await main(['verify-restore', ...config, '--to', time(windowStart(3)), '--target', 'restored_cli'], io)).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ ok: true });
      out = '';
      // Against the live source (which moved on since): a mismatch, exit 3, with the differing keys.
      expect(await main(['verify-restore', ...config, '--to', time(windowStart(3)), '--target', 'restored_cli', '--against', 'source'], io)).toBe(3);
      expect(JSON.parse(out).differences.map((d: { key: { id: string } }) => d.key.id)).toEqual(['r00', 'r07', 'r08', 'r09', 'r10', 'r13']);
      expect(await main(['restore', ...config, '--to', to, '--target', TABLE], io)).toBe(2);
      expect(err).toContain('restore never writes to the source unless --overwrite-source');
      expect(out + err).not.toContain(s.h.sb.credentials.accessKeySecret);
    });
  });

  describe('on writes of their own', () => {
    let s: Scenario;
    beforeEach(async () => {
      s = await startScenario();
    });
    afterEach(() => closeScenario(s));

    test('restores from Parquet windows', async () => {
      await scenario(s, 'parquet');
      await exportWindows(s, 'parquet');
      const config = s.h.config({ format: { fileFormat: 'parquet', compression: 'gzip' } });
      await restoreFromBackup({ config, credentials: s.h.credentials, to: time(windowStart(5)), target: 'restored', statePath: join(s.dir, 'pq.json') });
      expect(sorted(await readTable(s.h, 'restored'))).toEqual(sorted(s.states[4]));
    });

    test('a restore stopped halfway resumes from its state file and ends in the same table', async () => {
      await scenario(s, 'csv');
      await exportWindows(s, 'csv');
      const to = time(windowStart(5));
      const statePath = join(s.dir, 'state.json');
      const stop = new AbortController();
      let windowsSeen = 0;
      const config = s.h.config({ format: { fileFormat: 'csv', compression: 'gzip' } });
      await expect(restoreFromBackup({
        config, credentials: s.h.credentials, to, target: 'restored', statePath, signal: stop.signal,
        progress: { update: (p) => { if (p.phase === 'window' && ++windowsSeen === 2) stop.abort(); }, end: () => undefined },
      })).rejects.toThrow(/stopped/);
      const resumed = await restoreFromBackup({ config, credentials: s.h.credentials, to, target: 'restored', statePath });
      expect(resumed.resumed).toBe(true);
      expect(sorted(await readTable(s.h, 'restored'))).toEqual(sorted(s.states[4]));
    });

    test('restores from Data Integration-style CSV windows (one headerless CSV per window, no manifest)', async () => {
      await scenario(s, 'jsonl');
      // Write the windows as the Data Integration job does, from the model: its row mode has no operation column,
      // so this test's windows hold only puts and updates.
      const lines = (rows: Array<[string, Row]>): string => rows.map(([id, r]) => `${id},${r.name ?? ''},${r.qty ?? ''}\n`).join('');
      for (let k = 1; k < 5; k++) {
        const changed = sorted(s.states[k]).filter(([id, r]) => JSON.stringify(s.states[k - 1].get(id)) !== JSON.stringify(r));
        s.h.sb.oss.putObject(`tablestore-export/${TABLE}/${time(windowStart(k))}_${time(windowStart(k + 1))}.csv`, Buffer.from(lines(changed)));
      }
      const to = time(windowStart(5));
      const config = s.h.config({ format: { fileFormat: 'csv', compression: 'none' }, layout: { mode: 'rows', columns: [{ name: 'id', type: 'string' }, { name: 'name', type: 'string' }, { name: 'qty', type: 'int64' }], operations: false } });
      const r = await restoreFromBackup({ config, credentials: s.h.credentials, to, target: 'restored', statePath: join(s.dir, 'di.json') });
      expect(r.windows).toHaveLength(4);
      // Deleted rows come back (the row mode exports no deletes); every other row is as it was, but for the limit of
      // these windows: DataX writes an empty string as it writes a null, so r15's empty name comes back as none.
      const restored = await readTable(s.h, 'restored');
      for (const [id, row] of s.states[4]) {
        const { name, ...rest } = row;
        expect(restored.get(id)).toEqual(expect.objectContaining(id === 'r15' ? rest : row));
        if (id === 'r15') expect([name, restored.get(id)?.name]).toEqual(['', undefined]);
      }
    });

    test('a snapshot stopped halfway is resumed by the next run: only the missing ranges are read, no upload left over', async () => {
      for (let i = 0; i < 30; i++) await write(s, (windowStart(0) + 60_000) * 1000 + i, 'put', `k${String(i).padStart(2, '0')}`, { name: 'x'.repeat(40), qty: i });
      const config = s.h.config();
      const now = (): number => windowStart(0) + 30 * 60_000;
      const stop = new AbortController();
      await expect(snapshotTable({
        config, credentials: s.h.credentials, now, pageRows: 3, splitSizeUnitBytes: 400, concurrency: 1, signal: stop.signal,
        progress: { update: (p) => { if (p.item.startsWith('2/')) stop.abort(); }, end: () => undefined },
      })).rejects.toThrow(/stopped/);
      const before = s.h.sb.tablestore.stats.requests.GetRange ?? 0;
      const resumed = await snapshotTable({ config, credentials: s.h.credentials, now, pageRows: 3, splitSizeUnitBytes: 400, concurrency: 1 });
      expect(resumed.resumed).toBe(true);
      expect(resumed.manifest.rows).toBe(30);
      expect(resumed.manifest.parts.length).toBeGreaterThan(3);
      const rangesReadAgain = (s.h.sb.tablestore.stats.requests.GetRange ?? 0) - before;
      expect(rangesReadAgain).toBeLessThan(Math.ceil(30 / 3) + resumed.manifest.parts.length);
      expect(s.h.sb.oss.uploads()).toEqual([]);
    });
  });
});
