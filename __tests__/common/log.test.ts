import { LineLogger } from '../../lib/common/log';
import { Redactor } from '../../lib/common/redact';

describe('one logger, two line formats', () => {
  test('prefix lines carry the message and the fields, redacted with the logger\'s own redactor', () => {
    const lines: string[] = [];
    const log = new LineLogger({ format: { prefix: '[ops x]' }, redactor: new Redactor({ marker: '***', minSecretLength: 8 }), sink: { write: s => lines.push(s) } });
    log.addSecret('receiver-13800000000');
    log.info('notify receiver-13800000000; request had SecurityToken=abcdefgh123', { accessKeySecret: 'zzz', n: 1 });
    log.debug('dropped below info');
    expect(lines).toEqual(['[ops x] notify ***; request had SecurityToken=*** {"accessKeySecret":"***","n":1}\n']);
  });

  test('a secret registered with one redactor stays out of other loggers\' business', () => {
    const mine = new Redactor();
    mine.addSecret('only-mine-123');
    expect(mine.text('x only-mine-123')).toBe('x [REDACTED]');
    expect(new Redactor().text('x only-mine-123')).toBe('x only-mine-123');
  });

  test('JSON lines keep their shape, and children add fields', () => {
    const lines: string[] = [];
    const log = new LineLogger({ sink: { write: s => lines.push(s) }, now: () => new Date(0), base: { command: 'sync' } }).child({ window: 'w1' });
    log.warn('slow');
    expect(lines.map(l => JSON.parse(l))).toEqual([{ time: '1970-01-01T00:00:00.000Z', level: 'warn', msg: 'slow', fields: { command: 'sync', window: 'w1' } }]);
  });
});
