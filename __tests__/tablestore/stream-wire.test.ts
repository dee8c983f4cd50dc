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
    for (let i = 0; i < count; i++) {
      expect(batch.actions[i]).toBe((i % 3) + 1);
      expect(body.subarray(batch.starts[i], batch.ends[i]).equals(records[i])).toBe(true);
    }
  });

  test('a body cut inside a record is refused', () => {
    const { body } = response(3);
    expect(() => decodeGetStreamRecordResponse(body.subarray(0, 20))).toThrow(WireFormatError);
  });
});
