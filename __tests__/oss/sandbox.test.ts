import OSS from 'ali-oss';
import { createHash } from 'node:crypto';
import { crc64 } from '../../lib/common/crc64';
import { OssSandbox, startOssSandbox } from '../../lib/sandbox/oss';

/**
 * The official client, typed loosely: the community @types/ali-oss disagrees with what ali-oss 6.23 returns
 * (uploadPart's etag, listV2 and listParts queries, getObjectMeta), and these tests check the real shapes.
 */
type LooseClient = any;
const newClient = (options: Record<string, unknown>): LooseClient => new OSS(options as unknown as OSS.Options);

let sandbox: OssSandbox;
let client: LooseClient;

beforeAll(async () => {
  sandbox = await startOssSandbox({ bucket: 'backup-bucket' });
  client = newClient(sandbox.clientOptions());
});

afterAll(async () => {
  await sandbox.close();
});

const md5Hex = (b: Buffer | string): string => createHash('md5').update(b).digest('hex').toUpperCase();

function errorOf(p: Promise<unknown>): Promise<{ status: number; code: string; name: string }> {
  return p.then(
    () => { throw new Error('expected the request to fail'); },
    (e: { status: number; code: string; name: string }) => e,
  );
}

describe('objects through the official ali-oss client', () => {
  test('put, get, head, getObjectMeta, delete', async () => {
    const body = Buffer.from('hello, sandbox\n');
    const put = await client.put('dir/a b+c.txt', body, { headers: { 'x-oss-meta-owner': 'tests' } });
    expect(put.res.status).toBe(200);
    expect(put.res.headers.etag).toBe(`"${md5Hex(body)}"`);
    expect(put.res.headers['x-oss-hash-crc64ecma']).toBe(crc64(body));

    const got = await client.get('dir/a b+c.txt');
    expect(Buffer.compare(got.content, body)).toBe(0);

    const head = await client.head('dir/a b+c.txt');
    expect(head.status).toBe(200);
    expect((head.res.headers as Record<string, string>)['content-length']).toBe(String(body.length));
    expect(head.meta).toEqual({ owner: 'tests' });

    const meta = await client.getObjectMeta('dir/a b+c.txt');
    expect((meta.res.headers as Record<string, string>).etag).toBe(`"${md5Hex(body)}"`);

    await client.delete('dir/a b+c.txt');
    const err = await errorOf(client.head('dir/a b+c.txt'));
    expect(err.status).toBe(404);
    expect(err.code).toBe('NoSuchKey');
    // Deleting a missing key succeeds, as on OSS.
    await expect(client.delete('dir/a b+c.txt')).resolves.toBeDefined();
  });

  test('get of a missing key is NoSuchKey with the OSS error XML', async () => {
    const err = await errorOf(client.get('missing/key'));
    expect(err.status).toBe(404);
    expect(err.code).toBe('NoSuchKey');
    expect(err.name).toBe('NoSuchKeyError');
  });

  test('range reads', async () => {
    const body = Buffer.from('0123456789abcdef');
    await client.put('range.bin', body);
    const mid = await client.get('range.bin', { headers: { Range: 'bytes=2-5' } });
    expect(mid.res.status).toBe(206);
    expect(mid.content.toString()).toBe('2345');
    const tail = await client.get('range.bin', { headers: { Range: 'bytes=-3' } });
    expect(tail.content.toString()).toBe('def');
    const open = await client.get('range.bin', { headers: { Range: 'bytes=10-' } });
    expect(open.content.toString()).toBe('abcdef');
    // Unsatisfiable ranges return the whole object, as OSS does by default.
    const whole = await client.get('range.bin', { headers: { Range: 'bytes=100-200' } });
    expect(whole.res.status).toBe(200);
    expect(whole.content.toString()).toBe(body.toString());
  });

  test('deleteMulti', async () => {
    await client.put('multi/1', Buffer.from('1'));
    await client.put('multi/2', Buffer.from('2'));
    await client.put('multi/3', Buffer.from('3'));
    const res = await client.deleteMulti(['multi/1', 'multi/2', 'multi/missing']);
    expect(res.deleted.map((d: { Key: string } | string) => (typeof d === 'string' ? d : d.Key)).sort()).toEqual(['multi/1', 'multi/2', 'multi/missing']);
    const quiet = await client.deleteMulti(['multi/3'], { quiet: true });
    expect(quiet.deleted).toEqual([]);
    expect([...sandbox.objects().keys()].filter((k) => k.startsWith('multi/'))).toEqual([]);
  });

  test('a Content-MD5 that does not match the body is refused', async () => {
    const err = await errorOf(client.put('digest', Buffer.from('abc'), { headers: { 'Content-MD5': createHash('md5').update('abd').digest('base64') } }));
    expect(err.status).toBe(400);
    expect(err.code).toBe('InvalidDigest');
  });
});

