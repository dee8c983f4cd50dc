/**
 * The sandbox's row store keeps rows as bytes: its key order (sort keys), its hash index and its whole-row reads
 * must give what the service's key order and row semantics give.
 */
import { PrimaryKeyColumn, WirePrimaryKeyColumn } from '../../lib/tablestore/plainbuffer';
import { primaryKeySortKey, RowStore, rowColumns } from '../../lib/sandbox/tablestore/row-store';

const key = (s: string, n: bigint): PrimaryKeyColumn[] => [{ name: 's', type: 'STRING', value: s }, { name: 'n', type: 'INTEGER', value: n }];
const put = (value: string, ts = 1000) => [{ name: 'v', operation: 'PUT' as const, type: 'STRING' as const, value, timestampMillis: ts }];

/** The service's order: column by column, strings by UTF-8 bytes, integers signed. */
function reference(a: PrimaryKeyColumn[], b: PrimaryKeyColumn[]): number {
  const c = Buffer.compare(Buffer.from(a[0].value as string, 'utf8'), Buffer.from(b[0].value as string, 'utf8'));
  if (c !== 0) return c;
  const x = a[1].value as bigint;
  const y = b[1].value as bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

describe('sandbox row store', () => {
  // Prefixes, embedded NUL and 0x01, a character above the surrogates (U+FF5E) against one beyond the BMP.
  const strings = ['', 'a', 'a\u0000', 'a\u0000b', 'a\u0001', 'ab', 'b', '\uff5e', '\u{1f600}', 'é', 'z'];
  const numbers = [-(2n ** 63n), -5n, -1n, 0n, 1n, 7n, 2n ** 63n - 1n];

  test('scans in the service key order, forward and backward, within bounds', () => {
    const store = new RowStore(() => 1);
    const keys = strings.flatMap((s) => numbers.map((n) => key(s, n)));
    for (const k of [...keys].reverse()) store.put(k, put(`${k[0].value}/${k[1].value}`));
    const expected = [...keys].sort(reference);
    const min: WirePrimaryKeyColumn[] = [{ name: 's', type: 'INF_MIN', value: null }, { name: 'n', type: 'INF_MIN', value: null }];
    const max: WirePrimaryKeyColumn[] = [{ name: 's', type: 'INF_MAX', value: null }, { name: 'n', type: 'INF_MAX', value: null }];
    const scanned = [...store.range(min, max, false)].map((r) => r.primaryKey);
    expect(scanned).toEqual(expected);
    expect([...store.range(max, min, true)].map((r) => r.primaryKey)).toEqual([...expected].reverse());
    // [a, INF_MIN) .. [ab, 0): start inclusive, end exclusive.
    const from: WirePrimaryKeyColumn[] = [{ name: 's', type: 'STRING', value: 'a' }, { name: 'n', type: 'INF_MIN', value: null }];
    const to = key('ab', 0n);
    const inRange = expected.filter((k) => reference(k, key('a', -(2n ** 63n))) >= 0 && reference(k, to) < 0);
    expect([...store.range(from, to, false)].map((r) => r.primaryKey)).toEqual(inRange);
  });

  test('sort keys order like the reference for every pair', () => {
    const keys = strings.flatMap((s) => numbers.map((n) => key(s, n)));
    const wrong = keys.flatMap((a) => keys.filter((b) => Math.sign(Buffer.compare(primaryKeySortKey(a), primaryKeySortKey(b))) !== Math.sign(reference(a, b))).map((b) => [a, b]));
    expect(wrong).toEqual([]);
  });

  test('get, rewrite, delete and re-insert through the hash index (with growth)', () => {
    const store = new RowStore(() => 2);
    for (let i = 0; i < 5000; i++) store.put(key(`k${i}`, BigInt(i)), put(`v${i}`));
    expect(store.size).toBe(5000);
    for (let i = 0; i < 5000; i += 2) store.delete(key(`k${i}`, BigInt(i)));
    expect(store.size).toBe(2500);
    expect(store.get(key('k2', 2n))).toBeUndefined();
    store.update(key('k3', 3n), put('newer', 2000));
    expect([...rowColumns(store.get(key('k3', 3n))!).get('v')!].map((v) => v.value)).toEqual(['newer', 'v3']);
    store.put(key('k2', 2n), put('back'));
    expect(rowColumns(store.get(key('k2', 2n))!).get('v')![0].value).toBe('back');
    expect(store.size).toBe(2501);
    const all = [...store.range([{ name: 's', type: 'INF_MIN', value: null }, { name: 'n', type: 'INF_MIN', value: null }], [{ name: 's', type: 'INF_MAX', value: null }, { name: 'n', type: 'INF_MAX', value: null }], false)];
    expect(all).toHaveLength(2501);
    expect(all.map((r) => r.primaryKey)).toEqual(all.map((r) => r.primaryKey).sort(reference));
  });
});
