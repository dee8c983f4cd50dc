/**
 * `coverage`: the schedule's windows against what OSS holds, for both engines' key layouts, as a grid and as JSON.
 * Objects are placed directly in the loopback OSS server; coverage reads them through ali-oss (ListObjectsV2).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lib/runtime/cli';
import { COMMAND_HELP } from '../../lib/runtime/cli/help';
import type { CliIo } from '../../lib/runtime/cli/io';
import { coverageReport, renderCoverage, tableCoverage, TableCoverageTarget } from '../../lib/runtime/sync/coverage';
import { createOssClient } from '../../lib/runtime/writer/oss-client';
import { OssSandbox, startOssSandbox } from '../../lib/sandbox/oss';

const TZ = 'Asia/Shanghai';
const PREFIX = 'tablestore-export';
const SCHEDULE = { cron: '00 00 * * * ?', startTimeExpression: '$[yyyymmddhh24-2/24]$[miss-10/24/60]', endTimeExpression: '$[yyyymmddhh24-1/24]$[miss-10/24/60]' };
// Runs 00:00..05:00 on 2024-01-15 export [22:50, 23:50) of the 14th .. [03:50, 04:50) of the 15th.
const FROM = '20240115000000';
const TO = '20240115060000';
const W = [
  '20240114225000_20240114235000',
  '20240114235000_20240115005000',
  '20240115005000_20240115015000',
  '20240115015000_20240115025000',
  '20240115025000_20240115035000',
  '20240115035000_20240115045000',
];
const DEBUG_WINDOW = '20240115040000_20240115043000';

function runtimeDir(id: string): string {
  return `${PREFIX}/orders/${id.slice(0, 4)}/${id.slice(4, 6)}/${id.slice(6, 8)}/${id}/`;
}

let sb: OssSandbox;

beforeAll(async () => {
  sb = await startOssSandbox({ accessKeyId: 'sandbox-ak', accessKeySecret: 'sandbox-secret' });
  // Runtime engine, table orders: committed 0, 1, 3, 5; partial 2 (a part, no manifest); missing 4; plus a debug
  // run over custom bounds that overlaps window 5, and a snapshot prefix that must not count as a window.
  for (const i of [0, 1, 3, 5]) {
    sb.putObject(`${runtimeDir(W[i])}part-00000-0123456789ab.csv.gz`, 'x');
    sb.putObject(`${runtimeDir(W[i])}_manifest.json`, '{}');
  }
  // An attempt that wrote a part and its liveness record, then stopped before the manifest.
  sb.putObject(`${runtimeDir(W[2])}part-00000-0123456789ab.csv.gz`, 'x');
  sb.putObject(`${runtimeDir(W[2])}_attempts/0123456789ab.json`, '{}');
  sb.putObject(`${runtimeDir(DEBUG_WINDOW)}part-00000.csv.gz`, 'x');
  sb.putObject(`${runtimeDir(DEBUG_WINDOW)}_manifest.json`, '{}');
  sb.putObject(`${PREFIX}/orders/_snapshots/20240115000000/part-00000.csv.gz`, 'x');
  // Data Integration engine, table events: one object per window, window 1 missing.
  for (const i of [0, 2, 3, 4, 5]) sb.putObject(`${PREFIX}/events/${W[i]}.csv`, 'a,b\n');
  sb.putObject(`${PREFIX}/events/_snapshots/${W[1]}.csv`, 'not a window');
});

afterAll(() => sb.close());

function target(table: string, engine: TableCoverageTarget['engine']): TableCoverageTarget {
  return { table, engine, bucket: sb.bucket, prefix: PREFIX, schedule: SCHEDULE, timezone: TZ, oss: createOssClient(sb.clientOptions() as never) };
}

test('runtime and Data Integration layouts: committed, partial, missing, overlapping, as a grid', async () => {
  const report = coverageReport([await tableCoverage(target('orders', 'runtime'), FROM, TO), await tableCoverage(target('events', 'data-integration'), FROM, TO)]);
  expect(renderCoverage(report)).toBe([
    'coverage of runs scheduled in [20240115000000, 20240115060000) Asia/Shanghai',
    '',
    `orders (runtime engine: committed = manifest) oss://${sb.bucket}/tablestore-export/orders/`,
    '            00     06     12     18',
    '2024-01-14                           ##',
    '2024-01-15  p#.!',
    '6 windows: 4 committed, 1 partial, 1 missing; 1 overlap',
    '  partial  20240115005000_20240115015000 (run 20240115020000): 2 objects, no manifest',
    '  missing  20240115025000_20240115035000 (run 20240115040000)',
    '  extra    20240115040000_20240115043000: not a scheduled window (committed, 2 objects)',
    '  overlap  20240115035000_20240115045000 and 20240115040000_20240115043000 both cover [20240115040000, 20240115043000)',
    '',
    `events (Data Integration engine: committed = object) oss://${sb.bucket}/tablestore-export/events/`,
    '            00     06     12     18',
    '2024-01-14                           #.',
    '2024-01-15  ####',
    '6 windows: 5 committed, 0 partial, 1 missing; 0 overlaps',
    '  missing  20240114235000_20240115005000 (run 20240115010000)',
    '',
    'legend: # committed  p partial (objects, no manifest)  . missing  ! overlaps another window  (blank) no window scheduled',
    'INCOMPLETE: see the windows listed above',
    '',
  ].join('\n'));
});

test('JSON: every scheduled window with its status, counts, overlaps; a complete range', async () => {
  const orders = await tableCoverage(target('orders', 'runtime'), FROM, TO);
  expect(orders.windows.map(w => [`${w.startTime}_${w.endTime}`, w.status, w.objects, w.overlapsWith])).toEqual([
    [W[0], 'committed', 2, []],
    [W[1], 'committed', 2, []],
    [W[2], 'partial', 2, []],
    [W[3], 'committed', 2, []],
    [W[4], 'missing', 0, []],
    [W[5], 'committed', 2, [DEBUG_WINDOW]],
  ]);
  expect(orders.counts).toEqual({ scheduled: 6, committed: 4, partial: 1, missing: 1, overlapping: 2 });
  expect(orders.overlaps).toEqual([{ first: W[5], second: DEBUG_WINDOW, from: '20240115040000', to: '20240115043000' }]);
  expect(orders.complete).toBe(false);
  // Runs 02:00..04:00 of the events table: both committed, nothing else in range.
  const events = await tableCoverage(target('events', 'data-integration'), '20240115020000', '20240115040000');
  expect(events.windows.map(w => w.status)).toEqual(['committed', 'committed']);
  expect(events.complete).toBe(true);
  expect(coverageReport([events]).complete).toBe(true);
});

describe('otsbk-sync coverage', () => {
  function capture(env: NodeJS.ProcessEnv): { io: CliIo; out: () => string } {
    let out = '';
    return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true, isTTY: false }, env, cwd: '/tmp', now: Date.now }, out: () => out };
  }
  const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'sandbox-ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sandbox-secret' };
  const flags = (): string[] => [
    '--endpoint', 'http://127.0.0.1:1', '--instance', 'unused', '--columns', 'id',
    '--oss-endpoint', sb.endpoint, '--oss-region', sb.region, '--bucket', sb.bucket, '--prefix', PREFIX,
  ];

  test('--help', async () => {
    const c = capture({});
    expect(await main(['coverage', '--help'], c.io)).toBe(0);
    expect(c.out()).toBe(COMMAND_HELP.coverage);
  });

  test('exit 3 with the grid when a window is missing; 0 and JSON when complete', async () => {
    const incomplete = capture(env);
    const html = join(mkdtempSync(join(tmpdir(), 'otsbk-coverage-')), 'report.html');
    expect(await main(['coverage', '--from', FROM, '--to', TO, '--table', 'events', '--engine', 'data-integration', '--html', html, ...flags()], incomplete.io)).toBe(3);
    expect(incomplete.out()).toContain('2024-01-14                           #.\n');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('5/6 committed, 0 partial, 1 missing, 0 overlaps');
    expect(page.match(/<rect /g)).toHaveLength(6);
    expect(page).toContain('<title>20240114235000_20240115005000: missing</title>');
    const complete = capture(env);
    expect(await main(['coverage', '--from', '20240115020000', '--to', '20240115040000', '--table', 'events', '--engine', 'data-integration', '--json', ...flags()], complete.io)).toBe(0);
    expect(JSON.parse(complete.out())).toMatchObject({ complete: true, tables: [{ table: 'events', counts: { scheduled: 2, committed: 2 } }] });
  });

  test('--engine must be one of the two layouts', async () => {
    const c = capture(env);
    expect(await main(['coverage', '--from', FROM, '--to', TO, '--engine', 'spark', ...flags(), '--table', 'events'], c.io)).toBe(2);
  });
});
