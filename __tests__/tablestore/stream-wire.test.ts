/** The GetStreamRecordResponse codec: records framed by the writer come back as offsets, in one pass. */
import { decodeGetStreamRecordResponse, StreamRecordResponseWriter, WireFormatError } from '../../lib/tablestore/protocol/stream-wire';

function response(count: number): { body: Buffer; records: Buffer[] } {
  const w = new StreamRecordResponseWriter();
  const records: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = Buffer.from(`record ${i} ${'x'.repeat(i % 300)}`);
    records.push(bytes);
    w.add((i % 3) + 1, bytes, 0, bytes.length);
  }
  return { body: Buffer.from(w.finish('next-iterator', true)), records };
}

describe('decodeGetStreamRecordResponse', () => {
  test.each([0, 1, 1024, 2500])('%i records: actions, record bytes, next iterator, may_more_record', (count) => {
    const { body, records } = response(count);
    const batch = decodeGetStreamRecordResponse(body);
    expect(batch).toMatchObject({ count, nextShardIterator: 'next-iterator', mayMoreRecord: true });
    expect([batch.actions.length, batch.starts.length, batch.ends.length]).toEqual([count, count, count]);
    // One expectation over every record: thousands of expect() calls cost most of a second, the checks nothing.
    const wrong: Array<{ record: number; action: number }> = [];
    for (let i = 0; i < count; i++) {
      if (batch.actions[i] !== (i % 3) + 1 || !body.subarray(batch.starts[i], batch.ends[i]).equals(records[i])) wrong.push({ record: i, action: batch.actions[i] });
    }
    expect(wrong).toEqual([]);
  });

  test('a body cut inside a record is refused', () => {
    const { body } = response(3);
    expect(() => decodeGetStreamRecordResponse(body.subarray(0, 20))).toThrow(WireFormatError);
  });
});
