/**
 * The transport's HTTP/1.1 client against raw loopback servers that write exact bytes: framing (Content-Length,
 * chunked, until close), keep-alive reuse and its limits, broken and malformed answers, timeouts, TLS.
 */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { loopbackCertificate } from '../../lib/sandbox/tls';
import { Http1Pool, HttpProtocolError, HttpTimeoutError } from '../../lib/tablestore/http1';
import { contentMd5, TablestoreError, TablestoreTransport } from '../../lib/tablestore';

interface Received {
  readonly head: string;
  readonly body: Buffer;
}

/** A server answering each request (head + Content-Length body) with `answer`; counts its connections. */
async function rawServer(answer: (socket: net.Socket, req: Received, n: number) => void, secure?: { key: string; cert: string }) {
  const sockets = new Set<net.Socket>();
  let requests = 0;
  const onSocket = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const body = buf.subarray(end + 4, end + 4 + length);
        buf = buf.subarray(end + 4 + length);
        answer(socket, { head, body }, ++requests);
      }
    });
  };
  const server = secure ? tls.createServer(secure, onSocket) : net.createServer(onSocket);
  let connections = 0;
  server.on(secure ? 'secureConnection' : 'connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: new URL(`${secure ? 'https' : 'http'}://127.0.0.1:${port}`),
    get connections() {
      return connections;
    },
    get requests() {
      return requests;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const ok = (body: string, extra = ''): string => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

/** Writes `text` a few bytes at a time, so that every parser state sees its input split. */
async function dribble(socket: net.Socket, text: string, step = 3): Promise<void> {
  for (let i = 0; i < text.length; i += step) {
    socket.write(text.slice(i, i + step));
    await new Promise((r) => setImmediate(r));
  }
}

type Server = Awaited<ReturnType<typeof rawServer>>;
let server: Server | undefined;
let pool: Http1Pool | undefined;
afterEach(async () => {
  pool?.close();
  pool = undefined;
  await server?.close();
  server = undefined;
});

/** A server answering with `answer`, two requests in a row through a new pool: their bodies, the connections used. */
async function twoRequests(answer: Parameters<typeof rawServer>[0]): Promise<{ bodies: string[]; connections: number }> {
  server = await rawServer(answer);
  pool = new Http1Pool({ url: server.url });
  const bodies: string[] = [];
  for (let i = 0; i < 2; i++) bodies.push((await pool.post('/a', {}, Buffer.alloc(0), 5000)).body.toString());
  return { bodies, connections: server.connections };
}

describe('Http1Pool', () => {
  test('sends the request with Host and Content-Length, reads a Content-Length body, and reuses the connection', async () => {
    const seen: Received[] = [];
    server = await rawServer((socket, req) => {
      seen.push(req);
      socket.write(ok(`echo ${req.body.toString()}`, 'X-Ots-RequestId: r-1\r\nx-ots-requestid: r-2\r\n'));
    });
    pool = new Http1Pool({ url: server.url });
    const first = await pool.post('/ListStream', { 'x-ots-date': 'd' }, Buffer.from('one'), 5000);
    const second = await pool.post('/ListStream', {}, Buffer.from('two'), 5000);
    expect(first).toMatchObject({ status: 200, body: Buffer.from('echo one') });
    expect(first.headers.get('x-ots-requestid')).toBe('r-1');
    expect(second.body.toString()).toBe('echo two');
    expect(server.connections).toBe(1);
    expect(seen[0].head).toBe(`POST /ListStream HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: 3\r\nx-ots-date: d`);
  });

  test('a chunked body arriving a few bytes at a time (extensions, trailers), then the next response on the same connection', async () => {
    const answered = await twoRequests((socket, _req, n) => {
      if (n === 1) void dribble(socket, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n');
      else socket.write(ok('again'));
    });
    expect(answered).toEqual({ bodies: ['hello, world', 'again'], connections: 1 });
  });

  test('a body without length is read until the server closes, and that connection is not reused', async () => {
    const answered = await twoRequests((socket, _req, n) => socket.end(`HTTP/1.1 200 OK\r\n\r\nuntil close ${n}`));
    expect(answered).toEqual({ bodies: ['until close 1', 'until close 2'], connections: 2 });
  });

  test.each([
    ['Connection: close', ok('x', 'Connection: close\r\n')],
    ['HTTP/1.0', 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx'],
    ['both Transfer-Encoding and Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n'],
    ['bytes after the response', `${ok('x')}HTTP/1.1 200 OK\r\n`],
  ])('%s: the next request opens a new connection', async (_name, answer) => {
    expect(await twoRequests((socket) => socket.write(answer))).toEqual({ bodies: ['x', 'x'], connections: 2 });
  });

  test('interim 1xx responses are skipped; 204 has no body', async () => {
    server = await rawServer((socket, _req, n) => {
      socket.write(n === 1 ? `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${ok('final')}` : 'HTTP/1.1 204 No Content\r\n\r\n');
    });
    pool = new Http1Pool({ url: server.url });
    expect((await pool.post('/a', {}, Buffer.alloc(0), 5000)).body.toString()).toBe('final');
    expect(await pool.post('/a', {}, Buffer.alloc(0), 5000)).toMatchObject({ status: 204, body: Buffer.alloc(0) });
  });

  test.each([
    ['a status line that is not HTTP/1.x', 'HTTP/2 200\r\n\r\n', /invalid status line/],
    ['a header line without a name', 'HTTP/1.1 200 OK\r\n: x\r\n\r\n', /invalid header line/],
    ['conflicting Content-Length headers', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx', /conflicting Content-Length/],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid Content-Length/],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /invalid chunk size/],
    ['chunk data not followed by CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxyz\r\n', /not followed by CRLF/],
    ['a header section over 16 KiB', `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17 * 1024)}`, /longer than 16384/],
    ['a body over 1 GiB', 'HTTP/1.1 200 OK\r\nContent-Length: 1073741825\r\n\r\n', /exceeds/],
  ])('%s is refused with an HttpProtocolError', async (_name, answer, message) => {
    server = await rawServer((socket) => socket.write(answer));
    pool = new Http1Pool({ url: server.url });
    const err = await pool.post('/a', {}, Buffer.alloc(0), 5000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpProtocolError);
    expect((err as Error).message).toMatch(message);
  });

  test('a response cut off mid-body fails with ECONNRESET; the next request gets a new connection', async () => {
    server = await rawServer((socket, _req, n) => {
      if (n === 1) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      else socket.write(ok('whole'));
    });
    pool = new Http1Pool({ url: server.url });
    await expect(pool.post('/a', {}, Buffer.alloc(0), 5000)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await pool.post('/a', {}, Buffer.alloc(0), 5000)).body.toString()).toBe('whole');
  });

  test('no byte for the timeout fails with HttpTimeoutError', async () => {
    server = await rawServer(() => undefined);
    pool = new Http1Pool({ url: server.url });
    await expect(pool.post('/a', {}, Buffer.alloc(0), 50)).rejects.toBeInstanceOf(HttpTimeoutError);
  });

  test('an idle connection the server closed is not used again', async () => {
    server = await rawServer((socket, _req, n) => {
      socket.write(ok(`answer ${n}`));
      if (n === 1) setImmediate(() => socket.end());
    });
    pool = new Http1Pool({ url: server.url });
    expect((await pool.post('/a', {}, Buffer.alloc(0), 5000)).body.toString()).toBe('answer 1');
    await new Promise((r) => setTimeout(r, 50));
    expect((await pool.post('/a', {}, Buffer.alloc(0), 5000)).body.toString()).toBe('answer 2');
    expect(server.connections).toBe(2);
  });

  test('requests beyond maxSockets wait for a connection', async () => {
    server = await rawServer((socket, req) => setTimeout(() => socket.write(ok(req.body.toString())), 5));
    pool = new Http1Pool({ url: server.url, maxSockets: 2 });
    const bodies = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((s) => pool!.post('/a', {}, Buffer.from(s), 5000).then((r) => r.body.toString())));
    expect(bodies).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(server.connections).toBe(2);
  });

  test('refuses header names and values that would break the request', async () => {
    server = await rawServer((socket) => socket.write(ok('x')));
    pool = new Http1Pool({ url: server.url });
    expect(() => pool!.post('/a', { 'x-ots-token': 'a\r\nInjected: 1' }, Buffer.alloc(0), 5000)).toThrow(/cannot carry/);
    expect(() => pool!.post('/a', { 'bad name': 'v' }, Buffer.alloc(0), 5000)).toThrow(/invalid HTTP header name/);
    expect(server.requests).toBe(0);
  });

  test('a closed pool fails requests in flight and refuses new ones', async () => {
    server = await rawServer(() => undefined);
    pool = new Http1Pool({ url: server.url });
    const inFlight = pool.post('/a', {}, Buffer.alloc(0), 5000);
    await new Promise((r) => setTimeout(r, 20));
    pool.close();
    await expect(inFlight).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(pool.post('/a', {}, Buffer.alloc(0), 5000)).rejects.toThrow(/closed/);
  });

  describe('over TLS', () => {
    const { key, cert } = loopbackCertificate();

    test('https verifies the server certificate and keeps the connection alive', async () => {
      server = await rawServer((socket, req) => socket.write(ok(`tls ${req.body.toString()}`)), { key, cert });
      pool = new Http1Pool({ url: server.url, tls: { ca: cert } });
      expect((await pool.post('/a', {}, Buffer.from('1'), 5000)).body.toString()).toBe('tls 1');
      expect((await pool.post('/a', {}, Buffer.from('2'), 5000)).body.toString()).toBe('tls 2');
      expect(server.connections).toBe(1);
      pool.close();
      pool = new Http1Pool({ url: server.url });
      await expect(pool.post('/a', {}, Buffer.alloc(0), 5000)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    });

    test('a new connection resumes the TLS session of an earlier one', async () => {
      const resumed: boolean[] = [];
      server = await rawServer((socket) => {
        resumed.push((socket as tls.TLSSocket).isSessionReused());
        socket.end(ok('x', 'Connection: close\r\n'));
      }, { key, cert });
      pool = new Http1Pool({ url: server.url, tls: { ca: cert } });
      for (let i = 0; i < 3; i++) await pool.post('/a', {}, Buffer.alloc(0), 5000);
      expect(server.connections).toBe(3);
      expect(resumed).toEqual([false, true, true]);
    });
  });
});

describe('TablestoreTransport over it', () => {
  const credentials = { accessKeyId: 'test-id', accessKeySecret: 'test-secret' };
  const retry = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };

  test('a body that does not match x-ots-contentmd5 is a NetworkError, retried', async () => {
    const body = 'payload';
    server = await rawServer((socket, _req, n) => socket.write(ok(body, `x-ots-contentmd5: ${n === 1 ? contentMd5(Buffer.from('other')) : contentMd5(Buffer.from(body))}\r\n`)));
    const transport = new TablestoreTransport({ endpoint: server.url.href, instanceName: 'i', credentials, retry });
    expect((await transport.call('ListStream', Buffer.alloc(0))).toString()).toBe(body);
    expect(server.requests).toBe(2);
    transport.close();
  });

  test('a security token HTTP cannot carry fails at once, without a request or a retry', async () => {
    server = await rawServer((socket) => socket.write(ok('x')));
    const transport = new TablestoreTransport({ endpoint: server.url.href, instanceName: 'i', credentials: { ...credentials, securityToken: 'token\r\nx-injected: 1' }, retry });
    await expect(transport.call('ListStream', Buffer.alloc(0))).rejects.toThrow(TypeError);
    expect(server.requests).toBe(0);
    transport.close();
  });

  test('a mismatch on every attempt fails with the MD5 message; a timeout is a TimeoutError', async () => {
    server = await rawServer((socket, req) => {
      if (req.head.startsWith('POST /ListStream')) socket.write(ok('x', `x-ots-contentmd5: ${createHash('md5').update('y').digest('base64')}\r\nx-ots-requestid: req-7\r\n`));
    });
    const transport = new TablestoreTransport({ endpoint: server.url.href, instanceName: 'i', credentials, retry, requestTimeoutMs: 50 });
    await expect(transport.call('ListStream', Buffer.alloc(0))).rejects.toMatchObject({ code: 'NetworkError', requestId: 'req-7', attempts: 2, message: expect.stringContaining('x-ots-contentmd5') });
    const timeout = (await transport.call('DescribeStream', Buffer.alloc(0)).catch((e: unknown) => e)) as TablestoreError;
    expect(timeout).toMatchObject({ code: 'TimeoutError', attempts: 2, httpStatus: null });
    expect(timeout.message).toContain('no response within 50 ms');
    transport.close();
  });
});
