/**
 * The Stream of a time series table, as the loopback server models the service: on from CreateTimeseriesTable with
 * no enabling call, and no request of the time series table API carries a Stream field (README "Tablestore": time
 * series table's Stream), so such a field is refused instead of being ignored.
 */
import * as protobuf from 'protobufjs';
import { TablestoreError } from '../../lib/tablestore/errors';
import { encodeMessage } from '../../lib/tablestore/protocol/messages';
import { TablestoreTransport } from '../../lib/tablestore/transport';
import { FAST_RETRY, Harness, startHarness, T0 } from './helpers';

/** `message` encoded, followed by an extra length-delimited field `fieldNumber` holding `payload`. */
function withExtraField(message: Buffer, fieldNumber: number, payload: Uint8Array): Buffer {
  const extra = protobuf.Writer.create().uint32((fieldNumber << 3) | 2).bytes(payload).finish();
  return Buffer.concat([message, Buffer.from(extra)]);
}

const STREAM_SPEC = encodeMessage('StreamSpecification', { enable_stream: true, expiration_time: 24 });

describe('time series table Stream', () => {
  let h: Harness;
  let raw: TablestoreTransport;
  beforeEach(async () => {
    h = await startHarness({ timeseriesStreamExpirationHours: 72 });
    raw = new TablestoreTransport({
      endpoint: h.sb.endpoint,
      instanceName: h.sb.instanceName,
      credentials: { accessKeyId: h.sb.accessKeyId, accessKeySecret: h.sb.accessKeySecret, securityToken: h.sb.securityToken },
      retry: FAST_RETRY,
    });
  });
  afterEach(async () => {
    raw.close();
    await h.close();
  });

  const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: unknown) => e as TablestoreError);

  test('is listed and readable right after CreateTimeseriesTable, with no call enabling it', async () => {
    await h.client.createTimeseriesTable({ tableName: 'metrics', timeToLiveSeconds: -1 });
    const streams = await h.client.listStream('metrics');
    expect(streams).toEqual([{ streamId: expect.any(String), tableName: 'metrics', creationTime: T0 }]);
    const d = await h.client.describeStream(streams[0].streamId);
    expect(d).toMatchObject({ tableName: 'metrics', expirationTimeHours: 72, status: 'STREAM_ACTIVE', isTimeseriesDataTable: true });
    await expect(h.client.getShardIterator(streams[0].streamId, d.shards[0].shardId)).resolves.toEqual(expect.any(String));
    expect(Object.keys(h.sb.stats.requests).sort()).toEqual(['CreateTimeseriesTable', 'DescribeStream', 'GetShardIterator', 'ListStream']);
  });

  test('CreateTimeseriesTable with a Stream field the API does not have is refused, and creates nothing', async () => {
    const meta = encodeMessage('TimeseriesTableMeta', { table_name: 'metrics', table_options: { time_to_live: -1 } });
    // A stream specification slipped into the table meta (field 9, undeclared) and into the request (field 6).
    for (const body of [
      withExtraField(Buffer.alloc(0), 1, withExtraField(meta, 9, STREAM_SPEC)),
      withExtraField(withExtraField(Buffer.alloc(0), 1, meta), 6, STREAM_SPEC),
    ]) {
      const e = await refusal(raw.call('CreateTimeseriesTable', body));
      expect(e).toBeInstanceOf(TablestoreError);
      expect(e.code).toBe('OTSParameterInvalid');
      expect(e.message).toMatch(/CreateTimeseriesTable does not take the field\(s\) CreateTimeseriesTableRequest(\.table_meta#9|#6)\./);
    }
    expect(await h.client.listTimeseriesTable()).toEqual([]);
    expect(await h.client.listStream()).toEqual([]);
  });

  test('UpdateTimeseriesTable with a Stream field is refused and leaves the TTL; UpdateTable does not reach a time series table', async () => {
    await h.client.createTimeseriesTable({ tableName: 'metrics', timeToLiveSeconds: -1 });
    const update = encodeMessage('UpdateTimeseriesTableRequest', { table_name: 'metrics', table_options: { time_to_live: 86400 } });
    const e = await refusal(raw.call('UpdateTimeseriesTable', withExtraField(update, 4, STREAM_SPEC)));
    expect(e.code).toBe('OTSParameterInvalid');
    expect(e.message).toContain('UpdateTimeseriesTable does not take the field(s) UpdateTimeseriesTableRequest#4.');
    expect((await h.client.describeTimeseriesTable('metrics')).timeToLiveSeconds).toBe(-1);

    // The wide-column route to a Stream does not know the table (Assumption: the service's answer is not documented).
    const wide = await refusal(raw.call('UpdateTable', encodeMessage('UpdateTableRequest', { table_name: 'metrics', stream_spec: { enable_stream: true, expiration_time: 24 } })));
    expect(wide.code).toBe('OTSObjectNotExist');
  });
});