describe('listing', () => {
  beforeAll(async () => {
    for (const k of ['l/a/1', 'l/a/2', 'l/b/1', 'l/c', 'l/d', 'l/e/x/y']) await client.put(k, Buffer.from(k));
  });

  test('ListObjects with prefix, delimiter and marker paging', async () => {
    const all = await client.list({ prefix: 'l/', 'max-keys': 1000 }, {});
    expect(all.objects.map((o: { name: string }) => o.name)).toEqual(['l/a/1', 'l/a/2', 'l/b/1', 'l/c', 'l/d', 'l/e/x/y']);
    expect(all.isTruncated).toBe(false);

    const grouped = await client.list({ prefix: 'l/', delimiter: '/', 'max-keys': 1000 }, {});
    expect(grouped.prefixes).toEqual(['l/a/', 'l/b/', 'l/e/']);
    expect(grouped.objects.map((o: { name: string }) => o.name)).toEqual(['l/c', 'l/d']);

    const seen: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await client.list({ prefix: 'l/', delimiter: '/', 'max-keys': 2, ...(marker ? { marker } : {}) }, {});
      seen.push(...(page.prefixes ?? []), ...page.objects.map((o: { name: string }) => o.name));
      if (!page.isTruncated) break;
      marker = page.nextMarker!;
    }
    expect(seen.sort()).toEqual(['l/a/', 'l/b/', 'l/c', 'l/d', 'l/e/']);
  });

  test('ListObjectsV2 with continuation tokens', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await client.listV2({ prefix: 'l/', 'max-keys': '2', ...(token ? { 'continuation-token': token } : {}) }, {});
      pages += 1;
      seen.push(...page.objects.map((o: { name: string }) => o.name));
      if (!page.isTruncated) break;
      token = page.nextContinuationToken;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['l/a/1', 'l/a/2', 'l/b/1', 'l/c', 'l/d', 'l/e/x/y']);
    const after = await client.listV2({ prefix: 'l/', 'start-after': 'l/c', delimiter: '/' } as never, {});
    expect(after.objects.map((o: { name: string }) => o.name)).toEqual(['l/d']);
    expect(after.prefixes).toEqual(['l/e/']);
    expect(after.keyCount).toBe(2);
  });
});

describe('multipart uploads', () => {
  const partSize = 100 * 1024;

  test('initiate, upload parts, list parts and uploads, complete', async () => {
    const part1 = Buffer.alloc(partSize, 1);
    const part2 = Buffer.alloc(partSize, 2);
    const part3 = Buffer.from('tail');
    const init = await client.initMultipartUpload('mp/object.bin');
    const { uploadId } = init;
    const r1 = await client.uploadPart('mp/object.bin', uploadId, 1, part1, 0, part1.length);
    const r2 = await client.uploadPart('mp/object.bin', uploadId, 2, part2, 0, part2.length);
    const r3 = await client.uploadPart('mp/object.bin', uploadId, 3, part3, 0, part3.length);

    const uploads = await client.listUploads({ prefix: 'mp/' }, {});
    expect(uploads.uploads.map((u: { name: string; uploadId: string }) => [u.name, u.uploadId])).toEqual([['mp/object.bin', uploadId]]);
    const parts = await client.listParts('mp/object.bin', uploadId, {}, {});
    expect(parts.parts.map((p: { PartNumber: string; Size: string }) => [p.PartNumber, p.Size])).toEqual([['1', String(partSize)], ['2', String(partSize)], ['3', '4']]);

    const done = await client.completeMultipartUpload('mp/object.bin', uploadId, [
      { number: 1, etag: r1.etag }, { number: 2, etag: r2.etag }, { number: 3, etag: r3.etag },
    ]);
    const whole = Buffer.concat([part1, part2, part3]);
    const md5s = Buffer.concat([part1, part2, part3].map((p) => createHash('md5').update(p).digest()));
    expect(done.etag).toBe(`"${md5Hex(md5s)}-3"`);
    expect(done.res.headers['x-oss-hash-crc64ecma' as never]).toBe(crc64(whole));
    const got = await client.get('mp/object.bin');
    expect(Buffer.compare(got.content, whole)).toBe(0);
    const head = await client.head('mp/object.bin');
    expect((head.res.headers as Record<string, string>)['x-oss-object-type']).toBe('Multipart');
    expect(sandbox.uploads()).toEqual([]);
  });

  test('complete refuses unknown parts, wrong etags, bad order and undersized parts', async () => {
    const { uploadId } = await client.initMultipartUpload('mp/bad.bin');
    const small = Buffer.from('small');
    const r1 = await client.uploadPart('mp/bad.bin', uploadId, 1, small, 0, small.length);
    const r2 = await client.uploadPart('mp/bad.bin', uploadId, 2, small, 0, small.length);

    let err = await errorOf(client.completeMultipartUpload('mp/bad.bin', uploadId, [{ number: 1, etag: r1.etag }, { number: 5, etag: r2.etag }]));
    expect([err.status, err.code]).toEqual([400, 'InvalidPart']);
    err = await errorOf(client.completeMultipartUpload('mp/bad.bin', uploadId, [{ number: 1, etag: '"00000000000000000000000000000000"' }]));
    expect(err.code).toBe('InvalidPart');
    err = await errorOf(client.completeMultipartUpload('mp/bad.bin', uploadId, [{ number: 1, etag: r1.etag }, { number: 2, etag: r2.etag }]));
    expect(err.code).toBe('EntityTooSmall');

    await client.abortMultipartUpload('mp/bad.bin', uploadId);
    err = await errorOf(client.uploadPart('mp/bad.bin', uploadId, 3, small, 0, small.length));
    expect([err.status, err.code]).toEqual([404, 'NoSuchUpload']);
    err = await errorOf(client.abortMultipartUpload('mp/bad.bin', uploadId));
    expect(err.code).toBe('NoSuchUpload');
    expect(sandbox.head('mp/bad.bin')).toBeUndefined();
  });
});

