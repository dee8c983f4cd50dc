/**
 * Full scan of a time series table (SplitTimeseriesScanTask + ScanTimeseriesData) against the loopback server:
 * every point once across the splits and pages, as storage rows; and the requests the API reference does not allow
 * (or the sandbox does not serve) refused rather than answered.
 */
import { toTimeseriesPoint } from '../../lib/runtime/reader/record-decoder';
import type { PrimaryKeyColumn, StreamColumn } from '../../lib/runtime/reader/types';
import { TablestoreError } from '../../lib/tablestore/errors';
import { decodeMessage, encodeMessage } from '../../lib/tablestore/protocol/messages';
import { TablestoreTransport } from '../../lib/tablestore/transport';
import { FAST_RETRY, Harness, startHarness } from './helpers';

describe('time series scan', () => {
  let h: Harness;
  let raw: TablestoreTransport;
  beforeAll(async () => {
    h = await startHarness();
    raw = new TablestoreTransport({
      endpoint: h.sb.endpoint,
      instanceName: h.sb.instanceName,
      credentials: { accessKeyId: h.sb.accessKeyId, accessKeySecret: h.sb.accessKeySecret, securityToken: h.sb.securityToken },
      retry: FAST_RETRY,
    });
    await h.client.createTimeseriesTable({ tableName: 'metrics' });
    await h.client.createTimeseriesTable({ tableName: 'other' });
    const points = Array.from({ length: 12 }, (_, i) => ({ measurement: i % 2 ? 'cpu' : 'mem', dataSource: `host${i}`, tags: { az: 'b' }, timeMicros: 1000 + i, fields: { v: i } }));
    expect(await h.client.putTimeseriesData('metrics', points)).toEqual([]);
  });
  afterAll(async () => {
    raw.close();
    await h.close();
  });

  const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: unknown) => e as TablestoreError);

  test('splits and pages return every point once, in the storage layout', async () => {
    const splits = await h.client.splitTimeseriesScanTask('metrics', 3);
    expect(splits.length).toBeGreaterThan(1);
    const seen: string[] = [];
    let pages = 0;
    for (const split of splits) {
      let token: Buffer | null = null;
      do {
        const page: { rows: { primaryKey: unknown[]; cells: unknown[] }[]; nextToken: Buffer | null } = await h.client.scanTimeseriesData('metrics', split, token, 2);
        expect(page.rows.length).toBeLessThanOrEqual(2);
        pages++;
        for (const r of page.rows) {
          const p = toTimeseriesPoint(r.primaryKey as PrimaryKeyColumn[], r.cells as StreamColumn[]);
          seen.push(`${p.measurement} ${p.dataSource} ${p.timeMicros} ${String(p.fields.find((f) => f.name === 'v')?.value)}`);
        }
        token = page.nextToken;
      } while (token);
    }
    expect(pages).toBeGreaterThan(splits.length);
    expect(seen.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `${i % 2 ? 'cpu' : 'mem'} host${i} ${1000 + i} ${i}`).sort());
  });

  test('a measurement_name narrows the splits to that measurement', async () => {
    const body = encodeMessage('SplitTimeseriesScanTaskRequest', { table_name: 'metrics', measurement_name: 'cpu', split_count_hint: 1 });
    const res = decodeMessage<{ split_infos: Buffer[] }>('SplitTimeseriesScanTaskResponse', await raw.call('SplitTimeseriesScanTask', body));
    expect(res.split_infos).toHaveLength(1);
    const page = await h.client.scanTimeseriesData('metrics', res.split_infos[0], null);
    expect(page.rows).toHaveLength(6);
    expect(page.nextToken).toBeNull();
  });

  test.each([
    ['split_count_hint 0', 'SplitTimeseriesScanTask', { table_name: 'metrics', split_count_hint: 0 }, /split_count_hint must be greater than 0/],
    ['limit above 5000', 'ScanTimeseriesData', { table_name: 'metrics', limit: 5001, data_serialize_type: 'RST_PLAIN_BUFFER' }, /limit must be 1 to 5000/],
    ['no data_serialize_type', 'ScanTimeseriesData', { table_name: 'metrics' }, /data_serialize_type \(absent\)/],
    ['FlatBuffer rows', 'ScanTimeseriesData', { table_name: 'metrics', data_serialize_type: 'RST_FLAT_BUFFER' }, /ask for RST_PLAIN_BUFFER/],
    ['fields_to_get', 'ScanTimeseriesData', { table_name: 'metrics', data_serialize_type: 'RST_PLAIN_BUFFER', fields_to_get: [{ name: 'v' }] }, /fields_to_get is not served/],
    ['an empty time range', 'ScanTimeseriesData', { table_name: 'metrics', data_serialize_type: 'RST_PLAIN_BUFFER', start_time_us: 5, end_time_us: 5 }, /must be before end_time_us/],
  ])('%s is refused', async (_what, operation, request, message) => {
    const e = await refusal(raw.call(operation, encodeMessage(`${operation}Request`, request)));
    expect(e).toBeInstanceOf(TablestoreError);
    expect(e.code).toBe('OTSParameterInvalid');
    expect(e.message).toMatch(message);
  });

  test('a split info of another table is refused', async () => {
    const [split] = await h.client.splitTimeseriesScanTask('other', 1);
    const e = await refusal(h.client.scanTimeseriesData('metrics', split, null));
    expect(e.code).toBe('OTSParameterInvalid');
    expect(e.message).toMatch(/split_info does not belong to table metrics/);
  });

  test('a table that does not exist is refused', async () => {
    const e = await refusal(h.client.splitTimeseriesScanTask('nope', 1));
    expect(e.code).toBe('OTSObjectNotExist');
  });
});