describe('authentication', () => {
  test('a wrong secret is refused with SignatureDoesNotMatch', async () => {
    const bad = newClient(sandbox.clientOptions({ accessKeySecret: 'not-the-secret' }));
    const err = await errorOf(bad.put('denied', Buffer.from('x')));
    expect([err.status, err.code]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(sandbox.head('denied')).toBeUndefined();
    const headErr = await errorOf(bad.head('range.bin'));
    expect([headErr.status, headErr.code]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  test('an unknown access key id is refused', async () => {
    const bad = newClient(sandbox.clientOptions({ accessKeyId: 'someone-else' }));
    const err = await errorOf(bad.list({}, {}));
    expect([err.status, err.code]).toEqual([403, 'InvalidAccessKeyId']);
  });

  test('unsigned requests are refused', async () => {
    const res = await fetch(`${sandbox.endpoint}/range.bin`, { headers: { host: `backup-bucket.oss-cn-hangzhou.aliyuncs.com` } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
  });

  test('V4 signatures are verified', async () => {
    const v4 = newClient(sandbox.clientOptions({ authorizationV4: true }));
    await v4.put('v4/object', Buffer.from('signed with v4'));
    expect((await v4.get('v4/object')).content.toString()).toBe('signed with v4');
    const listed = await v4.list({ prefix: 'v4/' }, {});
    expect(listed.objects.map((o: { name: string }) => o.name)).toEqual(['v4/object']);
    const { uploadId } = await v4.initMultipartUpload('v4/mp');
    const part = await v4.uploadPart('v4/mp', uploadId, 1, Buffer.from('p'), 0, 1);
    await v4.completeMultipartUpload('v4/mp', uploadId, [{ number: 1, etag: part.etag }]);
    expect(sandbox.objects().get('v4/mp')?.toString()).toBe('p');

    const bad = newClient(sandbox.clientOptions({ authorizationV4: true, accessKeySecret: 'wrong' }));
    const err = await errorOf(bad.put('v4/denied', Buffer.from('x')));
    expect([err.status, err.code]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  test('cname addressing reaches the default bucket', async () => {
    const cname = newClient(sandbox.clientOptions({ cname: true, endpoint: `http://localhost:${sandbox.port}` }));
    await cname.put('cname/object', Buffer.from('via cname'));
    expect(sandbox.objects().get('cname/object')?.toString()).toBe('via cname');
  });
});

describe('fault injection', () => {
  test('the next UploadPart fails with 500, then succeeds', async () => {
    const { uploadId } = await client.initMultipartUpload('faults/a');
    sandbox.faults.failUploadParts(1, 'status500');
    const err = await errorOf(client.uploadPart('faults/a', uploadId, 1, Buffer.from('x'), 0, 1));
    expect([err.status, err.code]).toEqual([500, 'InternalError']);
    await expect(client.uploadPart('faults/a', uploadId, 1, Buffer.from('x'), 0, 1)).resolves.toBeDefined();
    await client.abortMultipartUpload('faults/a', uploadId);
  });

  test('a dropped connection surfaces as a network error', async () => {
    const { uploadId } = await client.initMultipartUpload('faults/b');
    sandbox.faults.failUploadParts(1, 'drop');
    const err = await errorOf(client.uploadPart('faults/b', uploadId, 1, Buffer.alloc(200_000, 1), 0, 200_000));
    expect(err.status).toBe(-1);
    expect(sandbox.requests[sandbox.requests.length - 1]).toMatchObject({ operation: 'UploadPart', status: 0, fault: 'drop' });
    await expect(client.uploadPart('faults/b', uploadId, 1, Buffer.from('x'), 0, 1)).resolves.toBeDefined();
    await client.abortMultipartUpload('faults/b', uploadId);
  });

  test('rules can target one operation and key, and listeners see every request', async () => {
    const seen: string[] = [];
    const off = sandbox.onRequest((r) => seen.push(`${r.operation}:${r.status}`));
    sandbox.faults.inject({ operation: 'PutObject', key: 'faults/only-this', fault: { kind: 'error', status: 503, code: 'ServiceUnavailable' } });
    await client.put('faults/other', Buffer.from('ok'));
    const err = await errorOf(client.put('faults/only-this', Buffer.from('x')));
    expect(err.status).toBe(503);
    off();
    expect(seen).toEqual(['PutObject:200', 'PutObject:503']);
    expect(sandbox.faults.pending).toBe(0);
  });
});
